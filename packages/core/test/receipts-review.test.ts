/**
 * Witness and transferable receipts as keripy 1.3.6 handles them, from a review of Kestrel against
 * keripy: receipts that can never make an event invalid, receipts that do not count (attached to an
 * escrowed event, from transferable witnesses), receipts that do (secp256k1 witnesses, any 64-byte
 * signature code), the strict reading of an `rct` body, and what a re-sent event may add.
 */
import { type IndexedSignature, matterFromRaw, textToBytes } from '@kestrel/cesr';
import {
  type BuiltMessage,
  controllerSignatures,
  EventError,
  incept,
  messagize,
  type Outcome,
  receipt,
  receiptCouples,
  rotate,
  signerFromSeed,
  signIndexed,
  signUnindexed,
  transferableReceiptQuadruples,
  transferableSignatureGroups,
  witnessSignatures,
} from '@kestrel/core';
import { TestIdentifier, type TestKey, testKey } from '@kestrel/testing';
import { describe, expect, it } from 'vitest';
import { accepted, crypto, digest, feed, newProcessor } from './support/processor.js';

const rejected = (outcomes: readonly Outcome[]) =>
  outcomes.filter((outcome) => outcome.kind === 'rejected');

/** An `rct` of the event at `sn` of `prefix`, with the given attachment groups. */
function rct(prefix: string, event: BuiltMessage, groups: Parameters<typeof messagize>[1]) {
  const sn = BigInt(`0x${event.sad.s as string}`);
  return messagize(receipt(digest, { prefix, sn, said: event.said }).raw, groups);
}

/** A witnessed identifier (3 witnesses, bt 2). */
const witnessed = (label: string) =>
  new TestIdentifier(crypto, { label, witnessCount: 3, witnessThreshold: 2 });

describe('a witness signature with an index beyond the witness list', () => {
  /** An rct carrying witness 0's real signature of `event` under index `index`. */
  function misindexedReceipt(id: TestIdentifier, event: BuiltMessage, index: number) {
    const signature = signIndexed(crypto, id.witnesses[0]!.seed, event.raw, index);
    return rct(id.prefix, event, [witnessSignatures([signature])]);
  }

  it('in an rct before the event does not keep the fully witnessed event out', () => {
    // keripy keeps receipts of an unknown event apart (unverified receipt escrow) and drops a bad
    // one on its own when it retries them: it never makes the event itself invalid.
    const id = witnessed('review/a1');
    const icp = id.incept({ receipts: 3 });
    const processor = newProcessor();
    feed(processor, misindexedReceipt(id, icp.event, 5));
    const outcomes = feed(processor, icp.message);
    expect(rejected(outcomes)).toEqual([]);
    expect(accepted(outcomes, icp.event.said)).toBe(true);
  });

  it('in an rct before an unwitnessed event does not keep it out', () => {
    // The event has no witnesses at all: any index is beyond the list.
    const id = new TestIdentifier(crypto, { label: 'review/f2b' });
    const icp = id.incept();
    const stranger = testKey(crypto, 'review/f2b/stranger', false);
    const signature = signIndexed(crypto, stranger.seed, icp.event.raw, 0);
    const processor = newProcessor();
    feed(processor, rct(id.prefix, icp.event, [witnessSignatures([signature])]));
    const outcomes = feed(processor, icp.message);
    expect(rejected(outcomes)).toEqual([]);
    expect(accepted(outcomes, icp.event.said)).toBe(true);
  });

  it('in an rct while the event waits for witnesses does not drop it', () => {
    // The partially witnessed event stays escrowed; receipts from witnesses 0 and 1 accept it.
    const id = witnessed('review/a2');
    const icp = id.incept({ receipts: 0 });
    const processor = newProcessor();
    expect(feed(processor, icp.message)).toMatchObject([
      { kind: 'escrowed', escrow: 'partially_witnessed' },
    ]);
    const bogus = feed(processor, misindexedReceipt(id, icp.event, 5));
    expect(bogus.filter((outcome) => outcome.kind !== 'receipt')).toMatchObject([
      { kind: 'escrowed', escrow: 'partially_witnessed' },
    ]);
    expect(processor.listEscrows().map((r) => r.kind)).toEqual(['partially_witnessed']);
    const outcomes = feed(processor, id.receiptMessage(icp.event, [0, 1]));
    expect(accepted(outcomes, icp.event.said)).toBe(true);
    expect(feed(processor, icp.message)).toMatchObject([{ kind: 'duplicate' }]);
  });

  it('in an rct after one receipt does not stop the next receipt from completing bt', () => {
    const id = witnessed('review/f2a');
    const icp = id.incept({ receipts: 1 });
    const processor = newProcessor();
    feed(processor, icp.message);
    const bogus = signIndexed(crypto, id.witnesses[1]!.seed, icp.event.raw, 7);
    expect(
      rejected(feed(processor, rct(id.prefix, icp.event, [witnessSignatures([bogus])]))),
    ).toEqual([]);
    const outcomes = feed(processor, id.receiptMessage(icp.event, [1]));
    expect(accepted(outcomes, icp.event.said)).toBe(true);
  });
});

