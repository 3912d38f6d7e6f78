/**
 * @module processor/signature-plan
 * The signature verifications a key event will need, worked out before it is processed, so that a
 * crypto backend can do them in parallel (`Crypto.expect`). Controller signatures verify against
 * the event's own keys (inceptions, rotations) or the keys in force (interactions); witness
 * signatures against its witness list. Events still waiting to be processed change the keys in
 * force, so the plan follows the establishment events it has seen. A wrong guess only costs time:
 * the processor verifies every signature itself, and the backend answers for its arguments only.
 */
import type { Message } from '@kestrel/cesr';
import { isKeyEventIlk } from '../event/fields.js';
import type { SignatureCheck } from '../ports/crypto.js';
import { signatureCheck } from '../validation/signatures.js';
import { readAttachments } from './attachments.js';
import type { ProcessorContext } from './context.js';
import { deriveWitnesses } from './evaluate.js';

interface ExpectedState {
  readonly keys: readonly string[];
  readonly witnesses: readonly string[];
}

const NONE: readonly SignatureCheck[] = Object.freeze([]);

export class SignaturePlanner {
  /** Keys and witnesses in force after the establishment events planned but not yet processed. */
  private readonly expected = new Map<string, ExpectedState>();

  constructor(private readonly context: ProcessorContext) {}

  /** The verifications `message` will need if it is a key event, given the events planned before it. */
  plan(message: Message): readonly SignatureCheck[] {
    const sad = message.body.sad;
    const ilk = sad.t;
    const prefix = sad.i;
    if (!isKeyEventIlk(ilk) || typeof prefix !== 'string') return NONE;
    try {
      const current = this.expected.get(prefix) ?? this.context.state(prefix);
      let next: ExpectedState | undefined;
      if (ilk === 'icp' || ilk === 'dip')
        next = { keys: strings(sad.k), witnesses: strings(sad.b) };
      else if (ilk === 'rot' || ilk === 'drt') {
        const witnesses = current
          ? deriveWitnesses(current.witnesses, strings(sad.br), strings(sad.ba)).witnesses
          : [];
        next = { keys: strings(sad.k), witnesses };
      }
      const inForce = next ?? current;
      if (next) this.expected.set(prefix, next);
      if (!inForce) return NONE;
      const attachments = readAttachments(message.attachments);
      const checks: SignatureCheck[] = [];
      const add = (
        signatures: typeof attachments.controllerSignatures,
        keys: readonly string[],
      ) => {
        for (const signature of signatures) {
          const key = keys[signature.index];
          const check =
            key === undefined ? undefined : signatureCheck(signature, key, message.body.raw);
          if (check) checks.push(check);
        }
      };
      add(attachments.controllerSignatures, inForce.keys);
      add(attachments.witnessSignatures, inForce.witnesses);
      return checks;
    } catch {
      return NONE; // malformed: the processor will say why
    }
  }

  /** Forgets what was planned (once every planned event has been processed). */
  reset(): void {
    this.expected.clear();
  }
}

function strings(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw new TypeError('Expected a list of strings');
  return value as string[];
}
