/**
 * @module group/group-events
 * The establishment events of a multisig group, made from its members' own KELs as keripy makes
 * them (`kli multisig incept`, `GroupHab`): the group's `k` is the first current key of each
 * signing member, its `n` the first next-key digest of each rotation member, in the order given.
 * Every member rebuilds a proposed event from the member KELs it holds and signs only if the bytes
 * agree, so no proposer can slip in a key that is not a member's.
 */
import type { Digester } from '@kestrel/cesr';
import {
  type BuiltMessage,
  type Crypto,
  type InceptionChoices,
  incept,
  type KeyEvent,
  type KeyState,
  nextKeyDigest,
  type RotateOptions,
  rotate,
  type Sith,
  thresholdToSith,
} from '@kestrel/core';
import { ControllerError } from '../errors.js';

/** Looks up a member's key state (from the KELs held here). */
export type MemberStates = (prefix: string) => KeyState | undefined;

export interface GroupMembership {
  /** Members whose current keys sign (keripy `smids`), in the order of `k`. */
  readonly signingMembers: readonly string[];
  /** Members whose next keys are committed (keripy `rmids`), in the order of `n`. */
  readonly rotationMembers: readonly string[];
}

/** The group's own choices for its inception; keys and next digests come from the members. */
export interface GroupInceptionPlan extends GroupMembership, InceptionChoices {}

/** The group's own choices for a rotation; keys and next digests come from the members. */
export interface GroupRotationPlan
  extends GroupMembership,
    Pick<
      RotateOptions,
      'signingThreshold' | 'nextThreshold' | 'cuts' | 'adds' | 'witnessThreshold' | 'data'
    > {}

function memberState(states: MemberStates, prefix: string): KeyState {
  const state = states(prefix);
  if (!state) {
    throw new ControllerError(
      'unknown_member',
      `The KEL of member ${prefix} is not known here: resolve its OOBI or import its KEL first`,
      { member: prefix },
    );
  }
  return state;
}

/** The key a member contributes to the group's `k`: its first current key. */
export function contributedKey(states: MemberStates, prefix: string): string {
  const key = memberState(states, prefix).keys[0];
  if (key === undefined)
    throw new ControllerError('bad_plan', `Member ${prefix} has no current keys (abandoned?)`);
  return key;
}

/** The digest a member contributes to the group's `n`: its first next-key digest. */
export function contributedDigest(states: MemberStates, prefix: string): string {
  const digest = memberState(states, prefix).nextKeyDigests[0];
  if (digest === undefined) {
    throw new ControllerError(
      'bad_plan',
      `Member ${prefix} has no next keys (non-transferable or abandoned), so it cannot rotate a group`,
    );
  }
  return digest;
}

function checkMembership(membership: GroupMembership): void {
  const { signingMembers, rotationMembers } = membership;
  if (signingMembers.length === 0)
    throw new ControllerError('bad_plan', 'A group needs at least one signing member');
  for (const [label, list] of [
    ['signing', signingMembers],
    ['rotation', rotationMembers],
  ] as const) {
    const duplicate = list.find((member, i) => list.indexOf(member) !== i);
    if (duplicate)
      throw new ControllerError(
        'bad_plan',
        `Member ${duplicate} is listed twice as a ${label} member`,
      );
  }
}

/** The group's inception event (icp, or dip with a delegator). */
export function buildGroupInception(
  digest: Digester,
  states: MemberStates,
  plan: GroupInceptionPlan,
): BuiltMessage {
  checkMembership(plan);
  return incept(digest, {
    keys: plan.signingMembers.map((member) => contributedKey(states, member)),
    nextKeyDigests: plan.rotationMembers.map((member) => contributedDigest(states, member)),
    ...(plan.signingThreshold !== undefined ? { signingThreshold: plan.signingThreshold } : {}),
    ...(plan.nextThreshold !== undefined ? { nextThreshold: plan.nextThreshold } : {}),
    witnesses: plan.witnesses ?? [],
    ...(plan.witnessThreshold !== undefined ? { witnessThreshold: plan.witnessThreshold } : {}),
    config: plan.config ?? [],
    data: plan.data ?? [],
    ...(plan.delegator !== undefined ? { delegator: plan.delegator } : {}),
    code: 'E',
  });
}

/**
 * The group's rotation. Each signing member that was already in the group must have rotated its
 * own identifier since (so the key it brings is one the group pre-committed to); a member new to
 * the group signs with its current key, not pre-committed (current-only).
 */
