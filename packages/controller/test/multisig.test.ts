/**
 * Multisig groups through the library: separate keystores per member, messages carried between
 * them by the test (the agent and HTTP tests do the same over the network). Every group KEL is
 * checked by a fresh remote validator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes, matterFromRaw, parseStream, textToBytes } from '@kestrel/cesr';
import { Controller, type Delivery, GroupManager } from '@kestrel/controller';
import {
  controllerSignatures,
  EventProcessor,
  exchange,
  incept,
  interact,
  ManualClock,
  MemoryStore,
  messagize,
  StreamValidator,
  signerFromSeed,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { afterAll, describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();
const root = mkdtempSync(join(tmpdir(), 'kestrel-multisig-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Member {
  readonly name: string;
  readonly controller: Controller;
  readonly groups: GroupManager;
  readonly prefix: string;
}

async function member(name: string, clock: ManualClock, base = root): Promise<Member> {
  const controller = await Controller.init({ base, name, crypto, tier: 'temp', clock });
  const { prefix } = await controller.incept(name, { temp: true });
  return { name, controller, groups: new GroupManager(controller), prefix };
}

/** Every member learns every other member's KEL (what resolving OOBIs does). */
async function introduce(members: readonly Member[]): Promise<void> {
  for (const to of members)
    for (const from of members)
      if (to !== from) await to.controller.importKel(from.controller.kelStream(from.prefix));
}

/** Delivers messages to the members they are for, and what those answer, until quiet. */
async function deliver(members: readonly Member[], deliveries: readonly Delivery[]): Promise<void> {
  let queue = [...deliveries];
  while (queue.length > 0) {
    const next: Delivery[] = [];
    for (const delivery of queue) {
      const to = members.find((m) => m.prefix === delivery.to);
      if (!to) continue; // offline
      const report = await to.groups.receive(delivery.bytes);
      const refused = report.items.filter((item) => item.kind === 'refused');
      expect(refused, `${to.name} refused: ${JSON.stringify(refused)}`).toEqual([]);
      next.push(...report.deliveries);
    }
    queue = next;
  }
}

/**
 * An exn from `from` proposing a group whose second key is not the second member's key (someone
 * trying to slip their own key into a group in another member's place).
 */
async function forgedInception(from: Member, members: readonly string[]) {
  const states = (prefix: string) => from.controller.processor.context.state(prefix)!;
  const stranger = signerFromSeed(crypto, matterFromRaw('A', crypto.randomBytes(32)));
  const keys = members.map((member, i) =>
    i === 1 ? stranger.publicKey.qb64 : states(member).keys[0]!,
  );
  const icp = incept(crypto.digest, {
    keys,
    nextKeyDigests: members.map((member) => states(member).nextKeyDigests[0]!),
    code: 'E',
  });
  const ours = await from.controller.signAt(keys[0]!, icp.raw, 0, undefined);
  const built = exchange(crypto.digest, {
    route: '/multisig/icp',
    sender: from.prefix,
    payload: { gid: icp.said, smids: [...members], rmids: [...members] },
    date: '2026-01-01T00:00:00.000000+00:00',
    embeds: { icp: messagize(icp.raw, [controllerSignatures([ours])]) },
  });
  const endorsement = await from.controller.endorse(from.name, built.message.raw);
  return {
    said: icp.said,
    bytes: messagize(built.message.raw, [endorsement, ...built.pathedGroups]),
  };
}

/** Group 'g' of `members`, any two of whom sign: proposed by the first, joined by the others. */
async function inceptTwoOf(members: readonly Member[]) {
  const [proposer, ...others] = members;
  const proposed = await proposer!.groups.proposeInception({
    group: 'g',
    member: proposer!.name,
    signingMembers: members.map((m) => m.prefix),
    rotationMembers: members.map((m) => m.prefix),
    signingThreshold: 2,
    nextThreshold: 2,
  });
  await deliver(members, proposed.deliveries);
  for (const m of others) {
    const joined = await m.groups.join(proposed.proposal.said, { group: 'g', member: m.name });
    await deliver(members, joined.deliveries);
  }
  return proposed;
}

