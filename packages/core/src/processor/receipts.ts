/**
 * @module processor/receipts
 * Receipts: witness signatures (-B), non-transferable receipt couples (-C) and transferable
 * receipts (-F/-D) on an event, sent in `rct` messages or attached to the event itself
 * (keripy `processReceipt`, `processAttachedReceiptCouples`, `processAttachedReceiptQuadruples`).
 *
 * A receipt of an accepted event is verified and added to it. A couple from one of the event's
 * witnesses counts as that witness's indexed signature. A receipt of an event not accepted yet is
 * kept (unverified) and merged into the event's signatures when the event is processed.
 */
import {
  type IndexedSignature,
  indexedSignatureFor,
  indexerFromQb64,
  type Matter,
  matterFromQb64,
  qb64Code,
} from '@kestrel/cesr';
import { ValidationError } from '../errors.js';
import type {
  EventRecord,
  PendingReceiptsRecord,
  ReceiptCoupleRecord,
  TransferableReceiptRecord,
} from '../store/records.js';
import { decodeKey, verifySignatures } from '../validation/signatures.js';
import type { AttachedReceiptCouple, TransferableSignatures } from './attachments.js';
import type { ProcessorContext } from './context.js';
import type { ReceiptOutcome } from './outcomes.js';
import { readStoredEvent } from './stored-events.js';

export interface IncomingReceipts {
  readonly witnessSignatures: readonly IndexedSignature[];
  readonly couples: readonly AttachedReceiptCouple[];
  readonly transferable: readonly TransferableSignatures[];
}

/**
 * The indexed-signature scheme of a witness's receipt, by the code of its non-transferable key.
 * Transferable keys never receipt (keripy skips their couples), and keripy 1.3.6 has no verifier
 * for Ed448, so neither appears.
 */
const RECEIPTER_SCHEMES: Readonly<Record<string, 'Ed25519' | 'ECDSA_256k1' | 'ECDSA_256r1'>> = {
  B: 'Ed25519',
  '1AAA': 'ECDSA_256k1',
  '1AAI': 'ECDSA_256r1',
};

/** Signatures of the three schemes are 64 bytes. */
const RECEIPT_SIGNATURE_SIZE = 64;

/** Whether a receipter (a couple's key, or a witness) is a non-transferable key that can receipt. */
export function canReceipt(prefix: string): boolean {
  return RECEIPTER_SCHEMES[qb64Code(prefix) ?? ''] !== undefined;
}

/**
 * A receipt couple from a witness, as that witness's indexed signature. The couple's own signature
 * code is not trusted: keripy verifies a couple with the receipter's key, whatever its code says,
 * so the signature is indexed under the scheme of the witness's key.
 */
export function coupleAsWitnessSignature(
  couple: { prefix: string; signature: Matter | string },
  witnesses: readonly string[],
): IndexedSignature | undefined {
  const index = witnesses.indexOf(couple.prefix);
  if (index < 0) return undefined;
  const scheme = RECEIPTER_SCHEMES[qb64Code(couple.prefix) ?? ''];
  if (scheme === undefined) return undefined;
  const signature =
    typeof couple.signature === 'string' ? matterFromQb64(couple.signature) : couple.signature;
  if (signature.raw.length !== RECEIPT_SIGNATURE_SIZE) return undefined;
  return indexedSignatureFor(scheme, signature.raw, index);
}

/**
 * The witness signatures receipts carry, unverified, for an event whose witnesses are
 * `witnesses`: indexed signatures of listed witnesses (from receipts, `fromReceipts`, only of
 * witnesses that can receipt: keripy skips transferable ones there), and the couples of listed
 * witnesses as their indexed signatures. Others are left out, never an error.
 */
export function witnessSignaturesOf(
  incoming: Pick<IncomingReceipts, 'witnessSignatures' | 'couples'>,
  witnesses: readonly string[],
  fromReceipts: boolean,
): IndexedSignature[] {
  const signatures: IndexedSignature[] = [];
  for (const signature of incoming.witnessSignatures) {
    const witness = witnesses[signature.index];
    if (witness !== undefined && (!fromReceipts || canReceipt(witness))) signatures.push(signature);
  }
  for (const couple of incoming.couples) {
    const signature = coupleAsWitnessSignature(couple, witnesses);
    if (signature) signatures.push(signature);
  }
  return signatures;
}

/**
 * Adds verified receipts to an accepted event; returns the updated record, how many were new, and
 * the transferable receipts that cannot be verified yet because their receipter's KEL does not
 * have the establishment event they name (keripy keeps those apart until it does: `vres`).
 * `fromReceipts`: the witness signatures came in receipts (`rct`), where keripy skips those of
 * witnesses listed with transferable keys; signatures attached to the event itself count for any
 * listed witness.
 */
