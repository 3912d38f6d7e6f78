/**
 * @module progress
 * Work that can take seconds: argon2id at the med and high tiers (about 0.5 s and 2.5 s per
 * stretch on a 2024 laptop core) and key generation in a hardware token. The keystore says when
 * such work starts and ends; what to show, and where, is the caller's business (the `keri` command
 * draws a line on stderr).
 */
import type { StretchTier } from '@kestrel/core';

export type SlowWork =
  /** Stretching the passcode into the keystore's encryption key (opening, creating, re-keying). */
  | { readonly kind: 'passcode'; readonly tier: StretchTier }
  /** Deriving salty keys: one argon2id stretch per key. */
  | { readonly kind: 'derive'; readonly tier: StretchTier; readonly count: number }
  /** Generating key pairs inside a token. */
  | { readonly kind: 'generate'; readonly tokenLabel: string; readonly count: number };

export interface ProgressReporter {
  /** `work` starts now; the returned function is called once when it ends, well or not. */
  begin(work: SlowWork): (outcome: 'done' | 'failed') => void;
}

/** Runs `run` between `begin` and its end, when someone listens. */
export async function withProgress<T>(
  progress: ProgressReporter | undefined,
  work: SlowWork,
  run: () => Promise<T>,
): Promise<T> {
  if (!progress) return run();
  const end = progress.begin(work);
  try {
    const result = await run();
    end('done');
    return result;
  } catch (error) {
    end('failed');
    throw error;
  }
}