async function validate(bytes: Uint8Array) {
  const validator = new StreamValidator(new EventProcessor({ store: new MemoryStore(), crypto }));
  await validator.push(bytes);
  return validator.end();
}

function groupKel(m: Member, prefix: string): Uint8Array {
  return m.controller.kelStream(prefix);
}

describe('multisig group (library)', () => {
  it('weights 1/2, 1/4, 1/4: inception, interaction, a member replaced, a reserve rotation', async () => {
    const clock = new ManualClock();
    const [ceo, cfo, cto, coo] = await Promise.all(
      ['ceo', 'cfo', 'cto', 'coo'].map((name) => member(`w-${name}`, clock)),
    );
    const members = [ceo!, cfo!, cto!, coo!];
    await introduce(members);
    const weights = ['1/2', '1/4', '1/4'];
    const status = async (m: Member, said: string) =>
      (await m.groups.proposals()).find((p) => p.said === said)!;

    // Inception: the weights add up to 1, so all three must sign.
    const proposed = await ceo!.groups.proposeInception({
      group: 'board',
      member: ceo!.name,
      signingMembers: [ceo!.prefix, cfo!.prefix, cto!.prefix],
      rotationMembers: [ceo!.prefix, cfo!.prefix, cto!.prefix],
      signingThreshold: weights,
      nextThreshold: weights,
    });
    const groupPrefix = proposed.proposal.group;
    expect(proposed.proposal).toMatchObject({ state: 'pending', current: { met: false } });
    expect(proposed.deliveries.map((d) => d.to).sort()).toEqual([cfo!.prefix, cto!.prefix].sort());
    await deliver(members, proposed.deliveries);
    expect(await status(cfo!, proposed.proposal.said)).toMatchObject({
      state: 'invited',
      signedHere: false,
    });
    const cfoJoins = await cfo!.groups.join(proposed.proposal.said, {
      group: 'board',
      member: cfo!.name,
    });
    expect(cfoJoins.proposal).toMatchObject({
      state: 'pending',
      current: { met: false, signed: [0, 1] },
    });
    await deliver(members, cfoJoins.deliveries);
    const ctoJoins = await cto!.groups.join(proposed.proposal.said, {
      group: 'board',
      member: cto!.name,
    });
    expect(ctoJoins.proposal.state).toBe('complete');
    await deliver(members, ctoJoins.deliveries);
    for (const m of [ceo!, cfo!, cto!]) {
      expect(m.controller.processor.context.state(groupPrefix)?.sn).toBe(0n);
      expect((await status(m, proposed.proposal.said)).state).toBe('complete');
    }

    // Interaction: proposed by the CTO, signed by the others in turn.
    const ixn = await cto!.groups.proposeInteraction('board', [{ d: groupPrefix }]);
    await deliver(members, ixn.deliveries);
    await deliver(members, (await ceo!.groups.sign(ixn.proposal.said)).deliveries);
    const last = await cfo!.groups.sign(ixn.proposal.said);
    expect(last.proposal.state).toBe('complete');
    await deliver(members, last.deliveries);
    for (const m of [ceo!, cfo!, cto!])
      expect(m.controller.processor.context.state(groupPrefix)?.sn).toBe(1n);

    // Replacing the CTO by the COO takes two rotations, as the weights say: the CTO's pre-committed
    // key is needed to meet the prior next threshold once more, while the COO's next key is
    // committed in its place; the next rotation exposes the COO's key (dual-indexed).
    const rotateOwn = async (...who: Member[]) => {
      for (const m of who) await m.controller.rotate(m.name, { temp: true });
      await introduce(members);
    };
    const everyoneSigns = async (said: string, signers: Member[]) => {
      let result: Awaited<ReturnType<GroupManager['sign']>> | undefined;
      for (const m of signers) {
        result = await m.groups
          .sign(said)
          .catch(() => m.groups.join(said, { group: 'board', member: m.name }));
        await deliver(members, result.deliveries);
      }
      return result!;
    };
    await rotateOwn(ceo!, cfo!, cto!);
    const handover = await ceo!.groups.proposeRotation('board', {
      signingMembers: [ceo!.prefix, cfo!.prefix, cto!.prefix],
      rotationMembers: [ceo!.prefix, cfo!.prefix, coo!.prefix],
    });
    expect(handover.proposal.priorNext).toMatchObject({ met: false, signed: [0] });
    await deliver(members, handover.deliveries);
    expect((await everyoneSigns(handover.proposal.said, [cfo!, cto!])).proposal.state).toBe(
      'complete',
    );
    await rotateOwn(ceo!, cfo!, coo!);
    const swap = await cfo!.groups.proposeRotation('board', {
      signingMembers: [ceo!.prefix, cfo!.prefix, coo!.prefix],
      rotationMembers: [ceo!.prefix, cfo!.prefix, coo!.prefix],
      nextThreshold: ['1/2', '1/2', '1/2'],
    });
    await deliver(members, swap.deliveries);
    const swapped = await everyoneSigns(swap.proposal.said, [coo!, ceo!]);
    expect(swapped.proposal).toMatchObject({
      state: 'complete',
      priorNext: { met: true, signed: [0, 1, 2] },
    });
    expect(coo!.controller.processor.context.state(groupPrefix)?.sn).toBe(3n);

    // Reserve rotation: the CEO and CFO rotate; the COO's next key stays committed, unexposed.
    await rotateOwn(ceo!, cfo!);
    const cooNext = coo!.controller.state(coo!.name).nextKeyDigests[0];
    const reserve = await ceo!.groups.proposeRotation('board', {
      signingMembers: [ceo!.prefix, cfo!.prefix],
      rotationMembers: [ceo!.prefix, cfo!.prefix, coo!.prefix],
      signingThreshold: ['1/2', '1/2'],
      nextThreshold: ['1/2', '1/2', '1/2'],
    });
    await deliver(members, reserve.deliveries);
    expect((await everyoneSigns(reserve.proposal.said, [cfo!])).proposal.state).toBe('complete');
    const state = coo!.controller.processor.context.state(groupPrefix)!;
    expect(state.keys).toHaveLength(2);
    expect(state.nextKeyDigests[2]).toBe(cooNext);

    // Every member holds the same group KEL, and a fresh validator accepts it.
    const kel = groupKel(ceo!, groupPrefix);
    for (const m of [cfo!, coo!]) expect(groupKel(m, groupPrefix)).toEqual(kel);
    const report = await validate(kel);
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[groupPrefix]!.kel.map((e) => e.ilk)).toEqual([
      'icp',
      'ixn',
      'rot',
      'rot',
      'rot',
    ]);
    expect(report.accepted[groupPrefix]!.state.kt).toEqual(['1/2', '1/2']);
    for (const m of members) await m.controller.close();
  });

  it('never publishes an under-signed event; refuses late, foreign and forged signatures', async () => {
    const clock = new ManualClock();
    const base = mkdtempSync(join(root, 'refusals-'));
    const [a, b, c, d, e, outsider] = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'outsider'].map((name) => member(`r-${name}`, clock, base)),
    );
    const five = [a!, b!, c!, d!, e!];
    await introduce([...five, outsider!]);
    const proposed = await a!.groups.proposeInception({
      group: 'g',
      member: a!.name,
      signingMembers: five.map((m) => m.prefix),
      rotationMembers: five.map((m) => m.prefix),
      signingThreshold: 3,
      nextThreshold: 3,
      expiresIn: 600,
    });
    await deliver(five, proposed.deliveries);
    const said = proposed.proposal.said;
    const groupPrefix = proposed.proposal.group;

    // b signs; duplicated and reordered deliveries change nothing.
    const bsig = await b!.groups.join(said, { group: 'g', member: b!.name });
    await deliver(five, [...bsig.deliveries, ...bsig.deliveries].reverse());
    expect(a!.controller.processor.context.state(groupPrefix)).toBeUndefined();
    const status = (await a!.groups.proposals()).find((p) => p.said === said)!;
    expect(status.signers.filter((s) => s.signed)).toHaveLength(2);
    expect(status.missing).toMatch(/not yet signed/);

    // An outsider's message about the group is refused, and nothing is stored from it.
    const forged = await outsider!.groups.exportProposal(said).catch((error: Error) => error);
    expect(forged).toBeInstanceOf(Error);
    const copy = await a!.groups.exportProposal(said);
    const refused = await outsider!.groups.receive(copy);
    expect(refused.items.find((i) => i.kind === 'refused')).toMatchObject({ code: 'not_member' });

    // A signature over a different event: b's signature grafted onto another proposal is refused.
    const text = new TextDecoder().decode(copy);
    const tampered = text.replace('"kt":"3"', '"kt":"4"');
    const report = await c!.groups.receive(textToBytes(tampered));
    expect(report.items.some((i) => i.kind === 'refused')).toBe(true);
    expect((await c!.groups.proposals()).find((p) => p.said !== said)).toBeUndefined();

    // A proposal whose keys are not the members' declared keys: refused, nothing stored.
    const impostor = await forgedInception(a!, [a!.prefix, b!.prefix, c!.prefix]);
    const forgedReport = await b!.groups.receive(impostor.bytes);
    expect(forgedReport.items.find((i) => i.kind === 'refused')).toMatchObject({
      code: 'bad_proposal',
      reason: expect.stringContaining(`member ${b!.prefix}'s current key`),
    });
    expect(b!.controller.records.proposal(impostor.said)).toBeUndefined();

    // After expiry, a late signature is refused cleanly and the group is still not incepted.
    clock.advance(601_000);
    await expect(c!.groups.join(said, { group: 'g', member: c!.name })).rejects.toThrow(/expired/);
    const lateFromD = await d!.groups.receive(copy); // d had it; d's copy expired too
    expect(lateFromD.items.find((i) => i.kind === 'refused')).toMatchObject({ code: 'expired' });
    expect((await a!.groups.proposals()).find((p) => p.said === said)?.state).toBe('expired');
    expect(a!.controller.processor.context.state(groupPrefix)).toBeUndefined();
    expect(a!.controller.processor.listEscrows()).toEqual([]);
    for (const m of [...five, outsider!]) await m.controller.close();
  });

  it("never counts a signature made with a member's own key on an event it did not sign", async () => {
    const clock = new ManualClock();
    const base = mkdtempSync(join(root, 'stolen-'));
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((name) => member(`s-${name}`, clock, base)),
    );
    const three = [a!, b!, c!];
    await introduce(three);
    const groupPrefix = (await inceptTwoOf(three)).proposal.group;
    const group = a!.controller.processor.context.state(groupPrefix)!;
    expect(group.sn).toBe(0n);

    // b has stolen a's current key (a's signature below is what that key makes) and completes an
    // interaction with it that a never signed.
    const ixn = interact(crypto.digest, {
      prefix: groupPrefix,
      prior: group.said,
      sn: 1,
      data: [],
    });
    const stolen = await a!.controller.signAt(group.keys[0]!, ixn.raw, 0, undefined);
    const own = await b!.controller.signAt(group.keys[1]!, ixn.raw, 1, undefined);
    const published = messagize(ixn.raw, [controllerSignatures([stolen, own])]);

    // c cannot tell and accepts it; a does not count its own key's signature and keeps the event
    // waiting for one more, and records why.
    await c!.groups.receive(published);
    expect(c!.controller.processor.context.state(groupPrefix)?.sn).toBe(1n);
    const report = await a!.groups.receive(published);
    expect(report.items.find((i) => i.kind === 'refused')).toMatchObject({
      code: 'not_signed_here',
      reason: expect.stringContaining(`index 0 of ${ixn.said}`),
    });
    expect(a!.controller.processor.context.state(groupPrefix)?.sn).toBe(0n);
    expect(a!.controller.processor.listEscrows()).toMatchObject([
      { kind: 'partially_signed', said: ixn.said, signatures: [own.qb64] },
    ]);
    expect(a!.controller.records.recentRejections()[0]).toMatchObject({ code: 'not_signed_here' });

    // The same signatures proposed by b in an exn: a keeps b's and not its own.
    clock.advance(1000);
    const built = exchange(crypto.digest, {
      route: '/multisig/ixn',
      sender: b!.prefix,
      payload: { gid: groupPrefix, smids: three.map((m) => m.prefix) },
      date: '2026-01-01T00:00:00.000000+00:00',
      embeds: { ixn: published },
    });
    const endorsement = await b!.controller.endorse(b!.name, built.message.raw);
    await a!.groups.receive(messagize(built.message.raw, [endorsement, ...built.pathedGroups]));
    const status = (await a!.groups.proposals()).find((p) => p.said === ixn.said)!;
    expect(status).toMatchObject({ state: 'invited', signedHere: false, current: { signed: [1] } });
    expect(a!.controller.records.recentRejections()[0]).toMatchObject({
      code: 'not_signed_here',
      from: b!.prefix,
    });

    // The next interaction, forged the same way, comes ahead of the first: the keys it was signed
    // with are not known for sure yet, and a's key is still recognised in it.
    const next = interact(crypto.digest, { prefix: groupPrefix, prior: ixn.said, sn: 2, data: [] });
    const early = await a!.groups.receive(
      messagize(next.raw, [
        controllerSignatures([
          await a!.controller.signAt(group.keys[0]!, next.raw, 0, undefined),
          await b!.controller.signAt(group.keys[1]!, next.raw, 1, undefined),
        ]),
      ]),
    );
    expect(early.items.find((i) => i.kind === 'refused')).toMatchObject({
      code: 'not_signed_here',
      reason: expect.stringContaining(`index 0 of ${next.said}`),
    });

    // Once a signs the first itself, its own signature counts and that one is accepted; the
    // second, retried then, still lacks a signature.
    const signed = await a!.groups.sign(ixn.said);
    expect(signed.proposal.state).toBe('complete');
    expect(a!.controller.processor.context.state(groupPrefix)?.sn).toBe(1n);
    expect(a!.controller.processor.listEscrows()).toMatchObject([
      { kind: 'partially_signed', said: next.said },
    ]);
    for (const m of three) await m.controller.close();
  });

  it('forgets completed and expired proposals after their retention; late copies are still refused', async () => {
    const clock = new ManualClock();
    const base = mkdtempSync(join(root, 'retention-'));
    const day = 24 * 3600;
    // A day of retention instead of the default week.
    const [a, b] = (
      await Promise.all(['a', 'b'].map((name) => member(`k-${name}`, clock, base)))
    ).map((m) => ({ ...m, groups: new GroupManager(m.controller, { retentionSeconds: day }) }));
    const both = [a!, b!];
    await introduce(both);
    const proposed = await inceptTwoOf(both);
    const groupPrefix = proposed.proposal.group;
    // An interaction b never signs: it expires after a minute.
    const ixn = await a!.groups.proposeInteraction('g', [{ d: groupPrefix }], 60);
    await deliver(both, ixn.deliveries);
    const lateCopy = await a!.groups.exportProposal(ixn.proposal.said);
    clock.advance(61_000);
    for (const m of both)
      expect((await m.groups.proposals()).map((p) => [p.said, p.state]).sort()).toEqual(
        [
          [proposed.proposal.said, 'complete'],
          [ixn.proposal.said, 'expired'],
        ].sort(),
      );
    // Within the day, a late copy is refused by name.
    const refusedByName = await b!.groups.receive(lateCopy);
    expect(refusedByName.items.find((i) => i.kind === 'refused')).toMatchObject({
      code: 'expired',
      reason: expect.stringContaining('expired at'),
    });

    clock.advance(day * 1000 + 1000);
    for (const m of both) {
      expect(await m.groups.proposals()).toEqual([]);
      expect(m.controller.records.proposal(proposed.proposal.said)).toBeUndefined();
      expect(m.controller.records.proposal(ixn.proposal.said)).toBeUndefined();
      // The group and its KEL stay.
      expect(m.controller.processor.context.state(groupPrefix)?.sn).toBe(0n);
      expect(m.controller.records.groupByPrefix(groupPrefix)).toBeDefined();
    }
    // Forgotten, the late copy is still refused (its own expiry says so) and nothing is stored.
    const refusedLater = await b!.groups.receive(lateCopy);
    expect(refusedLater.items.find((i) => i.kind === 'refused')).toMatchObject({
      code: 'expired',
    });
    expect(b!.controller.records.proposal(ixn.proposal.said)).toBeUndefined();
    // The group still works: a new interaction completes.
    const next = await b!.groups.proposeInteraction('g', [{ d: groupPrefix }]);
    await deliver(both, next.deliveries);
    await deliver(both, (await a!.groups.sign(next.proposal.said)).deliveries);
    expect(a!.controller.processor.context.state(groupPrefix)?.sn).toBe(1n);
    for (const m of both) await m.controller.close();
  });

  it('a member restarting mid-proposal keeps its proposals and signatures', async () => {
    const clock = new ManualClock();
    const base = mkdtempSync(join(root, 'restart-'));
    const [a, b] = await Promise.all(['a', 'b'].map((name) => member(`s-${name}`, clock, base)));
    await introduce([a!, b!]);
    const proposed = await a!.groups.proposeInception({
      group: 'pair',
      member: a!.name,
      signingMembers: [a!.prefix, b!.prefix],
      rotationMembers: [a!.prefix, b!.prefix],
      signingThreshold: 2,
      nextThreshold: 2,
    });
    await deliver([a!, b!], proposed.deliveries);
    await a!.controller.close();
    const reopened = await Controller.open({ base, name: a!.name, crypto, clock });
    const again = { ...a!, controller: reopened, groups: new GroupManager(reopened) };
    const joined = await b!.groups.join(proposed.proposal.said, { group: 'pair', member: b!.name });
    await deliver([again, b!], joined.deliveries);
    expect(reopened.processor.context.state(proposed.proposal.group)?.sn).toBe(0n);
    expect((await again.groups.status('pair')).proposals[0]?.state).toBe('complete');
    const kel = reopened.kelStream(proposed.proposal.group);
    expect(parseStream(kel).messages).toHaveLength(1);
    await reopened.close();
    await b!.controller.close();
  });

  it('a delegated group: dip and drt signed by the members, approved by the delegator, valid remotely', async () => {
    const clock = new ManualClock();
    const base = mkdtempSync(join(root, 'delegated-'));
    const [a, b, boss] = await Promise.all(
      ['a', 'b', 'boss'].map((name) => member(`d-${name}`, clock, base)),
    );
    await introduce([a!, b!, boss!]);
    const proposed = await a!.groups.proposeInception({
      group: 'team',
      member: a!.name,
      signingMembers: [a!.prefix, b!.prefix],
      rotationMembers: [a!.prefix, b!.prefix],
      signingThreshold: 2,
      nextThreshold: 2,
      delegator: boss!.prefix,
    });
    expect(proposed.proposal.ilk).toBe('dip');
    await deliver([a!, b!], proposed.deliveries);
    const joined = await b!.groups.join(proposed.proposal.said, { group: 'team', member: b!.name });
    expect(joined.proposal.state).toBe('complete');
    await deliver([a!, b!], joined.deliveries);
    const group = proposed.proposal.group;

    // The delegator approves by anchoring the dip's seal; the members take its KEL.
    await boss!.controller.approveDelegation(boss!.name, a!.controller.kelStream(group));
    for (const m of [a!, b!])
      await m.controller.importKel(boss!.controller.kelStream(boss!.prefix));
    let report = await validate(
      concatBytes(boss!.controller.kelStream(boss!.prefix), a!.controller.kelStream(group)),
    );
    expect(report.accepted[group]?.state.di).toBe(boss!.prefix);

    // A delegated rotation (drt), approved in turn.
    for (const m of [a!, b!]) await m.controller.rotate(m.name, { temp: true });
    await introduce([a!, b!, boss!]);
    const rot = await b!.groups.proposeRotation('team', {});
    expect(rot.proposal.ilk).toBe('drt');
    await deliver([a!, b!], rot.deliveries);
    const signed = await a!.groups.sign(rot.proposal.said);
    await deliver([a!, b!], signed.deliveries);
    await boss!.controller.approveDelegation(boss!.name, a!.controller.kelStream(group));
    for (const m of [a!, b!])
      await m.controller.importKel(boss!.controller.kelStream(boss!.prefix));
    report = await validate(
      concatBytes(boss!.controller.kelStream(boss!.prefix), a!.controller.kelStream(group)),
    );
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[group]!.kel.map((e) => e.ilk)).toEqual(['dip', 'drt']);
    for (const m of [a!, b!, boss!]) await m.controller.close();
  });
});
