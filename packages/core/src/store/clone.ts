/**
 * @module store/clone
 * Replaying stored events as CESR, the way keripy serves a KEL to a peer (`cloneEvtMsg`): each
 * event followed by one `-V` group holding its controller signatures, witness signatures, source
 * seal couple, transferable receipts, receipt couples and first-seen replay couple. And exporting
 * duplicity evidence so that anyone can check both events and their signatures.
 */
import { type AttachmentGroup, indexerFromQb64, matterFromQb64 } from '@kestrel/cesr';
import {
  attachmentGroup,
  controllerSignatures,
  firstSeenReplayCouples,
  messagize,
  receiptCouples,
  sealSourceCouples,
  transferableReceiptQuadruples,
  witnessSignatures,
} from '../event/attachments.js';
import type { KelStore } from './kel-store.js';
import type { DuplicitousEventRecord, DuplicityRecord, EventRecord } from './records.js';

const signatures = (list: readonly string[]) => list.map((qb64) => indexerFromQb64(qb64));

/** One stored event as keripy's clone format. */
export function cloneMessage(record: EventRecord): Uint8Array {
  const groups: AttachmentGroup[] = [controllerSignatures(signatures(record.signatures))];
  if (record.witnessSignatures.length > 0)
    groups.push(witnessSignatures(signatures(record.witnessSignatures)));
  if (record.sourceSeal) {
    groups.push(
      sealSourceCouples([
        { sn: BigInt(`0x${record.sourceSeal.sn}`), said: record.sourceSeal.said },
      ]),
    );
  }
  if (record.transferableReceipts.length > 0) {
    groups.push(
      transferableReceiptQuadruples(
        record.transferableReceipts.map((receipt) => ({
          prefix: receipt.prefix,
          sn: BigInt(`0x${receipt.sn}`),
          said: receipt.said,
          signature: indexerFromQb64(receipt.signature),
        })),
      ),
    );
  }
  if (record.receipts.length > 0) {
    groups.push(
      receiptCouples(
        record.receipts.map((couple) => ({
          prefix: couple.prefix,
          signature: matterFromQb64(couple.signature),
        })),
      ),
    );
  }
  groups.push(
    firstSeenReplayCouples([
      { ordinal: BigInt(`0x${record.firstSeen}`), datetime: record.datetime },
    ]),
  );
  return messagize(record.raw, [attachmentGroup(groups)]);
}

/** A prefix's KEL in first-seen order, as clone messages. */
export function* cloneKel(store: KelStore, prefix: string): Generator<Uint8Array> {
  for (const { said, sn } of store.firstSeenOrder(prefix)) {
    const record = store.event(prefix, said, sn);
    if (record) yield cloneMessage(record);
  }
}

function sideMessage(side: DuplicitousEventRecord): Uint8Array {
  const groups: AttachmentGroup[] = [controllerSignatures(signatures(side.signatures))];
  if (side.witnessSignatures.length > 0)
    groups.push(witnessSignatures(signatures(side.witnessSignatures)));
  return messagize(side.raw, groups);
}

/**
 * Duplicity evidence as CESR: the first-seen event, then the conflicting one, each with the
 * signatures that made it valid. A third party checks it by validating the KEL up to the event
 * before them and then both events: the second comes out duplicitous.
 */
export function duplicityEvidenceStream(record: DuplicityRecord): Uint8Array[] {
  return [sideMessage(record.first), sideMessage(record.second)];
}
