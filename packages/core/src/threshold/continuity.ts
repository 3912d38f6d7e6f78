/**
 * @module threshold/continuity
 * Continuity analysis of a (multisig) identifier's thresholds: who can sign under the current
 * threshold `kt`, who can rotate under the next threshold `nt`, how many members may be lost
 * before either becomes impossible, what an escrow agent can do, and which witness thresholds are
 * safe. `keri multisig policy` prints it.
 *
 * Members are indices: into the key list `k` for signing, into the next key digest list `n` for
 * rotation (in a group they are usually the same people in the same order). Rotating needs the
 * prior `nt` met by keys that match `n`, and the new `kt` met by the new keys; the rotators choose
 * the new keys and `kt`, so only `nt` decides who can rotate.
 *
 * Lists of sets can be huge (20 members of weight 1/10 have 184,756 minimal sets of 10), so each
 * list keeps at most `maxSets` sets, the first in report order (by size, then lexicographically),
 * and carries the exact count beside it: counts and `tolerates` are never approximate.
 */
import { ThresholdError } from '../errors.js';
import { analyseMemberSets, type MemberSetAnalysis } from './analysis.js';
import { membersOf } from './member-sets.js';
import { thresholdSize } from './satisfy.js';
import type { SigningThreshold } from './types.js';
import { validateThresholdForKeys } from './validate.js';
import { type WitnessThresholdPolicy, witnessThresholdPolicy } from './witness.js';

/** How many sets a list keeps unless told otherwise. */
export const DEFAULT_MAX_SETS = 1000;

export interface ContinuityOptions {
  /** The current threshold `kt`. */
  readonly signingThreshold: SigningThreshold;
  /** Number of keys; defaults to a weighted threshold's size, required for a numeric one. */
  readonly memberCount?: number;
  /** The next threshold `nt`; without it there is no `next` analysis. */
  readonly nextThreshold?: SigningThreshold;
  /**
   * Number of next key digests; defaults to `memberCount` when given, else to a weighted `nt`'s
   * size, else to the current member count (the same group rotating).
   */
  readonly nextMemberCount?: number;
  /** Number of witnesses; without it there is no `witnessThreshold`. */
  readonly witnesses?: number;
  /** Faulty witnesses to tolerate; defaults to the most `witnesses` can, floor((n - 1) / 3). */
  readonly faults?: number;
  /** Index of the member holding keys in escrow, whose reach is reported on each side. */
  readonly escrowAgent?: number;
  /** Most sets kept per list (default DEFAULT_MAX_SETS); counts stay exact. */
  readonly maxSets?: number;
}

/** What the escrow agent can do under one threshold. */
export interface EscrowAgentReach {
  readonly member: number;
  /** Whether the agent meets the threshold on its own. */
  readonly alone: boolean;
  /**
   * For each minimal set holding the agent, the other members in it: those the agent can act
   * with. `[[]]` when the agent acts alone. At most `maxSets`, in report order.
   */
  readonly partners: readonly (readonly number[])[];
  /** Exact number of minimal sets holding the agent. */
  readonly partnerSetCount: number;
  /** Whether the other members can act without the agent. */
  readonly withoutAgent: boolean;
}

/** The analysis of one threshold over its members. */
export interface ThresholdContinuity {
  readonly threshold: SigningThreshold;
  readonly memberCount: number;
  /** Minimal sets that meet the threshold, at most `maxSets`, in report order. */
  readonly minimalSets: readonly (readonly number[])[];
  readonly minimalSetCount: number;
  /** Largest k such that losing any k members leaves a set that meets the threshold; -1: none. */
  readonly tolerates: number;
  /** Smallest losses that leave no set meeting it (`tolerates + 1` members each), at most `maxSets`. */
  readonly smallestBlockingSets: readonly (readonly number[])[];
  readonly smallestBlockingSetCount: number;
  /** Present when an escrow agent was named and is one of these members. */
  readonly escrowAgent?: EscrowAgentReach;
}

export interface ContinuityPolicy {
  readonly current: ThresholdContinuity;
  readonly next?: ThresholdContinuity;
  readonly witnessThreshold?: WitnessThresholdPolicy;
  readonly maxSets: number;
}

function firstSets(masks: Iterable<number>, maxSets: number): number[][] {
  const sets: number[][] = [];
  for (const mask of masks) {
    if (sets.length === maxSets) break;
    sets.push(membersOf(mask));
  }
  return sets;
}

