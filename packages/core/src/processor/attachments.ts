/**
 * @module processor/attachments
 * What a message's attachment groups carry, sorted by meaning (keripy's `sigers`, `wigers`,
 * `cigars`, `trqs`, `tsgs`, `frcs`, `sscs`). A `-V` group is flattened into its contents.
 */
import {
  type AttachmentGroup,
  datetimeValue,
  type GroupItem,
  type IndexedSignature,
  isGroup,
  isIndexedSignature,
  type Matter,
  seqnerValue,
} from '@kestrel/cesr';

export interface AttachedReceiptCouple {
  readonly prefix: string;
  readonly signature: Matter;
}

export interface TransferableSignatures {
  readonly prefix: string;
  readonly sn: bigint;
  readonly said: string;
  readonly signatures: readonly IndexedSignature[];
}

export interface SourceSeal {
  readonly sn: bigint;
  readonly said: string;
}

export interface MessageAttachments {
  readonly controllerSignatures: IndexedSignature[];
  readonly witnessSignatures: IndexedSignature[];
  readonly receiptCouples: AttachedReceiptCouple[];
  /**
   * -F groups: signatures of transferable receipters, as receipts (`rct`) carry them (keripy reads
   * them only there).
   */
  readonly transferableReceipts: TransferableSignatures[];
  /** -D quadruples: the same, one signature each, as key events carry them (and only those). */
  readonly receiptQuadruples: TransferableSignatures[];
  /** -H groups: signatures by a signer's latest establishment event. */
  readonly lastSignatureGroups: { prefix: string; signatures: readonly IndexedSignature[] }[];
  readonly firstSeen: { ordinal: bigint; datetime: string }[];
  readonly sourceSeals: SourceSeal[];
}

function matter(item: GroupItem | undefined): Matter {
  if (!item || isGroup(item) || isIndexedSignature(item))
    throw new TypeError('Expected a primitive in a group');
  return item;
}

function signatures(item: GroupItem | undefined): IndexedSignature[] {
  if (!item || !isGroup(item)) throw new TypeError('Expected a signature group');
  return item.items.filter(isIndexedSignature);
}

export function readAttachments(groups: readonly AttachmentGroup[]): MessageAttachments {
  const result: MessageAttachments = {
    controllerSignatures: [],
    witnessSignatures: [],
    receiptCouples: [],
    transferableReceipts: [],
    receiptQuadruples: [],
    lastSignatureGroups: [],
    firstSeen: [],
    sourceSeals: [],
  };
  const visit = (group: AttachmentGroup): void => {
    const items = group.items;
    switch (group.counter.code) {
      case '-V':
      case '-0V':
        for (const item of items) if (isGroup(item)) visit(item);
        return;
      case '-A':
        for (const item of items)
          if (isIndexedSignature(item)) result.controllerSignatures.push(item);
        return;
      case '-B':
        for (const item of items) if (isIndexedSignature(item)) result.witnessSignatures.push(item);
        return;
      case '-C':
        for (let i = 0; i + 1 < items.length; i += 2) {
          result.receiptCouples.push({
            prefix: matter(items[i]).qb64,
            signature: matter(items[i + 1]),
          });
        }
        return;
      case '-D':
        for (let i = 0; i + 3 < items.length; i += 4) {
          const signature = items[i + 3];
          result.receiptQuadruples.push({
            prefix: matter(items[i]).qb64,
            sn: seqnerValue(matter(items[i + 1])),
            said: matter(items[i + 2]).qb64,
            signatures: signature && isIndexedSignature(signature) ? [signature] : [],
          });
        }
        return;
      case '-F':
        for (let i = 0; i + 3 < items.length; i += 4) {
          result.transferableReceipts.push({
            prefix: matter(items[i]).qb64,
            sn: seqnerValue(matter(items[i + 1])),
            said: matter(items[i + 2]).qb64,
            signatures: signatures(items[i + 3]),
          });
        }
        return;
      case '-H':
        for (let i = 0; i + 1 < items.length; i += 2) {
          result.lastSignatureGroups.push({
            prefix: matter(items[i]).qb64,
            signatures: signatures(items[i + 1]),
          });
        }
        return;
      case '-E':
        for (let i = 0; i + 1 < items.length; i += 2) {
          result.firstSeen.push({
            ordinal: seqnerValue(matter(items[i])),
            datetime: datetimeValue(matter(items[i + 1])),
          });
        }
        return;
      case '-G':
        for (let i = 0; i + 1 < items.length; i += 2) {
          result.sourceSeals.push({
            sn: seqnerValue(matter(items[i])),
            said: matter(items[i + 1]).qb64,
          });
        }
        return;
      default:
        return; // groups without meaning for key events (pathed material, ESSR...) are ignored
    }
  };
  groups.forEach(visit);
  return result;
}
