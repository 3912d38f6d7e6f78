/**
 * Running the `keri` binary in tests.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const KERI = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'keri.js');

export interface KeriResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs `keri ARGS`, optionally with standard input and extra environment; never throws on exit status. */
export function keri(
  args: readonly string[],
  options: { input?: Uint8Array | string; env?: Record<string, string> } = {},
): Promise<KeriResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [KERI, ...args],
      { maxBuffer: 64 << 20, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => {
        resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 });
      },
    );
    child.stdin!.end(options.input ?? '');
  });
}
