/**
 * @module processor/duplicity
 * A different event at an already accepted (prefix, sn): if the keys in force validly signed it,
 * that is duplicity, and we keep both events as evidence anyone can check; otherwise it is not
 * evidence (the processor drops it, or keeps it in the likely-duplicitous escrow when it follows
 * an event this KEL does not have). The first-seen event stays authoritative either way. (keripy
 * 1.3.6 parks every such event in that escrow without judging its signatures.)
 */
import { type IndexedSignature, isoDateTime, toHex } from '@kestrel/cesr';
import { ValidationError } from '../errors.js';
import type { DuplicityRecord, EventRecord } from '../store/records.js';
import type { KeyEvent } from '../validation/key-event.js';
import { exposedPriorNextIndices, verifySignatures } from '../validation/signatures.js';
import type { ProcessorContext } from './context.js';
import { thresholdMet } from './evaluate.js';
import { readStoredEvent } from './stored-events.js';

export type DuplicityJudgement =
  | { readonly kind: 'duplicitous'; readonly record: DuplicityRecord }
  | { readonly kind: 'reject'; readonly error: ValidationError };

/** The establishment event whose keys sign events after it, up to the next one: the last one before `sn`. */
function establishmentBefore(
  context: ProcessorContext,
  prefix: string,
  sn: bigint,
): KeyEvent | undefined {
  for (let at = sn - 1n; at >= 0n; at--) {
    const record = context.store.lastEventAt(prefix, at);
    if (!record) return undefined;
    if (record.ilk !== 'ixn') return readStoredEvent(context, record);
  }
  return undefined;
}

function sideOf(record: EventRecord): DuplicityRecord['first'] {
  return {
    said: record.said,
    ilk: record.ilk,
    raw: record.raw,
    signatures: record.signatures,
    witnessSignatures: record.witnessSignatures,
    receipts: record.receipts,
  };
}

export function judgeConflict(
  context: ProcessorContext,
  event: KeyEvent,
  signatures: readonly IndexedSignature[],
  witnessSignatures: readonly IndexedSignature[],
): DuplicityJudgement {
  const first = context.store.lastEventAt(event.prefix, event.sn);
  if (!first) {
    return {
      kind: 'reject',
      error: new ValidationError('unsigned_conflict', 'Conflicting event with no first-seen event'),
    };
  }
  if (event.deferredError) {
    // Keys or thresholds that cannot be read cannot have signed it.
    return {
      kind: 'reject',
      error: new ValidationError(
        'unsigned_conflict',
        `A different ${event.ilk} at sn ${event.sn} of ${event.prefix} has malformed keys or thresholds (${event.deferredError.message}); dropped`,
      ),
    };
  }
  let validlySigned = false;
  let signedBy: DuplicityRecord['signedBy'] = 'current-keys';
  let verified: readonly IndexedSignature[] = [];
  if (event.ilk === 'icp' || event.ilk === 'dip') {
    const result = verifySignatures(context.crypto, event.raw, signatures, event.keys);
    verified = result.signatures;
    validlySigned = thresholdMet(event.signingThreshold!, result.indices);
  } else {
    const establishment = establishmentBefore(context, event.prefix, event.sn);
    if (establishment) {
      if (event.ilk === 'ixn' && context.state(event.prefix)?.establishmentOnly) {
        // No interaction of an establishment-only KEL is a valid event, whoever signed it: in
        // order it is refused (keripy too), so out of its place it is no evidence either.
        return {
          kind: 'reject',
          error: new ValidationError(
            'unsigned_conflict',
            `A different ixn at sn ${event.sn} of ${event.prefix}, which is establishment-only; dropped`,
          ),
        };
      }
      if (event.ilk === 'ixn') {
        const result = verifySignatures(context.crypto, event.raw, signatures, establishment.keys);
        verified = result.signatures;
        validlySigned = thresholdMet(establishment.signingThreshold!, result.indices);
      } else {
        // A rotation is signed by its new keys, which must be the ones pre-committed before it.
        const result = verifySignatures(context.crypto, event.raw, signatures, event.keys);
        verified = result.signatures;
        const exposed = exposedPriorNextIndices(
          context.crypto,
          result.signatures,
          event.keys,
          establishment.nextKeyDigests,
        );
        validlySigned =
          thresholdMet(event.signingThreshold!, result.indices) &&
          thresholdMet(establishment.nextThreshold!, exposed);
        signedBy = 'pre-rotated-keys';
      }
    }
  }
  if (!validlySigned) {
    return {
      kind: 'reject',
      error: new ValidationError(
        'unsigned_conflict',
        `A different ${event.ilk} at sn ${event.sn} of ${event.prefix} is not validly signed by the keys in force; dropped`,
      ),
    };
  }
  const record: DuplicityRecord = {
    prefix: event.prefix,
    sn: toHex(event.sn),
    first: sideOf(first),
    firstSeenAt: first.datetime,
    second: {
      said: event.said,
      ilk: event.ilk,
      raw: event.raw,
      signatures: verified.map((signature) => signature.qb64),
      witnessSignatures: witnessSignatures.map((signature) => signature.qb64),
      receipts: [],
    },
    detectedAt: isoDateTime(new Date(context.clock.now())),
    signedBy,
    summary:
      signedBy === 'pre-rotated-keys'
        ? `Two different establishment events at sn ${event.sn}, both signed with pre-rotated keys: the next keys are compromised`
        : `Two different events at sn ${event.sn} signed by the current keys: the signing keys are compromised (recover by rotation)`,
  };
  return { kind: 'duplicitous', record };
}
