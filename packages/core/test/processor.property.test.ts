/**
 * Properties of the event processor: out-of-order delivery converges, duplicity is always
 * evidence and never a second accepted state, and damaged KELs never get a damaged event accepted.
 */

import { concatBytes, parseStream } from '@kestrel/cesr';
import {
  EventProcessor,
  KeriError,
  MemoryStore,
  type Outcome,
  StreamValidator,
  type VerifyReport,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { TestIdentifier } from '@kestrel/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';

const crypto = await createNodeCrypto();

async function validate(messages: readonly Uint8Array[]): Promise<VerifyReport> {
  const validator = new StreamValidator(new EventProcessor({ store: new MemoryStore(), crypto }));
  for (const message of messages) await validator.push(message);
  return validator.end();
}

/** A delegator, a delegate (dip, drt) and a witnessed identifier whose receipts come as rct messages. */
function mixedStream(): Uint8Array[] {
  const messages: Uint8Array[] = [];
  const delegator = new TestIdentifier(crypto, { label: 'prop/delegator' });
  messages.push(delegator.incept().message);
  // The delegate's prefix is needed for the delegator's anchor: build the dip first.
  const delegatedTo = new TestIdentifier(crypto, {
    label: 'prop/delegate',
    delegator: delegator.prefix,
  });
  const dip = delegatedTo.incept();
  messages.push(delegator.interact([{ i: delegatedTo.prefix, s: '0', d: dip.event.said }]).message);
  messages.push(dip.message);
  const drt = delegatedTo.rotate();
  messages.push(delegator.interact([{ i: delegatedTo.prefix, s: '1', d: drt.event.said }]).message);
  messages.push(drt.message);
  messages.push(delegatedTo.interact([{ d: delegator.said }]).message);

  const witnessed = new TestIdentifier(crypto, {
    label: 'prop/witnessed',
    witnessCount: 3,
    witnessThreshold: 2,
  });
  const icp = witnessed.incept({ receipts: 0 });
  messages.push(
    icp.message,
    witnessed.receiptMessage(icp.event, [0]),
    witnessed.receiptMessage(icp.event, [2]),
  );
  const ixn = witnessed.interact([], { receipts: 0 });
  messages.push(ixn.message, witnessed.receiptMessage(ixn.event, [1, 2]));
  const rot = witnessed.rotate([], { receipts: 2 });
  messages.push(rot.message);
  for (let i = 0; i < 3; i++)
    messages.push(delegator.interact([{ d: `E${'A'.repeat(43)}` }]).message);
  return messages;
}

describe('out-of-order delivery converges', () => {
  const inOrder = mixedStream();
  it('delivers the in-order stream fully accepted', async () => {
    const report = await validate(inOrder);
    expect(report.not_accepted).toEqual([]);
    expect(Object.keys(report.accepted)).toHaveLength(3);
  });

  it('any permutation reaches the in-order key states', async () => {
    const expected = await validate(inOrder);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(inOrder, { minLength: inOrder.length, maxLength: inOrder.length }),
        async (shuffled) => {
          const report = await validate(shuffled);
          expect(report.not_accepted).toEqual([]);
          expect(report.verdict).toBe('accepted');
          for (const [prefix, accepted] of Object.entries(expected.accepted)) {
            const { f: _f1, ...want } = accepted.state;
            const { f: _f2, ...got } = report.accepted[prefix]!.state;
            expect(got).toEqual(want); // first-seen ordinals follow arrival; everything else is the same
            expect(new Set(report.accepted[prefix]!.kel.map((e) => e.said))).toEqual(
              new Set(accepted.kel.map((e) => e.said)),
            );
          }
        },
      ),
      { numRuns: propertyRuns(40) },
    );
  });
});