function escrowReach(
  analysis: MemberSetAnalysis,
  member: number,
  maxSets: number,
): EscrowAgentReach {
  const bit = 1 << member;
  const holding = analysis.minimal.filter((mask) => (mask & bit) !== 0);
  return {
    member,
    alone: analysis.satisfiedBy(bit),
    partners: firstSets(
      holding.map((mask) => mask ^ bit),
      maxSets,
    ),
    partnerSetCount: holding.length,
    withoutAgent: analysis.satisfiedBy((2 ** analysis.memberCount - 1) ^ bit),
  };
}

function analyseSide(
  threshold: SigningThreshold,
  memberCount: number,
  escrowAgent: number | undefined,
  maxSets: number,
): ThresholdContinuity {
  const analysis = analyseMemberSets(threshold, memberCount);
  return {
    threshold,
    memberCount,
    minimalSets: firstSets(analysis.minimal, maxSets),
    minimalSetCount: analysis.minimal.length,
    tolerates: analysis.tolerates,
    smallestBlockingSets: firstSets(analysis.smallestBlocking, maxSets),
    smallestBlockingSetCount: analysis.smallestBlocking.length,
    ...(escrowAgent !== undefined && escrowAgent < memberCount
      ? { escrowAgent: escrowReach(analysis, escrowAgent, maxSets) }
      : {}),
  };
}

function checkCount(value: number | undefined, name: string, least: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < least)) {
    throw new ThresholdError(`${name} must be a whole number >= ${least}, got ${value}`, {
      [name]: value,
    });
  }
}

function currentMemberCount(options: ContinuityOptions): number {
  if (options.memberCount !== undefined) return options.memberCount;
  if (options.signingThreshold.kind === 'weighted') return thresholdSize(options.signingThreshold);
  throw new ThresholdError(
    `A numeric signing threshold (${options.signingThreshold.value}) needs a member count`,
    { threshold: options.signingThreshold.value },
  );
}

function nextMemberCount(options: ContinuityOptions, next: SigningThreshold, current: number) {
  return (
    options.nextMemberCount ??
    options.memberCount ??
    (next.kind === 'weighted' ? thresholdSize(next) : current)
  );
}

/**
 * The continuity analysis of `kt` (and `nt`, and the witness pool, when given). Throws
 * ThresholdError when the input cannot describe a group: a numeric `kt` without a member count,
 * a threshold needing more keys than there are members (or `kt` 0), more than 24 members, an
 * escrow agent that is a member on neither side, or witnesses that cannot tolerate the faults
 * (n >= 3f + 1 fails; see witnessThresholdPolicy).
 */
export function continuityPolicy(options: ContinuityOptions): ContinuityPolicy {
  const maxSets = options.maxSets ?? DEFAULT_MAX_SETS;
  checkCount(maxSets, 'maxSets', 1);
  checkCount(options.memberCount, 'memberCount', 0);
  checkCount(options.nextMemberCount, 'nextMemberCount', 0);
  checkCount(options.escrowAgent, 'escrowAgent', 0);
  const members = currentMemberCount(options);
  validateThresholdForKeys(options.signingThreshold, members, 'current');
  const next = options.nextThreshold;
  const nextMembers = next === undefined ? undefined : nextMemberCount(options, next, members);
  if (next !== undefined && nextMembers !== undefined)
    validateThresholdForKeys(next, nextMembers, 'next');
  const agent = options.escrowAgent;
  if (agent !== undefined && agent >= members && agent >= (nextMembers ?? 0)) {
    throw new ThresholdError(
      `Escrow agent ${agent} is not a member: members are numbered from 0 to ${Math.max(members, nextMembers ?? 0) - 1}`,
      { escrowAgent: agent },
    );
  }
  if (options.faults !== undefined && options.witnesses === undefined) {
    throw new ThresholdError('A fault count needs a witness count', { faults: options.faults });
  }
  return {
    current: analyseSide(options.signingThreshold, members, agent, maxSets),
    ...(next !== undefined && nextMembers !== undefined
      ? { next: analyseSide(next, nextMembers, agent, maxSets) }
      : {}),
    ...(options.witnesses !== undefined
      ? { witnessThreshold: witnessThresholdPolicy(options.witnesses, options.faults) }
      : {}),
    maxSets,
  };
}
