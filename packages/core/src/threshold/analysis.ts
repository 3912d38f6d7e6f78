/**
 * @module threshold/analysis
 * What a threshold means for a concrete set of members (keys, or the people holding them): which
 * groups of members can sign on their own, and how many members may be lost before that becomes
 * impossible. Both answers come from testing every subset of members, which is exact and, up to
 * MAX_ANALYSED_MEMBERS members (2^24 subsets), quick enough for a CLI or a review tool.
 *
 * Satisfaction is monotonic (a signature never hurts), which is what lets a set be called
 * minimal when no single member can be dropped from it.
 */
import { ThresholdError } from '../errors.js';
import { preparedWeighted } from './satisfy.js';
import type { SigningThreshold } from './types.js';

/** Largest member count the subset analyses accept. */
export const MAX_ANALYSED_MEMBERS = 24;

function bitCount(mask: number): number {
  let count = 0;
  for (let rest = mask; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/** For every subset of `memberCount` members (bit i = member i signed): does it satisfy? */
function satisfyingSubsets(threshold: SigningThreshold, memberCount: number): Uint8Array {
  if (!Number.isSafeInteger(memberCount) || memberCount < 0) {
    throw new ThresholdError(`Member count must be a whole number >= 0, got ${memberCount}`);
  }
  if (memberCount > MAX_ANALYSED_MEMBERS) {
    throw new ThresholdError(
      `Cannot analyse ${memberCount} members: at most ${MAX_ANALYSED_MEMBERS} (every subset is tested)`,
      { memberCount },
    );
  }
  const subsets = new Uint8Array(2 ** memberCount);
  if (threshold.kind === 'numeric') {
    if (threshold.value === 0) return subsets;
    for (let mask = 0; mask < subsets.length; mask++)
      subsets[mask] = bitCount(mask) >= threshold.value ? 1 : 0;
    return subsets;
  }
  const prepared = preparedWeighted(threshold);
  for (let mask = 1; mask < subsets.length; mask++) {
    subsets[mask] = prepared.satisfiedBy(
      (index) => index < memberCount && ((mask >>> index) & 1) === 1,
    )
      ? 1
      : 0;
  }
  return subsets;
}

function indicesOf(mask: number): number[] {
  const indices: number[] = [];
  for (let index = 0; mask >>> index !== 0; index++) if ((mask >>> index) & 1) indices.push(index);
  return indices;
}

function compareSets(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * Every inclusion-minimal set of member indices (each in [0, memberCount)) that satisfies the
 * threshold, each sorted ascending; the list is ordered by size, then lexicographically. Empty
 * when no set of these members can satisfy it. Throws ThresholdError above 24 members.
 */
export function minimalSatisfyingSets(
  threshold: SigningThreshold,
  memberCount: number,
): number[][] {
  const subsets = satisfyingSubsets(threshold, memberCount);
  const minimal: number[][] = [];
  for (let mask = 1; mask < subsets.length; mask++) {
    if (subsets[mask] !== 1) continue;
    let isMinimal = true;
    for (let rest = mask; rest !== 0 && isMinimal; rest &= rest - 1) {
      const lowest = rest & -rest;
      if (subsets[mask ^ lowest] === 1) isMinimal = false;
    }
    if (isMinimal) minimal.push(indicesOf(mask));
  }
  return minimal.sort(compareSets);
}

/**
 * The largest k such that, whichever k members are lost, the others can still satisfy the
 * threshold; -1 when all members together cannot. Throws ThresholdError above 24 members.
 */
export function faultTolerance(threshold: SigningThreshold, memberCount: number): number {
  const subsets = satisfyingSubsets(threshold, memberCount);
  // The most members that can sign and still fall short: lose all the others and the threshold fails.
  let largestFailing = -1;
  for (let mask = 0; mask < subsets.length; mask++) {
    if (subsets[mask] !== 1) largestFailing = Math.max(largestFailing, bitCount(mask));
  }
  return memberCount - largestFailing - 1;
}