describe('a receipt couple before an out-of-order rotation', () => {
  it('from a witness the rotation adds does not get the rotation dropped', () => {
    // keripy matches an early couple to a witness only once the event is accepted (its witness
    // list depends on the events before it); until then it waits in the unverified receipt
    // escrow and cannot turn into a signature indexed against a stale list.
    const k = [0, 1, 2, 3].map((g) => testKey(crypto, `review/i/ctl/${g}`));
    const w = [0, 1, 2, 3].map((i) => testKey(crypto, `review/i/wit/${i}`, false));
    const wp = w.map((witness) => witness.publicKey);
    const sign = (signer: TestKey, event: BuiltMessage, index = 0) =>
      signIndexed(crypto, signer.seed, event.raw, index);
    const icp = incept(digest, {
      keys: [k[0]!.publicKey],
      nextKeyDigests: [k[1]!.nextDigest],
      witnesses: wp.slice(0, 3),
      witnessThreshold: 1,
      code: 'E',
    });
    const prefix = icp.said;
    // rot 1 cuts W0 and W1, leaving [W2]; rot 2 adds W3: [W2, W3].
    const rot1 = rotate(digest, {
      prefix,
      prior: icp.said,
      sn: 1,
      keys: [k[1]!.publicKey],
      nextKeyDigests: [k[2]!.nextDigest],
      witnesses: wp.slice(0, 3),
      cuts: [wp[0]!, wp[1]!],
      witnessThreshold: 1,
    });
    const rot2 = rotate(digest, {
      prefix,
      prior: rot1.said,
      sn: 2,
      keys: [k[2]!.publicKey],
      nextKeyDigests: [k[3]!.nextDigest],
      witnesses: [wp[2]!],
      adds: [wp[3]!],
      witnessThreshold: 1,
    });
    const message = (event: BuiltMessage, signer: TestKey, witness: TestKey) =>
      messagize(event.raw, [
        controllerSignatures([sign(signer, event)]),
        witnessSignatures([sign(witness, event, 0)]),
      ]);
    const couple = { prefix: wp[3]!, signature: signUnindexed(crypto, w[3]!.seed, rot2.raw) };

    const processor = newProcessor();
    const outcomes = feed(
      processor,
      message(icp, k[0]!, w[0]!),
      rct(prefix, rot2, [receiptCouples([couple])]),
      message(rot2, k[2]!, w[2]!),
      message(rot1, k[1]!, w[2]!),
    );
    expect(rejected(outcomes)).toEqual([]);
    expect(accepted(outcomes, rot2.said)).toBe(true);
    expect(processor.context.state(prefix)?.sn).toBe(2n);
    // Once the rotation is in the KEL, W3's couple counts as the signature of witness 1 of [W2, W3].
    const wigs = processor.store.event(prefix, rot2.said, 2n)?.witnessSignatures ?? [];
    expect(wigs.map((qb64) => qb64.slice(0, 2))).toEqual(['AA', 'AB']);
  });
});

