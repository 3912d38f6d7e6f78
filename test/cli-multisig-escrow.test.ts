import { describe, expect, it } from 'vitest';
import {
  groupAt,
  invitation,
  joinWhenComplete,
  rotateOwn,
  signAll,
  team,
  verifyGroupKel,
} from './support/multisig-flows.js';

describe('keri multisig, agents over loopback HTTP', () => {
  it('an escrow agent holding only a pre-rotated key: acts with the remaining primaries, never alone; a lost primary replaced; restarts and late signers', {
    timeout: 300_000,
  }, async () => {
    const m = team('escrow');
    /** A proposal of the group 'vault' as a member's status shows it. */
    const vaultProposal = async (name: string, said: string) =>
      (await m.status(name, 'vault')).groups[0].proposals.find((p: any) => p.said === said);
    const names = ['p1', 'p2', 'p3', 'x'];
    // p4 is not in the group at first: it replaces p3 when p3 is lost.
    for (const name of [...names, 'p4']) {
      await m.create(name);
      await m.start(name);
    }
    await m.introduce([...names, 'p4']);
    // Day to day any two primaries sign; a rotation needs three of the four next keys, so the
    // escrow agent x can stand in for one lost primary, and only with the other two.
    const quarter = JSON.stringify(['1/3', '1/3', '1/3', '1/3']);
    const proposed = await m.json([
      'multisig',
      'incept',
      '--name',
      'p1',
      '--alias',
      'p1',
      '--group',
      'vault',
      '--smids',
      'p1,p2,p3',
      '--rmids',
      'p1,p2,p3,x',
      '--isith',
      '2',
      '--nsith',
      quarter,
    ]);
    await signAll(m, 'vault', proposed.proposal.said, ['p2']);
    await groupAt(m, 'p1', 'vault', 0);
    for (const name of ['p3', 'x']) {
      await joinWhenComplete(m, name, 'vault', proposed.proposal.said);
    }

    const policy = await m.json([
      'multisig',
      'policy',
      '--name',
      'x',
      '--alias',
      'vault',
      '--escrow-agent',
      '3',
    ]);
    expect(policy.current.minimalSets).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    expect(policy.next).toMatchObject({
      tolerates: 1,
      escrowAgent: {
        member: 3,
        alone: false,
        partners: [
          [0, 1],
          [0, 2],
          [1, 2],
        ],
      },
    });

    const ixn = await m.json(['multisig', 'interact', '--name', 'p2', '--alias', 'vault']);
    await signAll(m, 'vault', ixn.proposal.said, ['p3']);
    await groupAt(m, 'p1', 'vault', 1);

    // p3 is lost. p1, p2 and x rotate their own identifiers; x's agent is down when the
    // rotation is proposed, comes back, catches up from the others and signs. The rotation
    // commits to p4's next key in p3's place, so the escrow agent steps back to reserve after it.
    await rotateOwn(m, names, 'p1', 'p2', 'x');
    await m.stop('x');
    const recovery = await m.json([
      'multisig',
      'rotate',
      '--name',
      'p1',
      '--alias',
      'vault',
      '--smids',
      'p1,p2,x',
      '--rmids',
      'p1,p2,p4,x',
      '--isith',
      '2',
      '--nsith',
      quarter,
    ]);
    await signAll(m, 'vault', recovery.proposal.said, ['p2']);
    const waiting = await vaultProposal('p1', recovery.proposal.said);
    // Two primaries meet the new kt, not the prior nt (2/3 of the next keys): nothing published.
    expect(waiting).toMatchObject({
      state: 'pending',
      current: { met: true },
      priorNext: { met: false },
    });
    expect((await m.status('p1', 'vault')).groups[0].state.s).toBe('1');
    await m.start('x');
    await signAll(m, 'vault', recovery.proposal.said, ['x']);
    const recovered = await groupAt(m, 'p2', 'vault', 2);
    expect(recovered.state.k).toHaveLength(3);
    expect(recovered.state.n).toHaveLength(4);
    await joinWhenComplete(m, 'p4', 'vault', recovery.proposal.said);

    // Reserve rotation: p1, p2 and the new p4 rotate and sign (three thirds of the prior next
    // threshold); x's next key stays committed, unexposed.
    await rotateOwn(m, ['p1', 'p2', 'x', 'p4'], 'p1', 'p2', 'p4');
    const reserve = await m.json([
      'multisig',
      'rotate',
      '--name',
      'p2',
      '--alias',
      'vault',
      '--smids',
      'p1,p2,p4',
      '--rmids',
      'p1,p2,p4,x',
      '--isith',
      '2',
      '--nsith',
      quarter,
    ]);
    await signAll(m, 'vault', reserve.proposal.said, ['p1']);
    // Two of the three new keys meet kt, but only two thirds of the prior next threshold.
    const short = await vaultProposal('p2', reserve.proposal.said);
    expect(short).toMatchObject({
      state: 'pending',
      current: { met: true },
      priorNext: { met: false },
    });
    await signAll(m, 'vault', reserve.proposal.said, ['p4']);
    const rotated = await groupAt(m, 'x', 'vault', 3);
    expect(rotated.state.k).toHaveLength(3);
    expect(rotated.state.n).toHaveLength(4);

    // A proposal that expires: a late signature is refused with a clear error, nothing changes.
    const late = await m.json([
      'multisig',
      'interact',
      '--name',
      'p1',
      '--alias',
      'vault',
      '--expires',
      '1',
    ]);
    await invitation(m, 'p2', late.proposal.said);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const refused = await m.run(
      ['multisig', 'sign', '--name', 'p2', '--said', late.proposal.said],
      { expect: 3 },
    );
    expect(refused.stderr).toMatch(/expired at .*propose it again \[expired\]/);
    expect((await m.status('p1', 'vault')).groups[0].state.s).toBe('3');

    const { report, code, kel } = await verifyGroupKel(m, 'p1', 'vault');
    expect(code).toBe(0);
    expect(report.accepted[recovered.prefix].kel.map((x: any) => x.ilk)).toEqual([
      'icp',
      'ixn',
      'rot',
      'rot',
    ]);
    // x signed the recovery at index 2 with its prior-next position 3: keripy's big dual-indexed code.
    expect(kel).toMatch(/-AAD[A-Za-z0-9_-]*2AACAD/);
    await m.stopAll();
  });
});
