/**
 * Differences from keripy 1.3.6 found by running keripy itself on random streams
 * (scripts/differential.mjs, with keripy's verdicts taken from scripts/keripy-oracle). Each test
 * pins what keripy does, and says why it does it.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saidify } from '@kestrel/cesr';
import {
  type BuiltMessage,
  controllerSignatures,
  EventProcessor,
  type InceptOptions,
  incept,
  interact,
  ManualClock,
  MemoryStore,
  messagize,
  type RotateOptions,
  receipt,
  receiptCouples,
  rotate,
  StreamValidator,
  signIndexed,
  signUnindexed,
  transferableSignatureGroups,
  witnessSignatures,
} from '@kestrel/core';
import { TestIdentifier, type TestKey, testKey } from '@kestrel/testing';
import { describe, expect, it } from 'vitest';
import { accepted, crypto, digest, feed, newProcessor } from './support/processor.js';

/** The same event with some fields changed, its SAID and version computed again. */
function rebuilt(event: BuiltMessage, changes: Record<string, unknown>): BuiltMessage {
  const { sad, raw } = saidify(
    { ...event.sad, ...changes, d: '' },
    { protocol: 'KERI', kind: 'JSON', labels: { d: 'E' } },
    digest,
  );
  return { ...event, sad, raw, said: sad.d as string };
}

const sign = (signer: TestKey, event: BuiltMessage, index = 0) =>
  signIndexed(crypto, signer.seed, event.raw, index);

/** The keys of a controller's first three generations, labelled `${label}/0` to `${label}/2`. */
const keyGenerations = (label: string) =>
  [0, 1, 2].map((generation) => testKey(crypto, `${label}/${generation}`));

/** A single-key inception by `keys[0]`, committing to `keys[1]`. */
const inception = (keys: readonly TestKey[], options: Partial<InceptOptions> = {}) =>
  incept(digest, {
    keys: [keys[0]!.publicKey],
    nextKeyDigests: [keys[1]!.nextDigest],
    code: 'E',
    ...options,
  });

/** A rotation of `icp`'s KEL after `prior` to `keys[1]`, committing to `keys[2]`. */
const singleKeyRotation = (
  keys: readonly TestKey[],
  icp: BuiltMessage,
  prior: BuiltMessage,
  sn: number,
  options: Partial<RotateOptions> = {},
) =>
  rotate(digest, {
    prefix: icp.said,
    prior: prior.said,
    sn,
    keys: [keys[1]!.publicKey],
    nextKeyDigests: [keys[2]!.nextDigest],
    ...options,
  });

/** An event with its controller's signature, and a witness's (at index 0) when given. */
const signed = (event: BuiltMessage, signer: TestKey, witness?: TestKey) =>
  messagize(event.raw, [
    controllerSignatures([sign(signer, event)]),
    ...(witness ? [witnessSignatures([sign(witness, event, 0)])] : []),
  ]);

/** A delegated rotation at sn 1 of `dip`'s KEL to `keys[1]`, committing to `next`. */
const delegatedRotation = (
  dip: BuiltMessage,
  keys: readonly TestKey[],
  next: TestKey,
  options: Partial<RotateOptions> = {},
) =>
  rotate(digest, {
    ilk: 'drt',
    prefix: dip.said,
    prior: dip.said,
    sn: 1,
    keys: [keys[1]!.publicKey],
    nextKeyDigests: [next.nextDigest],
    ...options,
  });

/** The event seal {i, s, d} that anchors `event`. */
const sealOf = (event: BuiltMessage) => ({
  i: event.sad.i as string,
  s: event.sad.s as string,
  d: event.said,
});

/** The delegator's interactions after its inception, each anchoring one of `events`, signed. */
function anchorChain(torIcp: BuiltMessage, torKeys: readonly TestKey[], events: BuiltMessage[]) {
  let prior = torIcp.said;
  return events.map((event, at) => {
    const anchoring = interact(digest, {
      prefix: torIcp.said,
      prior,
      sn: at + 1,
      data: [sealOf(event)],
    });
    prior = anchoring.said;
    return signed(anchoring, torKeys[0]!);
  });
}

/**
 * A delegator (`${label}/tor`) and its delegate (`${label}/dee`) with two delegated rotations at
 * sn 1 to the same new keys, drtA committing to the delegate's next keys and drtB to another's,
 * and the delegator's interactions anchoring the dip, drtB and drtA in that order.
 */
function twoDelegatedRotations(label: string) {
  const torKeys = keyGenerations(`${label}/tor`);
  const deeKeys = keyGenerations(`${label}/dee`);
  const other = testKey(crypto, `${label}/dee/other`);
  const torIcp = inception(torKeys);
  const dip = inception(deeKeys, { delegator: torIcp.said });
  const drtA = delegatedRotation(dip, deeKeys, deeKeys[2]!);
  const drtB = delegatedRotation(dip, deeKeys, other);
  const anchors = anchorChain(torIcp, torKeys, [dip, drtB, drtA]);
  return { torKeys, deeKeys, torIcp, dip, drtA, drtB, anchors };
}

/** An `rct` of `event` carrying the given receipt groups. */
const receiptMessage = (event: BuiltMessage, groups: Parameters<typeof messagize>[1]) =>
  messagize(
    receipt(digest, {
      prefix: event.sad.i as string,
      sn: BigInt(`0x${event.sad.s}`),
      said: event.said,
    }).raw,
    groups,
  );

describe('witness cuts', () => {
  const keys = keyGenerations('differential/cuts/ctl');
  const witnesses = [0, 1, 2].map((i) => testKey(crypto, `differential/cuts/wit/${i}`, false));
  const prefixes = witnesses.map((w) => w.publicKey);
  const icp = inception(keys, { witnesses: prefixes, witnessThreshold: 1 });
  const rotation = (cuts: string[]) =>
    singleKeyRotation(keys, icp, icp, 1, { witnesses: prefixes, cuts, witnessThreshold: 1 });
  const message = (event: BuiltMessage, signer: TestKey) => signed(event, signer, witnesses[0]);

  it('are written in the order of the witness list, whatever order they are given in', () => {
    const rot = rotation([prefixes[2]!, prefixes[1]!]);
    expect(rot.sad.br).toEqual([prefixes[1], prefixes[2]]);
    const processor = newProcessor();
    const outcomes = feed(processor, message(icp, keys[0]!), message(rot, keys[1]!));
    expect(accepted(outcomes, rot.said)).toBe(true);
    expect(processor.context.state(icp.said)?.witnesses).toEqual([prefixes[0]]);
  });

  it('listed in another order than the witness list are refused, as keripy refuses them', () => {
    // keripy (Kever.deriveBacks) checks `(oset(wits) & oset(cuts)) != oset(cuts)`: ordered sets
    // compare in order, so the same witnesses cut in another order fail the check and the
    // rotation is dropped, even before its signatures are looked at.
    const rot = rebuilt(rotation([prefixes[1]!, prefixes[2]!]), {
      br: [prefixes[2], prefixes[1]],
    });
    const processor = newProcessor();
    const outcomes = feed(processor, message(icp, keys[0]!), message(rot, keys[1]!));
    expect(accepted(outcomes, icp.said)).toBe(true);
    expect(outcomes.find((o) => 'said' in o && o.said === rot.said)?.kind).toBe('rejected');
    expect(processor.context.state(icp.said)?.sn).toBe(0n);
  });
});

