/**
 * @module threshold/satisfy
 * Whether the keys that signed meet a threshold (keripy `Tholder.satisfy`). `indices` are offsets
 * of verified signatures into the key list: `k` for the current threshold, the prior `n` for the
 * prior next threshold of a rotation.
 *
 * Two deliberate departures from keripy, both about unusual index lists:
 * - a numeric threshold counts distinct indices. keripy counts the list it is given, and its
 *   callers do pass repeats: `verifySigs` removes duplicate signatures by their text only, so one
 *   key signing under two codes, or one pre-rotated key listed twice in `k` and exposed through
 *   the same ondex, counts twice there;
 * - a weighted threshold ignores indices outside [0, size) (keripy's lookup fails on a too-large
 *   index, making the whole test false, and Python reads a negative one from the end).
 * Indices that are not whole numbers >= 0 are ignored for both kinds.
 */
import { type PreparedThreshold, prepareWeighted } from './evaluate.js';
import type { SigningThreshold, WeightedThreshold } from './types.js';

/**
 * The number of keys a threshold needs to exist (keripy `Tholder.size`): a numeric threshold's
 * value, a weighted threshold's number of leaf weights (nested group members count, one each).
 */
export function thresholdSize(threshold: SigningThreshold): number {
  return threshold.kind === 'numeric' ? threshold.value : preparedWeighted(threshold).size;
}

const prepared = new WeakMap<WeightedThreshold, PreparedThreshold>();

/** The prepared form of a weighted threshold, built once per threshold object. */
export function preparedWeighted(threshold: WeightedThreshold): PreparedThreshold {
  let ready = prepared.get(threshold);
  if (ready === undefined) {
    ready = prepareWeighted(threshold);
    prepared.set(threshold, ready);
  }
  return ready;
}

function distinctValidIndices(indices: Iterable<number>): Set<number> {
  const distinct = new Set<number>();
  for (const index of indices)
    if (Number.isSafeInteger(index) && index >= 0) distinct.add(index + 0);
  return distinct;
}

/**
 * Whether signatures at `indices` satisfy the threshold. Numeric: the threshold is above 0 and at
 * least that many distinct keys signed. Weighted: in every clause the weights of signed keys (a
 * nested group adding its own weight when its signed members reach 1) add up to at least 1.
 */
export function satisfies(threshold: SigningThreshold, indices: Iterable<number>): boolean {
  const signed = distinctValidIndices(indices);
  if (threshold.kind === 'numeric') return threshold.value > 0 && signed.size >= threshold.value;
  // With nothing signed every clause sums to 0; keripy answers false early for the same reason.
  if (signed.size === 0) return false;
  return preparedWeighted(threshold).satisfiedBy((index) => signed.has(index));
}