export function applyReceipts(
  context: ProcessorContext,
  record: EventRecord,
  incoming: IncomingReceipts,
  fromReceipts = false,
): { record: EventRecord; added: number; waiting: TransferableSignatures[] } {
  const waiting: TransferableSignatures[] = [];
  const wigs = new Set(record.witnessSignatures);
  const couples = new Map(record.receipts.map((couple) => [couple.prefix, couple]));
  const transferable = [...record.transferableReceipts];
  let added = 0;

  for (const couple of incoming.couples) {
    // Couples of listed witnesses count as their indexed signatures (below).
    if (record.witnesses.includes(couple.prefix)) continue;
    if (couples.has(couple.prefix) || !canReceipt(couple.prefix)) continue;
    const key = safeKey(couple.prefix);
    if (!key || couple.signature.raw.length !== RECEIPT_SIGNATURE_SIZE) continue;
    if (context.crypto.verify(key.code, key.raw, couple.signature.raw, record.raw)) {
      couples.set(couple.prefix, { prefix: couple.prefix, signature: couple.signature.qb64 });
      added++;
    }
  }
  // Only new signatures are verified (a known one is not verified again).
  const candidates = witnessSignaturesOf(incoming, record.witnesses, fromReceipts).filter(
    (signature) => !wigs.has(signature.qb64),
  );
  for (const signature of verifySignatures(context.crypto, record.raw, candidates, record.witnesses)
    .signatures) {
    if (!wigs.has(signature.qb64)) {
      wigs.add(signature.qb64);
      added++;
    }
  }
  for (const group of incoming.transferable) {
    const establishment = context.store.lastEventAt(group.prefix, group.sn);
    if (establishment === undefined) {
      waiting.push(group);
      continue;
    }
    if (establishment.said !== group.said) continue;
    const keys = readStoredEvent(context, establishment).keys;
    const inKeys = group.signatures.filter((signature) => signature.index < keys.length);
    for (const signature of verifySignatures(context.crypto, record.raw, inKeys, keys).signatures) {
      if (!transferable.some((t) => t.prefix === group.prefix && t.signature === signature.qb64)) {
        transferable.push({
          prefix: group.prefix,
          sn: group.sn.toString(16),
          said: group.said,
          signature: signature.qb64,
        });
        added++;
      }
    }
  }
  return {
    record: {
      ...record,
      witnessSignatures: [...wigs],
      receipts: [...couples.values()],
      transferableReceipts: transferable,
    },
    added,
    waiting,
  };
}

function safeKey(prefix: string): ReturnType<typeof decodeKey> | undefined {
  try {
    return decodeKey(prefix);
  } catch {
    return undefined;
  }
}

/**
 * Keeps receipts of an event that is not accepted yet, or transferable receipts of an accepted
 * event whose receipter's establishment event is not known yet. `since`: when the receipts were
 * first kept, if they were before (their timeout runs from then).
 */
export function keepPendingReceipts(
  context: ProcessorContext,
  prefix: string,
  sn: bigint,
  said: string,
  incoming: IncomingReceipts,
  since?: number,
): number {
  const existing = context.store.pendingReceipts(prefix, said);
  const wigs = new Set(existing?.witnessSignatures ?? []);
  const couples = new Map((existing?.receipts ?? []).map((c) => [c.prefix, c] as const));
  const transferable: TransferableReceiptRecord[] = [...(existing?.transferableReceipts ?? [])];
  for (const signature of incoming.witnessSignatures) wigs.add(signature.qb64);
  for (const couple of incoming.couples)
    couples.set(couple.prefix, { prefix: couple.prefix, signature: couple.signature.qb64 });
  for (const group of incoming.transferable) {
    for (const signature of group.signatures) {
      const entry = {
        prefix: group.prefix,
        sn: group.sn.toString(16),
        said: group.said,
        signature: signature.qb64,
      };
      // The same receipt twice is kept once (keripy's escrow keeps a value once per key).
      const known = transferable.some(
        (t) =>
          t.prefix === entry.prefix &&
          t.sn === entry.sn &&
          t.said === entry.said &&
          t.signature === entry.signature,
      );
      if (!known) transferable.push(entry);
    }
  }
  const record: PendingReceiptsRecord = {
    prefix,
    sn: sn.toString(16),
    said,
    witnessSignatures: [...wigs],
    receipts: [...couples.values()],
    transferableReceipts: transferable,
    receivedAt: existing?.receivedAt ?? since ?? context.clock.now(),
  };
  context.store.putPendingReceipts(record);
  return incoming.witnessSignatures.length + incoming.couples.length + incoming.transferable.length;
}

/** Pending receipts of an event, in the form of incoming receipts. */
const NO_RECEIPTS: IncomingReceipts = { witnessSignatures: [], couples: [], transferable: [] };

