/**
 * Kestrel's side of the signify-ts interop test: framing foreign bytes, checking SAIDs and
 * signatures message by message, and validating whole KELs through the event processor.
 */

import { findInvalidSaid, type IndexedSignature, type Message, parseStream } from '@kestrel/cesr';
import {
  type Crypto,
  EventProcessor,
  exposedPriorNextIndices,
  type Ilk,
  ManualClock,
  MemoryStore,
  type MessageAttachments,
  readAttachments,
  SAID_FIELDS,
  StreamValidator,
  type VerifyReport,
  verifySignatures,
} from '@kestrel/core';
import { expect } from 'vitest';

/** Frames `bytes` with Kestrel's parser: exactly one message, no error, nothing left over. */
export function frameOne(bytes: Uint8Array): Message {
  const { messages, errors } = parseStream(bytes);
  expect(errors.map((error) => error.message)).toEqual([]);
  expect(messages).toHaveLength(1);
  const message = messages[0]!;
  expect(message.raw).toEqual(bytes);
  return message;
}

/** Asserts that every SAID of the body verifies (`findInvalidSaid` with the labels of its ilk). */
export function expectSaidsValid(crypto: Crypto, message: Message): void {
  const { raw, sad, version } = message.body;
  const labels = SAID_FIELDS[sad.t as Ilk];
  expect(labels, `SAID labels of ${String(sad.t)}`).toBeDefined();
  expect(findInvalidSaid(raw, sad, version.kind, labels, crypto.digest)).toBeUndefined();
}

export interface SignatureCheck {
  readonly attachments: MessageAttachments;
  /** Indices of the controller signatures that verified. */
  readonly indices: readonly number[];
  /** For rotations: positions in the prior next-digest list that the signatures exposed. */
  readonly exposed: readonly number[];
}

/**
 * Asserts that every controller signature verifies against `keys` (and, when given, that the
 * ondex of each dual-indexed one exposes a prior next digest).
 */
export function expectSignaturesValid(
  crypto: Crypto,
  message: Message,
  keys: readonly string[],
  priorNextDigests?: readonly string[],
): SignatureCheck {
  const attachments = readAttachments(message.attachments);
  const signatures: IndexedSignature[] = attachments.controllerSignatures;
  expect(signatures.length).toBeGreaterThan(0);
  const { indices } = verifySignatures(crypto, message.body.raw, signatures, keys);
  expect(indices).toEqual(signatures.map((signature) => signature.index));
  const exposed = priorNextDigests
    ? exposedPriorNextIndices(crypto, signatures, keys, priorNextDigests)
    : [];
  if (priorNextDigests) {
    const dual = signatures.filter((signature) => signature.ondex !== undefined);
    expect(exposed).toEqual(dual.map((signature) => signature.ondex));
  }
  return { attachments, indices, exposed };
}

export interface Validated {
  readonly report: VerifyReport;
  readonly processor: EventProcessor;
}

/** Runs messages (in this order, as one stream) through a fresh processor; returns its report. */
export async function validateStream(
  crypto: Crypto,
  messages: readonly Uint8Array[],
): Promise<Validated> {
  const processor = new EventProcessor({
    store: new MemoryStore(),
    crypto,
    clock: new ManualClock(),
  });
  const validator = new StreamValidator(processor);
  for (const message of messages) await validator.push(message);
  return { report: await validator.end(), processor };
}

/** Validates a stream and asserts that every event was accepted, in the given KEL order. */
export async function expectAllAccepted(
  crypto: Crypto,
  messages: readonly Uint8Array[],
  kels: Readonly<Record<string, readonly string[]>>,
): Promise<Validated> {
  const validated = await validateStream(crypto, messages);
  const report = validated.report;
  expect(report.errors).toEqual([]);
  expect(report.not_accepted).toEqual([]);
  expect(report.verdict).toBe('accepted');
  expect(report.escrows).toEqual({});
  for (const [prefix, saids] of Object.entries(kels)) {
    expect(report.accepted[prefix]?.kel.map((event) => event.said)).toEqual(saids);
  }
  return validated;
}
