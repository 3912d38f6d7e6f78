/**
 * Receipts kept apart until they can be judged, as keripy 1.3.6 keeps them: transferable receipts
 * whose receipter's establishment event is not known yet wait for it (keripy's `vres`), and
 * receipts of an event that lost its sn to another accepted event are dropped as stale.
 */
import {
  controllerSignatures,
  messagize,
  receipt,
  receiptCouples,
  signIndexed,
  signUnindexed,
  transferableReceiptQuadruples,
  transferableSignatureGroups,
} from '@kestrel/core';
import { TestIdentifier, testKey } from '@kestrel/testing';
import { describe, expect, it } from 'vitest';
import { crypto, digest, feed, newProcessor } from './support/processor.js';

/** X's inception and interaction, R's inception and rotation, and R's signatures of X's events. */
function setup(label: string) {
  const x = new TestIdentifier(crypto, { label: `${label}/x` });
  const r = new TestIdentifier(crypto, { label: `${label}/r` });
  const xIcp = x.incept();
  const xIxn = x.interact();
  const rIcp = r.incept();
  const rKey = r.currentKeys[0]!.seed;
  const rRot = r.rotate();
  const signer = { prefix: r.prefix, sn: 0n, said: rIcp.event.said };
  /** An `rct` of X's inception carrying R's signature as a -F group (R's keys at its inception). */
  const transferableRct = messagize(
    receipt(digest, { prefix: x.prefix, sn: 0n, said: xIcp.event.said }).raw,
    [
      transferableSignatureGroups([
        { ...signer, signatures: [signIndexed(crypto, rKey, xIcp.event.raw, 0)] },
      ]),
    ],
  );
  return { x, xIcp, xIxn, r, rIcp, rRot, rKey, signer, transferableRct };
}

describe('a transferable receipt whose receipter is not known yet', () => {
  it('waits for the receipter and is added to the event when it arrives', () => {
    const { x, xIcp, rIcp, transferableRct, signer } = setup('pending/f');
    const processor = newProcessor();
    feed(processor, xIcp.message);
    expect(feed(processor, transferableRct)).toMatchObject([
      { kind: 'receipt', result: 'escrowed', count: 1 },
    ]);
    expect(
      processor.store.pendingReceipts(x.prefix, xIcp.event.said)?.transferableReceipts,
    ).toHaveLength(1);
    expect(processor.store.event(x.prefix, xIcp.event.said, 0n)?.transferableReceipts).toEqual([]);

    const outcomes = feed(processor, rIcp.message);
    expect(outcomes).toContainEqual(
      expect.objectContaining({
        kind: 'receipt',
        said: xIcp.event.said,
        result: 'applied',
        count: 1,
      }),
    );
    expect(processor.store.event(x.prefix, xIcp.event.said, 0n)?.transferableReceipts).toEqual([
      expect.objectContaining({ prefix: signer.prefix, sn: '0', said: signer.said }),
    ]);
    expect(processor.store.pendingReceipts(x.prefix, xIcp.event.said)).toBeUndefined();
  });

  it('that came before the event too waits for the receipter after the event is accepted', () => {
    const { x, xIcp, rIcp, transferableRct } = setup('pending/before');
    const processor = newProcessor();
    feed(processor, transferableRct, xIcp.message);
    expect(processor.store.event(x.prefix, xIcp.event.said, 0n)?.transferableReceipts).toEqual([]);
    expect(processor.store.pendingReceipts(x.prefix, xIcp.event.said)).toBeDefined();
    feed(processor, rIcp.message);
    expect(processor.store.event(x.prefix, xIcp.event.said, 0n)?.transferableReceipts).toHaveLength(
      1,
    );
    expect(processor.store.pendingReceipts(x.prefix, xIcp.event.said)).toBeUndefined();
  });

  it('attached to the event as a -D quadruple waits for the receipter as well', () => {
    const { x, xIcp, rIcp, rKey, signer } = setup('pending/d');
    const signature = signIndexed(crypto, rKey, xIcp.event.raw, 0);
    const processor = newProcessor();
    feed(
      processor,
      xIcp.message,
      messagize(xIcp.event.raw, [
        controllerSignatures(xIcp.signatures),
        transferableReceiptQuadruples([{ ...signer, signature }]),
      ]),
    );
    expect(processor.store.pendingReceipts(x.prefix, xIcp.event.said)).toBeDefined();
    feed(processor, rIcp.message);
    expect(processor.store.event(x.prefix, xIcp.event.said, 0n)?.transferableReceipts).toEqual([
      { prefix: signer.prefix, sn: '0', said: signer.said, signature: signature.qb64 },
    ]);
  });

  it('is dropped, not added, when the receipter event that arrives is not the one it names', () => {
    // The receipt names R's inception by a SAID R's KEL does not have there.
    const { x, xIcp, rIcp, r, rKey } = setup('pending/mismatch');
    const forged = messagize(
      receipt(digest, { prefix: x.prefix, sn: 0n, said: xIcp.event.said }).raw,
      [
        transferableSignatureGroups([
          {
            prefix: r.prefix,
            sn: 0n,
            said: xIcp.event.said,
            signatures: [signIndexed(crypto, rKey, xIcp.event.raw, 0)],
          },
        ]),
      ],
    );
    const processor = newProcessor();
    feed(processor, xIcp.message, forged);
    expect(processor.store.pendingReceipts(x.prefix, xIcp.event.said)).toBeDefined();
    feed(processor, rIcp.message);
    expect(processor.store.event(x.prefix, xIcp.event.said, 0n)?.transferableReceipts).toEqual([]);
    expect(processor.store.pendingReceipts(x.prefix, xIcp.event.said)).toBeUndefined();
  });

  it('waits out its timeout at most', () => {
    let now = 0;
    const { x, xIcp, transferableRct } = setup('pending/timeout');
    const processor = newProcessor({ clock: { now: () => now } });
    feed(processor, xIcp.message, transferableRct);
    now += 3_599_000;
    processor.expireEscrows();
    expect(processor.store.pendingReceipts(x.prefix, xIcp.event.said)).toBeDefined();
    now += 2_000;
    processor.expireEscrows();
    expect(processor.store.pendingReceipts(x.prefix, xIcp.event.said)).toBeUndefined();
  });
});

describe('receipts of an event that lost its sn to another', () => {
  it('are dropped when the other event is accepted there', () => {
    // A receipt couple for an interaction X never accepted; then a different interaction at sn 1.
    const x = new TestIdentifier(crypto, { label: 'pending/stale' });
    const icp = x.incept();
    const fork = new TestIdentifier(crypto, { label: 'pending/stale' });
    fork.incept();
    const unseen = fork.interact([{ i: x.prefix, s: '0', d: icp.event.said }]);
    const ixn = x.interact();
    const receipter = testKey(crypto, 'pending/stale/receipter', false);
    const couple = {
      prefix: receipter.publicKey,
      signature: signUnindexed(crypto, receipter.seed, unseen.event.raw),
    };
    const rct = messagize(
      receipt(digest, { prefix: x.prefix, sn: 1n, said: unseen.event.said }).raw,
      [receiptCouples([couple])],
    );
    const processor = newProcessor();
    feed(processor, icp.message, rct);
    expect(processor.store.pendingReceipts(x.prefix, unseen.event.said)).toBeDefined();
    feed(processor, ixn.message);
    expect(processor.store.pendingReceipts(x.prefix, unseen.event.said)).toBeUndefined();
    expect([...processor.store.allPendingReceipts()]).toEqual([]);
  });
});