describe('duplicity', () => {
  it('two validly signed different events at one (prefix, sn) give evidence, never two accepted states', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 13, max: 16 }),
        fc.boolean(),
        async (conflictAt, length, conflictFirst) => {
          const honest = new TestIdentifier(crypto, { label: 'dup' });
          const forger = new TestIdentifier(crypto, { label: 'dup' }); // same keys: a thief of the current keys
          const honestMessages = [honest.incept().message];
          forger.incept();
          let forged: Uint8Array | undefined;
          for (let sn = 1; sn < length; sn++) {
            const rotation = sn % 5 === 0;
            honestMessages.push(
              (rotation ? honest.rotate() : honest.interact([{ d: honest.said }])).message,
            );
            if (sn < conflictAt) {
              if (rotation) forger.rotate();
              else forger.interact([{ d: forger.said }]);
            } else if (sn === conflictAt) {
              const seal = [{ d: `E${'F'.repeat(43)}` }]; // what the honest controller never anchors
              forged = (rotation ? forger.rotate(seal) : forger.interact(seal)).message;
            }
          }
          const processor = new EventProcessor({ store: new MemoryStore(), crypto });
          const firstSeen = conflictFirst
            ? [...honestMessages.slice(0, conflictAt), forged!, ...honestMessages.slice(conflictAt)]
            : [...honestMessages, forged!];
          const outcomes: Outcome[] = [];
          for (const message of firstSeen) {
            for (const framed of parseStream(message).messages)
              outcomes.push(...processor.process(framed));
          }
          const duplicitous = outcomes.filter((o) => o.kind === 'duplicitous');
          expect(duplicitous).toHaveLength(1);
          const prefix = honest.prefix;
          expect(processor.store.saidsAt(prefix, BigInt(conflictAt))).toHaveLength(1);
          const evidence = [...processor.store.duplicities(prefix)];
          expect(evidence).toHaveLength(1);
          expect(evidence[0]!.signedBy).toBe(
            conflictAt % 5 === 0 ? 'pre-rotated-keys' : 'current-keys',
          );
        },
      ),
      { numRuns: propertyRuns(30) },
    );
  });
});

describe('damaged KELs', () => {
  const identifier = new TestIdentifier(crypto, {
    label: 'damage',
    keyCount: 3,
    signingThreshold: '2',
    nextThreshold: '2',
  });
  const original = [identifier.incept().message];
  for (let sn = 1; sn < 12; sn++)
    original.push(
      (sn % 4 === 0 ? identifier.rotate() : identifier.interact([{ d: identifier.said }])).message,
    );
  const stream = concatBytes(...original);
  const originalSaids = new Set(parseStream(stream).messages.map((m) => m.body.sad.d));

  const mutation = fc.oneof(
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat({ max: stream.length - 1 }),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: stream.length - 1 }) }),
    fc.record({
      kind: fc.constant('swap' as const),
      a: fc.nat({ max: original.length - 1 }),
      b: fc.nat({ max: original.length - 1 }),
    }),
    fc.record({ kind: fc.constant('field' as const), at: fc.nat({ max: original.length - 1 }) }),
  );

  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  function mutate(m: Mutation): Uint8Array {
    switch (m.kind) {
      case 'flip': {
        const copy = stream.slice();
        copy[m.at] = copy[m.at]! ^ (1 << m.bit);
        return copy;
      }
      case 'truncate':
        return stream.slice(0, m.at);
      case 'swap': {
        // Event a carries the signatures of event b.
        const messages = parseStream(stream).messages;
        const a = messages[m.a]!;
        const b = messages[m.b]!;
        const swapped = concatBytes(a.body.raw, b.raw.subarray(b.body.raw.length));
        return concatBytes(...messages.map((message, i) => (i === m.a ? swapped : message.raw)));
      }
      case 'field': {
        // Same length edit of a seal value: the body stays well-formed JSON, its SAID no longer fits.
        const messages = parseStream(stream).messages;
        const text = new TextDecoder()
          .decode(messages[m.at]!.raw)
          .replace(/"s":"([0-9a-f]+)"/, (_, s: string) => `"s":"${s === '9' ? '8' : '9'}"`);
        return concatBytes(
          ...messages.map((message, i) =>
            i === m.at ? new TextEncoder().encode(text) : message.raw,
          ),
        );
      }
    }
    throw new Error('unknown mutation');
  }

  it('never accepts an event that is not one of the originals, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const damaged = mutate(m);
        const report = await validate([damaged]);
        for (const accepted of Object.values(report.accepted)) {
          for (const event of accepted.kel) expect(originalSaids.has(event.said)).toBe(true);
        }
      }),
      { numRuns: propertyRuns(150) },
    );
  });

  it('reports typed errors only', async () => {
    const processor = new EventProcessor({ store: new MemoryStore(), crypto });
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        for (const message of parseStream(mutate(m)).messages) {
          for (const outcome of processor.process(message)) {
            if (outcome.kind === 'rejected') expect(outcome.error).toBeInstanceOf(KeriError);
          }
        }
      }),
      { numRuns: propertyRuns(100) },
    );
  });
});