/** keripy's report for a stream, through the library as `keri kel verify` runs it. */
async function verify(...messages: Uint8Array[]) {
  dumpForKeripy(messages);
  const validator = new StreamValidator(
    new EventProcessor({ store: new MemoryStore(), crypto, clock: new ManualClock() }),
  );
  for (const message of messages) await validator.push(message);
  return validator.end();
}

/**
 * With KESTREL_FINDINGS_DUMP=DIR, each test's stream is also written to DIR, so that keripy can be
 * run on the same bytes (`scripts/keripy-oracle/oracle.py`) when a test is written or checked.
 */
function dumpForKeripy(messages: readonly Uint8Array[]): void {
  const directory = process.env.KESTREL_FINDINGS_DUMP;
  if (!directory) return;
  const name = (expect.getState().currentTestName ?? 'stream').replace(/[^A-Za-z0-9]+/g, '-');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, `${name.slice(0, 120)}.cesr`), Buffer.concat(messages));
}

describe('escrow counts as keripy reports them', () => {
  it("count escrowed events that came with a -G couple under keripy's udes", async () => {
    // keripy keeps the seal source couple of every event it escrows (out of order, partially
    // signed or witnessed, delegation) in its udes table, keyed by the event.
    const tor = new TestIdentifier(crypto, { label: 'differential/udes/tor' });
    const torIcp = tor.incept();
    const dee = new TestIdentifier(crypto, {
      label: 'differential/udes/dee',
      delegator: tor.prefix,
    });
    const dip = dee.incept({ sourceSeal: { sn: 1n, said: 'E'.padEnd(44, 'A') } });
    const report = await verify(torIcp.message, dip.message);
    // keripy 1.3.6 on these bytes: {"pdes": 1, "udes": 1}, the dip waiting for its approval.
    expect(report.escrows).toEqual({ pdes: 1, udes: 1 });
    expect(report.not_accepted.map((e) => e.why)).toEqual(['delegation']);
  });

  it('do not count a -G couple keripy forgot: one naming a delegator event that does not anchor', async () => {
    // The first dip's couple names the delegator's ixn 1, which exists and anchors nothing:
    // keripy nullifies that couple (and searches the delegator's KEL instead). The second dip's
    // couple names an sn the delegator has not reached: keripy keeps it.
    const tor = new TestIdentifier(crypto, { label: 'differential/udes2/tor' });
    const icp = tor.incept();
    const ixn1 = tor.interact();
    const dee = new TestIdentifier(crypto, {
      label: 'differential/udes2/dee',
      delegator: tor.prefix,
    });
    const dip = dee.incept({ sourceSeal: { sn: 1n, said: ixn1.event.said } });
    const dee2 = new TestIdentifier(crypto, {
      label: 'differential/udes2/dee2',
      delegator: tor.prefix,
    });
    const dip2 = dee2.incept({ sourceSeal: { sn: 2n, said: 'E'.padEnd(44, 'A') } });
    const report = await verify(icp.message, ixn1.message, dip.message, dip2.message);
    // keripy 1.3.6 on these bytes: {"pdes": 2, "udes": 1}.
    expect(report.escrows).toEqual({ pdes: 2, udes: 1 });
  });

  it('count receipts of a partially witnessed event as keripy does after its escrow pass', async () => {
    // keripy moves receipt couples of an event in its partially witnessed escrow onto the event
    // when the receipter is one of its witnesses; a couple from anyone else stays in ures.
    const id = new TestIdentifier(crypto, {
      label: 'differential/pwes',
      witnessCount: 3,
      witnessThreshold: 3,
    });
    const icp = id.incept({ receipts: 0 });
    const outsider = testKey(crypto, 'differential/pwes/watcher', false);
    const rct = messagize(receipt(digest, { prefix: id.prefix, sn: 0, said: icp.event.said }).raw, [
      receiptCouples([
        id.receiptCouple(icp.event, 0),
        {
          prefix: outsider.publicKey,
          signature: signUnindexed(crypto, outsider.seed, icp.event.raw),
        },
      ]),
    ]);
    const report = await verify(icp.message, rct);
    // keripy 1.3.6 on these bytes: {"pwes": 1, "ures": 1}.
    expect(report.escrows).toEqual({ pwes: 1, ures: 1 });
    expect(report.not_accepted.map((e) => e.why)).toEqual(['partially_witnessed']);
  });
});

describe('two events waiting at one sn, one with receipts that came before it', () => {
  it('the one complete on its own is accepted first, as in keripy', async () => {
    // Both rotations at sn 1 arrive before the inception. rotA's witness receipt came apart (an
    // rct before it); rotB carries its witness signature. keripy retries both from its
    // out-of-order escrow with what each carried: rotA waits for its witness, rotB is accepted,
    // and rotA's receipt, moved onto it later in the pass, comes too late: rotA is likely
    // duplicitous. Kestrel used to take rotA's early receipt at once and accept rotA.
    const keys = keyGenerations('differential/race/ctl');
    const other = testKey(crypto, 'differential/race/ctl/other');
    const witness = testKey(crypto, 'differential/race/wit', false);
    const icp = inception(keys, { witnesses: [witness.publicKey], witnessThreshold: 1 });
    const rotation = (next: TestKey) =>
      rotate(digest, {
        prefix: icp.said,
        prior: icp.said,
        sn: 1,
        keys: [keys[1]!.publicKey],
        nextKeyDigests: [next.nextDigest],
        witnesses: [witness.publicKey],
        witnessThreshold: 1,
      });
    const rotA = rotation(keys[0]!);
    const rotB = rotation(other);
    const earlyReceipt = receiptMessage(rotA, [
      receiptCouples([
        { prefix: witness.publicKey, signature: signUnindexed(crypto, witness.seed, rotA.raw) },
      ]),
    ]);
    const report = await verify(
      earlyReceipt,
      signed(rotA, keys[1]!),
      signed(rotB, keys[1]!, witness),
      signed(icp, keys[0]!, witness),
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message, or once at the end):
    // rotB accepted, rotA likely duplicitous.
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([icp.said, rotB.said]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [rotA.said, 'likely_duplicitous'],
    ]);
  });
});

describe('the report reads sn as keripy does', () => {
  it("names where an event with s written ' 2 ' waits, with its sn", async () => {
    // keripy reads s with Python's int(s, 16): spaces and underscores are fine. The event was
    // escrowed here too, but the report, reading s as plain hex, said it was dropped.
    const id = new TestIdentifier(crypto, { label: 'differential/sn-text' });
    const icp = id.incept();
    const built = interact(digest, { prefix: id.prefix, prior: id.prefix, sn: 2 });
    const { sad, raw } = saidify(
      { ...built.sad, s: ' 2 ', d: '' },
      { protocol: 'KERI', kind: 'JSON', labels: { d: 'E' } },
      digest,
    );
    const ixn = signed({ raw } as BuiltMessage, id.currentKeys[0]!);
    const report = await verify(icp.message, ixn);
    // keripy 1.3.6: out of order at sn 2.
    expect(report.not_accepted).toEqual([{ said: sad.d, sn: 2, ilk: 'ixn', why: 'out_of_order' }]);
    expect(report.escrows).toEqual({ ooes: 1 });
  });
});

