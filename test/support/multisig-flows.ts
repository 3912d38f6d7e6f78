/**
 * Multisig end-to-end flows shared by the test/cli-multisig-*.test.ts files: teams of members in
 * a temporary directory, and the steps each scenario repeats.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { keri } from './keri.js';
import { eventually, Members } from './members.js';

const root = mkdtempSync(join(tmpdir(), 'kestrel-cli-multisig-'));
const everyone: Members[] = [];
afterAll(async () => {
  await Promise.all(everyone.map((members) => members.stopAll()));
  rmSync(root, { recursive: true, force: true });
});

export function team(name: string): Members {
  const members = new Members(mkdtempSync(join(root, `${name}-`)));
  everyone.push(members);
  return members;
}

export async function verifyGroupKel(m: Members, name: string, group: string) {
  const exported = await m.run(['kel', 'export', '--name', name, '--alias', group]);
  const verified = await keri(['kel', 'verify', '-', '--json'], { input: exported.stdout });
  return { report: JSON.parse(verified.stdout), code: verified.code, kel: exported.stdout };
}

/** Waits until `name` sees the group at sequence number `sn`. */
export function groupAt(m: Members, name: string, group: string, sn: number) {
  return eventually(async () => {
    const status = await m.status(name, group);
    return status.groups[0]?.state?.s === sn.toString(16) ? status.groups[0] : undefined;
  }, `${name} to see ${group} at sn ${sn}`);
}

export function invitation(m: Members, name: string, said: string) {
  return eventually(async () => {
    const status = await m.status(name);
    const all = [...status.invitations, ...status.groups.flatMap((g: any) => g.proposals)];
    return all.find((p: any) => p.said === said);
  }, `${name} to receive proposal ${said}`);
}

/** Each member rotates its own identifier; its agent sends the new KEL to its groups' members. */
export async function rotateOwn(m: Members, groupMembers: readonly string[], ...names: string[]) {
  for (const name of names) {
    const { state } = await m.json(['rotate', '--name', name, '--alias', name]);
    const events = Number.parseInt(state.s, 16) + 1;
    for (const other of groupMembers.filter((o) => o !== name && m.all.get(o)?.agent)) {
      await eventually(async () => {
        const kel = await m.run(['kel', 'export', '--name', other, '--prefix', state.i]);
        return kel.stdout.split('{"v":"KERI').length - 1 === events;
      }, `${other} to get ${name}'s new KEL`);
    }
  }
}

/** `keri multisig join` for a member whose identifier has its keystore's name. */
export const joinArgs = (name: string, group: string, said: string) => [
  'multisig',
  'join',
  '--name',
  name,
  '--alias',
  name,
  '--group',
  group,
  '--said',
  said,
];

/** Members sign a proposal once it reached them (joining the group first when they are new). */
export async function signAll(m: Members, group: string, said: string, names: readonly string[]) {
  for (const name of names) {
    await invitation(m, name, said);
    const status = await m.status(name);
    const joined = status.groups.some((g: any) => g.alias === group);
    await m.run(
      joined ? ['multisig', 'sign', '--name', name, '--said', said] : joinArgs(name, group, said),
    );
  }
}

/** Carries a member's KEL by file to members with agents. */
export async function carryKel(m: Members, from: string, to: readonly string[]) {
  const kel = await m.run(['kel', 'export', '--name', from, '--alias', from]);
  for (const name of to) await m.run(['kel', 'import', '--name', name, '-'], { input: kel.stdout });
}

export const withoutFirstSeen = (text: string) =>
  text.replace(/-EAB0A[A-Za-z0-9_-]{22}1AAG[A-Za-z0-9_-]{32}/g, '');

/**
 * A member named in an event that completed without its signature joins once the event has
 * reached it (joining then only records the group).
 */
export async function joinWhenComplete(m: Members, name: string, group: string, said: string) {
  await eventually(async () => {
    const { invitations } = await m.status(name);
    return invitations.find((p: any) => p.said === said)?.state === 'complete';
  }, `${name} to see ${said} complete`);
  await m.run(joinArgs(name, group, said));
}
