/**
 * Escrows and signatures as keripy 1.3.6 handles them, from a review of Kestrel against keripy:
 * what a copy of an escrowed event may and may not do to what is kept for it, when escrows time
 * out, the likely-duplicitous escrow, and what keripy's readers refuse (float thresholds, sequence
 * numbers beyond its `Number`) or accept (a signature under another scheme's indexer code).
 */
import {
  type IndexedSignature,
  indexedSignature,
  matterFromRaw,
  serialize,
  textToBytes,
  versify,
} from '@kestrel/cesr';
import {
  type BuiltMessage,
  controllerSignatures,
  incept,
  interact,
  ManualClock,
  messagize,
  type Outcome,
  rotate,
  signIndexed,
  ThresholdError,
} from '@kestrel/core';
import { TestIdentifier, type TestKey, testKey } from '@kestrel/testing';
import { describe, expect, it } from 'vitest';
import { accepted, crypto, digest, feed, feedLocal, newProcessor } from './support/processor.js';

const key = (label: string): TestKey => testKey(crypto, label);
const sign = (signer: TestKey, event: BuiltMessage, index: number): IndexedSignature =>
  signIndexed(crypto, signer.seed, event.raw, index);
const signed = (event: BuiltMessage, signatures: readonly IndexedSignature[]): Uint8Array =>
  messagize(event.raw, [controllerSignatures(signatures)]);

/** An inception with three keys and the given signing threshold (and its keys). */
function threeKeyInception(label: string, signingThreshold: string | string[] = '2') {
  const keys = [0, 1, 2].map((i) => key(`${label}/0/${i}`));
  const next = [0, 1, 2].map((i) => key(`${label}/1/${i}`));
  const event = incept(digest, {
    keys: keys.map((k) => k.publicKey),
    nextKeyDigests: next.map((k) => k.nextDigest),
    signingThreshold,
    nextThreshold: '2',
    code: 'E',
  });
  return { event, keys };
}

function errorCodes(outcomes: readonly Outcome[]): string[] {
  return outcomes.flatMap((outcome) => (outcome.kind === 'rejected' ? [outcome.error.code] : []));
}

describe('a copy of a partially signed event', () => {
  it('with a signature index beyond the keys is rejected without evicting the escrow', () => {
    // keripy verifies an arriving copy on its own attachments: a signature index beyond the keys
    // raises before anything is escrowed or removed, so the partially-signed escrow keeps the
    // signature it had, and the later legitimate signature completes the threshold.
    const { event, keys } = threeKeyInception('review/f1');
    const processor = newProcessor();
    expect(feed(processor, signed(event, [sign(keys[0]!, event, 0)]))).toMatchObject([
      { kind: 'escrowed', escrow: 'partially_signed' },
    ]);

    const attack = feed(processor, signed(event, [sign(keys[1]!, event, 5)]));
    expect(errorCodes(attack)).toEqual(['bad_keys']);
    expect(processor.listEscrows().map((r) => [r.kind, r.signatures.length])).toEqual([
      ['partially_signed', 1],
    ]);

    const last = feed(processor, signed(event, [sign(keys[1]!, event, 1)]));
    expect(accepted(last, event.said)).toBe(true);
    expect(processor.context.state(event.said)?.sn).toBe(0n);
  });

  it('that satisfies a weighted threshold on its own is accepted though the merge would not', () => {
    // kt ["1/2","1/2"] over three keys: the third key carries no weight (keripy allows more keys
    // than weights). keripy judges the second copy (signatures 0 and 1) on its own and accepts
    // it; it would only merge the escrowed signature 2 when retrying the escrow.
    const { event, keys } = threeKeyInception('review/f9', ['1/2', '1/2']);
    const processor = newProcessor();
    expect(feed(processor, signed(event, [sign(keys[2]!, event, 2)]))).toMatchObject([
      { kind: 'escrowed', escrow: 'partially_signed' },
    ]);
    const second = feed(
      processor,
      signed(event, [sign(keys[0]!, event, 0), sign(keys[1]!, event, 1)]),
    );
    expect(accepted(second, event.said)).toBe(true);
    expect(processor.context.state(event.said)?.sn).toBe(0n);
    expect(processor.listEscrows()).toEqual([]);
  });
});

