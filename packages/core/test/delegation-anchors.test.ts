/**
 * Where a delegated event's approval is found, as keripy 1.3.6 finds it: the delegator's events
 * that anchor the seal {i, s, d}, only those still last at their sn, the lowest first; a source
 * seal couple (-G) that names no event yet is waited for, not searched around; a seal's `s` must
 * be canonical hex; and a delegated rotation supersedes another only by the superseding rules.
 */
import { parseStream } from '@kestrel/cesr';
import {
  EventProcessor,
  joinKey,
  MemoryStore,
  type Outcome,
  type Seal,
  snKey,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { type SignedEvent, TestIdentifier } from '@kestrel/testing';
import { describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();

function newProcessor(store = new MemoryStore()): EventProcessor {
  return new EventProcessor({ store, crypto });
}

/** Feeds messages in order; the outcomes of the last one. */
function feed(processor: EventProcessor, ...events: readonly SignedEvent[]): Outcome[] {
  let outcomes: Outcome[] = [];
  for (const { message } of events) {
    outcomes = [];
    for (const framed of parseStream(message).messages) outcomes.push(...processor.process(framed));
  }
  return outcomes;
}

/** The outcome for one event among a message's outcomes. */
function outcomeOf(outcomes: readonly Outcome[], said: string): Outcome | undefined {
  return outcomes.find((outcome) => 'said' in outcome && outcome.said === said);
}

const sealOf = (identifier: TestIdentifier, signed: SignedEvent): Seal => ({
  i: identifier.prefix,
  s: signed.event.sad.s as string,
  d: signed.event.said,
});

/** Identifiers with the same label have the same keys: a controller's second device. */
const controller = (label: string, delegator?: string) =>
  new TestIdentifier(crypto, { label, ...(delegator === undefined ? {} : { delegator }) });

/**
 * A delegated rotation at sn 1 (after `inception`) that supersedes the controller's first rotation
 * there: signed by the keys that rotation committed to, as a superseding rotation must be (they
 * are the state's next keys), and anchoring other data so that its SAID differs.
 */
function supersedingRotation(
  label: string,
  delegator: string,
  inception: SignedEvent,
): SignedEvent {
  const second = controller(label, delegator);
  second.incept();
  second.rotate(); // uses up the keys the superseded rotation rotated to
  second.sn = 0n;
  second.said = inception.event.said;
  return second.rotate([{ d: `E${'B'.repeat(43)}` }]);
}

/** A delegator `tor` and its delegate `dee`, incepted and approved (tor ixn 1 anchors the dip). */
function delegatedPair(torLabel: string, deeLabel: string) {
  const tor = controller(torLabel);
  const torInception = tor.incept();
  const dee = controller(deeLabel, tor.prefix);
  const deeInception = dee.incept();
  const approval = tor.interact([sealOf(dee, deeInception)]);
  return { tor, torInception, dee, deeInception, approval };
}

describe('delegation anchors', () => {
  it('does not accept a delegation anchored only in a superseded event of the delegator', () => {
    for (const withCouple of [false, true]) {
      const tor = controller('anchors/superseded/tor');
      const torRecovering = controller('anchors/superseded/tor');
      const torInception = tor.incept();
      torRecovering.incept();
      const dee = controller('anchors/superseded/dee', tor.prefix);
      const plainInception = dee.incept();
      const anchoring = tor.interact([sealOf(dee, plainInception)]);
      const recovery = torRecovering.rotate(); // supersedes the anchoring ixn, anchors nothing
      const inception = withCouple
        ? controller('anchors/superseded/dee', tor.prefix).incept({
            sourceSeal: { sn: 1n, said: anchoring.event.said },
          })
        : plainInception;

      const processor = newProcessor();
      feed(processor, torInception, anchoring);
      expect(outcomeOf(feed(processor, recovery), recovery.event.said)).toMatchObject({
        kind: 'accepted',
        recovery: true,
      });
      expect(outcomeOf(feed(processor, inception), dee.prefix)).toMatchObject({
        kind: 'escrowed',
        escrow: 'delegation',
      });
      expect(processor.context.state(dee.prefix)).toBeUndefined();

      // Anchored again in an event that stands: now it is approved, there.
      const again = torRecovering.interact([sealOf(dee, plainInception)]);
      expect(outcomeOf(feed(processor, again), dee.prefix)).toMatchObject({ kind: 'accepted' });
      expect(processor.store.event(dee.prefix, dee.prefix, 0n)?.sourceSeal).toEqual({
        sn: '2',
        said: again.event.said,
      });
    }
  });

  it('finds the earliest standing anchor of a seal, and only in the delegator', () => {
    // The delegator anchors drtA's seal in ixn 2 and again in ixn 4, and drtB's in ixn 3: drtA's
    // approval is ixn 2, so drtB (approved later, in ixn 3) supersedes it.
    const { tor, torInception, dee, deeInception, approval } = delegatedPair(
      'anchors/double/tor',
      'anchors/double/dee',
    );
    const rotationA = dee.rotate();
    const rotationB = supersedingRotation('anchors/double/dee', tor.prefix, deeInception);
    const ixn2 = tor.interact([sealOf(dee, rotationA)]);
    const ixn3 = tor.interact([sealOf(dee, rotationB)]);
    const ixn4 = tor.interact([sealOf(dee, rotationA)]);

    const processor = newProcessor();
    feed(processor, torInception, approval, deeInception, ixn2, ixn3, ixn4);
    expect(outcomeOf(feed(processor, rotationA), rotationA.event.said)).toMatchObject({
      kind: 'accepted',
    });
    expect(processor.store.event(dee.prefix, rotationA.event.said, 1n)?.sourceSeal).toEqual({
      sn: '2',
      said: ixn2.event.said,
    });
    expect(
      [...processor.store.anchoringEvents(dee.prefix, 1n, rotationA.event.said, tor.prefix)].map(
        (anchor) => anchor.sn,
      ),
    ).toEqual(['2', '4']);
    expect(outcomeOf(feed(processor, rotationB), rotationB.event.said)).toMatchObject({
      kind: 'accepted',
      recovery: true,
    });

    // Another KEL anchoring the same seal neither approves it nor hides the delegator's anchor.
    const other = delegatedPair('anchors/third/tor', 'anchors/third/dee');
    const mallory = controller('anchors/third/mallory');
    const malloryInception = mallory.incept();
    const malloryAnchor = mallory.interact([sealOf(other.dee, other.deeInception)]);
    const second = newProcessor();
    feed(second, other.torInception, other.approval, malloryInception, malloryAnchor);
    expect(outcomeOf(feed(second, other.deeInception), other.dee.prefix)).toMatchObject({
      kind: 'accepted',
    });
    expect(second.store.event(other.dee.prefix, other.dee.prefix, 0n)?.sourceSeal).toEqual({
      sn: '1',
      said: other.approval.event.said,
    });
  });

  it('reads past an anchor record in the layout stores had before (keyed by the seal alone)', async () => {
    const { tor, torInception, dee, deeInception } = delegatedPair(
      'anchors/old-layout/tor',
      'anchors/old-layout/dee',
    );
    const store = new MemoryStore();
    // What an older Kestrel wrote for a seal: one record under i.s.d, here naming a wrong event.
    await store.commit([
      {
        table: 'anchors',
        key: joinKey(dee.prefix, snKey(0n), deeInception.event.said),
        value: { prefix: tor.prefix, sn: '0', said: torInception.event.said },
      },
    ]);
    const processor = newProcessor(store);
    feed(processor, torInception);
    expect(outcomeOf(feed(processor, deeInception), dee.prefix)).toMatchObject({
      kind: 'escrowed',
      escrow: 'delegation',
    });
    expect(processor.store.anchor(dee.prefix, 0n, deeInception.event.said, tor.prefix)).toBe(
      undefined,
    );
  });

  it('rejects a source seal couple at sn 0 and waits for the event a couple names', () => {
    // Every pair is the same (keys come from labels); each case feeds a fresh processor.
    const pair = () => delegatedPair('anchors/couple/tor', 'anchors/couple/dee');
    const delegator = pair().tor.prefix;
    const withCouple = (sn: bigint, said: string) =>
      controller('anchors/couple/dee', delegator).incept({ sourceSeal: { sn, said } });

    // Sn 0 is the delegator's inception: never a delegating event, whatever else anchors the seal.
    {
      const { torInception, dee, approval } = pair();
      const processor = newProcessor();
      feed(processor, torInception, approval);
      const outcome = outcomeOf(feed(processor, withCouple(0n, approval.event.said)), dee.prefix);
      expect(outcome).toMatchObject({ kind: 'rejected', error: { code: 'bad_delegation' } });
    }
    // No event at the couple's sn yet: wait for it, keeping the couple, although ixn 1 anchors
    // the seal (keripy searches the KEL only once the couple proves wrong).
    {
      const { tor, torInception, dee, approval } = pair();
      const processor = newProcessor();
      feed(processor, torInception, approval);
      const outcome = outcomeOf(feed(processor, withCouple(5n, approval.event.said)), dee.prefix);
      expect(outcome).toMatchObject({ kind: 'escrowed', escrow: 'delegation' });
      expect(outcome && 'waitingFor' in outcome ? outcome.waitingFor : '').toContain(
        `event at sn 5 of delegator ${tor.prefix}`,
      );
      expect(processor.store.escrow('delegation', dee.prefix, 0n, dee.prefix)?.sourceSeal).toEqual({
        sn: '5',
        said: approval.event.said,
      });
      expect(processor.context.state(dee.prefix)).toBeUndefined();
    }
    // The event at the couple's sn exists but does not anchor the seal: search the KEL.
    {
      const { tor, torInception, dee, approval } = pair();
      const unrelated = tor.interact([]);
      const processor = newProcessor();
      feed(processor, torInception, approval, unrelated);
      const outcome = outcomeOf(feed(processor, withCouple(2n, unrelated.event.said)), dee.prefix);
      expect(outcome).toMatchObject({ kind: 'accepted' });
      expect(processor.store.event(dee.prefix, dee.prefix, 0n)?.sourceSeal).toEqual({
        sn: '1',
        said: approval.event.said,
      });
    }
  });

  it('retries a delegation whose couple named a future event when that event comes without the seal', () => {
    // The couple names sn 2 before the delegator has it; ixn 1 already anchors the seal. When ixn 2
    // arrives without the seal, the couple proves wrong: keripy forgets it, and searches the KEL at
    // its next delegation pass (its escrows' next sweep, here right after): the delegated event is
    // accepted on ixn 1's anchor.
    const { tor, torInception, dee, approval } = delegatedPair(
      'anchors/later/tor',
      'anchors/later/dee',
    );
    const unrelated = tor.interact([]);
    const inception = controller('anchors/later/dee', tor.prefix).incept({
      sourceSeal: { sn: 2n, said: unrelated.event.said },
    });
    const processor = newProcessor();
    feed(processor, torInception, approval);
    expect(outcomeOf(feed(processor, inception), dee.prefix)).toMatchObject({
      kind: 'escrowed',
      escrow: 'delegation',
    });
    const retried = feed(processor, unrelated).filter((o) => 'said' in o && o.said === dee.prefix);
    expect(retried.map((o) => o.kind)).toEqual(['escrowed', 'accepted']);
    expect(processor.store.event(dee.prefix, dee.prefix, 0n)?.sourceSeal).toEqual({
      sn: '1',
      said: approval.event.said,
    });
  });

  it('keeps waiting, after a restart too, when the event the couple names comes without the seal and nothing anchors it', async () => {
    const tor = controller('anchors/wait/tor');
    const torInception = tor.incept();
    const first = tor.interact([]);
    const dee = controller('anchors/wait/dee', tor.prefix);
    const inception = dee.incept({ sourceSeal: { sn: 1n, said: first.event.said } });
    const store = new MemoryStore();
    const processor = newProcessor(store);
    feed(processor, torInception, inception);
    // A processor over the same store, as after a restart: the escrow's couple is found again.
    await processor.flush();
    const restarted = newProcessor(store);
    expect(outcomeOf(feed(restarted, first), dee.prefix)).toMatchObject({
      kind: 'escrowed',
      escrow: 'delegation',
    });
    const approval = tor.interact([sealOf(dee, inception)]);
    expect(outcomeOf(feed(restarted, approval), dee.prefix)).toMatchObject({ kind: 'accepted' });
  });

  it('does not take a seal whose s is not canonical hex as an anchor', () => {
    for (const s of ['0', '00', '0x0', ' 0']) {
      for (const couple of [false, true]) {
        const tor = controller('anchors/hex/tor');
        const torInception = tor.incept();
        const dee = controller('anchors/hex/dee', tor.prefix);
        const plainInception = dee.incept();
        const anchoring = tor.interact([{ i: dee.prefix, s, d: plainInception.event.said }]);
        const inception = couple
          ? controller('anchors/hex/dee', tor.prefix).incept({
              sourceSeal: { sn: 1n, said: anchoring.event.said },
            })
          : plainInception;
        const processor = newProcessor();
        feed(processor, torInception, anchoring);
        expect(outcomeOf(feed(processor, inception), dee.prefix)?.kind).toBe(
          s === '0' ? 'accepted' : 'escrowed',
        );
        expect(
          [...processor.store.anchoringEvents(dee.prefix, 0n, dee.prefix, tor.prefix)].length,
        ).toBe(s === '0' ? 1 : 0);
      }
    }
  });

  it('supersedes a delegated rotation only by the superseding rules', () => {
    // Approved earlier in the delegator's KEL than the rotation it would supersede: rejected.
    {
      const { tor, torInception, dee, deeInception, approval } = delegatedPair(
        'anchors/low/tor',
        'anchors/low/dee',
      );
      const rotationA = dee.rotate();
      const rotationB = supersedingRotation('anchors/low/dee', tor.prefix, deeInception);
      const ixn2 = tor.interact([sealOf(dee, rotationB)]);
      const ixn3 = tor.interact([sealOf(dee, rotationA)]);
      const processor = newProcessor();
      feed(processor, torInception, approval, deeInception, ixn2, ixn3);
      expect(outcomeOf(feed(processor, rotationA), rotationA.event.said)?.kind).toBe('accepted');
      expect(outcomeOf(feed(processor, rotationB), rotationB.event.said)).toMatchObject({
        kind: 'rejected',
        error: { code: 'bad_delegation' },
      });
      expect(processor.context.state(dee.prefix)?.said).toBe(rotationA.event.said);
    }
    // A delegated rotation superseding interactions back from the tip: rejected.
    {
      const { tor, torInception, dee, deeInception, approval } = delegatedPair(
        'anchors/nontip/tor',
        'anchors/nontip/dee',
      );
      const interactions = [dee.interact(), dee.interact(), dee.interact()];
      const other = controller('anchors/nontip/dee', tor.prefix);
      other.incept();
      other.interact();
      const rotation = other.rotate(); // at sn 2, after dee's ixn 1
      const anchoring = tor.interact([sealOf(dee, rotation)]);
      const processor = newProcessor();
      feed(processor, torInception, approval, deeInception, ...interactions, anchoring);
      expect(outcomeOf(feed(processor, rotation), rotation.event.said)).toMatchObject({
        kind: 'rejected',
        error: { code: 'bad_delegation' },
      });
      expect(processor.context.state(dee.prefix)?.sn).toBe(3n);
    }
    // The same delegating event, the superseding seal later (B2): accepted.
    {
      const { tor, torInception, dee, deeInception, approval } = delegatedPair(
        'anchors/b2/tor',
        'anchors/b2/dee',
      );
      const rotationA = dee.rotate();
      const rotationB = supersedingRotation('anchors/b2/dee', tor.prefix, deeInception);
      const ixn2 = tor.interact([sealOf(dee, rotationA), sealOf(dee, rotationB)]);
      const processor = newProcessor();
      feed(processor, torInception, approval, deeInception, ixn2, rotationA);
      expect(outcomeOf(feed(processor, rotationB), rotationB.event.said)).toMatchObject({
        kind: 'accepted',
        recovery: true,
      });
    }
  });

  it('breaks a tie of delegating rotations one level up the delegation chain (rule C)', () => {
    // top delegates to mid, mid to bot. mid's drt X at sn 2 approves bot's drtA; mid's drt Y
    // supersedes X (approved later by top) and approves bot's drtB, which supersedes drtA.
    const top = controller('anchors/chain/top');
    const topInception = top.incept();
    const mid = controller('anchors/chain/mid', top.prefix);
    const midInception = mid.incept();
    const topIxn1 = top.interact([sealOf(mid, midInception)]);
    const bot = controller('anchors/chain/bot', mid.prefix);
    const botInception = bot.incept();
    const midIxn1 = mid.interact([sealOf(bot, botInception)]);
    const rotationA = bot.rotate();
    const rotationB = supersedingRotation('anchors/chain/bot', mid.prefix, botInception);
    const midX = mid.rotate([sealOf(bot, rotationA)]);
    const midSecond = controller('anchors/chain/mid', top.prefix);
    midSecond.incept();
    midSecond.rotate(); // uses up the keys X rotated to
    midSecond.sn = 1n;
    midSecond.said = midIxn1.event.said;
    const midY = midSecond.rotate([sealOf(bot, rotationB)]);
    const topIxn2 = top.interact([sealOf(mid, midX)]);
    const topIxn3 = top.interact([sealOf(mid, midY)]);

    const processor = newProcessor();
    feed(processor, topInception, topIxn1, midInception, midIxn1, botInception, topIxn2, midX);
    expect(outcomeOf(feed(processor, rotationA), rotationA.event.said)?.kind).toBe('accepted');
    feed(processor, topIxn3);
    expect(outcomeOf(feed(processor, midY), midY.event.said)).toMatchObject({
      kind: 'accepted',
      recovery: true,
    });
    expect(outcomeOf(feed(processor, rotationB), rotationB.event.said)).toMatchObject({
      kind: 'accepted',
      recovery: true,
    });
  });
});
