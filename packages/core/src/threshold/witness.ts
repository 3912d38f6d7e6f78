/**
 * @module threshold/witness
 * Witness thresholds (`bt`, the TOAD). KERI's witness agreement algorithm (KAACE) stays safe
 * against f faulty witnesses out of n when the threshold m satisfies (n + f + 1) / 2 <= m <= n - f,
 * which also needs n >= 3f + 1. keripy 1.3.6 picks the default `bt` with `ample` (eventing.py).
 */
import { ThresholdError } from '../errors.js';

function checkWhole(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new ThresholdError(`${name} must be a whole number, got ${value}`, { [name]: value });
  }
}

/** ceil((n + f + 1) / 2): the smallest m two overlapping sets of agreeing witnesses need. */
function lowestSafe(n: number, f: number): number {
  return Math.ceil((n + f + 1) / 2);
}

/**
 * keripy's `ample(n, f, weak)`, the default witness threshold for n witnesses.
 *
 * Without `f` it assumes the most faults n allows, f = max(1, floor((n - 1) / 3)) (also trying the
 * ceiling, which never gives a smaller m), and returns the smallest safe m when `weak` (the
 * default), or the larger of n - f and that smallest m when not; both capped at n. With `f` it
 * uses that fault count and throws ThresholdError when no m is safe (f too big for n). 0 witnesses
 * give 0; a negative n or f counts as 0, as in keripy.
 */
export function ample(n: number, f?: number, weak = true): number {
  checkWhole(n, 'n');
  const count = Math.max(0, n);
  if (f === undefined) {
    const fewest = Math.max(1, Math.floor(Math.max(0, count - 1) / 3));
    const most = Math.max(1, Math.ceil(Math.max(0, count - 1) / 3));
    if (weak) return Math.min(count, lowestSafe(count, fewest), lowestSafe(count, most));
    return Math.min(count, Math.max(0, count - fewest, lowestSafe(count, fewest)));
  }
  checkWhole(f, 'f');
  const faults = Math.max(0, f);
  const lowest = lowestSafe(count, faults);
  const highest = Math.max(0, count - faults);
  if (highest < lowest && count > 0) {
    throw new ThresholdError(`${faults} faulty witnesses are too many for ${count} witnesses`, {
      n: count,
      f: faults,
    });
  }
  return weak ? Math.min(count, lowest, highest) : Math.min(count, Math.max(lowest, highest));
}

/**
 * Every safe witness threshold for n witnesses tolerating f faults: ceil((n + f + 1) / 2) up to
 * n - f. Throws ThresholdError when the range is empty (n < 3f + 1, or no witnesses at all) or
 * when n or f is not a whole number >= 0.
 */
export function witnessThresholdRange(n: number, f: number): { min: number; max: number } {
  checkWhole(n, 'n');
  checkWhole(f, 'f');
  if (n < 0 || f < 0) {
    throw new ThresholdError(`n and f must not be negative, got n=${n}, f=${f}`, { n, f });
  }
  const min = lowestSafe(n, f);
  const max = n - f;
  if (min > max) {
    throw new ThresholdError(`No safe witness threshold for ${n} witnesses with ${f} faulty`, {
      n,
      f,
    });
  }
  return { min, max };
}

/** The safe witness thresholds for a witness pool, and the pool they were worked out for. */
export interface WitnessThresholdPolicy {
  readonly witnesses: number;
  readonly faults: number;
  readonly min: number;
  readonly max: number;
}

/** The most faulty witnesses n witnesses can tolerate: the largest f with n >= 3f + 1. */
export function mostToleratedFaults(witnesses: number): number {
  return Math.max(0, Math.floor((witnesses - 1) / 3));
}

/**
 * The safe witness thresholds for `witnesses` witnesses tolerating `faults` faulty ones (by
 * default the most they can tolerate, floor((n - 1) / 3)): witnessThresholdRange, except that no
 * witnesses give 0..0, since keripy requires bt 0 when there are none. Throws ThresholdError
 * naming the n >= 3f + 1 rule when no threshold is safe, or when a count is not a whole number
 * >= 0.
 */
export function witnessThresholdPolicy(witnesses: number, faults?: number): WitnessThresholdPolicy {
  checkWhole(witnesses, 'witnesses');
  if (faults !== undefined) checkWhole(faults, 'faults');
  if (witnesses < 0 || (faults !== undefined && faults < 0)) {
    throw new ThresholdError(
      `Witness and fault counts must not be negative, got ${witnesses} and ${faults}`,
      { witnesses, faults },
    );
  }
  const tolerated = faults ?? mostToleratedFaults(witnesses);
  if (witnesses === 0 && tolerated === 0) return { witnesses, faults: 0, min: 0, max: 0 };
  if (witnesses < 3 * tolerated + 1) {
    throw new ThresholdError(
      `No safe witness threshold: tolerating ${tolerated} faulty witnesses needs at least ` +
        `${3 * tolerated + 1} witnesses (n >= 3f + 1), and ${witnesses} tolerate at most ` +
        `${mostToleratedFaults(witnesses)}`,
      { witnesses, faults: tolerated },
    );
  }
  return { witnesses, faults: tolerated, ...witnessThresholdRange(witnesses, tolerated) };
}