describe('escrow timeouts', () => {
  const HOUR = 3600 * 1000;

  it('does not merge the signatures of an escrow that timed out', () => {
    // keripy's partially-signed escrow times out after 3600 s; an escrow nobody swept yet is still
    // stale, and its signatures are removed rather than merged with a copy arriving afterwards.
    const clock = new ManualClock();
    const { event, keys } = threeKeyInception('review/f6b');
    const processor = newProcessor({ clock });
    feed(processor, signed(event, [sign(keys[0]!, event, 0)]));
    clock.advance(2 * HOUR);
    const late = feed(processor, signed(event, [sign(keys[1]!, event, 1)]));
    expect(errorCodes(late)).toContain('expired');
    expect(accepted(late, event.said)).toBe(false);
    expect(processor.context.state(event.said)).toBeUndefined();
  });

  it('times an event kept again after its escrow timed out from then (a deliberate difference)', () => {
    // keripy never clears an event's first-escrow time, so after one timeout every later partial
    // copy is stale at once and only a copy signed enough alone is accepted; here the copies that
    // come after the timeout are kept and merged (docs/architecture.md).
    const clock = new ManualClock();
    const { event, keys } = threeKeyInception('review/remerge');
    const processor = newProcessor({ clock });
    feed(processor, signed(event, [sign(keys[0]!, event, 0)]));
    clock.advance(2 * HOUR);
    expect(errorCodes(processor.expireEscrows())).toEqual(['expired']);
    expect(feed(processor, signed(event, [sign(keys[1]!, event, 1)]))).toMatchObject([
      { kind: 'escrowed', escrow: 'partially_signed' },
    ]);
    clock.advance(1000);
    expect(accepted(feed(processor, signed(event, [sign(keys[0]!, event, 0)])), event.said)).toBe(
      true,
    );
  });

  it('forgets the signatures of a copy dropped for an index beyond the keys (a deliberate difference)', () => {
    // keripy keeps every signature it stored for an event, so a copy kept out of order with an
    // index beyond the keys makes every later merge of partial copies fail there; here the bad copy
    // is dropped with its signatures and the partial copies merge (docs/architecture.md).
    const id = new TestIdentifier(crypto, {
      label: 'review/poison',
      keyCount: 2,
      signingThreshold: '1',
      nextThreshold: '2',
    });
    const icp = id.incept();
    const ixn = id.interact();
    const rot = id.rotate();
    const [, second] = id.currentKeys;
    const copy = (signatures: readonly IndexedSignature[]) =>
      messagize(rot.event.raw, [controllerSignatures(signatures)]);
    const beyond = signIndexed(crypto, second!.seed, rot.event.raw, 5);
    const processor = newProcessor();
    feed(processor, icp.message);
    expect(feed(processor, copy([rot.signatures[0]!, beyond]))).toMatchObject([
      { kind: 'escrowed', escrow: 'out_of_order' },
    ]);
    expect(errorCodes(feed(processor, ixn.message))).toEqual(['bad_keys']);
    expect(feed(processor, copy([rot.signatures[0]!]))).toMatchObject([
      { kind: 'escrowed', escrow: 'partially_signed' },
    ]);
    expect(accepted(feed(processor, copy([rot.signatures[1]!])), rot.event.said)).toBe(true);
  });

  it('counts from the first escrow of the event, not from its move to another escrow', () => {
    // keripy stamps one datetime per event (putDts, no overwrite) when it is first escrowed: an
    // interaction kept out of order at t=0 and moved to the partially-signed escrow at t=1000 s
    // times out at t=3600 s.
    const clock = new ManualClock();
    const start = clock.now();
    const { event: icp, keys } = threeKeyInception('review/f6');
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1n, data: [] });
    const processor = newProcessor({ clock });
    expect(feed(processor, signed(ixn, [sign(keys[0]!, ixn, 0)]))).toMatchObject([
      { kind: 'escrowed', escrow: 'out_of_order' },
    ]);
    clock.advance(1000 * 1000);
    feed(processor, signed(icp, [sign(keys[0]!, icp, 0), sign(keys[1]!, icp, 1)]));
    expect(processor.listEscrows().map((r) => [r.kind, r.escrowedAt])).toEqual([
      ['partially_signed', start],
    ]);
    clock.advance(2700 * 1000);
    expect(errorCodes(processor.expireEscrows())).toEqual(['expired']);
    const late = feed(processor, signed(ixn, [sign(keys[1]!, ixn, 1)]));
    expect(accepted(late, ixn.said)).toBe(false);
    expect(processor.context.state(icp.said)?.sn).toBe(0n);
  });

  it('counts from the first receipt that came before the event', () => {
    // keripy's unverified receipt escrow stamps the event's datetime key first, so the event's
    // partially-witnessed escrow times out one hour after that receipt, not after the event.
    const clock = new ManualClock();
    const id = new TestIdentifier(crypto, {
      label: 'review/j',
      witnessCount: 3,
      witnessThreshold: 2,
    });
    const icp = id.incept({ receipts: 0 });
    const processor = newProcessor({ clock });
    feed(processor, id.receiptMessage(icp.event, [0]));
    clock.advance(50 * 60 * 1000);
    expect(feed(processor, icp.message)).toMatchObject([
      { kind: 'escrowed', escrow: 'partially_witnessed' },
    ]);
    clock.advance(11 * 60 * 1000);
    expect(errorCodes(processor.expireEscrows())).toEqual(['expired']);
    const late = feed(processor, id.receiptMessage(icp.event, [1]));
    expect(accepted(late, icp.event.said)).toBe(false);
    expect(processor.context.state(id.prefix)).toBeUndefined();
  });
});

