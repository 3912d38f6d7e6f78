/**
 * @module records/records
 * The record types of `ControllerRecords`.
 */

/** A multisig group this controller is a member of. */
export interface GroupRecord {
  /** Local name of the group. */
  readonly alias: string;
  readonly prefix: string;
  /** Alias of our own member identifier. */
  readonly member: string;
  readonly memberPrefix: string;
  /** Members after the latest establishment event (keripy `smids` / `rmids`). */
  readonly signingMembers: readonly string[];
  readonly rotationMembers: readonly string[];
  readonly createdAt: string;
}

export type ProposalState = 'invited' | 'pending' | 'complete' | 'expired';

/** A group's signing keys and next-key commitments as they were before a proposed event. */
export interface PriorKeys {
  readonly keys: readonly string[];
  /** `kt` and `nt` as they are written in events. */
  readonly signingThreshold: string | number | ReadonlyArray<unknown>;
  readonly nextKeyDigests: readonly string[];
  readonly nextThreshold: string | number | ReadonlyArray<unknown>;
}

/** A proposed group event and what has been gathered for it. */
export interface ProposalRecord {
  /** SAID of the proposed event. */
  readonly said: string;
  readonly groupPrefix: string;
  readonly ilk: 'icp' | 'dip' | 'rot' | 'drt' | 'ixn';
  /** Hex sequence number. */
  readonly sn: string;
  /** The event's bytes. */
  readonly raw: Uint8Array;
  /** Who proposed it (a member prefix; ours when we did). */
  readonly proposer: string;
  readonly signingMembers: readonly string[];
  readonly rotationMembers: readonly string[];
  readonly delegator?: string;
  /** The group's keys and thresholds before this event (rotations and interactions). */
  readonly prior?: PriorKeys;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Verified indexed signatures gathered so far (qb64). */
  readonly signatures: readonly string[];
  /**
   * invited: seen, not signed here; pending: signed here, waiting for others; complete: the event
   * is in the group's KEL; expired: no signature is taken any more.
   */
  readonly state: ProposalState;
  /** Whether we signed it. */
  readonly signed: boolean;
  readonly updatedAt: number;
}

/** Where a peer (by prefix) takes CESR messages. */
export interface EndpointRecord {
  readonly prefix: string;
  /** Base URL of its agent, e.g. http://127.0.0.1:5631 */
  readonly url: string;
  /** A local name for it, if one was given. */
  readonly alias?: string;
  readonly updatedAt: string;
}

/** A message refused, and why. */
export interface RejectionRecord {
  readonly at: number;
  /** Who sent it, as far as could be told. */
  readonly from: string;
  readonly what: string;
  readonly reason: string;
  readonly code: string;
}