describe('escrowed events judged again when the key state passes their sn', () => {
  it('a rotation waiting for witnesses is refused as the recovery it became', async () => {
    // rotA (sn 1) adds a witness with bt 1 and waits for its receipt. An interaction is then
    // accepted at sn 1, so rotA can only be a recovery rotation, and a recovery keeps the
    // witnesses in force (none here): bt 1 is invalid and keripy drops rotA on its next escrow
    // pass. Kestrel retried rotA only when a receipt came, or at the end, where after the
    // rotation at sn 2 it was a conflict and kept as duplicity evidence.
    const keys = keyGenerations('differential/rejudge/ctl');
    const witness = testKey(crypto, 'differential/rejudge/wit', false);
    const icp = inception(keys);
    const rotA = singleKeyRotation(keys, icp, icp, 1, {
      witnesses: [],
      adds: [witness.publicKey],
      witnessThreshold: 1,
    });
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const rot2 = singleKeyRotation(keys, icp, ixn, 2);
    const report = await verify(
      signed(icp, keys[0]!),
      signed(rotA, keys[1]!),
      signed(ixn, keys[0]!),
      signed(rot2, keys[1]!),
    );
    // keripy 1.3.6 on these bytes, processing its escrows after each message: rotA dropped, no
    // escrow left. (Processing them once after the whole stream, it meets rotA only after rot2
    // and parks it as likely duplicitous.)
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([
      icp.said,
      ixn.said,
      rot2.said,
    ]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([[rotA.said, 'dropped']]);
    expect(report.escrows).toEqual({});
    expect(report.duplicity).toEqual([]);
  });
});

describe('a superseded interaction that comes again', () => {
  it("is counted in keripy's likely-duplicitous escrow, where keripy parks it", async () => {
    // ixn 1 is superseded by a recovery rotation at sn 1 and stays in the first-seen list; a
    // second copy of it is a different event at an sn now held by the rotation: keripy parks it
    // in ldes. Kestrel keeps it as duplicity evidence and did not count it, the event being in
    // its first-seen list.
    const keys = keyGenerations('differential/again/ctl');
    const icp = inception(keys);
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const rot = singleKeyRotation(keys, icp, icp, 1);
    const report = await verify(
      signed(icp, keys[0]!),
      signed(ixn, keys[0]!),
      signed(rot, keys[1]!),
      signed(ixn, keys[0]!),
    );
    // keripy 1.3.6 on these bytes: the three events in first-seen order, {"ldes": 1}.
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([
      icp.said,
      ixn.said,
      rot.said,
    ]);
    expect(report.not_accepted).toEqual([]);
    expect(report.escrows).toEqual({ ldes: 1 });
  });
});

describe('a delegated event retried from the out-of-order escrow', () => {
  it('is retried without the -G couple it came with, as keripy retries it', async () => {
    // The drt names a delegator event at sn 5 in its -G couple and arrives before its dip.
    // keripy's out-of-order retry passes no couple: the drt then waits for its delegation
    // without one (keripy searches the delegator's KEL for the anchor) and the couple is
    // forgotten, so keripy's udes holds nothing for it.
    const tor = new TestIdentifier(crypto, { label: 'differential/ooo-g/tor' });
    const torIcp = tor.incept();
    const dee = new TestIdentifier(crypto, {
      label: 'differential/ooo-g/dee',
      delegator: tor.prefix,
    });
    const dip = dee.incept({ sourceSeal: { sn: 1n, said: 'E'.padEnd(44, 'A') } });
    const anchorDip = tor.interact([{ i: dee.prefix, s: '0', d: dee.said }]);
    const drt = dee.rotate([], { sourceSeal: { sn: 5n, said: 'E'.padEnd(44, 'B') } });
    const report = await verify(torIcp.message, drt.message, anchorDip.message, dip.message);
    // keripy 1.3.6 on these bytes: the dip accepted, the drt waiting for its delegation,
    // {"pdes": 1}.
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [drt.event.said, 'delegation'],
    ]);
    expect(report.escrows).toEqual({ pdes: 1 });
  });
});

describe('a damaged copy of an accepted event', () => {
  it('that still names the SAID of the event is not reported as a second event not accepted', async () => {
    // A byte of the copy's prefix is changed: the copy fails its SAID check, but names the
    // accepted inception's SAID. keripy lists events by SAID: the event is accepted, and nothing
    // is left unaccepted. Kestrel listed the copy as dropped as well.
    const id = new TestIdentifier(crypto, { label: 'differential/damaged-copy' });
    const icp = id.incept();
    const damaged = icp.message.slice();
    const at = new TextDecoder().decode(damaged).indexOf('"i":"') + 10;
    damaged[at] = damaged[at] === 0x41 ? 0x42 : 0x41;
    const report = await verify(icp.message, damaged);
    // keripy 1.3.6 on these bytes: the inception accepted, nothing else.
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[id.prefix]?.kel.map((e) => e.said)).toEqual([icp.event.said]);
    expect(report.not_accepted).toEqual([]);
    expect(report.errors.some((e) => e.includes('Invalid SAID'))).toBe(true);
  });

  it('of an event that waits out of order is not reported as dropped either', async () => {
    // The same damage on an interaction that waits for its inception: keripy lists the SAID
    // once, waiting out of order. Kestrel listed it twice, the damaged copy as dropped.
    const id = new TestIdentifier(crypto, { label: 'differential/damaged-waiting' });
    id.incept();
    const ixn = id.interact();
    const damaged = ixn.message.slice();
    const at = new TextDecoder().decode(damaged).indexOf('"i":"') + 10;
    damaged[at] = damaged[at] === 0x41 ? 0x42 : 0x41;
    const report = await verify(ixn.message, damaged);
    // keripy 1.3.6 on these bytes: {"ooes": 1}, the SAID of the interaction out of order.
    expect(report.not_accepted).toEqual([
      { said: ixn.event.said, sn: 1, ilk: 'ixn', why: 'out_of_order' },
    ]);
    expect(report.escrows).toEqual({ ooes: 1 });
  });
});