describe('escrow retries', () => {
  it('keep an escrowed local event local', () => {
    // An own event is accepted before it is witnessed (keripy's `local` path). An own interaction
    // processed out of order keeps being the node's own when its escrow is retried.
    const id = new TestIdentifier(crypto, {
      label: 'review/f10',
      witnessCount: 1,
      witnessThreshold: 1,
    });
    const icp = id.incept({ receipts: 0 });
    const ixn1 = id.interact([], { receipts: 0 });
    const ixn2 = id.interact([], { receipts: 0 });
    const processor = newProcessor({ options: { localPrefixes: new Set([id.prefix]) } });
    feedLocal(processor, icp.message);
    expect(feedLocal(processor, ixn2.message)).toMatchObject([
      { kind: 'escrowed', escrow: 'out_of_order' },
    ]);
    const outcomes = feedLocal(processor, ixn1.message);
    expect(accepted(outcomes, ixn2.event.said)).toBe(true);
    expect(processor.context.state(id.prefix)?.sn).toBe(2n);
  });

  it('leave the store quiet once every escrowed event has been accepted', () => {
    // The hot path skips escrow lookups while nothing waits; one out-of-order event must not
    // cost the rest of the stream those lookups.
    const id = new TestIdentifier(crypto, { label: 'review/quiet' });
    const [icp, ixn1, ixn2] = [id.incept(), id.interact(), id.interact()];
    const processor = newProcessor();
    feed(processor, icp.message, ixn2.message);
    expect(processor.store.quiet).toBe(false);
    expect(accepted(feed(processor, ixn1.message), ixn2.event.said)).toBe(true);
    expect(processor.store.quiet).toBe(true);
  });
});

