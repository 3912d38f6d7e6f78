/**
 * @module group/own-signatures
 * A member never counts, from elsewhere, a signature made with its own key on an event it did not
 * choose to sign. keripy 1.3.6 does the same for a group with a local member
 * (`Kever.valSigsWigsDel`: signatures at the indices of locally contributed keys are removed from
 * an event that does not come from this node): whoever else holds that key has stolen it, and
 * must not be able to complete a group event in this member's name. Ed25519 signatures are
 * deterministic, so the bytes of such a signature cannot tell it apart from ours; whether this
 * node decided to sign the event (its proposal record) can.
 */
import {
  type AttachmentGroup,
  type IndexedSignature,
  isGroup,
  type Message,
  parseStream,
} from '@kestrel/cesr';
import { controllerSignatures, messagize } from '@kestrel/core';

export interface OwnSignatureCheck {
  /** Whether a signature was made with a key held here. */
  readonly madeWithHeldKey: (signature: IndexedSignature) => boolean;
  /** Whether this node chose to sign this very event (then its own signatures are expected). */
  readonly signedHere: boolean;
}

/** Splits signatures into those that count and those made with our keys without our consent. */
export function withoutForeignOwnSignatures(
  signatures: readonly IndexedSignature[],
  check: OwnSignatureCheck,
): { kept: IndexedSignature[]; dropped: IndexedSignature[] } {
  const kept: IndexedSignature[] = [];
  const dropped: IndexedSignature[] = [];
  for (const signature of signatures) {
    const foreign = !check.signedHere && check.madeWithHeldKey(signature);
    (foreign ? dropped : kept).push(signature);
  }
  return { kept, dropped };
}

/** What a member records when it did not count such signatures (keripy cues `remoteMemberedSig`). */
export function ownSignatureRefusal(
  said: string,
  dropped: readonly IndexedSignature[],
): { code: string; reason: string } {
  const indices = dropped.map((signature) => signature.index).join(', ');
  return {
    code: 'not_signed_here',
    reason: `Signature${dropped.length > 1 ? 's' : ''} at index ${indices} of ${said} made with a key held here, on an event this node did not sign: not counted (someone else may hold that key)`,
  };
}

/**
 * The message with its controller signatures (`-A`, also inside a pipelined `-V` frame) replaced
 * by `kept`; every other attachment stays as it came.
 */
export function withControllerSignatures(
  message: Message,
  kept: readonly IndexedSignature[],
): Message {
  const others = attachmentGroups(message).filter((group) => group.counter.code !== '-A');
  const rebuilt = messagize(message.body.raw, [controllerSignatures(kept), ...others]);
  return parseStream(rebuilt).messages[0]!;
}

/** The controller signatures a message carries (also inside a pipelined `-V` frame). */
export function controllerSignaturesOf(message: Message): IndexedSignature[] {
  return attachmentGroups(message)
    .filter((group) => group.counter.code === '-A')
    .flatMap((group) => group.items as IndexedSignature[]);
}

/** A message's attachment groups, those inside a pipelined `-V` frame taken out of it. */
function attachmentGroups(message: Message): AttachmentGroup[] {
  return message.attachments.flatMap((group) =>
    group.counter.code === '-V' || group.counter.code === '-0V'
      ? group.items.filter((item): item is AttachmentGroup => isGroup(item))
      : [group],
  );
}
