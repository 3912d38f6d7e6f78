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
import {
  controllerSignatures,
  type KeyEvent,
  messagize,
  readAttachments,
  readKeyEvent,
  verifyIndexedSignature,
} from '@kestrel/core';
import type { Controller } from '../controller.js';
import type { MemberStates } from './group-events.js';

/** The guard of one member's node: its controller, and the key states it holds. */
export class OwnSignatureGuard {
  constructor(
    private readonly controller: Controller,
    private readonly states: MemberStates,
  ) {}

  /**
   * Splits a group event's signatures into those that count and those made with a key held here
   * when this node did not choose to sign the event (`signedHere`, from its proposal record).
   */
  signatures(
    event: KeyEvent,
    signatures: readonly IndexedSignature[],
    signedHere: boolean,
  ): { kept: IndexedSignature[]; dropped: IndexedSignature[] } {
    const kept: IndexedSignature[] = [];
    const dropped: IndexedSignature[] = [];
    const madeHere = signedHere ? () => false : this.madeWithHeldKey(event);
    for (const signature of signatures) (madeHere(signature) ? dropped : kept).push(signature);
    return { kept, dropped };
  }

  /** A group event from elsewhere without such signatures, and what to record if there were any. */
  message(message: Message): { message: Message; refusal?: { code: string; reason: string } } {
    let event: KeyEvent;
    try {
      event = readKeyEvent(message.body, this.controller.crypto.digest);
    } catch {
      return { message }; // the validator says what is wrong with it
    }
    // A copy of an event accepted here adds nothing that counts.
    if (this.controller.store.lastSaidAt(event.prefix, event.sn) === event.said) return { message };
    const { kept, dropped } = this.signatures(
      event,
      readAttachments(message.attachments).controllerSignatures,
      this.controller.records.proposal(event.said)?.signed === true,
    );
    if (dropped.length === 0) return { message };
    return {
      message: withControllerSignatures(message, kept),
      refusal: ownSignatureRefusal(event.said, dropped),
    };
  }

  /**
   * Whether a signature on a group's event was made with a key held here. An inception or a
   * rotation names its keys, so a signature's index says whose key made it. An interaction is
   * signed by the keys in force at its sn, which are not known here when it comes ahead of a
   * rotation: each of its signatures is checked against the keys held here that the group or our
   * member uses now (a member's key in a rotated group is its member's current key).
   */
  private madeWithHeldKey(event: KeyEvent): (signature: IndexedSignature) => boolean {
    const held = (key: string) => this.controller.canSign(key);
    if (event.ilk !== 'ixn') {
      return (signature) => {
        const key = event.keys[signature.index];
        return key !== undefined && held(key);
      };
    }
    const member = this.controller.records.groupByPrefix(event.prefix)?.memberPrefix;
    const candidates = [
      ...new Set([
        ...(this.states(event.prefix)?.keys ?? []),
        ...(member !== undefined ? (this.states(member)?.keys ?? []) : []),
      ]),
    ].filter(held);
    return (signature) =>
      candidates.some((key) =>
        verifyIndexedSignature(this.controller.crypto, key, signature, event.raw),
      );
  }
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
function withControllerSignatures(message: Message, kept: readonly IndexedSignature[]): Message {
  const others = message.attachments
    .flatMap((group) =>
      group.counter.code === '-V' || group.counter.code === '-0V'
        ? group.items.filter((item): item is AttachmentGroup => isGroup(item))
        : [group],
    )
    .filter((group) => group.counter.code !== '-A');
  const rebuilt = messagize(message.body.raw, [controllerSignatures(kept), ...others]);
  return parseStream(rebuilt).messages[0]!;
}
