#!/usr/bin/env node
/**
 * `npm run fuzz [-- FACTOR]`: the suite's property tests with FACTOR (default 50) times as many
 * cases each, on fresh random seeds. Too long for CI (the suite keeps every property small); run it
 * after changing the parser, the codecs or the validation rules. A failure prints fast-check's
 * seed and path: pass them to that `fc.assert` as `{ seed, path }` to replay the case.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const factor = process.argv[2] ?? '50';
if (!(Number(factor) >= 1)) {
  console.error(`usage: npm run fuzz [-- FACTOR]   (FACTOR >= 1, not '${factor}')`);
  process.exit(2);
}

/** Test files whose properties scale with KESTREL_FUZZ (they call propertyRuns). */
function propertyTestFiles(directory) {
  const files = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...propertyTestFiles(path));
    else if (
      entry.name.endsWith('.test.ts') &&
      readFileSync(path, 'utf8').includes('propertyRuns(')
    )
      files.push(relative(root, path));
  }
  return files;
}

const files = [
  ...propertyTestFiles(join(root, 'packages')),
  ...propertyTestFiles(join(root, 'test')),
];
console.log(`fuzz: ${files.length} files, ${factor} times the suite's cases`);
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const day = String(24 * 60 * 60 * 1000);
const { status } = spawnSync(vitest, ['run', '--testTimeout', day, ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, KESTREL_FUZZ: factor },
});
process.exit(status ?? 1);
