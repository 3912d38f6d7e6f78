/**
 * Multisig groups end to end: one keystore per member, each member's agent a separate process
 * talking to the others over loopback HTTP, one member air-gapped (files only), everything driven
 * through the `keri` binary. Every group KEL is verified by `keri kel verify --json` in a fresh
 * store.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keri } from './support/keri.js';
import { eventually, Members } from './support/members.js';

const root = mkdtempSync(join(tmpdir(), 'kestrel-cli-multisig-'));
const everyone: Members[] = [];
afterAll(async () => {
  await Promise.all(everyone.map((members) => members.stopAll()));
  rmSync(root, { recursive: true, force: true });
});

function team(name: string): Members {
  const members = new Members(mkdtempSync(join(root, `${name}-`)));
  everyone.push(members);
  return members;
}

async function verifyGroupKel(m: Members, name: string, group: string) {
  const exported = await m.run(['kel', 'export', '--name', name, '--alias', group]);
  const verified = await keri(['kel', 'verify', '-', '--json'], { input: exported.stdout });
  return { report: JSON.parse(verified.stdout), code: verified.code, kel: exported.stdout };
}

/** Waits until `name` sees the group at sequence number `sn`. */
function groupAt(m: Members, name: string, group: string, sn: number) {
  return eventually(async () => {
    const status = await m.status(name, group);
    return status.groups[0]?.state?.s === sn.toString(16) ? status.groups[0] : undefined;
  }, `${name} to see ${group} at sn ${sn}`);
}

function invitation(m: Members, name: string, said: string) {
  return eventually(async () => {
    const status = await m.status(name);
    const all = [...status.invitations, ...status.groups.flatMap((g: any) => g.proposals)];
    return all.find((p: any) => p.said === said);
  }, `${name} to receive proposal ${said}`);
}

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
      await m.run([
        'multisig',
        'join',
        '--name',
        name,
        '--alias',
        name,
        '--group',
        'board',
        '--said',
        said,
      ]);
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
    // A member's agent sends its new KEL to the other members of its groups.
    const rotateOwn = async (members: string[], ...names: string[]) => {
      for (const name of names) {
        const { state } = await m.json(['rotate', '--name', name, '--alias', name]);
        const events = Number.parseInt(state.s, 16) + 1;
        for (const other of members.filter((o) => o !== name)) {
          await eventually(async () => {
            const kel = await m.run(['kel', 'export', '--name', other, '--prefix', state.i]);
            return kel.stdout.split('{"v":"KERI').length - 1 === events;
          }, `${other} to get ${name}'s new KEL`);
        }
      }
    };
    const signAll = async (saidToSign: string, names: string[]) => {
      for (const name of names) {
        await invitation(m, name, saidToSign);
        const status = await m.status(name);
        const joined = status.groups.some((g: any) => g.alias === 'board');
        await m.run(
          joined
            ? ['multisig', 'sign', '--name', name, '--said', saidToSign]
            : [
                'multisig',
                'join',
                '--name',
                name,
                '--alias',
                name,
                '--group',
                'board',
                '--said',
                saidToSign,
              ],
        );
      }
    };
    await rotateOwn(['ceo', 'cfo', 'cto'], 'ceo', 'cfo', 'cto');
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
    await signAll(handover.proposal.said, ['cfo', 'cto']);
    await groupAt(m, 'ceo', 'board', 2);
    // The COO, now a rotation member, joins: the rotation is complete, so this only records it.
    await eventually(async () => {
      const status = await m.status('coo');
      return (
        status.invitations.find((p: any) => p.said === handover.proposal.said)?.state === 'complete'
      );
    }, 'the handover to be complete at the COO');
    await m.run([
      'multisig',
      'join',
      '--name',
      'coo',
      '--alias',
      'coo',
      '--group',
      'board',
      '--said',
      handover.proposal.said,
    ]);
    await rotateOwn(['ceo', 'cfo', 'cto', 'coo'], 'ceo', 'cfo', 'coo');
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
    await signAll(swap.proposal.said, ['coo', 'ceo']);
    await groupAt(m, 'coo', 'board', 3);

    // Reserve rotation: the COO's next key stays committed, unexposed.
    await rotateOwn(['ceo', 'cfo', 'coo'], 'ceo', 'cfo');
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
    await signAll(reserve.proposal.said, ['cfo']);
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