describe("a delegation's anchor, found by searching, after the delegator adds witnesses", () => {
  it('still approves the delegated event (keripy 1.3.6 keeps it waiting: a deliberate difference)', async () => {
    // The delegator anchors the dip in ixn 1 (no witnesses then), then rotates to one witness
    // with bt 1. The dip, without a -G couple, arrives after that. keripy's search for the anchor
    // wants the anchoring event witnessed to the delegator's current bt, which ixn 1 never needed:
    // on these bytes keripy 1.3.6 keeps the dip in pdes for ever. Kestrel accepts it (see
    // docs/architecture.md, "Where Kestrel and keripy 1.3.6 differ, on purpose").
    const keys = keyGenerations('differential/fw/tor');
    const witness = testKey(crypto, 'differential/fw/wit', false);
    const icp = inception(keys);
    const dee = new TestIdentifier(crypto, { label: 'differential/fw/dee', delegator: icp.said });
    const dip = dee.incept();
    const ixn = interact(digest, {
      prefix: icp.said,
      prior: icp.said,
      sn: 1,
      data: [{ i: dee.prefix, s: '0', d: dee.said }],
    });
    const rot = singleKeyRotation(keys, icp, ixn, 2, {
      witnesses: [],
      adds: [witness.publicKey],
      witnessThreshold: 1,
    });
    const report = await verify(
      signed(icp, keys[0]!),
      signed(ixn, keys[0]!),
      signed(rot, keys[1]!, witness),
      dip.message,
    );
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[dee.prefix]?.kel.map((e) => e.said)).toEqual([dee.prefix]);
    expect(report.escrows).toEqual({});
  });
});

describe('two delegated rotations at one sn let in by one arrival', () => {
  it('the one that arrived first is judged first, as in keripy, not the one anchored first', async () => {
    // The delegate's two rotations at sn 1 (the same new keys, different next keys) both arrive
    // before the delegator's KEL is complete: drtA first, anchored in the delegator's ixn 3,
    // then drtB, anchored in ixn 2. The delegator's ixn 1 comes last and lets everything in.
    // keripy's escrow passes take every out-of-order event before any delegation: the
    // delegator's KEL is complete before the dip is approved, and then the two rotations are
    // judged in the order they arrived, so drtA is accepted and drtB, judged against drtA's
    // next keys, waits as partially signed. Kestrel took the retries in the order they became
    // due, approved drtB as soon as ixn 2 was in, and so kept the other one.
    const { torKeys, deeKeys, torIcp, dip, drtA, drtB, anchors } =
      twoDelegatedRotations('differential/cascade');
    const report = await verify(
      signed(torIcp, torKeys[0]!),
      signed(dip, deeKeys[0]!),
      signed(drtA, deeKeys[1]!),
      signed(drtB, deeKeys[1]!),
      anchors[1]!,
      anchors[2]!,
      anchors[0]!,
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message): drtA accepted, drtB
    // partially signed, {"pses": 1}.
    expect(report.accepted[dip.said]?.kel.map((e) => e.said)).toEqual([dip.said, drtA.said]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [drtB.said, 'partially_signed'],
    ]);
    expect(report.escrows).toEqual({ pses: 1 });
  });
});

describe('receipts that came before a recovery rotation', () => {
  it('are kept when an interaction takes its sn first, and carry the rotation in', async () => {
    // ixn 1 and a recovery rotation at sn 1 (built on the inception, raising bt to 2) arrive
    // before the inception; the rotation carries one witness's signature, and the other
    // witness's receipt came apart, before everything. When the inception is in, ixn 1 is
    // accepted, then the rotation waits for its second witness. keripy then moves the early
    // receipt onto it (the event is in its partially witnessed escrow, whatever holds sn 1) and
    // accepts it, superseding ixn 1. Kestrel dropped the receipt as stale when ixn 1 took sn 1.
    const keys = keyGenerations('differential/early-receipt/ctl');
    const witnesses = [0, 1].map((i) =>
      testKey(crypto, `differential/early-receipt/wit/${i}`, false),
    );
    const prefixes = witnesses.map((w) => w.publicKey);
    const icp = inception(keys, { witnesses: prefixes, witnessThreshold: 1 });
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const rot = singleKeyRotation(keys, icp, icp, 1, { witnesses: prefixes, witnessThreshold: 2 });
    const withWitness = (event: BuiltMessage, signer: TestKey, index: number) =>
      messagize(event.raw, [
        controllerSignatures([sign(signer, event)]),
        witnessSignatures([sign(witnesses[index]!, event, index)]),
      ]);
    const earlyReceipt = receiptMessage(rot, [
      receiptCouples([
        { prefix: prefixes[0]!, signature: signUnindexed(crypto, witnesses[0]!.seed, rot.raw) },
      ]),
    ]);
    const report = await verify(
      earlyReceipt,
      withWitness(ixn, keys[0]!, 1),
      withWitness(rot, keys[1]!, 1),
      withWitness(icp, keys[0]!, 0),
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message, or once at the end):
    // the rotation accepted after ixn 1 (first-seen order), superseding it; nothing escrowed.
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([
      icp.said,
      ixn.said,
      rot.said,
    ]);
    expect(report.accepted[icp.said]?.state.d).toBe(rot.said);
    expect(report.escrows).toEqual({});
  });
});

describe('a conflicting interaction above a recovery rotation', () => {
  it('is out of order once the recovery takes the key state below it, as in keripy', async () => {
    // ixn 3 and another ixn 3 on the same ixn 2, both signed by the current key: the second is
    // duplicity evidence (keripy parks it in its likely-duplicitous escrow). Then a rotation at
    // sn 1 recovers, superseding ixns 1 to 3. keripy judges its parked event again on the next
    // pass: sn 3 is now out of order, and it waits there. Kestrel kept the evidence and also
    // escrows the event out of order, where keripy has it.
    const keys = keyGenerations('differential/evidence-above/ctl');
    const icp = inception(keys);
    const interactions: BuiltMessage[] = [];
    let prior = icp.said;
    for (let sn = 1; sn <= 3; sn++) {
      interactions.push(interact(digest, { prefix: icp.said, prior, sn }));
      prior = interactions.at(-1)!.said;
    }
    const conflicting = interact(digest, {
      prefix: icp.said,
      prior: interactions[1]!.said,
      sn: 3,
      data: [{ d: `E${'A'.repeat(43)}` }],
    });
    const recovery = singleKeyRotation(keys, icp, icp, 1);
    const report = await verify(
      signed(icp, keys[0]!),
      ...interactions.map((ixn) => signed(ixn, keys[0]!)),
      signed(conflicting, keys[0]!),
      signed(recovery, keys[1]!),
    );
    // keripy 1.3.6 on these bytes: the recovery accepted, the other ixn 3 out of order,
    // {"ooes": 1}.
    expect(report.accepted[icp.said]?.state.d).toBe(recovery.said);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [conflicting.said, 'out_of_order'],
    ]);
    expect(report.escrows).toEqual({ ooes: 1 });
    expect(report.duplicity.map((d) => d.conflicting)).toEqual([conflicting.said]);
  });
});

