/**
 * @module processor/early-receipts
 * Receipts that came before their event, as keripy's receipt escrows (`uwes`, `ures`) treat them:
 * matched to the event's witnesses once the event is in order, moved onto the event once it waits
 * for witnesses (`_processEscrowFindUnver`), and, for a recovery rotation, placed by the witness
 * list after its cuts and adds although the rotation is judged against the witnesses in force.
 */
import type { IndexedSignature } from '@kestrel/cesr';
import type { EscrowRecord, PendingReceiptsRecord } from '../store/records.js';
import type { KeyEvent } from '../validation/key-event.js';
import { verifySignatures } from '../validation/signatures.js';
import type { ProcessorContext } from './context.js';
import { deriveWitnesses, type Material } from './evaluate.js';
import {
  type IncomingReceipts,
  keepPendingRemainder,
  pendingAsIncoming,
  witnessSignaturesOf,
} from './receipts.js';

const NONE: readonly never[] = Object.freeze([]);

/**
 * The witness list an event would have, to match receipts that came before it to witnesses;
 * undefined while the event is out of order (the list depends on the events before it).
 */
export function witnessesFor(
  context: ProcessorContext,
  event: KeyEvent,
): readonly string[] | undefined {
  if (event.ilk === 'icp' || event.ilk === 'dip') return event.witnesses;
  const state = context.state(event.prefix);
  if (!state || event.sn > state.sn + 1n) return undefined;
  // An interaction, and a recovery rotation (keripy keeps the witnesses in force there).
  if (event.ilk === 'ixn' || event.sn <= state.sn) return state.witnesses;
  try {
    return deriveWitnesses(state.witnesses, event.cuts, event.adds).witnesses;
  } catch {
    return state.witnesses;
  }
}

/**
 * The witness list by which receipts that came before an event are placed: `witnesses` (the list
 * it is judged against) but for a recovery rotation. keripy judges that against the witnesses in
 * force, ignoring its cuts and adds (`Kever.deriveBacks`), yet places receipts kept for it by the
 * list after its cuts and adds (`_processEscrowFindUnver`), and drops them when those cannot be
 * applied.
 */
export function receiptPlacesFor(
  context: ProcessorContext,
  event: KeyEvent,
  witnesses: readonly string[],
): readonly string[] {
  if (event.ilk === 'icp' || event.ilk === 'dip' || event.ilk === 'ixn') return witnesses;
  const state = context.state(event.prefix);
  if (!state || event.sn > state.sn) return witnesses;
  try {
    return deriveWitnesses(state.witnesses, event.cuts, event.adds).witnesses;
  } catch {
    return NONE;
  }
}

/**
 * Witness signatures from receipts that came before the event (unverified): those of listed,
 * non-transferable witnesses, once the witness list is known. They can only add to the event's
 * receipts, never make it invalid (keripy keeps them apart and drops a bad one alone).
 */
export function earlyWitnessSignatures(
  context: ProcessorContext,
  event: KeyEvent,
  pending: IncomingReceipts,
): readonly IndexedSignature[] {
  if (pending.witnessSignatures.length === 0 && pending.couples.length === 0) return NONE;
  const witnesses = witnessesFor(context, event);
  if (witnesses === undefined) return NONE;
  const places = receiptPlacesFor(context, event, witnesses);
  if (places === witnesses) return witnessSignaturesOf(pending, witnesses, true);
  // Placed in one list, verified against the other: they count only where the two lists agree,
  // and one beyond the list in force makes the judgement fail, as it fails keripy's.
  return witnessSignaturesOf(pending, places, true).filter((signature) => {
    const inForce = witnesses[signature.index];
    return inForce === undefined || inForce === places[signature.index];
  });
}

/**
 * Moves the receipts kept for an event now waiting for witnesses onto it, as keripy's receipt
 * escrow passes do: returns the witness signatures that verify where they are placed, and lets go
 * of every kept witness signature and of the couples of receipters it places (moved, or failed).
 * Couples of others stay kept; transferable receipts are not touched.
 */
export function moveReceipts(
  context: ProcessorContext,
  event: KeyEvent,
  record: PendingReceiptsRecord | undefined,
): readonly IndexedSignature[] {
  if (record === undefined) return NONE;
  const witnesses = witnessesFor(context, event);
  if (witnesses === undefined) return NONE;
  const places = receiptPlacesFor(context, event, witnesses);
  // All that verify where they are placed, even where the list the event is judged against has
  // another witness or none: keripy moves them all, and then they fail there, the event with them
  // when the index is beyond that list.
  const signatures = witnessSignaturesOf(pendingAsIncoming(record), places, true);
  if (signatures.length === 0) return NONE;
  const receipts = record.receipts.filter((couple) => !places.includes(couple.prefix));
  keepPendingRemainder(context, { ...record, witnessSignatures: [], receipts });
  return verifySignatures(context.crypto, event.raw, signatures, places).signatures;
}

/** Moves the receipts kept for an event waiting for witnesses into its escrow record. */
export function moveOntoEscrowed(
  context: ProcessorContext,
  record: EscrowRecord,
  event: KeyEvent,
): void {
  const moved = moveReceipts(
    context,
    event,
    context.store.pendingReceipts(record.prefix, record.said),
  );
  if (moved.length === 0) return;
  const witnessSignatures = new Set(record.witnessSignatures);
  for (const signature of moved) witnessSignatures.add(signature.qb64);
  context.store.putEscrow({ ...record, witnessSignatures: [...witnessSignatures] });
}

/**
 * Whether keripy's escrow pass would still hold receipt couples kept for an event waiting for
 * witnesses, by receipter: it moves those of the receipters it places by onto the event; it keeps
 * the others, but for a recovery rotation, whose sn another event holds, it drops them as receipts
 * of that event. Undefined while the event's witness list is not known.
 */
export function keptCouplesFilter(
  context: ProcessorContext,
  event: KeyEvent,
): ((receipter: string) => boolean) | undefined {
  const witnesses = witnessesFor(context, event);
  if (witnesses === undefined) return undefined;
  if (receiptPlacesFor(context, event, witnesses) !== witnesses) return () => false;
  return (receipter) => !witnesses.includes(receipter);
}

/**
 * Whether an event judged with receipts that came before it passed its witness threshold only
 * with them (its own witness signatures, attached or kept in its escrows, fall short): keripy
 * would have had it wait for witnesses first, and moved the receipts onto it.
 */
export function witnessedOnlyWith(
  verified: readonly IndexedSignature[],
  incoming: Material,
  escrowed: readonly EscrowRecord[],
  event: KeyEvent,
): boolean {
  const ownSignatures = new Set(incoming.witnessSignatures.map((signature) => signature.qb64));
  for (const record of escrowed)
    for (const qb64 of record.witnessSignatures) ownSignatures.add(qb64);
  const own = new Set<number>();
  for (const signature of verified) if (ownSignatures.has(signature.qb64)) own.add(signature.index);
  return own.size < event.witnessThreshold;
}
