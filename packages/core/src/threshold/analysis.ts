/**
 * @module threshold/analysis
 * What a threshold means for a concrete set of members (keys, or the people holding them): which
 * groups of members can sign on their own, how many members may be lost before that becomes
 * impossible, and which losses do it. Every answer comes from testing every subset of members,
 * which is exact and, up to MAX_ANALYSED_MEMBERS members (2^24 subsets), quick enough for a CLI
 * or a review tool.
 *
 * Satisfaction is monotonic (a signature never hurts), which is what lets a set be called
 * minimal when no single member can be dropped from it, and lets one failing set stand for all
 * its subsets.
 */
import { ThresholdError } from '../errors.js';
import { bitCount, MASK_WIDTH, membersOf, sortMasks } from './member-sets.js';
import { preparedWeighted } from './satisfy.js';
import type { SigningThreshold } from './types.js';

/** Largest member count the subset analyses accept. */
export const MAX_ANALYSED_MEMBERS = MASK_WIDTH;

/** Everything the subset analyses find for one threshold over `memberCount` members. */
export interface MemberSetAnalysis {
  readonly memberCount: number;
  /** Inclusion-minimal satisfying sets as masks (bit i = member i), in report order. */
  readonly minimal: Uint32Array;
  /**
   * The largest k such that losing any k members leaves a satisfying set; -1 when all the
   * members together cannot satisfy the threshold.
   */
  readonly tolerates: number;
  /**
   * The smallest losses that leave no satisfying set (each of `tolerates + 1` members), as masks
   * in report order. A single empty set when the threshold cannot be met at all.
   */
  readonly smallestBlocking: Uint32Array;
  /** Whether the members in `mask` can satisfy the threshold together. */
  satisfiedBy(mask: number): boolean;
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

function minimalMasks(subsets: Uint8Array): number[] {
  const minimal: number[] = [];
  for (let mask = 1; mask < subsets.length; mask++) {
    if (subsets[mask] !== 1) continue;
    let isMinimal = true;
    for (let rest = mask; rest !== 0 && isMinimal; rest &= rest - 1) {
      const lowest = rest & -rest;
      if (subsets[mask ^ lowest] === 1) isMinimal = false;
    }
    if (isMinimal) minimal.push(mask);
  }
  return minimal;
}

/** The most members that can sign together and still fall short (memberCount when all do). */
function largestFailingSize(subsets: Uint8Array): number {
  let largest = -1;
  for (let mask = 0; mask < subsets.length; mask++)
    if (subsets[mask] !== 1) largest = Math.max(largest, bitCount(mask));
  return largest;
}

/**
 * Minimal sets, fault tolerance and smallest blocking losses of a threshold over `memberCount`
 * members, from one pass over every subset. Throws ThresholdError above 24 members.
 */
export function analyseMemberSets(
  threshold: SigningThreshold,
  memberCount: number,
): MemberSetAnalysis {
  const subsets = satisfyingSubsets(threshold, memberCount);
  const everyone = subsets.length - 1;
  // Losing the members outside a failing set leaves only that set, so the largest failing set
  // bounds the losses that are always survivable, and its complements are the smallest fatal ones.
  const largestFailing = largestFailingSize(subsets);
  const blocking: number[] = [];
  for (let mask = 0; mask < subsets.length; mask++)
    if (subsets[mask] !== 1 && bitCount(mask) === largestFailing) blocking.push(everyone ^ mask);
  return {
    memberCount,
    minimal: sortMasks(minimalMasks(subsets)),
    tolerates: memberCount - largestFailing - 1,
    smallestBlocking: sortMasks(blocking),
    satisfiedBy: (mask) => subsets[mask & everyone] === 1,
  };
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
  return Array.from(sortMasks(minimalMasks(subsets)), membersOf);
}

/**
 * The largest k such that, whichever k members are lost, the others can still satisfy the
 * threshold; -1 when all members together cannot. Throws ThresholdError above 24 members.
 */
export function faultTolerance(threshold: SigningThreshold, memberCount: number): number {
  return memberCount - largestFailingSize(satisfyingSubsets(threshold, memberCount)) - 1;
}
