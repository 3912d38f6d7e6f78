/**
 * @module threshold
 * Signing thresholds (`kt`, `nt`) and witness thresholds (`bt`) as keripy 1.3.6 reads, writes and
 * evaluates them.
 */
export {
  analyseMemberSets,
  faultTolerance,
  MAX_ANALYSED_MEMBERS,
  type MemberSetAnalysis,
  minimalSatisfyingSets,
} from './analysis.js';
export { numericThreshold, weightedThreshold } from './construct.js';
export {
  type ContinuityOptions,
  type ContinuityPolicy,
  continuityPolicy,
  DEFAULT_MAX_SETS,
  type EscrowAgentReach,
  type ThresholdContinuity,
} from './continuity.js';
export {
  type ContinuityPolicyJson,
  continuityPolicyJson,
  type EscrowAgentJson,
  type ThresholdContinuityJson,
} from './continuity-json.js';
export { thresholdFromLimen, thresholdToLimen } from './limen.js';
export { parseThreshold } from './parse.js';
export { type Rational, rational, rationalToText } from './rational.js';
export { describeThreshold, thresholdToSith } from './render.js';
export { satisfies, thresholdSize } from './satisfy.js';
export type {
  NumericThreshold,
  SigningThreshold,
  WeightedClause,
  WeightedEntry,
  WeightedGroup,
  WeightedSith,
  WeightedSithEntry,
  WeightedSithGroup,
  WeightedThreshold,
} from './types.js';
export { isWeightedGroup } from './types.js';
export { type ThresholdRole, type ValidationStage, validateThresholdForKeys } from './validate.js';
export { parseWeight } from './weight.js';
export {
  ample,
  mostToleratedFaults,
  type WitnessThresholdPolicy,
  witnessThresholdPolicy,
  witnessThresholdRange,
} from './witness.js';
