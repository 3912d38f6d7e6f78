/**
 * Multisig end to end: a 3-of-5 group with one air-gapped member whose messages travel by file.
 * Every group KEL is verified by `keri kel verify --json` in a fresh store.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  carryKel,
  groupAt,
  joinArgs,
  joinWhenComplete,
  rotateOwn,
  signAll,
  team,
  verifyGroupKel,
  withoutFirstSeen,
} from './support/multisig-flows.js';

describe('keri multisig, agents over loopback HTTP', () => {
  it('3 of 5 with an air-gapped member (files only): inception, interaction, one member out and one in, reserve rotation', {
    timeout: 300_000,
  }, async () => {
    const m = team('five');
    const online = ['a', 'b', 'c', 'd', 'f'];
    for (const name of [...online, 'e']) await m.create(name);
    for (const name of online) await m.start(name);
    await m.introduce(online);
    const e = m.all.get('e')!.prefix;
    // The air-gapped member's KEL travels by file, and so does everything it receives.
    await carryKel(m, 'e', online);

    const proposed = await m.json([
      'multisig',
      'incept',
      '--name',
      'a',
      '--alias',
      'a',
      '--group',
      'five',
      '--smids',
      `a,b,c,d,${e}`,
      '--isith',
      '3',
      '--nsith',
      '3',
    ]);
    const said = proposed.proposal.said;
    await signAll(m, 'five', said, ['b']);
    const file = join(m.base, 'proposal.cesr');
    await m.run(['multisig', 'export', '--name', 'a', '--said', said, '--out', file]);
    const imported = await m.json(['multisig', 'import', '--name', 'e', file]);
    expect(imported.items.at(-1)).toMatchObject({ kind: 'proposal', said, state: 'invited' });
    const offline = await m.json(joinArgs('e', 'five', said));
    expect(offline.deliveries.every((d: any) => !d.delivered && /no endpoint/.test(d.reason))).toBe(
      true,
    );
    const signed = join(m.base, 'signed-by-e.cesr');
    await m.run(['multisig', 'export', '--name', 'e', '--said', said, '--out', signed]);
    await m.run(['multisig', 'import', '--name', 'a', signed]);
    for (const name of ['a', 'b']) await groupAt(m, name, 'five', 0);
    for (const name of ['c', 'd']) {
      await joinWhenComplete(m, name, 'five', said);
    }

    // An interaction proposed by c, signed by a and b.
    const ixn = await m.json([
      'multisig',
      'interact',
      '--name',
      'c',
      '--alias',
      'five',
      '--data',
      '[{"d":"EAmy5riCz0YvnZ1lVuSFPDEGlv3c9jJe_v52ohzYSH3d"}]',
    ]);
    await signAll(m, 'five', ixn.proposal.said, ['a', 'b']);
    for (const name of ['a', 'b', 'c', 'd']) await groupAt(m, name, 'five', 1);

    // d leaves, f joins: the staying members rotate their own identifiers first (e by file).
    await rotateOwn(m, ['a', 'b', 'c', 'd'], 'a', 'b', 'c');
    await m.run(['rotate', '--name', 'e', '--alias', 'e']);
    await carryKel(m, 'e', ['a']);
    const swap = await m.json([
      'multisig',
      'rotate',
      '--name',
      'a',
      '--alias',
      'five',
      '--smids',
      `a,b,c,${e},f`,
      '--rmids',
      `a,b,c,${e},f`,
      '--isith',
      '3',
      '--nsith',
      '3',
    ]);
    expect(swap.proposal.priorNext).toMatchObject({ met: false });
    await signAll(m, 'five', swap.proposal.said, ['b', 'c']);
    await groupAt(m, 'a', 'five', 2);
    await joinWhenComplete(m, 'f', 'five', swap.proposal.said);

    // Reserve rotation: a, b and c rotate; e's and f's next keys stay committed in reserve.
    await rotateOwn(m, ['a', 'b', 'c', 'f'], 'a', 'b', 'c');
    const reserve = await m.json([
      'multisig',
      'rotate',
      '--name',
      'b',
      '--alias',
      'five',
      '--smids',
      'a,b,c',
      '--rmids',
      `a,b,c,${e},f`,
      '--isith',
      '3',
      '--nsith',
      '3',
    ]);
    await signAll(m, 'five', reserve.proposal.said, ['a', 'c']);
    const final = await groupAt(m, 'f', 'five', 3);
    expect(final.state.k).toHaveLength(3);
    expect(final.state.n).toHaveLength(5);

    const { report, code, kel } = await verifyGroupKel(m, 'a', 'five');
    expect(code).toBe(0);
    expect(report.accepted[final.prefix].kel.map((x: any) => x.ilk)).toEqual([
      'icp',
      'ixn',
      'rot',
      'rot',
    ]);
    // The air-gapped member takes the group KEL by file and holds the same events.
    await m.run(['kel', 'import', '--name', 'e', '-'], { input: kel });
    expect(withoutFirstSeen((await verifyGroupKel(m, 'e', 'five')).kel)).toBe(
      withoutFirstSeen(kel),
    );
    await m.stopAll();
  });
});
