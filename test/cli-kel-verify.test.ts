/**
 * The corpus through the `keri` binary: `keri kel verify FILE --json` must print keripy's verdicts
 * (in the corpus's shape) and exit 0 exactly when every event was accepted.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectKeripyVerdict } from './support/expectations.js';
import { allCases, CORPUS } from './support/vectors.js';

const run = promisify(execFile);
const KERI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'keri.js');

async function keri(args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(process.execPath, [KERI, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, code: 0 };
  } catch (caught) {
    const failure = caught as { stdout: string; code: number };
    return { stdout: failure.stdout, code: failure.code };
  }
}

describe('keri kel verify --json on the corpus', () => {
  for (const loaded of allCases()) {
    it(loaded.name, async () => {
      const { stdout, code } = await keri([
        'kel',
        'verify',
        join(CORPUS, 'cases', loaded.name, 'stream.cesr'),
        '--json',
      ]);
      const report = JSON.parse(stdout);
      expect(Object.keys(report)).toEqual([
        'verdict',
        'accepted',
        'not_accepted',
        'escrows',
        'errors',
        'duplicity',
        'stats',
      ]);
      expectKeripyVerdict(report, loaded);
      expect(code).toBe(report.verdict === 'accepted' ? 0 : 1);
    });
  }
});