describe('a recovery rotation waiting for witnesses, and a rotation on the event it supersedes', () => {
  it('the recovery is judged before the later rotation, as keripy sweeps its escrows', async () => {
    // ixn 1 and a recovery rotation at sn 1 both wait for their witness (its receipts came
    // apart, first); rot 2 is built on ixn 1 and carries its witness's signature. All arrive
    // before the inception. keripy's sweep then takes sn 1's events from its out-of-order escrow
    // into its partially witnessed one, moves the receipts onto them and accepts ixn 1, then the
    // recovery, in that one pass; rot 2 waits for the next pass over the out-of-order escrow and
    // finds the recovery there. Kestrel took rot 2 as soon as ixn 1 was in, before the recovery.
    const keys = keyGenerations('differential/sweep/ctl');
    const other = testKey(crypto, 'differential/sweep/ctl/other');
    const witness = testKey(crypto, 'differential/sweep/wit', false);
    const icp = inception(keys, { witnesses: [witness.publicKey], witnessThreshold: 1 });
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const rotation = (prior: BuiltMessage, sn: number, signer: TestKey, next: TestKey) =>
      rotate(digest, {
        prefix: icp.said,
        prior: prior.said,
        sn,
        keys: [signer.publicKey],
        nextKeyDigests: [next.nextDigest],
        witnesses: [witness.publicKey],
        witnessThreshold: 1,
      });
    const recovery = rotation(icp, 1, keys[1]!, keys[2]!);
    const later = rotation(ixn, 2, keys[1]!, other);
    const receiptApart = (event: BuiltMessage) =>
      messagize(
        receipt(digest, { prefix: icp.said, sn: Number(event.sad.s), said: event.said }).raw,
        [
          receiptCouples([
            {
              prefix: witness.publicKey,
              signature: signUnindexed(crypto, witness.seed, event.raw),
            },
          ]),
        ],
      );
    const report = await verify(
      receiptApart(ixn),
      receiptApart(recovery),
      signed(ixn, keys[0]!),
      signed(recovery, keys[1]!),
      signed(later, keys[1]!, witness),
      signed(icp, keys[0]!, witness),
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message): the recovery accepted
    // after ixn 1, rot 2 dropped (its prior is no longer the event at sn 1).
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([
      icp.said,
      ixn.said,
      recovery.said,
    ]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([[later.said, 'dropped']]);
  });
});

describe('an interaction of an establishment-only KEL, conflicting with its rotation', () => {
  it('is dropped, not held as duplicity evidence: no interaction of such a KEL is an event', async () => {
    // Found with a delegation chain: the EO delegate's drt 1 was accepted at once while keripy
    // still waited for its anchor, and judged the ixn 1 that came next in order, refusing it.
    // Kestrel met the same ixn as a conflict and kept it as evidence, since its key signed it.
    const keys = keyGenerations('differential/eo-conflict/ctl');
    const icp = inception(keys, { config: ['EO'] });
    const rot = singleKeyRotation(keys, icp, icp, 1);
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const report = await verify(
      signed(icp, keys[0]!),
      signed(rot, keys[1]!),
      signed(ixn, keys[0]!),
    );
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([icp.said, rot.said]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([[ixn.said, 'dropped']]);
    expect(report.duplicity).toEqual([]);
    // In order, keripy 1.3.6 refuses it too (an interaction of an establishment-only KEL).
    const inOrder = await verify(signed(icp, keys[0]!), signed(ixn, keys[0]!));
    expect(inOrder.not_accepted.map((e) => [e.said, e.why])).toEqual([[ixn.said, 'dropped']]);
  });
});

describe('receipts that came before a recovery rotation that cuts witnesses', () => {
  // keripy 1.3.6 judges a recovery rotation against the witnesses in force (Kever.deriveBacks
  // ignores its cuts and adds), but places a receipt couple kept for it at the receipter's
  // position in the list after the cuts and adds (`_processEscrowFindUnver`). The couple, now an
  // indexed signature, verifies only where the two positions agree.
  const keys = keyGenerations('differential/recovery-cut/ctl');
  const witnesses = [0, 1].map((i) => testKey(crypto, `differential/recovery-cut/wit/${i}`, false));
  const prefixes = witnesses.map((w) => w.publicKey);
  const icp = inception(keys, { witnesses: prefixes, witnessThreshold: 1 });
  const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
  const withWitness = (event: BuiltMessage, signer: TestKey) =>
    messagize(event.raw, [
      controllerSignatures([sign(signer, event)]),
      witnessSignatures([sign(witnesses[0]!, event, 0)]),
    ]);
  /** The stream: a recovery rotation cutting `cut`, and `receipter`'s couple for it, first. */
  const stream = (cut: number, receipter: number) => {
    const rot = singleKeyRotation(keys, icp, icp, 1, {
      witnesses: prefixes,
      cuts: [prefixes[cut]!],
      witnessThreshold: 1,
    });
    const couple = receiptMessage(rot, [
      receiptCouples([
        {
          prefix: prefixes[receipter]!,
          signature: signUnindexed(crypto, witnesses[receipter]!.seed, rot.raw),
        },
      ]),
    ]);
    const rotation = messagize(rot.raw, [controllerSignatures([sign(keys[1]!, rot)])]);
    return {
      rot,
      messages: [couple, withWitness(ixn, keys[0]!), rotation, withWitness(icp, keys[0]!)],
    };
  };

  it('do not count when the receipter moves in the list: the rotation waits for witnesses', async () => {
    // The rotation cuts witness 0; witness 1's couple is placed at 0 and checked against witness 0.
    const { rot, messages } = stream(0, 1);
    const report = await verify(...messages);
    // keripy 1.3.6 on these bytes: ixn 1 stays accepted, the rotation waits for witnesses.
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([icp.said, ixn.said]);
    expect(report.not_accepted).toEqual([
      { said: rot.said, sn: 1, ilk: 'rot', why: 'partially_witnessed' },
    ]);
    expect(report.escrows).toEqual({ pwes: 1 });
  });

  it('from a receipter not in the list after the cuts are dropped, not kept', async () => {
    // keripy looks for a couple's receipter in that list; not there, it takes the couple for a
    // receipt of the event accepted at its sn, the superseded interaction, and drops it as one
    // of another event. (A couple kept for an event that is not a recovery stays in `ures`.)
    const { rot, messages } = stream(0, 1);
    const stranger = testKey(crypto, 'differential/recovery-cut/stranger', false);
    const strangers = receiptMessage(rot, [
      receiptCouples([
        { prefix: stranger.publicKey, signature: signUnindexed(crypto, stranger.seed, rot.raw) },
      ]),
    ]);
    const report = await verify(strangers, ...messages);
    // keripy 1.3.6 on these bytes: the rotation waits for witnesses, no receipt kept.
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [rot.said, 'partially_witnessed'],
    ]);
    expect(report.escrows).toEqual({ pwes: 1 });
  });

  /**
   * A recovery rotation cutting witness `cut` and adding two more, with no witness signature of
   * its own: the witness signatures `early` makes for it come first, in an rct.
   */
  const recoveryAddingWitnesses = (
    cut: number,
    early: (rot: BuiltMessage, more: readonly TestKey[]) => ReturnType<typeof sign>[],
  ) => {
    const more = [0, 1].map((i) => testKey(crypto, `differential/recovery-cut/more/${i}`, false));
    const rot = singleKeyRotation(keys, icp, icp, 1, {
      witnesses: prefixes,
      cuts: [prefixes[cut]!],
      adds: more.map((w) => w.publicKey),
      witnessThreshold: 1,
    });
    const messages = [
      receiptMessage(rot, [witnessSignatures(early(rot, more))]),
      withWitness(icp, keys[0]!),
      withWitness(ixn, keys[0]!),
      messagize(rot.raw, [controllerSignatures([sign(keys[1]!, rot)])]),
    ];
    return { rot, messages };
  };
  /** keripy 1.3.6 on such bytes: ixn 1 stays, the rotation is dropped, nothing escrowed. */
  const expectRotationDropped = (report: Awaited<ReturnType<typeof verify>>, rot: BuiltMessage) => {
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([icp.said, ixn.said]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([[rot.said, 'dropped']]);
    expect(report.escrows).toEqual({});
  };

  it('beyond the witnesses in force make the rotation fail once moved onto it', async () => {
    // The rotation cuts witness 0 and adds two more; the second one's indexed signature (index 2
    // in the list after the cuts and adds) came before it. keripy moves it onto the rotation
    // waiting for witnesses, then judges the rotation against the two witnesses in force: index 2
    // is beyond that list, and keripy drops the rotation. Kestrel left the signature out, and kept
    // the rotation waiting for witnesses.
    const { rot, messages } = recoveryAddingWitnesses(0, (rot, more) => [sign(more[1]!, rot, 2)]);
    expectRotationDropped(await verify(...messages), rot);
  });

  it('beyond the witnesses in force make the rotation fail even beside one that counts', async () => {
    // The rotation cuts witness 1 and adds two more: witness 0 keeps index 0, and the second new
    // one's signature at index 2 is beyond the two witnesses in force. Both came before the
    // rotation, which carries none. keripy has it wait for witnesses, moves both onto it, and
    // drops it on the second. Kestrel judged it at once with the first and accepted it.
    const { rot, messages } = recoveryAddingWitnesses(1, (rot, more) => [
      sign(witnesses[0]!, rot, 0),
      sign(more[1]!, rot, 2),
    ]);
    expectRotationDropped(await verify(...messages), rot);
  });

  it('count when the receipter keeps its position: the rotation supersedes the interaction', async () => {
    const { rot, messages } = stream(1, 0);
    const report = await verify(...messages);
    // keripy 1.3.6 on these bytes: the rotation accepted after ixn 1, superseding it.
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([
      icp.said,
      ixn.said,
      rot.said,
    ]);
    expect(report.escrows).toEqual({});
  });
});

describe('a conflicting interaction just above a recovery rotation', () => {
  it('is judged in order against the recovered state and dropped, as keripy drops it', async () => {
    // ixn 2 and another ixn 2 on the same ixn 1, all signed by the current key, another ixn 1,
    // and a third ixn 2 on that one: the others are duplicity evidence (keripy parks them in its
    // likely-duplicitous escrow; Kestrel also waits with the third, which follows a branch this
    // KEL does not have, for a recovery). Then a rotation at sn 1 recovers, superseding ixns 1
    // and 2. keripy judges its parked events again on the next pass: the other ixn 1 still
    // conflicts (it stays), the other ixns 2 are now in order and their prior is not the
    // recovery: keripy drops them. Kestrel keeps the records of evidence, and reports the events
    // as keripy does.
    const keys = keyGenerations('differential/evidence-next/ctl');
    const icp = inception(keys);
    const ixn1 = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const ixn2 = interact(digest, { prefix: icp.said, prior: ixn1.said, sn: 2 });
    const data = [{ d: `E${'A'.repeat(43)}` }];
    const other1 = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1, data });
    const other2 = interact(digest, { prefix: icp.said, prior: ixn1.said, sn: 2, data });
    const third2 = interact(digest, { prefix: icp.said, prior: other1.said, sn: 2 });
    const recovery = singleKeyRotation(keys, icp, icp, 1);
    const report = await verify(
      signed(icp, keys[0]!),
      signed(ixn1, keys[0]!),
      signed(ixn2, keys[0]!),
      signed(other1, keys[0]!),
      signed(other2, keys[0]!),
      signed(third2, keys[0]!),
      signed(recovery, keys[1]!),
    );
    // keripy 1.3.6 on these bytes: the recovery accepted, the other ixn 1 likely duplicitous,
    // the other ixns 2 dropped, {"ldes": 1}.
    expect(report.accepted[icp.said]?.state.d).toBe(recovery.said);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [other1.said, 'likely_duplicitous'],
      [other2.said, 'dropped'],
      [third2.said, 'dropped'],
    ]);
    expect(report.escrows).toEqual({ ldes: 1 });
    expect(report.duplicity.map((d) => d.conflicting).sort()).toEqual(
      [other1.said, other2.said, third2.said].sort(),
    );
  });
});

