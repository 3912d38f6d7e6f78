/**
 * @module threshold/continuity-json
 * The JSON form of a continuity analysis, printed by `keri multisig policy --json` and read by
 * outside checks, so its shape is a contract:
 *
 *   {"current":{"minimalSets":[[0,1],...],"tolerates":k},
 *    "next":{...},                      only when there is a next threshold
 *    "witnessThreshold":{"min":m,"max":m}}   only when there is a witness count
 *
 * Keys appear in that order. Anything else is added only when asked for or needed, so the shape
 * above is exact for the plain options:
 * - `"truncated":true,"minimalSetCount":N` after `tolerates` when the list of minimal sets was
 *   cut to its first sets (see continuity.ts);
 * - `"escrowAgent":{"member":i,"alone":b,"partners":[[...],...],"withoutAgent":b}` when an
 *   escrow agent was named and is a member on that side, with `"partnersTruncated":true,
 *   "partnerSetCount":N` when its partners were cut.
 * `tolerates` is -1 when no set of the members can meet the threshold (`nt` 0, for one).
 */
import type { ContinuityPolicy, EscrowAgentReach, ThresholdContinuity } from './continuity.js';

export interface EscrowAgentJson {
  readonly member: number;
  readonly alone: boolean;
  readonly partners: readonly (readonly number[])[];
  readonly withoutAgent: boolean;
  readonly partnersTruncated?: true;
  readonly partnerSetCount?: number;
}

export interface ThresholdContinuityJson {
  readonly minimalSets: readonly (readonly number[])[];
  readonly tolerates: number;
  readonly truncated?: true;
  readonly minimalSetCount?: number;
  readonly escrowAgent?: EscrowAgentJson;
}

export interface ContinuityPolicyJson {
  readonly current: ThresholdContinuityJson;
  readonly next?: ThresholdContinuityJson;
  readonly witnessThreshold?: { readonly min: number; readonly max: number };
}

function escrowJson(reach: EscrowAgentReach): EscrowAgentJson {
  return {
    member: reach.member,
    alone: reach.alone,
    partners: reach.partners,
    withoutAgent: reach.withoutAgent,
    ...(reach.partners.length < reach.partnerSetCount
      ? { partnersTruncated: true, partnerSetCount: reach.partnerSetCount }
      : {}),
  };
}

function sideJson(side: ThresholdContinuity): ThresholdContinuityJson {
  return {
    minimalSets: side.minimalSets,
    tolerates: side.tolerates,
    ...(side.minimalSets.length < side.minimalSetCount
      ? { truncated: true, minimalSetCount: side.minimalSetCount }
      : {}),
    ...(side.escrowAgent !== undefined ? { escrowAgent: escrowJson(side.escrowAgent) } : {}),
  };
}

/** The contract shape of a continuity analysis (see the module comment). */
export function continuityPolicyJson(policy: ContinuityPolicy): ContinuityPolicyJson {
  return {
    current: sideJson(policy.current),
    ...(policy.next !== undefined ? { next: sideJson(policy.next) } : {}),
    ...(policy.witnessThreshold !== undefined
      ? { witnessThreshold: { min: policy.witnessThreshold.min, max: policy.witnessThreshold.max } }
      : {}),
  };
}
