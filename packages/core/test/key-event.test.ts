/**
 * Keys and witnesses keripy 1.3.6 cannot verify with. As a matter of form an event may list any
 * public key, Ed448 included; keripy makes a verifier (Verfer) of each key and witness only when it
 * validates the event against the key state, has none for Ed448 or for a digest, and drops the
 * event then. An event that waits out of order is not judged on it before its turn.
 */
import {
  concatBytes,
  type MatterCode,
  matterFromRaw,
  parseStream,
  textToBytes,
} from '@kestrel/cesr';
import {
  EventProcessor,
  incept,
  MemoryStore,
  type Outcome,
  readKeyEvent,
  rotate,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();
/** A well-formed indexed signature (it never gets verified: the events fail before). */
const SIGNATURE = textToBytes(`-AABAA${'A'.repeat(86)}`);

const keyOf = (code: MatterCode, size: number) =>
  matterFromRaw(code, crypto.randomBytes(size)).qb64;
const digestOf = () => matterFromRaw('E', crypto.digest('E', crypto.randomBytes(32))).qb64;

function message(raw: Uint8Array) {
  return parseStream(concatBytes(raw, SIGNATURE)).messages[0]!;
}

function process(raw: Uint8Array): Outcome {
  const processor = new EventProcessor({ store: new MemoryStore(), crypto });
  return processor.process(message(raw))[0]!;
}

describe('keys and witnesses keripy 1.3.6 cannot verify with', () => {
  it('reads any public key as a matter of form, Ed448 included', () => {
    for (const [code, size] of [
      ['D', 32],
      ['1AAB', 33],
      ['1AAJ', 33],
      ['1AAD', 57],
    ] as const) {
      const key = keyOf(code, size);
      const built = incept(crypto.digest, { keys: [key], nextKeyDigests: [digestOf()], code: 'E' });
      expect(readKeyEvent(message(built.raw).body, crypto.digest).keys).toEqual([key]);
    }
  });

  it('drops an inception with an Ed448 key', () => {
    const built = incept(crypto.digest, {
      keys: [keyOf('1AAD', 57)],
      nextKeyDigests: [digestOf()],
      code: 'E',
    });
    const outcome = process(built.raw);
    expect(outcome).toMatchObject({ kind: 'rejected', error: { code: 'bad_keys' } });
    expect(outcome.kind === 'rejected' && outcome.error.message).toMatch(/keripy 1\.3\.6/);
  });

  it('drops an inception whose witness is a digest, not a key', () => {
    const built = incept(crypto.digest, {
      keys: [keyOf('D', 32)],
      nextKeyDigests: [digestOf()],
      witnesses: [digestOf()],
      witnessThreshold: 1,
      code: 'E',
    });
    expect(process(built.raw)).toMatchObject({
      kind: 'rejected',
      error: { code: 'bad_witnesses' },
    });
  });

  it('keeps a rotation to an Ed448 key that arrives out of order waiting, as keripy does', () => {
    const built = rotate(crypto.digest, {
      prefix: digestOf(),
      keys: [keyOf('1AAD', 57)],
      prior: digestOf(),
      sn: 3,
      nextKeyDigests: [digestOf()],
    });
    expect(process(built.raw)).toMatchObject({ kind: 'escrowed', escrow: 'out_of_order' });
  });
});