describe('the likely-duplicitous escrow', () => {
  /** icp, ixn 1 and ixn 2 accepted; a recovery rot 1 superseding ixn 1 and an ixn 2' after it. */
  function recovery() {
    const k0 = key('review/f8/0'); // in force at the inception
    const k1 = key('review/f8/1'); // rotated in by the recovery rotation
    const k2 = key('review/f8/2');
    const icp = incept(digest, {
      keys: [k0.publicKey],
      nextKeyDigests: [k1.nextDigest],
      code: 'E',
    });
    const prefix = icp.said;
    const ixn1 = interact(digest, { prefix, prior: icp.said, sn: 1n, data: [] });
    const ixn2 = interact(digest, { prefix, prior: ixn1.said, sn: 2n, data: [] });
    const rot1 = rotate(digest, {
      prefix,
      prior: icp.said,
      sn: 1n,
      keys: [k1.publicKey],
      nextKeyDigests: [k2.nextDigest],
    });
    const after = interact(digest, { prefix, prior: rot1.said, sn: 2n, data: [] });
    const processor = newProcessor();
    for (const event of [icp, ixn1, ixn2]) feed(processor, signed(event, [sign(k0, event, 0)]));
    return { processor, prefix, k1, ixn1, rot1, after };
  }

  it('keeps an event that follows a recovery arriving before it, and accepts it after', () => {
    // ixn 2' conflicts with the accepted ixn 2, is not signed by the keys in force and its prior
    // (rot 1) is not the accepted event at sn 1: keripy keeps it in its likely-duplicitous escrow
    // (ldes) and accepts it once the recovery rotation has made its signer the key in force.
    const { processor, prefix, k1, rot1, after } = recovery();
    expect(feed(processor, signed(after, [sign(k1, after, 0)]))).toMatchObject([
      { kind: 'escrowed', escrow: 'likely_duplicitous', said: after.said },
    ]);
    const outcomes = feed(processor, signed(rot1, [sign(k1, rot1, 0)]));
    expect(accepted(outcomes, rot1.said)).toBe(true);
    expect(accepted(outcomes, after.said)).toBe(true);
    expect(processor.context.state(prefix)).toMatchObject({ sn: 2n, said: after.said });
    expect(processor.listEscrows()).toEqual([]);
  });

  it('still drops a badly signed conflicting event with the same prior as the accepted one', () => {
    // Its prior is the accepted ixn 1: it continues no other branch, so keripy drops it.
    const { processor, prefix, k1, ixn1 } = recovery();
    const conflicting = interact(digest, {
      prefix,
      prior: ixn1.said,
      sn: 2n,
      data: [{ i: prefix, s: '0', d: prefix }],
    });
    const outcomes = feed(processor, signed(conflicting, [sign(k1, conflicting, 0)]));
    expect(outcomes).toMatchObject([{ kind: 'rejected', said: conflicting.said }]);
    expect(processor.listEscrows()).toEqual([]);
  });

  it('keeps a validly signed one that follows a recovery as evidence and waiting, and accepts it after', () => {
    // Keys [A, B] (kt 1), next [C, B]; icp and ixn 1 to 3 signed by A. The recovery rot 2 (prior
    // ixn 1, keys [C, B]) and ixn 3' after it, signed by B at index 1, which is in force under both
    // key lists. ixn 3' arrives first: two events at sn 3 signed by keys in force, so evidence; but
    // its prior is not the accepted event at sn 2, so it also waits, as keripy keeps it in ldes and
    // accepts it once the recovery lowers the state. (Found by a review against keripy 1.3.6.)
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => key(`review/recovery-b/${name}`));
    const icp = incept(digest, {
      keys: [a!.publicKey, b!.publicKey],
      signingThreshold: '1',
      nextKeyDigests: [c!.nextDigest, b!.nextDigest],
      nextThreshold: '1',
      code: 'E',
    });
    const prefix = icp.said;
    const ixn1 = interact(digest, { prefix, prior: icp.said, sn: 1n, data: [] });
    const ixn2 = interact(digest, { prefix, prior: ixn1.said, sn: 2n, data: [] });
    const ixn3 = interact(digest, { prefix, prior: ixn2.said, sn: 3n, data: [] });
    const rot2 = rotate(digest, {
      prefix,
      prior: ixn1.said,
      sn: 2n,
      keys: [c!.publicKey, b!.publicKey],
      signingThreshold: '1',
      nextKeyDigests: [d!.nextDigest],
      nextThreshold: '1',
    });
    const after = interact(digest, { prefix, prior: rot2.said, sn: 3n, data: [] });
    const processor = newProcessor();
    for (const event of [icp, ixn1, ixn2, ixn3])
      feed(processor, signed(event, [sign(a!, event, 0)]));
    expect(feed(processor, signed(after, [sign(b!, after, 1)]))).toMatchObject([
      { kind: 'duplicitous', said: after.said },
      { kind: 'escrowed', escrow: 'likely_duplicitous', said: after.said },
    ]);
    expect(processor.store.duplicity(prefix, 3n, after.said)).toBeDefined();
    const outcomes = feed(processor, signed(rot2, [sign(c!, rot2, 0)]));
    expect(accepted(outcomes, rot2.said)).toBe(true);
    expect(accepted(outcomes, after.said)).toBe(true);
    expect(processor.context.state(prefix)).toMatchObject({ sn: 3n, said: after.said });
    expect(processor.listEscrows()).toEqual([]);
  });
});