describe('receipt couples attached to a key event', () => {
  /** The inception with its controller signature and -C couples of the given witnesses. */
  function withCouples(
    id: TestIdentifier,
    event: BuiltMessage,
    signatures: readonly IndexedSignature[],
    witnesses: number[],
  ) {
    return messagize(event.raw, [
      controllerSignatures(signatures),
      receiptCouples(witnesses.map((index) => id.receiptCouple(event, index))),
    ]);
  }

  it('do not count towards bt while the event is escrowed', () => {
    // keripy applies the receipts attached to an event after the event is accepted, and discards
    // them when it escrows the event: they never help it to its witness threshold.
    const id = witnessed('review/b1');
    const icp = id.incept({ receipts: 0 });
    const processor = newProcessor();
    const outcomes = feed(processor, withCouples(id, icp.event, icp.signatures, [0, 1]));
    expect(outcomes).toMatchObject([{ kind: 'escrowed', escrow: 'partially_witnessed' }]);
    expect(processor.store.event(id.prefix, icp.event.said, 0n)).toBeUndefined();
  });

  it('do not count when the event was kept out of order either', () => {
    const id = witnessed('review/b2');
    const icp = id.incept({ receipts: 2 });
    const ixn = id.interact([], { receipts: 0 });
    const processor = newProcessor();
    feed(processor, withCouples(id, ixn.event, ixn.signatures, [0, 1]));
    const outcomes = feed(processor, icp.message);
    expect(accepted(outcomes, icp.event.said)).toBe(true);
    expect(accepted(outcomes, ixn.event.said)).toBe(false);
    expect(processor.listEscrows().map((r) => [r.kind, r.said])).toEqual([
      ['partially_witnessed', ixn.event.said],
    ]);
  });

  it('are applied to an event that is accepted', () => {
    // Witnesses 0 and 1 sign it (-B, bt 2); witness 2's couple is added as its signature.
    const id = witnessed('review/c');
    const icp = id.incept({ receipts: 2 });
    const message = messagize(icp.event.raw, [
      controllerSignatures(icp.signatures),
      id.witnessReceipts(icp.event, 2),
      receiptCouples([id.receiptCouple(icp.event, 2)]),
    ]);
    const processor = newProcessor();
    expect(accepted(feed(processor, message), icp.event.said)).toBe(true);
    expect(processor.store.event(id.prefix, icp.event.said, 0n)?.witnessSignatures).toHaveLength(3);
  });
});

describe('receipt couples that count', () => {
  /** A non-transferable secp256k1 ('1AAA') key pair. */
  function secp256k1(label: string) {
    const seed = matterFromRaw('J', crypto.digest('E', textToBytes(label)));
    return signerFromSeed(crypto, seed, false);
  }

  it('from non-transferable secp256k1 witnesses', () => {
    // keripy verifies a couple with a Verfer of the receipter's key, whatever its scheme.
    const controller = testKey(crypto, 'review/f/ctl');
    const witnesses = [0, 1, 2].map((i) => secp256k1(`review/f/wit/${i}`));
    expect(witnesses[0]!.publicKey.qb64.startsWith('1AAA')).toBe(true);
    const icp = incept(digest, {
      keys: [controller.publicKey],
      nextKeyDigests: [testKey(crypto, 'review/f/next').nextDigest],
      witnesses: witnesses.map((w) => w.publicKey.qb64),
      witnessThreshold: 2,
      code: 'E',
    });
    const processor = newProcessor();
    feed(
      processor,
      messagize(icp.raw, [
        controllerSignatures([signIndexed(crypto, controller.seed, icp.raw, 0)]),
      ]),
    );
    const couples = [0, 1].map((i) => ({
      prefix: witnesses[i]!.publicKey.qb64,
      signature: signUnindexed(crypto, witnesses[i]!.seed, icp.raw),
    }));
    const outcomes = feed(processor, rct(icp.said, icp, [receiptCouples(couples)]));
    expect(accepted(outcomes, icp.said)).toBe(true);
  });

  it('from a non-witness secp256k1 receipter, recorded on an accepted event', () => {
    const id = new TestIdentifier(crypto, { label: 'review/f3' });
    const icp = id.incept();
    const watcher = secp256k1('review/f3/watcher');
    const couple = {
      prefix: watcher.publicKey.qb64,
      signature: signUnindexed(crypto, watcher.seed, icp.event.raw),
    };
    const processor = newProcessor();
    feed(processor, icp.message, rct(id.prefix, icp.event, [receiptCouples([couple])]));
    expect(processor.store.event(id.prefix, icp.event.said, 0n)?.receipts).toEqual([
      { prefix: watcher.publicKey.qb64, signature: couple.signature.qb64 },
    ]);
  });

  /** A witness's Ed25519 couple with its signature relabelled '0C' (secp256k1's code). */
  function relabelled(id: TestIdentifier, event: BuiltMessage, index: number) {
    const couple = id.receiptCouple(event, index);
    return { prefix: couple.prefix, signature: matterFromRaw('0C', couple.signature.raw) };
  }

  it("from a witness's Ed25519 key, whatever the signature code says", () => {
    // keripy picks the algorithm from the key (Verfer), not from the signature's code (Cigar).
    const id = witnessed('review/k1');
    const icp = id.incept({ receipts: 0 });
    const processor = newProcessor();
    feed(processor, icp.message);
    const couples = [0, 1].map((index) => relabelled(id, icp.event, index));
    expect(couples[0]!.signature.qb64.startsWith('0C')).toBe(true);
    const outcomes = feed(processor, rct(id.prefix, icp.event, [receiptCouples(couples)]));
    expect(accepted(outcomes, icp.event.said)).toBe(true);
  });

  it("as that witness's signature on an accepted event", () => {
    const id = witnessed('review/k2');
    const icp = id.incept({ receipts: 2 });
    const processor = newProcessor();
    feed(
      processor,
      icp.message,
      rct(id.prefix, icp.event, [receiptCouples([relabelled(id, icp.event, 2)])]),
    );
    const record = processor.store.event(id.prefix, icp.event.said, 0n)!;
    expect(record.witnessSignatures).toHaveLength(3);
    expect(record.receipts).toEqual([]);
  });
});

