/**
 * @module processor/escrow-records
 * Keeping an event in an escrow and letting it go: one escrow record per kind, all of an event's
 * records sharing one time (keripy keeps one datetime per event, set by whatever of it was kept
 * first, and every escrow's timeout counts from it), and records past their timeout dropped before
 * anything merges with them.
 */
import { toHex } from '@kestrel/cesr';
import { ValidationError } from '../errors.js';
import type { KelStore } from '../store/kel-store.js';
import type { EscrowKind, EscrowRecord } from '../store/records.js';
import type { KeyEvent } from '../validation/key-event.js';
import type { ProcessorContext } from './context.js';
import type { Decision } from './evaluate.js';
import { ESCROW_TIMEOUTS, type EventOutcome, type Outcome } from './outcomes.js';

export const ESCROW_KINDS: readonly EscrowKind[] = [
  'out_of_order',
  'partially_signed',
  'partially_witnessed',
  'delegation',
  'likely_duplicitous',
];

/** Whether the event (prefix, sn, said) waits in any escrow. */
export function isEscrowed(store: KelStore, prefix: string, sn: bigint, said: string): boolean {
  return ESCROW_KINDS.some((kind) => store.escrow(kind, prefix, sn, said) !== undefined);
}

/** Whether a record waited longer than its kind's timeout (keripy's default unless configured). */
export function expired(context: ProcessorContext, record: EscrowRecord, now: number): boolean {
  const seconds = context.options.timeouts?.[record.kind] ?? ESCROW_TIMEOUTS[record.kind];
  return now - record.escrowedAt > seconds * 1000;
}

export function expiredOutcome(record: EscrowRecord): EventOutcome {
  return {
    kind: 'rejected',
    prefix: record.prefix,
    sn: BigInt(`0x${record.sn}`),
    said: record.said,
    ilk: record.ilk,
    error: new ValidationError(
      'expired',
      `Escrow timed out while waiting for ${record.waitingFor}`,
    ),
  };
}

/** The event's escrow records, less those that timed out (dropped and reported here). */
export function liveEscrows(
  context: ProcessorContext,
  event: KeyEvent,
  now: number,
  outcomes: Outcome[],
): EscrowRecord[] {
  const live: EscrowRecord[] = [];
  for (const kind of ESCROW_KINDS) {
    const record = context.store.escrow(kind, event.prefix, event.sn, event.said);
    if (!record) continue;
    if (expired(context, record, now)) {
      context.store.removeEscrow(kind, event.prefix, event.sn, event.said);
      outcomes.push(expiredOutcome(record));
    } else live.push(record);
  }
  return live;
}

/** What an event goes into an escrow with. */
export type EscrowEntry = Pick<
  Extract<Decision, { kind: 'escrow' }>,
  'escrow' | 'waitingFor' | 'signatures' | 'witnessSignatures' | 'sourceSeal'
>;

/** What is already kept of the event, and who sent this copy. */
export interface KeptSoFar {
  readonly escrowed: readonly EscrowRecord[];
  /** When the first receipt that came before the event arrived. */
  readonly pendingSince: number | undefined;
  readonly local: boolean;
  readonly now: number;
  readonly outcomes: Outcome[];
}

/** Counts records kept by this process (see `EscrowRecord.arrival`). */
let arrivals = 0;

/** Records in the order their events first came: by first-kept time, then arrival. */
export function inArrivalOrder(records: EscrowRecord[]): EscrowRecord[] {
  if (records.length < 2) return records;
  return records.sort((a, b) => a.escrowedAt - b.escrowedAt || (a.arrival ?? 0) - (b.arrival ?? 0));
}

/** Keeps an event in an escrow, timed from when anything of it was first kept; reports it. */
export function keepInEscrow(
  context: ProcessorContext,
  event: KeyEvent,
  entry: EscrowEntry,
  kept: KeptSoFar,
): void {
  let firstKept = Math.min(kept.pendingSince ?? kept.now, kept.now);
  let arrival = Number.POSITIVE_INFINITY;
  for (const record of kept.escrowed) {
    firstKept = Math.min(firstKept, record.escrowedAt);
    arrival = Math.min(arrival, record.arrival ?? Number.POSITIVE_INFINITY);
  }
  if (arrival === Number.POSITIVE_INFINITY) arrival = ++arrivals;
  const local = kept.local || kept.escrowed.some((record) => record.local === true);
  const seal = entry.sourceSeal;
  // A delegation escrow whose couple names an event the delegator's KEL lacks waits for that event.
  const delegator =
    entry.escrow === 'delegation' && seal
      ? (event.delegator ?? context.state(event.prefix)?.delegator)
      : undefined;
  context.store.putEscrow({
    kind: entry.escrow,
    prefix: event.prefix,
    sn: toHex(event.sn),
    said: event.said,
    ilk: event.ilk,
    raw: event.raw,
    signatures: entry.signatures.map((s) => s.qb64),
    witnessSignatures: entry.witnessSignatures.map((s) => s.qb64),
    receipts: [],
    ...(seal ? { sourceSeal: { sn: toHex(seal.sn), said: seal.said } } : {}),
    ...(delegator ? { delegator } : {}),
    escrowedAt: firstKept,
    arrival,
    waitingFor: entry.waitingFor,
    ...(local ? { local } : {}),
  });
  kept.outcomes.push({
    kind: 'escrowed',
    prefix: event.prefix,
    sn: event.sn,
    said: event.said,
    ilk: event.ilk,
    escrow: entry.escrow,
    waitingFor: entry.waitingFor,
  });
}
