/**
 * @module threshold/validate
 * Whether a threshold fits its key list, as keripy 1.3.6 checks it (eventing.py).
 *
 * Building an event (`incept` and `rotate`, which `delcept`/`deltate` call):
 * - current `kt`: a numeric threshold must be at least 1, and `kt` may not need more keys than
 *   `k` lists (`tholder.num < 1` and `tholder.size > len(keys)` raise);
 * - next `nt`: it may not need more digests than `n` lists (`ntholder.size > len(ndigs)`). 0 is
 *   allowed, and keripy allows it even when `n` is not empty.
 *
 * Receiving an event (`Kever.incept`, `Kever.rotate`, `Kever.valSigsWigsDel`):
 * - current `kt`: only the size rule (`len(keys) < tholder.size` rejects the event). A `kt` of 0
 *   passes, but a 0 threshold is never satisfied, so such an event is never accepted;
 * - next `nt`: not checked at all. An `nt` that needs more digests than `n` lists is stored and
 *   simply makes the next rotation impossible. Rejecting it would refuse an event keripy accepts.
 */
import { ThresholdError } from '../errors.js';
import { thresholdToSith } from './render.js';
import { thresholdSize } from './satisfy.js';
import type { SigningThreshold } from './types.js';

/** Which threshold of an establishment event: `kt` over `k`, or `nt` over `n`. */
export type ThresholdRole = 'current' | 'next';

/** Building an event locally (keripy's builders), or validating one received (keripy's Kever). */
export type ValidationStage = 'build' | 'receive';

function label(threshold: SigningThreshold): string {
  return JSON.stringify(thresholdToSith(threshold));
}

/**
 * Throws ThresholdError when `threshold` cannot be used with `keyCount` keys (for 'current', the
 * `k` list) or next key digests (for 'next', the `n` list), following keripy's rules for the
 * stage: 'build' (default) for events we create, 'receive' for events we validate.
 */
export function validateThresholdForKeys(
  threshold: SigningThreshold,
  keyCount: number,
  what: ThresholdRole,
  stage: ValidationStage = 'build',
): void {
  if (!Number.isSafeInteger(keyCount) || keyCount < 0) {
    throw new ThresholdError(`Key count must be a whole number >= 0, got ${keyCount}`, {
      keyCount,
    });
  }
  if (what === 'next' && stage === 'receive') return;
  const field = what === 'current' ? 'kt' : 'nt';
  if (
    what === 'current' &&
    stage === 'build' &&
    threshold.kind === 'numeric' &&
    threshold.value < 1
  ) {
    throw new ThresholdError(`Signing threshold ${field}=${label(threshold)} must be at least 1`, {
      field,
      value: threshold.value,
    });
  }
  const size = thresholdSize(threshold);
  if (size > keyCount) {
    const listed = what === 'current' ? 'keys' : 'next key digests';
    throw new ThresholdError(
      `Signing threshold ${field}=${label(threshold)} needs ${size} ${listed}, but ${keyCount} are listed`,
      { field, size, keyCount },
    );
  }
}