describe('witnesses listed with transferable keys', () => {
  it('do not count towards bt with their receipt couples', () => {
    // keripy skips receipts from transferable receipters (processReceipt, escrowUReceipt).
    const controller = testKey(crypto, 'review/n/ctl');
    const witnesses = [0, 1, 2].map((i) => testKey(crypto, `review/n/wit/${i}`, true));
    expect(witnesses[0]!.publicKey.startsWith('D')).toBe(true);
    const icp = incept(digest, {
      keys: [controller.publicKey],
      nextKeyDigests: [testKey(crypto, 'review/n/next').nextDigest],
      witnesses: witnesses.map((w) => w.publicKey),
      witnessThreshold: 2,
      code: 'E',
    });
    const couples = [0, 1].map((i) => ({
      prefix: witnesses[i]!.publicKey,
      signature: signUnindexed(crypto, witnesses[i]!.seed, icp.raw),
    }));
    const processor = newProcessor();
    const outcomes = feed(
      processor,
      messagize(icp.raw, [
        controllerSignatures([signIndexed(crypto, controller.seed, icp.raw, 0)]),
      ]),
      rct(icp.said, icp, [receiptCouples(couples)]),
    );
    expect(accepted(outcomes, icp.said)).toBe(false);
    expect(processor.listEscrows().map((r) => r.kind)).toEqual(['partially_witnessed']);
  });
});

describe('the body of an rct', () => {
  /** A KERI 1.0 JSON body with these fields after v, in this order. */
  function body(fields: Record<string, unknown>): Uint8Array {
    let text = JSON.stringify({ v: 'KERI10JSON000000_', ...fields });
    const size = textToBytes(text).length.toString(16).padStart(6, '0');
    text = text.replace('KERI10JSON000000_', `KERI10JSON${size}_`);
    return textToBytes(text);
  }

  const shapes: Record<string, (prefix: string, said: string) => Record<string, unknown>> = {
    'an extra field': (i, d) => ({ t: 'rct', d, i, s: '0', x: 'junk' }),
    'fields out of order': (i, d) => ({ t: 'rct', i, s: '0', d }),
    'a number as i': (_i, d) => ({ t: 'rct', d, i: 5, s: '0' }),
    'a string that is no prefix as i': (_i, d) => ({ t: 'rct', d, i: 'not a prefix', s: '0' }),
    's as a JSON number': (i, d) => ({ t: 'rct', d, i, s: 0 }),
    // keripy's Number primitive holds 17 bytes at most.
    's beyond 256**17 - 1': (i, d) => ({ t: 'rct', d, i, s: 'f'.repeat(40) }),
    'a list as d': (i, d) => ({ t: 'rct', d: [d], i, s: '0' }),
  };

  for (const [name, shape] of Object.entries(shapes)) {
    it(`with ${name} is rejected and applies nothing`, () => {
      // keripy's SerderKERI verifies a receipt's fields (exactly v,t,d,i,s in order), its prefix
      // and its sn (a hex string) and drops a message that fails.
      const id = witnessed(`review/m/${name}`);
      const icp = id.incept({ receipts: 0 });
      const processor = newProcessor();
      feed(processor, icp.message);
      const message = messagize(body(shape(id.prefix, icp.event.said)), [
        id.witnessReceipts(icp.event, 2),
      ]);
      const outcomes = feed(processor, message);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ kind: 'rejected' });
      expect(outcomes[0]!.kind === 'rejected' && outcomes[0]!.error).toBeInstanceOf(EventError);
      expect(processor.listEscrows().map((r) => r.kind)).toEqual(['partially_witnessed']);
      expect([...processor.store.allPendingReceipts()]).toEqual([]);
    });
  }
});

