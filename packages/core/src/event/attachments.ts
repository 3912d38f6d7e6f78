/**
 * @module event/attachments
 * Builders of the CESR 1.0 attachment groups that travel with key events, and `messagize`, which
 * joins a body and its attachments in the order keripy writes them.
 */
import {
  type AttachmentGroup,
  concatBytes,
  counter,
  datetimePrimitive,
  encodeGroupsText,
  type IndexedSignature,
  type Matter,
  matterFromQb64,
  seqner,
} from '@kestrel/cesr';

/** -A: signatures of the controller's current (and exposed next) keys. */
export function controllerSignatures(signatures: readonly IndexedSignature[]): AttachmentGroup {
  return { counter: counter('-A', signatures.length), items: [...signatures] };
}

/** -B: signatures of witnesses, indexed into the witness list in force. */
export function witnessSignatures(signatures: readonly IndexedSignature[]): AttachmentGroup {
  return { counter: counter('-B', signatures.length), items: [...signatures] };
}

/** A non-transferable signer (prefix) and its non-indexed signature. */
export interface ReceiptCouple {
  readonly prefix: string;
  readonly signature: Matter;
}

/** -C: receipts by non-transferable prefixes (witnesses or watchers). */
export function receiptCouples(couples: readonly ReceiptCouple[]): AttachmentGroup {
  return {
    counter: counter('-C', couples.length),
    items: couples.flatMap((couple) => [matterFromQb64(couple.prefix), couple.signature]),
  };
}

/** The establishment event of a transferable signer: its prefix, sequence number and SAID. */
export interface SignerEstablishment {
  readonly prefix: string;
  readonly sn: bigint | number;
  readonly said: string;
}

/** -D: transferable receipts, one indexed signature each. */
export function transferableReceiptQuadruples(
  quadruples: readonly (SignerEstablishment & { readonly signature: IndexedSignature })[],
): AttachmentGroup {
  return {
    counter: counter('-D', quadruples.length),
    items: quadruples.flatMap((q) => [
      matterFromQb64(q.prefix),
      seqner(q.sn),
      matterFromQb64(q.said),
      q.signature,
    ]),
  };
}

/** -E: first-seen ordinal and datetime, as a witness replays its KEL. */
export function firstSeenReplayCouples(
  couples: readonly { readonly ordinal: bigint | number; readonly datetime: string }[],
): AttachmentGroup {
  return {
    counter: counter('-E', couples.length),
    items: couples.flatMap((c) => [seqner(c.ordinal), datetimePrimitive(c.datetime)]),
  };
}

/** -F: signatures of a transferable signer, with the establishment event that holds its keys. */
export function transferableSignatureGroups(
  groups: readonly (SignerEstablishment & { readonly signatures: readonly IndexedSignature[] })[],
): AttachmentGroup {
  return {
    counter: counter('-F', groups.length),
    items: groups.flatMap((g) => [
      matterFromQb64(g.prefix),
      seqner(g.sn),
      matterFromQb64(g.said),
      controllerSignatures(g.signatures),
    ]),
  };
}

/** -G: where the anchoring (delegating) event is: its sequence number and SAID. */
export function sealSourceCouples(
  couples: readonly { readonly sn: bigint | number; readonly said: string }[],
): AttachmentGroup {
  return {
    counter: counter('-G', couples.length),
    items: couples.flatMap((c) => [seqner(c.sn), matterFromQb64(c.said)]),
  };
}

/** -H: signatures of a transferable signer by its latest establishment event. */
export function lastSignatureGroups(
  groups: readonly { readonly prefix: string; readonly signatures: readonly IndexedSignature[] }[],
): AttachmentGroup {
  return {
    counter: counter('-H', groups.length),
    items: groups.flatMap((g) => [matterFromQb64(g.prefix), controllerSignatures(g.signatures)]),
  };
}

/** -I: the anchoring event of another prefix: prefix, sequence number and SAID. */
export function sealSourceTriples(triples: readonly SignerEstablishment[]): AttachmentGroup {
  return {
    counter: counter('-I', triples.length),
    items: triples.flatMap((t) => [matterFromQb64(t.prefix), seqner(t.sn), matterFromQb64(t.said)]),
  };
}

/** -V: groups wrapped in one attachment group counted in quadlets (keripy "pipelined"). */
export function attachmentGroup(groups: readonly AttachmentGroup[]): AttachmentGroup {
  return { counter: counter('-V', 0), items: [...groups] };
}

/** A body followed by its attachment groups, in text form. */
export function messagize(raw: Uint8Array, groups: readonly AttachmentGroup[]): Uint8Array {
  return groups.length === 0 ? raw : concatBytes(raw, encodeGroupsText(groups));
}

/** Attachment groups as text. */
export function attachmentsText(groups: readonly AttachmentGroup[]): string {
  return new TextDecoder().decode(encodeGroupsText(groups));
}
