import { describe, expect, it } from 'vitest';
import {
  groupAt,
  invitation,
  joinArgs,
  joinWhenComplete,
  rotateOwn,
  signAll,
  team,
  verifyGroupKel,
} from './support/multisig-flows.js';

describe('keri multisig, agents over loopback HTTP', () => {
  it('weights 1/2, 1/4, 1/4 (CEO, CFO, CTO): inception, interaction, member replaced, reserve rotation', {
    timeout: 240_000,
  }, async () => {
    const m = team('weighted');
    for (const name of ['ceo', 'cfo', 'cto', 'coo']) {
      await m.create(name);
      await m.start(name);
    }
    await m.introduce(['ceo', 'cfo', 'cto', 'coo']);
    const weights = JSON.stringify(['1/2', '1/4', '1/4']);

    const proposed = await m.json([
      'multisig',
      'incept',
      '--name',
      'ceo',
      '--alias',
      'ceo',
      '--group',
      'board',
      '--smids',
      'ceo,cfo,cto',
      '--isith',
      weights,
      '--nsith',
      weights,
    ]);
    const said = proposed.proposal.said;
    expect(proposed).toMatchObject({
      queued: 2,
      proposal: { state: 'pending', current: { met: false } },
    });
    for (const name of ['cfo', 'cto']) {
      expect(await invitation(m, name, said)).toMatchObject({
        state: 'invited',
        signedHere: false,
      });
      await m.run(joinArgs(name, 'board', said));
    }
    for (const name of ['ceo', 'cfo', 'cto']) await groupAt(m, name, 'board', 0);

    // Interaction proposed by the CTO; the weights need everyone.
    const ixn = await m.json([
      'multisig',
      'interact',
      '--name',
      'cto',
      '--alias',
      'board',
      '--data',
      '[{"d":"EAmy5riCz0YvnZ1lVuSFPDEGlv3c9jJe_v52ohzYSH3d"}]',
    ]);
    for (const name of ['ceo', 'cfo']) {
      await invitation(m, name, ixn.proposal.said);
      await m.run(['multisig', 'sign', '--name', name, '--said', ixn.proposal.said]);
    }
    for (const name of ['ceo', 'cfo', 'cto']) await groupAt(m, name, 'board', 1);

    // The COO replaces the CTO: members rotate their own identifiers, then the group rotates
    // twice (the CTO's pre-committed key is needed once more; then the COO's is exposed).
    await rotateOwn(m, ['ceo', 'cfo', 'cto'], 'ceo', 'cfo', 'cto');
    const handover = await m.json([
      'multisig',
      'rotate',
      '--name',
      'ceo',
      '--alias',
      'board',
      '--smids',
      'ceo,cfo,cto',
      '--rmids',
      'ceo,cfo,coo',
    ]);
    expect(handover.proposal.priorNext).toMatchObject({ met: false, signed: [0] });
    await signAll(m, 'board', handover.proposal.said, ['cfo', 'cto']);
    await groupAt(m, 'ceo', 'board', 2);
    // The COO, now a rotation member, joins: the rotation is complete, so this only records it.
    await joinWhenComplete(m, 'coo', 'board', handover.proposal.said);
    await rotateOwn(m, ['ceo', 'cfo', 'cto', 'coo'], 'ceo', 'cfo', 'coo');
    const swap = await m.json([
      'multisig',
      'rotate',
      '--name',
      'cfo',
      '--alias',
      'board',
      '--smids',
      'ceo,cfo,coo',
      '--nsith',
      '["1/2","1/2","1/2"]',
    ]);
    await signAll(m, 'board', swap.proposal.said, ['coo', 'ceo']);
    await groupAt(m, 'coo', 'board', 3);

    // Reserve rotation: the COO's next key stays committed, unexposed.
    await rotateOwn(m, ['ceo', 'cfo', 'coo'], 'ceo', 'cfo');
    const reserve = await m.json([
      'multisig',
      'rotate',
      '--name',
      'ceo',
      '--alias',
      'board',
      '--smids',
      'ceo,cfo',
      '--rmids',
      'ceo,cfo,coo',
      '--isith',
      '["1/2","1/2"]',
      '--nsith',
      '["1/2","1/2","1/2"]',
    ]);
    await signAll(m, 'board', reserve.proposal.said, ['cfo']);
    const final = await groupAt(m, 'coo', 'board', 4);
    expect(final.state.k).toHaveLength(2);
    expect(final.state.n).toHaveLength(3);

    const { report, code, kel } = await verifyGroupKel(m, 'coo', 'board');
    expect(code).toBe(0);
    expect(report.verdict).toBe('accepted');
    const group = final.prefix;
    expect(report.accepted[group].kel.map((e: any) => e.ilk)).toEqual([
      'icp',
      'ixn',
      'rot',
      'rot',
      'rot',
    ]);
    // keripy's encodings: icp/ixn signed current-only (B), the reserve rotation dual-indexed (A).
    expect(kel).toContain('-AADBA');
    // The same events and signatures everywhere; only each node's own first-seen time differs.
    const withoutFirstSeen = (text: string) =>
      text.replace(/-EAB0A[A-Za-z0-9_-]{22}1AAG[A-Za-z0-9_-]{32}/g, '');
    for (const name of ['ceo', 'cfo'])
      expect(withoutFirstSeen((await verifyGroupKel(m, name, 'board')).kel)).toBe(
        withoutFirstSeen(kel),
      );
    await m.stopAll();
  });
});