describe("a witness's indexed signature that came before a recovery rotation", () => {
  it('outlives the interaction that takes its sn first, and carries the rotation in', async () => {
    // keripy keeps a witness's indexed signature that came in a receipt before its event
    // (`uwes`) and looks for the event only among those waiting for witnesses, never in the KEL:
    // an interaction accepted at its sn does not make it stale, as it makes a couple stale. When
    // the recovery rotation arrives and waits for its witness, keripy moves the signature onto it
    // and accepts it. Kestrel dropped the signature when the interaction was accepted.
    const keys = keyGenerations('differential/early-wig/ctl');
    const witness = testKey(crypto, 'differential/early-wig/wit', false);
    const icp = inception(keys, { witnesses: [witness.publicKey], witnessThreshold: 1 });
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const rot = singleKeyRotation(keys, icp, icp, 1, {
      witnesses: [witness.publicKey],
      witnessThreshold: 1,
    });
    const earlySignature = receiptMessage(rot, [witnessSignatures([sign(witness, rot, 0)])]);
    const report = await verify(
      earlySignature,
      signed(icp, keys[0]!, witness),
      signed(ixn, keys[0]!, witness),
      messagize(rot.raw, [controllerSignatures([sign(keys[1]!, rot)])]),
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message): the rotation accepted
    // after ixn 1, superseding it; nothing escrowed.
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([
      icp.said,
      ixn.said,
      rot.said,
    ]);
    expect(report.escrows).toEqual({});
  });
});

describe('a delegated rotation without a source seal couple, retried out of order', () => {
  it('waits for the delegation sweep, and an interaction retried in between takes its sn first', async () => {
    // The delegate's drt 1 (no -G couple) and an ixn 1 arrive before its inception; the dip and
    // the drt are anchored in the delegator's ixn 1, which comes last. keripy searches a
    // delegator's KEL for an anchor only when it retries its partially signed, partially
    // witnessed or delegation escrows: its out-of-order pass escrows the drt for delegation and
    // goes on to accept ixn 1; its delegation pass then finds the drt's anchor, and the drt
    // supersedes ixn 1. Kestrel searched at once and accepted the drt first, so ixn 1 became
    // duplicity evidence.
    const torKeys = keyGenerations('differential/search-later/tor');
    const deeKeys = keyGenerations('differential/search-later/dee');
    const torIcp = inception(torKeys);
    const dip = inception(deeKeys, { delegator: torIcp.said });
    const drt = delegatedRotation(dip, deeKeys, deeKeys[2]!);
    const ixn = interact(digest, { prefix: dip.said, prior: dip.said, sn: 1 });
    const anchoring = interact(digest, {
      prefix: torIcp.said,
      prior: torIcp.said,
      sn: 1,
      data: [sealOf(dip), sealOf(drt)],
    });
    const report = await verify(
      signed(torIcp, torKeys[0]!),
      signed(drt, deeKeys[1]!),
      signed(ixn, deeKeys[0]!),
      signed(dip, deeKeys[0]!),
      signed(anchoring, torKeys[0]!),
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message, or once at the end):
    // ixn 1 accepted, then the drt superseding it; nothing escrowed.
    expect(report.accepted[dip.said]?.kel.map((e) => e.said)).toEqual([
      dip.said,
      ixn.said,
      drt.said,
    ]);
    expect(report.escrows).toEqual({});
    expect(report.duplicity).toEqual([]);
  });
});