describe('signatures and fields as keripy reads them', () => {
  it('counts an Ed25519 signature attached under a secp256k1 or secp256r1 indexer code', () => {
    // keripy verifies an indexed signature with the algorithm of the key at its index (the
    // Verfer's), whatever the Siger's code says; the 64 bytes are an Ed25519 signature.
    const signer = key('review/f7/0');
    const icp = incept(digest, {
      keys: [signer.publicKey],
      nextKeyDigests: [key('review/f7/1').nextDigest],
      code: 'E',
    });
    const ed25519 = sign(signer, icp, 0);
    for (const code of ['C', 'E'] as const) {
      const relabelled = indexedSignature(code, ed25519.raw, 0, 0);
      const processor = newProcessor();
      expect(accepted(feed(processor, signed(icp, [relabelled])), icp.said)).toBe(true);
    }
  });

  /**
   * A KERI 1.0 JSON event from its text, '#D#' standing for its SAID (d and i), so that a field
   * can be written as JSON.stringify never would (a float).
   */
  function eventFromText(template: string, version = '10'): BuiltMessage {
    const placeholder = '#'.repeat(44);
    let text = template.replaceAll('#D#', placeholder);
    const size = textToBytes(text).length.toString(16).padStart(6, '0');
    text = text.replace('KERI10JSON000000_', `KERI${version}JSON${size}_`);
    const said = matterFromRaw('E', crypto.digest('E', textToBytes(text))).qb64;
    const raw = textToBytes(text.replaceAll(placeholder, said));
    return { raw, said } as BuiltMessage;
  }

  it('rejects kt written as the JSON float 2.0, and accepts "2" and the integer 2', () => {
    // keripy refuses a float threshold (Tholder raises on a float sith); JSON.parse reads 2.0 as
    // the integer 2, so the text decides.
    const keys = [0, 1].map((i) => key(`review/f11/0/${i}`));
    const next = [0, 1].map((i) => key(`review/f11/1/${i}`));
    const outcomeOf = (kt: string) => {
      const icp = eventFromText(
        `{"v":"KERI10JSON000000_","t":"icp","d":"#D#","i":"#D#","s":"0","kt":${kt},` +
          `"k":["${keys[0]!.publicKey}","${keys[1]!.publicKey}"],"nt":"1",` +
          `"n":["${next[0]!.nextDigest}","${next[1]!.nextDigest}"],"bt":"0","b":[],"c":[],"a":[]}`,
      );
      const processor = newProcessor();
      return feed(processor, signed(icp, [sign(keys[0]!, icp, 0), sign(keys[1]!, icp, 1)]));
    };
    const float = outcomeOf('2.0');
    expect(float).toMatchObject([{ kind: 'rejected' }]);
    const error = float[0]!.kind === 'rejected' ? float[0]!.error : undefined;
    expect(error).toBeInstanceOf(ThresholdError);
    expect(error?.code).toBe('bad_threshold');
    expect(outcomeOf('"2"')).toMatchObject([{ kind: 'accepted' }]);
    expect(outcomeOf('2')).toMatchObject([{ kind: 'accepted' }]);
  });

  /**
   * A signed inception with one key and one next key, its `nt` and `bt` written as given (JSON
   * text, so a float stays a float) in a body of the given version: the outcomes of processing it.
   * Built from text, since the builders refuse such events.
   */
  function singleKeyInception(
    label: string,
    { nt = '"1"', bt = '"0"', version = '10' }: { nt?: string; bt?: string; version?: string },
  ): Outcome[] {
    const signer = key(`${label}/0`);
    const next = key(`${label}/1`);
    const icp = eventFromText(
      `{"v":"KERI10JSON000000_","t":"icp","d":"#D#","i":"#D#","s":"0","kt":"1",` +
        `"k":["${signer.publicKey}"],"nt":${nt},"n":["${next.nextDigest}"],"bt":${bt},` +
        `"b":[],"c":[],"a":[]}`,
      version,
    );
    return feed(newProcessor(), signed(icp, [sign(signer, icp, 0)]));
  }

  it('refuses an event whose version string says another version than 1.0', () => {
    // keripy 1.3.6 knows the fields of versions 1.0 and 2.0 only; a body saying 1.1 does not read.
    const outcomeOf = (version: string) => singleKeyInception('review/version', { version });
    expect(outcomeOf('10')).toMatchObject([{ kind: 'accepted' }]);
    for (const version of ['11', '00', '1f']) {
      const outcomes = outcomeOf(version);
      expect(outcomes).toMatchObject([{ kind: 'rejected' }]);
      expect(errorCodes(outcomes)).toEqual(['bad_field']);
    }
  });

  /**
   * A single-key CBOR or MGPK inception whose kt is the number 1, written as an integer or, as a
   * producer with floats would write it, as a float (CBOR half precision, MGPK float32), with its
   * SAID computed over those bytes. The float is written over an integer placeholder of the same
   * size, since the encoders write whole numbers as integers.
   */
  function binaryInception(kind: 'CBOR' | 'MGPK', float: boolean, label: string): Uint8Array {
    const formats = {
      CBOR: { placeholder: 7777, integer: [0x19, 0x1e, 0x61], float: [0xf9, 0x3c, 0x00] },
      MGPK: {
        placeholder: 7777777,
        integer: [0xce, 0x00, 0x76, 0xad, 0xf1],
        float: [0xca, 0x3f, 0x80, 0x00, 0x00],
      },
    }[kind];
    const signer = key(`${label}/0`);
    const next = key(`${label}/1`);
    const dummy = '#'.repeat(44);
    const sad: Record<string, unknown> = {
      v: versify({ protocol: 'KERI', major: 1, minor: 0, kind, size: 0 }),
      t: 'icp',
      d: dummy,
      i: dummy,
      s: '0',
      kt: float ? formats.placeholder : 1,
      k: [signer.publicKey],
      nt: '1',
      n: [next.nextDigest],
      bt: '0',
      b: [],
      c: [],
      a: [],
    };
    const write = () => {
      const raw = serialize(sad, kind);
      if (!float) return raw;
      const at = raw.findIndex((_, i) => formats.integer.every((b, j) => raw[i + j] === b));
      raw.set(formats.float, at);
      return raw;
    };
    sad.v = versify({ protocol: 'KERI', major: 1, minor: 0, kind, size: write().length });
    const said = matterFromRaw('E', crypto.digest('E', write())).qb64;
    sad.d = said;
    sad.i = said;
    const raw = write();
    return messagize(raw, [controllerSignatures([signIndexed(crypto, signer.seed, raw, 0)])]);
  }

  it('rejects kt written as a float in CBOR and MGPK bodies, and accepts the integer', () => {
    // keripy reads the float (cbor2 and msgpack keep it), its SAID verifies, and Tholder refuses
    // it. The JavaScript decoders read it as the integer 1, so the body no longer serializes to
    // its own bytes and its SAID cannot verify (bad_said), before any threshold is read.
    for (const kind of ['CBOR', 'MGPK'] as const) {
      const integer = feed(newProcessor(), binaryInception(kind, false, `review/${kind}/int`));
      expect(integer).toMatchObject([{ kind: 'accepted' }]);
      const float = feed(newProcessor(), binaryInception(kind, true, `review/${kind}/float`));
      expect(float).toMatchObject([{ kind: 'rejected' }]);
      expect(errorCodes(float)).toEqual(['bad_said']);
    }
  });

  it('rejects bt written as the JSON float 0.0, and accepts the integer 0', () => {
    // keripy reads bt with its Number primitive, which refuses a float.
    const outcomeOf = (bt: string) => singleKeyInception('review/bt-float', { bt });
    const float = outcomeOf('0.0');
    expect(float).toMatchObject([{ kind: 'rejected' }]);
    expect(errorCodes(float)).toEqual(['bad_field']);
    expect(outcomeOf('0')).toMatchObject([{ kind: 'accepted' }]);
  });

  it("reads s, kt and bt text as Python's int(text, 16) does, '' as 0 for s and bt", () => {
    // keripy reads kt with int(text, 16), and s and bt with its Number primitive (the same, with
    // '' as 0); Python takes Unicode digits ("١" is 1) and NEL as whitespace, not the byte-order
    // mark, which JavaScript's \s takes.
    const outcomeOf = (fields: { s?: string; kt?: string; bt?: string }, label: string) => {
      const signer = key(`${label}/0`);
      const next = key(`${label}/1`);
      const icp = eventFromText(
        `{"v":"KERI10JSON000000_","t":"icp","d":"#D#","i":"#D#","s":${JSON.stringify(fields.s ?? '0')},` +
          `"kt":${JSON.stringify(fields.kt ?? '1')},"k":["${signer.publicKey}"],"nt":"1",` +
          `"n":["${next.nextDigest}"],"bt":${JSON.stringify(fields.bt ?? '0')},"b":[],"c":[],"a":[]}`,
      );
      const processor = newProcessor();
      const outcomes = feed(processor, signed(icp, [sign(signer, icp, 0)]));
      return { outcomes, state: processor.context.state(icp.said) };
    };
    for (const fields of [
      { kt: '\u0661' },
      { kt: '\uff11' },
      { kt: '\u00851' },
      { s: '' },
      { bt: '' },
    ]) {
      const { outcomes, state } = outcomeOf(fields, 'review/python-int');
      expect(outcomes, JSON.stringify(fields)).toMatchObject([{ kind: 'accepted' }]);
      expect(state?.signingThreshold).toEqual({ kind: 'numeric', value: 1 });
    }
    for (const fields of [{ kt: '\ufeff1' }, { bt: '\ufeff0' }, { kt: '' }, { s: '\u0661' }]) {
      const { outcomes } = outcomeOf(fields, 'review/python-int');
      expect(outcomes, JSON.stringify(fields)).toMatchObject([{ kind: 'rejected' }]);
    }
  });

  it("keeps a non-transferable prefix's rotation with malformed keys out of order, as keripy does", () => {
    // keripy's form check of such a rotation reads its next key digests only; it escrows the event
    // until the inception (which then refuses any rotation). Malformed next key digests drop it.
    const signer = testKey(crypto, 'review/nt-rotation', false);
    const rotation = (fields: string) =>
      eventFromText(
        `{"v":"KERI10JSON000000_","t":"rot","d":"#D#","i":"${signer.publicKey}","s":"1",` +
          `"p":"E${'A'.repeat(43)}",${fields},"bt":"0","br":[],"ba":[],"a":[]}`,
      );
    for (const fields of [
      '"kt":"zz","k":["' + signer.publicKey + '"],"nt":"0","n":[]',
      '"kt":"1","k":["notakey"],"nt":"0","n":[]',
    ]) {
      const rot = rotation(fields);
      expect(feed(newProcessor(), signed(rot, [sign(signer, rot, 0)]))).toMatchObject([
        { kind: 'escrowed', escrow: 'out_of_order' },
      ]);
    }
    const badNext = rotation(`"kt":"1","k":["${signer.publicKey}"],"nt":"0","n":["notadigest"]`);
    expect(feed(newProcessor(), signed(badNext, [sign(signer, badNext, 0)]))).toMatchObject([
      { kind: 'rejected' },
    ]);
  });

  it('refuses an inception whose next threshold needs more next keys than it commits to', () => {
    // keripy accepts such an inception but fails to write its key state (its state() checks the
    // size), so the KEL never starts there.
    const outcomes = singleKeyInception('review/nt-size', { nt: '"2"' });
    expect(errorCodes(outcomes)).toEqual(['bad_threshold']);
    expect(singleKeyInception('review/nt-size', { nt: '"1"' })).toMatchObject([
      { kind: 'accepted' },
    ]);
  });

  it('rejects an sn of 256**17 or more, and keeps ffff... (34 hex digits) out of order', () => {
    // keripy's Number primitive holds 17 bytes: a larger sn cannot be read and the event is
    // dropped; the largest it can hold is a valid sn and waits for the events before it.
    const id = new TestIdentifier(crypto, { label: 'review/f5' });
    const icp = id.incept();
    const processor = newProcessor();
    feed(processor, icp.message);
    const interactionAt = (sn: bigint) => {
      const ixn = interact(digest, { prefix: id.prefix, prior: icp.event.said, sn, data: [] });
      return feed(processor, signed(ixn, [sign(id.currentKeys[0]!, ixn, 0)]));
    };
    expect(interactionAt(256n ** 17n - 1n)).toMatchObject([
      { kind: 'escrowed', escrow: 'out_of_order' },
    ]);
    for (const sn of [256n ** 17n, 1n << 200n]) {
      const outcomes = interactionAt(sn);
      expect(outcomes).toMatchObject([{ kind: 'rejected' }]);
      expect(errorCodes(outcomes)).toEqual(['bad_sequence_number']);
    }
    expect(processor.listEscrows().map((r) => r.sn)).toEqual(['f'.repeat(34)]);
  });
});

describe('events waiting at one sequence number', () => {
  it('are retried in the order they arrived, not by SAID', () => {
    // Two different, validly signed interactions at sn 2 arrive before sn 1: keripy keeps its
    // out-of-order escrow in arrival order, so the first to arrive becomes first-seen and the other
    // conflicts with it.
    const id = new TestIdentifier(crypto, { label: 'review/arrival' });
    const icp = id.incept();
    const ixn1 = id.interact([]);
    const fork = (data: string) => {
      const event = interact(digest, {
        prefix: id.prefix,
        prior: ixn1.event.said,
        sn: 2n,
        data: [{ d: data }],
      });
      return { event, message: signed(event, [sign(id.currentKeys[0]!, event, 0)]) };
    };
    const forks = [fork(`E${'A'.repeat(43)}`), fork(`E${'B'.repeat(43)}`)];
    // The first to arrive has the larger SAID, so SAID order would pick the other.
    forks.sort((a, b) => (a.event.said < b.event.said ? 1 : -1));
    const processor = newProcessor();
    feed(processor, icp.message);
    for (const { message } of forks) feed(processor, message);
    feed(processor, ixn1.message);
    expect(processor.store.lastSaidAt(id.prefix, 2n)).toBe(forks[0]!.event.said);
  });
});
