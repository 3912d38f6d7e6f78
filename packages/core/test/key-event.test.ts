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
  saidify,
  textToBytes,
} from '@kestrel/cesr';
import {
  controllerSignatures,
  EventProcessor,
  incept,
  MemoryStore,
  messagize,
  type Outcome,
  readKeyEvent,
  readReceivedKeyEvent,
  rotate,
  signIndexed,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { TestIdentifier } from '@kestrel/testing';
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

/** A processor over a fresh memory store, and a function feeding it a stream's messages. */
function fedProcessor() {
  const processor = new EventProcessor({ store: new MemoryStore(), crypto });
  const feed = (bytes: Uint8Array): Outcome[] =>
    parseStream(bytes).messages.flatMap((item) => processor.process(item));
  return { processor, feed };
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

/**
 * keripy reads a rotation's keys, next key digests and thresholds only when it validates the
 * rotation against the key state: one with a malformed key or digest that arrives out of order
 * waits in its out-of-order escrow, and is dropped when the event before it arrives.
 */
describe('malformed establishment fields are judged when the event is validated', () => {
  const malformed = {
    'a digest given as a key': () => ({ keys: [digestOf()], nextKeyDigests: [digestOf()] }),
    'a key given as a next key digest': () => ({
      keys: [keyOf('D', 32)],
      nextKeyDigests: [keyOf('D', 32)],
    }),
  };

  for (const [what, fields] of Object.entries(malformed)) {
    it(`escrows an out-of-order rotation with ${what}, then drops it in its turn`, () => {
      const identifier = new TestIdentifier(crypto, { label: `deferred ${what}` });
      const inception = identifier.incept();
      const interaction = identifier.interact();
      const rotation = rotate(crypto.digest, {
        prefix: identifier.prefix,
        prior: interaction.event.said,
        sn: 2,
        ...fields(),
      });
      const { processor, feed } = fedProcessor();
      expect(feed(inception.message)[0]).toMatchObject({ kind: 'accepted' });
      expect(feed(concatBytes(rotation.raw, SIGNATURE))[0]).toMatchObject({
        kind: 'escrowed',
        escrow: 'out_of_order',
      });
      expect(processor.listEscrows()).toHaveLength(1);
      const outcomes = feed(interaction.message);
      expect(outcomes[0]).toMatchObject({ kind: 'accepted', said: interaction.event.said });
      expect(outcomes[1]).toMatchObject({
        kind: 'rejected',
        said: rotation.said,
        error: { code: 'bad_keys' },
      });
      expect(processor.listEscrows()).toHaveLength(0);
    });
  }

  it('drops a malformed rotation that conflicts with an accepted one (it cannot be validly signed)', () => {
    const identifier = new TestIdentifier(crypto, { label: 'deferred conflict' });
    const inception = identifier.incept();
    const rotation = identifier.rotate();
    const conflicting = rotate(crypto.digest, {
      prefix: identifier.prefix,
      prior: inception.event.said,
      sn: 1,
      keys: [digestOf()],
      nextKeyDigests: [digestOf()],
    });
    const { processor, feed } = fedProcessor();
    feed(concatBytes(inception.message, rotation.message));
    expect(feed(concatBytes(conflicting.raw, SIGNATURE))[0]).toMatchObject({
      kind: 'rejected',
      said: conflicting.said,
      error: { code: 'unsigned_conflict' },
    });
    expect(processor.listEscrows()).toHaveLength(0);
  });

  it('still refuses such an event where it is read without a key state', () => {
    const built = rotate(crypto.digest, {
      prefix: digestOf(),
      prior: digestOf(),
      sn: 2,
      keys: [digestOf()],
      nextKeyDigests: [digestOf()],
    });
    expect(() => readKeyEvent(message(built.raw).body, crypto.digest)).toThrow(
      /Not a verification key/,
    );
  });

  it('drops a basic prefix inception with a malformed threshold at once, as keripy does', () => {
    // keripy's form check of a basic prefix reads its threshold, so this is not deferred.
    const key = keyOf('D', 32);
    const built = incept(crypto.digest, { keys: [key], code: 'basic' });
    const { raw } = saidify(
      { ...built.sad, kt: 'x' },
      { labels: { d: 'E', i: 'E' }, kind: 'JSON', protocol: 'KERI' },
      crypto.digest,
    );
    expect(() => readReceivedKeyEvent(message(raw).body, crypto.digest)).toThrow(/threshold/);
    expect(process(raw)).toMatchObject({ kind: 'rejected', error: { code: 'bad_threshold' } });
  });
});

/**
 * keripy 1.3.6 does not check the type of an event's `a` field: it looks in it only for event
 * seals ({i, s, d} maps) and, for a non-transferable prefix, checks that it is empty. A validly
 * signed interaction whose `a` is not a list of maps is accepted there, and must be here too
 * (before, a null among the seals threw a TypeError out of the processor after accepting).
 */
describe("an event's seals as keripy reads them", () => {
  /** An interaction of `identifier` with `a` as given, SAID and signature made afresh. */
  function interactionWith(identifier: TestIdentifier, anchors: unknown) {
    const built = identifier.interact();
    const { sad, raw } = saidify(
      { ...built.event.sad, a: anchors },
      { labels: { d: 'E' }, kind: 'JSON', protocol: 'KERI' },
      crypto.digest,
    );
    const signature = signIndexed(crypto, identifier.currentKeys[0]!.seed, raw, 0);
    identifier.said = sad.d as string;
    return { said: sad.d as string, message: messagize(raw, [controllerSignatures([signature])]) };
  }

  const seal = { i: digestOf(), s: '0', d: digestOf() };
  const cases: Record<string, unknown> = {
    'values besides maps in its list': [null, 'x', 5, [], seal],
    'a map instead of a list': { i: seal.i, s: seal.s, d: seal.d },
    'a string instead of a list': 'not a list',
  };
  for (const [what, anchors] of Object.entries(cases)) {
    it(`accepts a validly signed interaction with ${what}`, () => {
      const identifier = new TestIdentifier(crypto, { label: `seals ${what}` });
      const inception = identifier.incept();
      const interaction = interactionWith(identifier, anchors);
      const next = identifier.interact([seal]);
      const { feed } = fedProcessor();
      const outcomes = feed(concatBytes(inception.message, interaction.message, next.message));
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(outcomes[1]).toMatchObject({ said: interaction.said });
    });
  }

  it("keeps only the maps of a list as the event's seals", () => {
    const identifier = new TestIdentifier(crypto, { label: 'seals read' });
    identifier.incept();
    const { message: bytes } = interactionWith(identifier, [null, seal, 'x']);
    const event = readKeyEvent(message(bytes).body, crypto.digest);
    expect(event.seals).toEqual([seal]);
  });

  it('drops a non-transferable inception whose `a` is not empty, whatever its type', () => {
    const key = matterFromRaw('B', crypto.randomBytes(32)).qb64;
    const built = incept(crypto.digest, { keys: [key], code: 'basic' });
    for (const anchors of ['x', { i: key }, [null]]) {
      const { raw } = saidify(
        { ...built.sad, a: anchors },
        { labels: { d: 'E', i: 'E' }, kind: 'JSON', protocol: 'KERI' },
        crypto.digest,
      );
      expect(process(raw)).toMatchObject({ kind: 'rejected', error: { code: 'bad_prefix' } });
    }
  });
});