describe('witness signatures moved onto a delegated rotation waiting for witnesses', () => {
  it('make it fail once another rotation takes its sn with fewer witnesses, as in keripy', async () => {
    // The delegate's drtA (adding a second witness) and drtB (keeping the one) both wait for the
    // dip; drtA's two witness signatures came before it, apart. When the delegator's anchor lets
    // the dip in, keripy's out-of-order pass puts drtA in its partially witnessed escrow and drtB
    // in its delegation escrow (no -G couple); its receipt pass moves the two signatures onto
    // drtA; its delegation pass accepts drtB; its partially witnessed pass then judges drtA as a
    // rotation at drtB's sn, against drtB's one witness, and the signature at index 1 makes
    // keripy drop it (an index beyond the witnesses fails the event). Kestrel left the early
    // signatures apart from the event, left the one beyond the list out, and kept drtA waiting
    // for signatures.
    const torKeys = keyGenerations('differential/moved-wigs/tor');
    const deeKeys = keyGenerations('differential/moved-wigs/dee');
    const other = testKey(crypto, 'differential/moved-wigs/dee/other');
    const witnesses = [0, 1].map((i) => testKey(crypto, `differential/moved-wigs/wit/${i}`, false));
    const prefixes = witnesses.map((w) => w.publicKey);
    const torIcp = inception(torKeys);
    const dip = inception(deeKeys, {
      delegator: torIcp.said,
      witnesses: [prefixes[0]!],
      witnessThreshold: 1,
    });
    const witnessChange = (adds: string[]) => ({
      witnesses: [prefixes[0]!],
      adds,
      witnessThreshold: 1,
    });
    const drtA = delegatedRotation(dip, deeKeys, deeKeys[2]!, witnessChange([prefixes[1]!]));
    const drtB = delegatedRotation(dip, deeKeys, other, witnessChange([]));
    const anchoring = interact(digest, {
      prefix: torIcp.said,
      prior: torIcp.said,
      sn: 1,
      data: [sealOf(dip), sealOf(drtA), sealOf(drtB)],
    });
    const earlySignatures = receiptMessage(drtA, [
      witnessSignatures([sign(witnesses[0]!, drtA, 0), sign(witnesses[1]!, drtA, 1)]),
    ]);
    const report = await verify(
      signed(torIcp, torKeys[0]!),
      earlySignatures,
      messagize(drtA.raw, [controllerSignatures([sign(deeKeys[1]!, drtA)])]),
      signed(drtB, deeKeys[1]!, witnesses[0]),
      signed(dip, deeKeys[0]!, witnesses[0]),
      signed(anchoring, torKeys[0]!),
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message): drtB accepted, drtA
    // dropped, nothing escrowed.
    expect(report.accepted[dip.said]?.kel.map((e) => e.said)).toEqual([dip.said, drtB.said]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([[drtA.said, 'dropped']]);
    expect(report.escrows).toEqual({});
  });
});

describe('receipts that came before an event whose sn another event takes', () => {
  it('are dropped once that event is accepted, even while theirs waits in another escrow', async () => {
    // A transferable receipt (-F) and a non-witness's couple for a rotation at sn 1 come first;
    // then an ixn 1 and the rotation (signed by one of its two keys, threshold 2), before the
    // inception. When the inception is in, ixn 1 is accepted and the rotation, a recovery now,
    // waits for signatures. keripy's receipt-escrow passes then find ixn 1 in the KEL at sn 1 and
    // drop both receipts (they look for an event in the partially witnessed escrow only, which the
    // rotation is not in). Kestrel kept them while the rotation waited in any escrow.
    const keys = keyGenerations('differential/stale-kept/ctl');
    const second = testKey(crypto, 'differential/stale-kept/ctl/second');
    const receipterKeys = keyGenerations('differential/stale-kept/receipter');
    const stranger = testKey(crypto, 'differential/stale-kept/stranger', false);
    const icp = inception(keys);
    const receipterIcp = inception(receipterKeys);
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const rot = rotate(digest, {
      prefix: icp.said,
      prior: icp.said,
      sn: 1,
      keys: [keys[1]!.publicKey, second.publicKey],
      signingThreshold: 2,
      nextKeyDigests: [keys[2]!.nextDigest],
    });
    const early = receiptMessage(rot, [
      transferableSignatureGroups([
        {
          prefix: receipterIcp.said,
          sn: 0n,
          said: receipterIcp.said,
          signatures: [sign(receipterKeys[0]!, rot)],
        },
      ]),
      receiptCouples([
        { prefix: stranger.publicKey, signature: signUnindexed(crypto, stranger.seed, rot.raw) },
      ]),
    ]);
    const report = await verify(
      signed(receipterIcp, receipterKeys[0]!),
      early,
      signed(ixn, keys[0]!),
      signed(rot, keys[1]!),
      signed(icp, keys[0]!),
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message, or once at the end):
    // ixn 1 accepted, the rotation partially signed, no receipt kept: {"pses": 1}.
    expect(report.accepted[icp.said]?.kel.map((e) => e.said)).toEqual([icp.said, ixn.said]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [rot.said, 'partially_signed'],
    ]);
    expect(report.escrows).toEqual({ pses: 1 });
  });
});

describe('a transferable receipt that comes twice before its event', () => {
  it('is kept once, as keripy keeps it once', async () => {
    const keys = keyGenerations('differential/twice/ctl');
    const receipterKeys = keyGenerations('differential/twice/receipter');
    const icp = inception(keys);
    const receipterIcp = inception(receipterKeys);
    const ixn = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const early = receiptMessage(ixn, [
      transferableSignatureGroups([
        {
          prefix: receipterIcp.said,
          sn: 0n,
          said: receipterIcp.said,
          signatures: [sign(receipterKeys[0]!, ixn)],
        },
      ]),
    ]);
    const report = await verify(signed(receipterIcp, receipterKeys[0]!), early, early);
    // keripy 1.3.6 on these bytes: {"vres": 1}.
    expect(report.escrows).toEqual({ vres: 1 });
  });
});