export function buildGroupRotation(
  crypto: Crypto,
  group: KeyState,
  states: MemberStates,
  plan: GroupRotationPlan,
): BuiltMessage {
  checkMembership(plan);
  const keys = plan.signingMembers.map((member) => contributedKey(states, member));
  for (const [i, key] of keys.entries()) {
    if (group.keys.includes(key)) {
      throw new ControllerError(
        'member_not_rotated',
        `Member ${plan.signingMembers[i]} has not rotated its own identifier since the group's last establishment event (its key ${key} is still a group key): it runs 'keri rotate' and shares its KEL, then propose again`,
        { member: plan.signingMembers[i]! },
      );
    }
  }
  const nextKeyDigests = plan.rotationMembers.map((member) => contributedDigest(states, member));
  const exposed = keys.filter((key) =>
    group.nextKeyDigests.includes(nextKeyDigest(crypto, key).qb64),
  );
  if (exposed.length === 0) {
    throw new ControllerError(
      'bad_plan',
      'None of the proposed keys was pre-committed by the group: at least the prior next threshold of pre-committed keys must be exposed',
    );
  }
  return rotate(crypto.digest, {
    ilk: group.delegator === undefined ? 'rot' : 'drt',
    prefix: group.prefix,
    prior: group.said,
    sn: group.sn + 1n,
    keys,
    nextKeyDigests,
    signingThreshold: plan.signingThreshold ?? defaultRotationThreshold(group, keys.length),
    nextThreshold: plan.nextThreshold ?? defaultNextThreshold(group, nextKeyDigests.length),
    witnesses: group.witnesses,
    cuts: plan.cuts ?? [],
    adds: plan.adds ?? [],
    witnessThreshold: plan.witnessThreshold ?? group.witnessThreshold,
    data: plan.data ?? [],
  });
}

/**
 * Without an explicit `kt`, the keys exposed now were committed under the prior `nt`, so that is
 * the natural threshold when the size is unchanged (signify-ts #183: defaulting to the old `kt`
 * is a known trap). Otherwise the caller must say.
 */
function defaultRotationThreshold(group: KeyState, size: number): Sith {
  if (group.nextKeyDigests.length === size) return thresholdToSith(group.nextThreshold);
  throw new ControllerError(
    'bad_plan',
    `The group's signing set changes size (${group.nextKeyDigests.length} committed, ${size} proposed): give the new signing threshold (--isith)`,
  );
}

function defaultNextThreshold(group: KeyState, size: number): Sith {
  if (group.nextKeyDigests.length === size) return thresholdToSith(group.nextThreshold);
  throw new ControllerError(
    'bad_plan',
    `The group's rotation set changes size (${group.nextKeyDigests.length} now, ${size} proposed): give the new next threshold (--nsith)`,
  );
}

/** An interaction of the group. */
export { interact as buildGroupInteraction } from '@kestrel/core';

/**
 * Checks that a proposed establishment event is the one the members' KELs give: `k` and `n`
 * exactly the members' contributions. Throws `bad_proposal` naming the first difference.
 */
export function checkProposedKeys(
  event: KeyEvent,
  states: MemberStates,
  membership: GroupMembership,
): void {
  const expectedKeys = membership.signingMembers.map((member) => contributedKey(states, member));
  const expectedDigests = membership.rotationMembers.map((member) =>
    contributedDigest(states, member),
  );
  compareLists('key', event.keys, expectedKeys, membership.signingMembers, 'current key');
  compareLists(
    'next key digest',
    event.nextKeyDigests,
    expectedDigests,
    membership.rotationMembers,
    'next key digest',
  );
}

function compareLists(
  what: string,
  proposed: readonly string[],
  expected: readonly string[],
  members: readonly string[],
  memberWhat: string,
): void {
  if (proposed.length !== expected.length) {
    throw new ControllerError(
      'bad_proposal',
      `The proposal has ${proposed.length} ${what}s but names ${expected.length} members`,
    );
  }
  for (const [i, value] of proposed.entries()) {
    if (value !== expected[i]) {
      throw new ControllerError(
        'bad_proposal',
        `${what} ${i} of the proposal is ${value}, but member ${members[i]}'s ${memberWhat} is ${expected[i]}`,
        { member: members[i]! },
      );
    }
  }
}

/** Where a key signs a group event: its index in `k`, and for rotations its ondex in the prior `n`. */
export interface SigningPosition {
  readonly publicKey: string;
  readonly index: number;
  /** Position of the key's digest in the prior `n` (rotations only); undefined: current-only. */
  readonly ondex: number | undefined;
}

/**
 * The positions at which the keys held here sign a group event. Like keripy's `GroupHab.sign`:
 * inceptions and interactions are signed current-only; rotations dual-indexed when the key was
 * pre-committed, current-only when it was not.
 */
export function signingPositions(
  crypto: Crypto,
  event: KeyEvent,
  group: KeyState | undefined,
  canSign: (publicKey: string) => boolean,
): SigningPosition[] {
  const keys = event.ilk === 'ixn' ? (group?.keys ?? []) : event.keys;
  const priorNext = event.ilk === 'rot' || event.ilk === 'drt' ? (group?.nextKeyDigests ?? []) : [];
  const positions: SigningPosition[] = [];
  for (const [index, publicKey] of keys.entries()) {
    if (!canSign(publicKey)) continue;
    const ondex = priorNext.indexOf(nextKeyDigest(crypto, publicKey).qb64);
    positions.push({ publicKey, index, ondex: ondex >= 0 ? ondex : undefined });
  }
  return positions;
}
