/**
 * Delegated identifiers: the delegate makes dip/drt, the delegator anchors their seals, and a
 * remote validator accepts the delegate's KEL only with the delegator's approvals in view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes } from '@kestrel/cesr';
import { Controller } from '@kestrel/controller';
import { EventProcessor, MemoryStore, StreamValidator } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { afterAll, describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();
const root = mkdtempSync(join(tmpdir(), 'kestrel-delegation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function validate(messages: readonly Uint8Array[]) {
  const validator = new StreamValidator(new EventProcessor({ store: new MemoryStore(), crypto }));
  await validator.push(concatBytes(...messages));
  return validator.end();
}

describe('delegation', () => {
  it('dip and drt approved by the delegator validate remotely, and only with the approvals', async () => {
    const boss = await Controller.init({
      base: root,
      name: 'boss',
      crypto,
      passcode: 'MyPasscodeIsASecret21',
      tier: 'temp',
    });
    const sub = await Controller.init({
      base: root,
      name: 'sub',
      crypto,
      passcode: 'MyPasscodeIsASecret21',
      tier: 'temp',
    });
    const { prefix: bossPrefix } = await boss.incept('boss', { temp: true });
    const { prefix: subPrefix, message: dip } = await sub.incept('sub', {
      delegator: bossPrefix,
      temp: true,
    });

    // Without the delegator's approval a remote validator holds the dip.
    const early = await validate([...boss.exportKel('boss'), ...sub.exportKel('sub')]);
    expect(early.not_accepted).toEqual([
      expect.objectContaining({ ilk: 'dip', why: 'delegation' }),
    ]);

    await boss.approveDelegation('boss', dip);
    await sub.importKel(concatBytes(...boss.exportKel('boss')));
    const drt = await sub.rotate('sub', { temp: true });
    await boss.approveDelegation('boss', drt);
    await sub.importKel(concatBytes(...boss.exportKel('boss')));
    await sub.interact('sub');

    const report = await validate([...boss.exportKel('boss'), ...sub.exportKel('sub')]);
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[subPrefix]!.state.di).toBe(bossPrefix);
    expect(report.accepted[subPrefix]!.kel.map((e) => e.ilk)).toEqual(['dip', 'drt', 'ixn']);
    // Delivered delegate-first, the delegate's events wait for the delegator's KEL and then converge.
    const reversed = await validate([...sub.exportKel('sub'), ...boss.exportKel('boss')]);
    expect(reversed.verdict).toBe('accepted');
    await boss.close();
    await sub.close();
  });
});
