/**
 * @module processor/outcomes
 * What processing a message did: values, not exceptions.
 */
import type { KeriError } from '../errors.js';
import type { KeyEventIlk } from '../event/fields.js';
import type { DuplicityRecord, EscrowKind } from '../store/records.js';

interface EventIdentity {
  readonly prefix: string;
  readonly sn: bigint;
  readonly said: string;
  readonly ilk: KeyEventIlk;
}

export type EventOutcome =
  /** Accepted into the KEL (`recovery` when it superseded interaction events). */
  | (EventIdentity & {
      readonly kind: 'accepted';
      readonly firstSeen: bigint;
      readonly recovery: boolean;
    })
  /** Already accepted; any new signatures or receipts were added. */
  | (EventIdentity & { readonly kind: 'duplicate'; readonly added: number })
  | (EventIdentity & {
      readonly kind: 'escrowed';
      readonly escrow: EscrowKind;
      readonly waitingFor: string;
    })
  /** Validly signed but conflicting with the first-seen event: kept as evidence. */
  | (EventIdentity & { readonly kind: 'duplicitous'; readonly evidence: DuplicityRecord })
  | (Partial<EventIdentity> & { readonly kind: 'rejected'; readonly error: KeriError });

export type ReceiptOutcome = {
  readonly kind: 'receipt';
  readonly prefix: string;
  readonly sn: bigint;
  readonly said: string;
  /** applied: added to the accepted event; escrowed: kept until the event is accepted. */
  readonly result: 'applied' | 'escrowed' | 'rejected';
  readonly count: number;
  readonly error?: KeriError;
};

export type IgnoredOutcome = {
  readonly kind: 'ignored';
  readonly ilk: string;
  readonly reason: string;
};

export type Outcome = EventOutcome | ReceiptOutcome | IgnoredOutcome;

/** Default escrow timeouts in seconds, keripy's (`Kevery.TimeoutOOE` and friends). */
export const ESCROW_TIMEOUTS: Record<EscrowKind, number> = {
  out_of_order: 1200,
  partially_signed: 3600,
  partially_witnessed: 3600,
  delegation: 3600,
  likely_duplicitous: 3600,
};

/** Pending receipts wait as long as keripy's unverified-receipt escrows. */
export const RECEIPT_TIMEOUT = 3600;
