/**
 * @module group/proposal-view
 * What a person needs to know about a proposal: who has signed, whether the thresholds are met,
 * and what is still missing, in words they can act on.
 */
import { indexerFromQb64 } from '@kestrel/cesr';
import {
  type Crypto,
  describeThreshold,
  exposedPriorNextIndices,
  type KeyEvent,
  parseThreshold,
  type SigningThreshold,
  type Sith,
  satisfies,
  thresholdSize,
} from '@kestrel/core';
import type { ProposalRecord, ProposalState } from '../records/records.js';

export interface MemberSignature {
  readonly member: string;
  /** A local name for the member, when known. */
  readonly alias?: string;
  readonly signed: boolean;
}

export interface ThresholdProgress {
  readonly threshold: string;
  readonly met: boolean;
  readonly signed: readonly number[];
}

export interface ProposalView {
  readonly said: string;
  readonly group: string;
  readonly ilk: string;
  readonly sn: string;
  readonly proposer: string;
  readonly state: ProposalState;
  readonly signedHere: boolean;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly signers: readonly MemberSignature[];
  /** The new signing threshold over the event's keys. */
  readonly current: ThresholdProgress;
  /** For rotations: the group's prior next threshold over the exposed pre-committed keys. */
  readonly priorNext?: ThresholdProgress;
  /** What still has to happen, in words. */
  readonly missing: string;
}

function weighted(threshold: SigningThreshold, indices: readonly number[]): boolean {
  if (threshold.kind === 'weighted' && indices.some((index) => index >= thresholdSize(threshold)))
    return false;
  return satisfies(threshold, indices);
}

export function viewProposal(
  crypto: Crypto,
  record: ProposalRecord,
  event: KeyEvent,
  names: (prefix: string) => string | undefined,
  now: number,
): ProposalView {
  const signatures = record.signatures.map((qb64) => indexerFromQb64(qb64));
  const indices = [...new Set(signatures.map((signature) => signature.index))];
  const prior = record.prior;
  const interaction = event.ilk === 'ixn';
  const signingThreshold = interaction
    ? prior && parseThreshold(prior.signingThreshold as Sith)
    : event.signingThreshold;
  const keys = interaction ? (prior?.keys ?? []) : event.keys;
  const signers = record.signingMembers.map((member, index) => ({
    member,
    ...(names(member) ? { alias: names(member)! } : {}),
    signed: indices.includes(index),
  }));
  const threshold = signingThreshold ?? parseThreshold('1');
  const current: ThresholdProgress = {
    threshold: describeThreshold(threshold, keys.length),
    met: weighted(threshold, indices),
    signed: indices.sort((a, b) => a - b),
  };
  let priorNext: ThresholdProgress | undefined;
  if ((event.ilk === 'rot' || event.ilk === 'drt') && prior) {
    const nextThreshold = parseThreshold(prior.nextThreshold as Sith);
    const exposed = exposedPriorNextIndices(crypto, signatures, event.keys, prior.nextKeyDigests);
    priorNext = {
      threshold: describeThreshold(nextThreshold, prior.nextKeyDigests.length),
      met: weighted(nextThreshold, exposed),
      signed: [...new Set(exposed)].sort((a, b) => a - b),
    };
  }
  return {
    said: record.said,
    group: record.groupPrefix,
    ilk: record.ilk,
    sn: record.sn,
    proposer: record.proposer,
    state: record.state,
    signedHere: record.signed,
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
    signers,
    current,
    ...(priorNext ? { priorNext } : {}),
    missing: describeMissing(record, signers, current, priorNext, now),
  };
}

function describeMissing(
  record: ProposalRecord,
  signers: readonly MemberSignature[],
  current: ThresholdProgress,
  priorNext: ThresholdProgress | undefined,
  now: number,
): string {
  if (record.state === 'complete') return 'nothing: the event is in the group KEL';
  if (record.state === 'expired' || now > record.expiresAt)
    return `nothing can complete it: it expired at ${new Date(record.expiresAt).toISOString()}; propose it again`;
  const waiting = signers.filter((signer) => !signer.signed).map((s) => s.alias ?? s.member);
  const parts: string[] = [];
  if (!record.signed) parts.push('your signature (keri multisig sign or join)');
  if (!current.met)
    parts.push(
      `signatures meeting ${current.threshold}; not yet signed: ${waiting.join(', ') || 'nobody'}`,
    );
  if (priorNext && !priorNext.met)
    parts.push(`pre-committed keys meeting the prior next threshold ${priorNext.threshold}`);
  if (parts.length === 0) return 'nothing: thresholds are met (publishing)';
  const minutes = Math.max(0, Math.round((record.expiresAt - now) / 60_000));
  return `${parts.join('; ')} (expires in about ${minutes} min)`;
}
