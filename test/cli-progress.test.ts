/**
 * Progress of slow work through the `keri` binary, whose stderr here is a pipe (not a terminal):
 * one line when argon2id starts at the med tier, one when it ends with the time it took; stdout
 * stays the JSON it promises; quick work at the low tier says nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keri } from './support/keri.js';

const base = mkdtempSync(join(tmpdir(), 'kestrel-cli-progress-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function ok(args: string[]) {
  const result = await keri([...args, '--base', base]);
  if (result.code !== 0)
    throw new Error(`keri ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

describe('progress on stderr when it is not a terminal', () => {
  it('prints a start and an end line for argon2id at the med tier, and keeps stdout JSON', async () => {
    await ok(['init', '--name', 'slow', '--nopasscode', '--tier', 'med']);
    const incept = await ok([
      'incept',
      '-n',
      'slow',
      '-a',
      'slow',
      '--transferable',
      '--icount',
      '2',
      '--ncount',
      '1',
      '--json',
    ]);
    const lines = incept.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toEqual([
      'Deriving 2 keys from the salt (argon2id, med tier, about 1 s)...',
      expect.stringMatching(
        /^Deriving 2 keys from the salt \(argon2id, med tier, about 1 s\): done in \d+\.\d s$/,
      ),
      'Deriving 1 key from the salt (argon2id, med tier, about 1 s)...',
      expect.stringMatching(
        /^Deriving 1 key from the salt \(argon2id, med tier, about 1 s\): done in \d+\.\d s$/,
      ),
    ]);
    expect(JSON.parse(incept.stdout).state.k).toHaveLength(2);
  });

  it('says nothing of quick work', async () => {
    await ok(['init', '--name', 'quick', '--nopasscode']);
    const incept = await ok(['incept', '-n', 'quick', '-a', 'quick', '--transferable', '--json']);
    expect(incept.stderr).toBe('');
  });
});