describe('an accepted event sent again', () => {
  it('with a controller signature index beyond the keys adds nothing', () => {
    // keripy verifies the copy's signatures first; an index beyond the keys raises and nothing
    // of the copy is logged, not even its valid new signature.
    const id = new TestIdentifier(crypto, {
      label: 'review/f3a',
      keyCount: 3,
      signingThreshold: '2',
    });
    const icp = id.incept({ signerCount: 2 });
    const third = signIndexed(crypto, id.currentKeys[2]!.seed, icp.event.raw, 2);
    const beyond = signIndexed(crypto, id.currentKeys[2]!.seed, icp.event.raw, 9);
    const processor = newProcessor();
    feed(processor, icp.message);
    const outcomes = feed(
      processor,
      messagize(icp.event.raw, [controllerSignatures([third, beyond])]),
    );
    expect(outcomes).toMatchObject([{ kind: 'duplicate', added: 0 }]);
    expect(processor.store.event(id.prefix, icp.event.said, 0n)?.signatures).toHaveLength(2);
  });

  it('with a witness signature although it has no witnesses adds nothing', () => {
    const id = new TestIdentifier(crypto, {
      label: 'review/f3b',
      keyCount: 3,
      signingThreshold: '2',
    });
    const icp = id.incept({ signerCount: 2 });
    const third = signIndexed(crypto, id.currentKeys[2]!.seed, icp.event.raw, 2);
    const stranger = testKey(crypto, 'review/f3b/stranger', false);
    const wig = signIndexed(crypto, stranger.seed, icp.event.raw, 0);
    const processor = newProcessor();
    feed(processor, icp.message);
    const outcomes = feed(
      processor,
      messagize(icp.event.raw, [controllerSignatures([third]), witnessSignatures([wig])]),
    );
    expect(outcomes).toMatchObject([{ kind: 'duplicate', added: 0 }]);
    const record = processor.store.event(id.prefix, icp.event.said, 0n)!;
    expect(record.signatures).toHaveLength(2);
    expect(record.witnessSignatures).toEqual([]);
  });

  it('with a witness signature index beyond the witness list adds nothing', () => {
    // The copy carries witness 2's valid signature and the same under index 7 (3 witnesses).
    const id = witnessed('review/h');
    const icp = id.incept({ receipts: 2 });
    const ixn = id.interact([], { receipts: 2 });
    const w2 = signIndexed(crypto, id.witnesses[2]!.seed, ixn.event.raw, 2);
    const beyond = signIndexed(crypto, id.witnesses[2]!.seed, ixn.event.raw, 7);
    const processor = newProcessor();
    feed(processor, icp.message, ixn.message);
    const outcomes = feed(
      processor,
      messagize(ixn.event.raw, [
        controllerSignatures(ixn.signatures),
        witnessSignatures([w2, beyond]),
      ]),
    );
    expect(outcomes).toMatchObject([{ kind: 'duplicate', added: 0 }]);
    expect(processor.store.event(id.prefix, ixn.event.said, 1n)?.witnessSignatures).toHaveLength(2);
  });
});

describe('transferable receipts attached to a key event', () => {
  /** X's inception, R's inception, and R's signature of X's inception. */
  function setup(label: string) {
    const x = new TestIdentifier(crypto, { label: `${label}/x` });
    const r = new TestIdentifier(crypto, { label: `${label}/r` });
    const xIcp = x.incept();
    const rIcp = r.incept();
    const signature = signIndexed(crypto, r.currentKeys[0]!.seed, xIcp.event.raw, 0);
    const signer = { prefix: r.prefix, sn: 0n, said: rIcp.event.said };
    return { x, xIcp, rIcp, signature, signer };
  }

  it('are ignored as -F groups', () => {
    // keripy reads -F (transferable indexed signature groups) only on receipts; on a key event it
    // reads -D quadruples (vrcs) and nothing else of transferable receipters.
    const { x, xIcp, rIcp, signature, signer } = setup('review/d/f');
    const processor = newProcessor();
    feed(
      processor,
      rIcp.message,
      messagize(xIcp.event.raw, [
        controllerSignatures(xIcp.signatures),
        transferableSignatureGroups([{ ...signer, signatures: [signature] }]),
      ]),
    );
    const record = processor.store.event(x.prefix, xIcp.event.said, 0n);
    expect(record).toBeDefined();
    expect(record?.transferableReceipts).toEqual([]);
  });

  it('are recorded as -D quadruples', () => {
    const { x, xIcp, rIcp, signature, signer } = setup('review/d/d');
    const processor = newProcessor();
    feed(
      processor,
      rIcp.message,
      messagize(xIcp.event.raw, [
        controllerSignatures(xIcp.signatures),
        transferableReceiptQuadruples([{ ...signer, signature }]),
      ]),
    );
    expect(processor.store.event(x.prefix, xIcp.event.said, 0n)?.transferableReceipts).toEqual([
      { prefix: signer.prefix, sn: '0', said: signer.said, signature: signature.qb64 },
    ]);
  });
});
