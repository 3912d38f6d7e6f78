/**
 * `npm run bench` is the project's main job: it must run to its end and print what it promises.
 * Its `--smoke` mode takes every step on tiny inputs (the figures mean nothing) from the build
 * that `npm test` makes first, with the flags `npm run bench` gives Node.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BENCH = join(import.meta.dirname, '..', 'bench', 'dist', 'run.js');

describe('npm run bench', () => {
  it('runs every step and prints each figure with the limit beside it (--smoke --json)', async () => {
    const { stdout } = await run(process.execPath, ['--expose-gc', BENCH, '--smoke', '--json'], {
      timeout: 120_000,
    });
    const results = JSON.parse(stdout);
    expect(results.smoke).toBe(true);
    expect(results.ed25519VerifiesPerSecond).toBeGreaterThan(0);
    for (const name of [
      'kel-1k',
      'kel-100k',
      'kel-10k-shuffled',
      'witnessed-10k',
      'multisig-10k',
      'kel-1k-2t',
      'kel-100k-2t',
    ]) {
      const figure = results[name];
      expect(figure.accepted, name).toBe(figure.events);
      expect(figure.eventsPerSecond, name).toBeGreaterThan(0);
      expect(figure.verifyBoundLimit, name).toBeGreaterThan(0);
      expect(figure.percentOfLimit, name).toBeGreaterThan(0);
    }
    expect(results.cesrParse).toBeDefined();
    expect(results.localSignedEventsPerSecond).toBeGreaterThan(0);
    expect(results.multisig.proposals.recorded).toBe(results.multisig.proposals.proposals);
  });
});