describe('a receipt couple for an event waiting for witnesses', () => {
  it('is moved onto the event, and no longer kept when the event goes on to wait for its delegation', async () => {
    // A delegated inception with two witnesses (threshold 2) carries one witness's signature and
    // waits for the other. That witness's couple comes in an rct: keripy moves it onto the event
    // at its next receipt-escrow pass, the event is fully witnessed and waits for its delegator's
    // anchor. Kestrel kept the couple apart as well, and reported it in `ures`.
    const torKeys = keyGenerations('differential/moved-couple/tor');
    const deeKeys = keyGenerations('differential/moved-couple/dee');
    const witnesses = [0, 1].map((i) =>
      testKey(crypto, `differential/moved-couple/wit/${i}`, false),
    );
    const prefixes = witnesses.map((w) => w.publicKey);
    const torIcp = inception(torKeys);
    const dip = inception(deeKeys, {
      delegator: torIcp.said,
      witnesses: prefixes,
      witnessThreshold: 2,
    });
    const couple = receiptMessage(dip, [
      receiptCouples([
        { prefix: prefixes[1]!, signature: signUnindexed(crypto, witnesses[1]!.seed, dip.raw) },
      ]),
    ]);
    const report = await verify(
      signed(torIcp, torKeys[0]!),
      signed(dip, deeKeys[0]!, witnesses[0]),
      couple,
    );
    // keripy 1.3.6 on these bytes: the dip waits for its delegation, {"pdes": 1}.
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([[dip.said, 'delegation']]);
    expect(report.escrows).toEqual({ pdes: 1 });

    // The couple before the event: keripy first has the event wait for witnesses (its own
    // signature falls short), moves the couple onto it, then has it wait for its delegation.
    // Kestrel judged the event with the couple at once, and kept the couple apart as well.
    const before = await verify(
      signed(torIcp, torKeys[0]!),
      couple,
      signed(dip, deeKeys[0]!, witnesses[0]),
    );
    // keripy 1.3.6 on these bytes: the same, {"pdes": 1}.
    expect(before.not_accepted.map((e) => [e.said, e.why])).toEqual([[dip.said, 'delegation']]);
    expect(before.escrows).toEqual({ pdes: 1 });
  });
});

describe('delegated rotations let in by anchors that come in another order', () => {
  it('are judged in the order they came, as keripy walks its delegation escrow', async () => {
    // Two delegated recovery rotations at sn 1 (over the delegate's ixn 1) wait for their
    // delegation: drtA came first. The delegator anchors drtB in its ixn 2 and drtA in its ixn 3,
    // and ixn 3 comes before ixn 2. When ixn 2 comes, both are let in at once; keripy's delegation
    // pass walks its escrow by prefix, sn and arrival, so drtA is judged first and accepted, and
    // drtB is judged against drtA's next keys. Kestrel took them in the order their anchors were
    // accepted: drtB first, then drtA superseding it.
    const { torKeys, deeKeys, torIcp, dip, drtA, drtB, anchors } = twoDelegatedRotations(
      'differential/anchor-order',
    );
    const ixn = interact(digest, { prefix: dip.said, prior: dip.said, sn: 1 });
    const report = await verify(
      signed(torIcp, torKeys[0]!),
      signed(dip, deeKeys[0]!),
      anchors[0]!,
      signed(ixn, deeKeys[0]!),
      signed(drtA, deeKeys[1]!),
      signed(drtB, deeKeys[1]!),
      anchors[2]!,
      anchors[1]!,
    );
    // keripy 1.3.6 on these bytes (escrows processed after each message, or once at the end):
    // drtA accepted over ixn 1; drtB, judged against drtA's next keys, waits for signatures.
    expect(report.accepted[dip.said]?.kel.map((e) => e.said)).toEqual([
      dip.said,
      ixn.said,
      drtA.said,
    ]);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [drtB.said, 'partially_signed'],
    ]);
    expect(report.escrows).toEqual({ pses: 1 });
  });
});

describe('a SAID field that holds a key instead of a digest', () => {
  it('fails the SAID check (keripy 1.3.6 skips the check for it: a deliberate difference)', async () => {
    // A byte of an interaction's SAID damaged from E to D: the field now reads as an Ed25519 key.
    // keripy's Serder takes the field's own code for the digest's and only checks digest codes,
    // so it reads the copy as a well-formed event: here it drops it once its signatures fail
    // (keripy 1.3.6 on these bytes: the inception alone, nothing escrowed, no error logged);
    // out of order, it keeps it waiting (seed 950106). Kestrel refuses it for its invalid SAID.
    const id = new TestIdentifier(crypto, { label: 'differential/said-code' });
    const icp = id.incept();
    const ixn = id.interact();
    const damaged = ixn.message.slice();
    const at = new TextDecoder().decode(damaged).indexOf('"d":"') + 5;
    expect(String.fromCharCode(damaged[at]!)).toBe('E');
    damaged[at] = 'D'.charCodeAt(0);
    const report = await verify(icp.message, damaged);
    expect(report.accepted[id.prefix]?.kel.map((e) => e.said)).toEqual([icp.event.said]);
    expect(report.errors.some((e) => e.includes('Invalid SAID'))).toBe(true);
    expect(report.escrows).toEqual({});
  });
});

describe('a conflicting event that came with witness signatures, accepted after a recovery', () => {
  it('waits for its witnesses again: keripy keeps no witness signatures with it', async () => {
    // ixn 1 and ixn 2 are accepted, witnessed. An ixn 2 that follows a recovery rotation at sn 1,
    // signed by the rotated key and by the witness, arrives before that rotation: it conflicts
    // with ixn 2 and follows an event this KEL does not have, so it waits in the
    // likely-duplicitous escrow. keripy keeps only its controller signatures there, and retries
    // it with those alone: once the recovery is in, the interaction waits for its witness.
    // Kestrel kept its witness signature with it and accepted it (seed 1100565).
    const keys = keyGenerations('differential/ldes-wigs/ctl');
    const witness = testKey(crypto, 'differential/ldes-wigs/wit', false);
    const icp = inception(keys, { witnesses: [witness.publicKey], witnessThreshold: 1 });
    const ixn1 = interact(digest, { prefix: icp.said, prior: icp.said, sn: 1 });
    const ixn2 = interact(digest, { prefix: icp.said, prior: ixn1.said, sn: 2 });
    const recovery = singleKeyRotation(keys, icp, icp, 1, {
      witnesses: [witness.publicKey],
      witnessThreshold: 1,
    });
    const after = interact(digest, { prefix: icp.said, prior: recovery.said, sn: 2 });
    const report = await verify(
      signed(icp, keys[0]!, witness),
      signed(ixn1, keys[0]!, witness),
      signed(ixn2, keys[0]!, witness),
      signed(after, keys[1]!, witness),
      signed(recovery, keys[1]!, witness),
    );
    // keripy 1.3.6 on these bytes: the recovery accepted, the interaction after it waiting for
    // its witness, {"pwes": 1}.
    expect(report.accepted[icp.said]?.state.d).toBe(recovery.said);
    expect(report.not_accepted.map((e) => [e.said, e.why])).toEqual([
      [after.said, 'partially_witnessed'],
    ]);
    expect(report.escrows).toEqual({ pwes: 1 });
  });
});