export function pendingAsIncoming(record: PendingReceiptsRecord | undefined): IncomingReceipts {
  if (!record) return NO_RECEIPTS;
  return {
    witnessSignatures: record.witnessSignatures.map((qb64) => indexerFromQb64(qb64)),
    couples: record.receipts.map((couple: ReceiptCoupleRecord) => ({
      prefix: couple.prefix,
      signature: matterFromQb64(couple.signature),
    })),
    transferable: record.transferableReceipts.map((t) => ({
      prefix: t.prefix,
      sn: BigInt(`0x${t.sn}`),
      said: t.said,
      signatures: [indexerFromQb64(t.signature)],
    })),
  };
}

export function staleReceipt(
  prefix: string,
  sn: bigint,
  said: string,
  accepted: string,
): ValidationError {
  return new ValidationError(
    'stale_receipt',
    `Receipt of ${said} at sn ${sn} of ${prefix}, but the accepted event there is ${accepted}`,
  );
}

/**
 * Keeps transferable receipts of an accepted event that wait for their receipter's establishment
 * event (`applyReceipts`'s `waiting`); returns how many.
 */
export function keepWaitingReceipts(
  context: ProcessorContext,
  prefix: string,
  sn: bigint,
  said: string,
  waiting: readonly TransferableSignatures[],
  since?: number,
): number {
  if (waiting.length === 0) return 0;
  const incoming = { witnessSignatures: [], couples: [], transferable: [...waiting] };
  return keepPendingReceipts(context, prefix, sn, said, incoming, since);
}

/**
 * Receipts kept at (prefix, sn) for events other than the one accepted there: receipt couples and
 * transferable receipts are dropped, as keripy drops them at its next receipt-escrow pass (it
 * finds another event in the KEL at their sn; a receipt that arrives now for another event at
 * that sn is refused as stale). Called once the retries an arrival let loose are done, since
 * keripy's pass comes after its out-of-order pass: an event that came to wait for witnesses in
 * between has had the couples of its witnesses moved onto it (`moveReceipts`). Witnesses'
 * indexed signatures stay, until they time out: keripy's escrow of them (`uwes`) only ever looks
 * for their event among those waiting for witnesses, never in the KEL, so they still carry a
 * recovery rotation that comes later.
 */
export function dropStaleReceipts(context: ProcessorContext, prefix: string, sn: bigint): void {
  const accepted = context.store.lastSaidAt(prefix, sn);
  if (accepted === undefined) return;
  for (const record of context.store.pendingReceiptsAt(prefix, sn)) {
    if (record.said === accepted) continue;
    if (record.receipts.length === 0 && record.transferableReceipts.length === 0) continue;
    keepPendingRemainder(context, { ...record, receipts: [], transferableReceipts: [] });
  }
}

/** Stores what is left of an event's kept receipts, or forgets the record when nothing is. */
export function keepPendingRemainder(context: ProcessorContext, record: PendingReceiptsRecord) {
  const empty =
    record.witnessSignatures.length === 0 &&
    record.receipts.length === 0 &&
    record.transferableReceipts.length === 0;
  if (empty) context.store.removePendingReceipts(record.prefix, record.said);
  else context.store.putPendingReceipts(record);
}

/**
 * The event at (receipter, sn) was accepted: transferable receipts that named it as their
 * receipter's establishment event can now be verified and added to the events they receipt
 * (keripy's retry of unverified transferable receipts). Those of events not accepted yet stay
 * pending until the event is.
 */
export function releaseReceipterWaits(
  context: ProcessorContext,
  receipter: string,
  sn: bigint,
): ReceiptOutcome[] {
  const outcomes: ReceiptOutcome[] = [];
  for (const pending of context.store.pendingReceiptsByReceipter(receipter, sn)) {
    const receiptedSn = BigInt(`0x${pending.sn}`);
    if (context.store.lastSaidAt(pending.prefix, receiptedSn) !== pending.said) continue;
    const record = context.store.event(pending.prefix, pending.said, receiptedSn);
    if (record === undefined) continue;
    const incoming = pendingAsIncoming(pending);
    const applied = applyReceipts(context, record, {
      ...incoming,
      witnessSignatures: [],
      couples: [],
    });
    if (applied.added > 0) context.store.updateEvent(applied.record);
    context.store.removePendingReceipts(pending.prefix, pending.said);
    keepWaitingReceipts(
      context,
      pending.prefix,
      receiptedSn,
      pending.said,
      applied.waiting,
      pending.receivedAt,
    );
    outcomes.push({
      kind: 'receipt',
      prefix: pending.prefix,
      sn: receiptedSn,
      said: pending.said,
      result: 'applied',
      count: applied.added,
    });
  }
  return outcomes;
}
