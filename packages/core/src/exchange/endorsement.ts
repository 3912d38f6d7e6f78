/**
 * @module exchange/endorsement
 * Whether a message is signed by a transferable identifier: its indexed signatures, by the keys of
 * the establishment event they name (prefix, sn, SAID), must verify and meet that event's signing
 * threshold (keripy `Exchanger.processEvent` with `resolveVerifiers`). The event must be one this
 * node accepted; an unknown signer is not trusted, however well-formed its signatures.
 */
import { ESTABLISHMENT_ILKS } from '../event/fields.js';
import type { TransferableSignatures } from '../processor/attachments.js';
import type { ProcessorContext } from '../processor/context.js';
import { readStoredEvent } from '../processor/stored-events.js';
import { satisfies } from '../threshold/index.js';
import { verifySignatures } from '../validation/signatures.js';

export type EndorsementCheck =
  | { readonly valid: true; readonly indices: readonly number[] }
  | {
      readonly valid: false;
      readonly reason: 'unknown_signer' | 'unknown_establishment' | 'bad_signatures' | 'threshold';
      readonly message: string;
    };

export function checkEndorsement(
  context: ProcessorContext,
  data: Uint8Array,
  group: TransferableSignatures,
): EndorsementCheck {
  if (!context.state(group.prefix)) {
    return {
      valid: false,
      reason: 'unknown_signer',
      message: `The KEL of ${group.prefix} is not known here`,
    };
  }
  const record = context.store.lastEventAt(group.prefix, group.sn);
  if (!record || record.said !== group.said || !ESTABLISHMENT_ILKS.has(record.ilk)) {
    return {
      valid: false,
      reason: 'unknown_establishment',
      message: `${group.prefix} has no accepted establishment event ${group.said} at sn ${group.sn}`,
    };
  }
  const event = readStoredEvent(context, record);
  let indices: readonly number[];
  try {
    indices = verifySignatures(context.crypto, data, group.signatures, event.keys).indices;
  } catch (caught) {
    return { valid: false, reason: 'bad_signatures', message: (caught as Error).message };
  }
  if (indices.length === 0)
    return {
      valid: false,
      reason: 'bad_signatures',
      message: `No signature by ${group.prefix} verifies`,
    };
  if (!event.signingThreshold || !satisfies(event.signingThreshold, indices)) {
    return {
      valid: false,
      reason: 'threshold',
      message: `The signatures by ${group.prefix} do not meet its signing threshold`,
    };
  }
  return { valid: true, indices };
}
