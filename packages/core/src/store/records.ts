/**
 * @module store/records
 * What the core keeps in a store: accepted events, escrowed events, pending receipts, anchors and
 * duplicity evidence. Numbers that can exceed 2^53 (sequence numbers, ordinals) are hex strings.
 */
import type { KeyEventIlk } from '../event/fields.js';

/** A non-transferable receipt: the receiptor's prefix and its non-indexed signature. */
export interface ReceiptCoupleRecord {
  readonly prefix: string;
  readonly signature: string;
}

/** A transferable receipt: the receiptor's establishment event and its indexed signature. */
export interface TransferableReceiptRecord {
  readonly prefix: string;
  readonly sn: string;
  readonly said: string;
  readonly signature: string;
}

/** Where a delegated event's approval is anchored: the delegating event's sn (hex) and SAID. */
export interface SourceSealRecord {
  readonly sn: string;
  readonly said: string;
}

export interface EventRecord {
  readonly prefix: string;
  readonly sn: string;
  readonly said: string;
  readonly ilk: KeyEventIlk;
  readonly raw: Uint8Array;
  /** Verified controller signatures (qb64). */
  readonly signatures: readonly string[];
  /** Verified witness signatures (qb64), indexed into `witnesses`. */
  readonly witnessSignatures: readonly string[];
  readonly receipts: readonly ReceiptCoupleRecord[];
  readonly transferableReceipts: readonly TransferableReceiptRecord[];
  /** The witness list in force for this event. */
  readonly witnesses: readonly string[];
  /** First-seen ordinal (hex) and datetime. */
  readonly firstSeen: string;
  readonly datetime: string;
  readonly sourceSeal?: SourceSealRecord;
}

/**
 * One event in a prefix's first-seen log (keripy `fels`): its first-seen ordinal and sn (hex), type
 * and SAID. A tuple, not a map: a run holds a thousand of them, read back whole.
 */
export type FirstSeenEntry = readonly [
  firstSeen: string,
  sn: string,
  ilk: KeyEventIlk,
  said: string,
];

/** A run of a prefix's first-seen log: the events it first saw between two flushes, in order. */
export interface FirstSeenRunRecord {
  readonly prefix: string;
  readonly events: readonly FirstSeenEntry[];
}

export type EscrowKind =
  | 'out_of_order'
  | 'partially_signed'
  | 'partially_witnessed'
  | 'delegation'
  /** Conflicts with the accepted event at its sn and continues another branch (see processor). */
  | 'likely_duplicitous';

/** keripy's database names of the escrows, as the corpus reports them. */
export const KERIPY_ESCROW_NAMES: Record<EscrowKind | 'duplicitous', string> = {
  out_of_order: 'ooes',
  partially_signed: 'pses',
  partially_witnessed: 'pwes',
  delegation: 'pdes',
  likely_duplicitous: 'ldes',
  duplicitous: 'ldes',
};

export interface EscrowRecord {
  readonly kind: EscrowKind;
  readonly prefix: string;
  readonly sn: string;
  readonly said: string;
  readonly ilk: KeyEventIlk;
  readonly raw: Uint8Array;
  /** Every controller signature received so far (accumulated across arrivals). */
  readonly signatures: readonly string[];
  readonly witnessSignatures: readonly string[];
  readonly receipts: readonly ReceiptCoupleRecord[];
  readonly sourceSeal?: SourceSealRecord;
  /** The delegator, on a delegation escrow whose source seal couple names its event. */
  readonly delegator?: string;
  /**
   * When anything of this event was first kept (milliseconds since the epoch, from the injected
   * clock): the first escrow of any kind, or the first receipt that arrived before it. keripy keeps
   * one such time per event, and every escrow's timeout counts from it.
   */
  readonly escrowedAt: number;
  /**
   * Arrival order among records kept in the same millisecond (a process-wide counter), so that
   * events waiting at one (prefix, sn) are retried in the order they came, as keripy retries them.
   */
  readonly arrival?: number;
  /** A copy arrived as this node's own (`process(message, { local: true })`); retries keep that. */
  readonly local?: boolean;
  /** What it waits for, in words a person can act on. */
  readonly waitingFor: string;
}

/** Receipts that arrived before the event they receipt. */
export interface PendingReceiptsRecord {
  readonly prefix: string;
  readonly sn: string;
  readonly said: string;
  readonly witnessSignatures: readonly string[];
  readonly receipts: readonly ReceiptCoupleRecord[];
  readonly transferableReceipts: readonly TransferableReceiptRecord[];
  readonly receivedAt: number;
}

export interface AnchorRecord {
  /** The anchoring (e.g. delegating) event. */
  readonly prefix: string;
  readonly sn: string;
  readonly said: string;
}

/** One side of a duplicity: an event as received, with its signatures. */
export interface DuplicitousEventRecord {
  readonly said: string;
  readonly ilk: KeyEventIlk;
  readonly raw: Uint8Array;
  readonly signatures: readonly string[];
  readonly witnessSignatures: readonly string[];
  readonly receipts: readonly ReceiptCoupleRecord[];
}

export interface DuplicityRecord {
  readonly prefix: string;
  readonly sn: string;
  /** The first-seen (authoritative) event at that sn. */
  readonly first: DuplicitousEventRecord;
  readonly firstSeenAt: string;
  /** The conflicting event, validly signed by the keys in force. */
  readonly second: DuplicitousEventRecord;
  readonly detectedAt: string;
  /** Which keys signed the conflicting event: the current signing keys, or pre-rotated ones. */
  readonly signedBy: 'current-keys' | 'pre-rotated-keys';
  /** Short description of the conflict. */
  readonly summary: string;
  /**
   * When the conflicting event stopped being held as likely duplicitous, the evidence staying:
   * a recovery rotation took the key state to just below it and it did not follow from there
   * (keripy then drops it from its likely-duplicitous escrow).
   */
  readonly droppedAt?: string;
}
