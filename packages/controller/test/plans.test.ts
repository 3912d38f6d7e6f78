/**
 * Rotation plans end to end: each plan's KEL, exported as keripy replays it, validates in a fresh
 * remote validator to the key state the plan intended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes, digestQb64, indexerFromQb64, parseStream, textToBytes } from '@kestrel/cesr';
import { Controller, ControllerError } from '@kestrel/controller';
import {
  controllerSignatures,
  EventProcessor,
  interact,
  MemoryStore,
  messagize,
  nextKeyDigest,
  rotate,
  StreamValidator,
  signIndexed,
  type VerifyReport,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { Keystore, KeystoreError, totpCode } from '@kestrel/keystore';
import { afterAll, describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();
const root = mkdtempSync(join(tmpdir(), 'kestrel-plans-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;
const PASSCODE = 'MyPasscodeIsASecret21';

async function controller(salt?: string): Promise<Controller> {
  return Controller.init({
    base: root,
    name: `c${count++}`,
    crypto,
    passcode: PASSCODE,
    tier: 'temp',
    ...(salt ? { salt } : {}),
  });
}

async function verifyFresh(messages: readonly Uint8Array[]): Promise<VerifyReport> {
  const validator = new StreamValidator(new EventProcessor({ store: new MemoryStore(), crypto }));
  await validator.push(concatBytes(...messages));
  return validator.end();
}

describe('rotation plans', () => {
  it('plain rotation', async () => {
    const c = await controller();
    const { prefix } = await c.incept('alice', { temp: true });
    await c.interact('alice', [{ d: prefix }]);
    await c.rotate('alice', { temp: true });
    await c.interact('alice');
    const report = await verifyFresh(c.exportKel('alice'));
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[prefix]!.state.s).toBe('3');
    expect(report.accepted[prefix]!.state.ee.s).toBe('2');
    await c.close();
  });

  it('abandonment: no next keys, nothing after', async () => {
    const c = await controller();
    const { prefix } = await c.incept('ab', { temp: true });
    await c.rotate('ab', { abandon: true, temp: true });
    expect(c.state('ab').nextKeyDigests).toEqual([]);
    await expect(c.rotate('ab', { temp: true })).rejects.toThrow(KeystoreError);
    await expect(c.interact('ab')).rejects.toThrow(/not accepted|abandoned/);
    const report = await verifyFresh(c.exportKel('ab'));
    expect(report.accepted[prefix]!.state.n).toEqual([]);
    expect(report.accepted[prefix]!.state.nt).toBe('0');
    await c.close();
  });

  it('reserve rotation: expose some pre-committed keys, keep the rest blinded, activate them later', async () => {
    const c = await controller();
    const { prefix } = await c.incept('res', {
      currentCount: 2,
      signingThreshold: '2',
      nextCount: 5,
      nextThreshold: '2',
      temp: true,
    });
    const committed = [...c.state('res').nextKeyDigests];
    await c.rotate('res', {
      expose: [1, 3],
      reserve: [0, 2, 4],
      nextCount: 2,
      signingThreshold: '2',
      nextThreshold: '2',
      temp: true,
    });
    const state = c.state('res');
    // the reserve digests are re-committed unchanged, ahead of the new next keys: still blinded
    expect(state.nextKeyDigests.slice(0, 3)).toEqual([committed[0], committed[2], committed[4]]);
    await c.interact('res');
    // activate the reserve keys (e.g. after the operational keys are suspected compromised)
    await c.rotate('res', {
      expose: [0, 1, 2],
      nextCount: 2,
      signingThreshold: '2',
      nextThreshold: '1',
      temp: true,
    });
    await c.interact('res');
    const report = await verifyFresh(c.exportKel('res'));
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[prefix]!.state.k).toHaveLength(3);
    await c.close();
  });

  it('separated custody: next keys in another keystore; the current keystore alone cannot rotate', async () => {
    const c = await controller();
    const nextStore = await Keystore.create(join(root, `next-${count++}`), crypto, {
      passcode: 'AnotherPasscodeOf21chars',
      passcodeTier: 'temp',
    });
    const { prefix } = await c.incept('sep', { nextStore, temp: true });
    const committed = c.state('sep').nextKeyDigests;
    // The current keystore holds no next key: none of its seeds hashes to a committed digest.
    for (const alias of c.keystore.aliases()) {
      const sequence = c.keystore.sequence(alias)!;
      expect(sequence.next.custody).toBe('elsewhere');
      for (const key of sequence.current!.publicKeys)
        expect(committed).not.toContain(nextKeyDigest(crypto, key).qb64);
    }
    // A thief with the current keystore and its passcode cannot rotate.
    await expect(c.rotate('sep', { temp: true })).rejects.toMatchObject({
      code: 'missing_next_store',
    });
    await c.interact('sep');
    // The owner brings the next-key store at the moment of rotation only.
    await c.rotate('sep', { nextStore, temp: true });
    await c.interact('sep');
    expect((await verifyFresh(c.exportKel('sep'))).accepted[prefix]!.state.s).toBe('3');
    await nextStore.close();
    await c.close();
  });

  it('custodial: the custodian signs interactions but cannot rotate; the owner rotates it out alone', async () => {
    const owner = await controller();
    const custodian = await controller();
    // The owner makes the next keys and hands over only their digests.
    const ownerKeys = await owner.manager.incept('ward', {
      currentCount: 0,
      nextCount: 1,
      temp: true,
    });
    const { prefix } = await custodian.incept('ward', {
      nextDigests: ownerKeys.nextDigests,
      temp: true,
    });
    await custodian.interact('ward', [{ d: prefix }]);
    await expect(custodian.rotate('ward', { temp: true })).rejects.toThrow(KeystoreError);
    // The owner imports the KEL and rotates: its pre-rotated key becomes current, plus a new custodian key.
    await owner.importKel(concatBytes(...custodian.exportKel('ward')));
    const newCustodian = await controller();
    const replacement = await newCustodian.manager.incept('ward-custodian', {
      currentCount: 1,
      nextCount: 0,
      transferable: true,
      temp: true,
    });
    await owner.rotate('ward', {
      addKeys: replacement.currentKeys,
      signingThreshold: '1',
      nextCount: 1,
      temp: true,
    });
    const report = await verifyFresh(owner.exportKel('ward'));
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[prefix]!.state.k).toEqual([
      expect.any(String),
      replacement.currentKeys[0],
    ]);
    // The old custodian's keys sign nothing a validator accepts any more.
    await custodian.importKel(concatBytes(...owner.exportKel('ward')));
    await expect(custodian.interact('ward')).rejects.toThrow(ControllerError);
    for (const c of [owner, custodian, newCustodian]) await c.close();
  });

  it('misfit: an event of an identifier only we control, arriving from elsewhere, is refused', async () => {
    // A thief of the current key signs an interaction and gets it to us in a KEL to import (an
    // OOBI, a mailbox). keripy parks such an event in its misfit escrow; it never enters our KEL.
    const c = await controller();
    const { prefix } = await c.incept('own', { temp: true });
    const before = c.state('own');
    const forged = interact(crypto.digest, {
      prefix,
      prior: before.said,
      sn: 1n,
      data: [{ d: 'EAttackerAttackerAttackerAttackerAttackerAtt' }],
    });
    const stolen = c.keystore.seed(before.keys[0]!);
    const message = messagize(forged.raw, [
      controllerSignatures([signIndexed(crypto, stolen, forged.raw, 0)]),
    ]);
    const report = await c.importKel(concatBytes(...c.exportKel('own'), message));
    expect(report.not_accepted).toEqual([{ said: forged.said, sn: 1, ilk: 'ixn', why: 'dropped' }]);
    expect(report.errors.join('\n')).toContain('did not come from this node');
    expect(c.state('own').sn).toBe(0n);
    // The same event, sent by this node itself, is ours to accept.
    expect(c.processor.process(parseStream(message).messages[0]!, { local: true })).toMatchObject([
      { kind: 'accepted' },
    ]);
    await c.close();
  });

  it('recovery: a rotation by the pre-rotated keys supersedes the attacker interactions', async () => {
    const c = await controller();
    const { prefix } = await c.incept('rec', { temp: true });
    await c.interact('rec');
    // The attacker, holding the current keys, adds interactions.
    await c.interact('rec', [{ d: 'EAttackerAttackerAttackerAttackerAttackerAtt' }]);
    await c.interact('rec', [{ d: 'EAttackerAttackerAttackerAttackerAttackerAtt' }]);
    const statement = textToBytes('Keys compromised on 2026-11-20; events 2 and 3 are not ours.');
    const digest = digestQb64(crypto.digest, 'E', statement);
    const compromised = c.state('rec').keys[0]!;
    await c.rotate('rec', { recoverAt: 2n, data: [{ d: digest }], temp: true });
    const state = c.state('rec');
    expect(state.sn).toBe(2n);
    expect(state.ilk).toBe('rot');
    const report = await verifyFresh(c.exportKel('rec'));
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[prefix]!.kel.map((e) => e.ilk)).toEqual([
      'icp',
      'ixn',
      'ixn',
      'ixn',
      'rot',
    ]);
    expect(report.accepted[prefix]!.state.k).not.toContain(compromised);
    await c.close();
  });

  it('after a recovery, the compromised keys sign nothing a validator accepts', async () => {
    const c = await controller();
    const { prefix } = await c.incept('stolen', { temp: true });
    await c.interact('stolen');
    // The thief, holding the current key, adds an interaction; the owner recovers at sn 2.
    await c.interact('stolen', [{ d: 'EAttackerAttackerAttackerAttackerAttackerAtt' }]);
    const attackerSaid = c.state('stolen').said;
    const compromised = c.state('stolen').keys[0]!;
    const beforeRecovery = c.exportKel('stolen');
    await c.rotate('stolen', { recoverAt: 2n, temp: true });
    const recovered = c.state('stolen');
    expect(recovered.keys).not.toContain(compromised);
    // This keystore still holds the compromised key (as the prior key set): it plays the thief.
    expect(c.canSign(compromised)).toBe(true);
    const forge = async (raw: Uint8Array) =>
      messagize(raw, [controllerSignatures([await c.signAt(compromised, raw, 0, undefined)])]);
    const thiefKeys = {
      keys: [compromised],
      nextKeyDigests: [nextKeyDigest(crypto, compromised).qb64],
    };
    const attempts = [
      // an interaction extending the recovered KEL,
      interact(crypto.digest, { prefix, prior: recovered.said, sn: 3n }),
      // a rotation to keys of the thief's choosing,
      rotate(crypto.digest, { prefix, prior: recovered.said, sn: 3n, ...thiefKeys }),
      // a rotation at the recovery's own sn, as if to supersede it,
      rotate(crypto.digest, { prefix, prior: recovered.prior, sn: 2n, ...thiefKeys }),
    ];
    const forged = await Promise.all(attempts.map((attempt) => forge(attempt.raw)));
    // The thief keeps extending its own branch too (valid until the recovery is seen).
    const branch = interact(crypto.digest, { prefix, prior: attackerSaid, sn: 3n });
    const branchMessage = await forge(branch.raw);
    const streams = {
      // a validator that already has the recovery,
      afterRecovery: [...c.exportKel('stolen'), branchMessage, ...forged],
      // one that sees the thief's branch first, and the forgeries before and after the recovery.
      beforeRecovery: [
        ...beforeRecovery,
        branchMessage,
        ...forged,
        ...c.exportKel('stolen'),
        ...forged,
      ],
    };
    for (const [name, stream] of Object.entries(streams)) {
      const report = await verifyFresh(stream);
      expect(report.accepted[prefix]!.state).toMatchObject({
        s: '2',
        d: recovered.said,
        k: recovered.keys,
      });
      const accepted = new Set(report.accepted[prefix]!.kel.map((event) => event.said));
      for (const attempt of attempts) expect(accepted.has(attempt.said)).toBe(false);
      if (name === 'afterRecovery') {
        // Not validly signed by the keys in force: dropped, not duplicity evidence.
        expect(report.duplicity).toEqual([]);
      } else {
        // The thief's branch was accepted while its key was in force (so the forgeries are
        // validly made), then superseded by the recovery.
        expect(accepted.has(branch.said)).toBe(true);
        // Before the recovery the compromised key was in force: two events it signed at sn 3
        // are evidence of the compromise, which a watcher keeps.
        expect(report.duplicity.length).toBeGreaterThan(0);
        for (const evidence of report.duplicity)
          expect(evidence).toMatchObject({
            sn: '3',
            signedBy: 'current-keys',
            firstSeen: branch.said,
          });
      }
    }
    await c.close();
  });

  it('TOTP second factor guards establishment events', async () => {
    const c = await controller();
    const { totp } = await c.incept('otp', { requireTotp: true, temp: true });
    expect(totp?.uri).toMatch(/^otpauth:\/\/totp\//);
    await expect(c.rotate('otp', { temp: true })).rejects.toMatchObject({ code: 'totp_required' });
    await expect(c.rotate('otp', { totp: '000000', temp: true })).rejects.toMatchObject({
      code: 'totp_invalid',
    });
    const before = c.state('otp').said;
    expect(c.state('otp').said).toBe(before);
    await c.rotate('otp', { totp: totpCode(totp!.secret, Date.now()), temp: true });
    expect(c.state('otp').sn).toBe(1n);
    await c.close();
  });

  it('signs and verifies data with the current keys', async () => {
    const c = await controller();
    const { prefix } = await c.incept('sig', {
      currentCount: 3,
      signingThreshold: '2',
      temp: true,
    });
    const data = textToBytes('hello');
    const { signatures } = await c.sign('sig', data);
    expect(
      c.verify(
        prefix,
        data,
        signatures.map((s) => indexerFromQb64(s)),
      ).valid,
    ).toBe(true);
    expect(
      c.verify(
        prefix,
        textToBytes('other'),
        signatures.map((s) => indexerFromQb64(s)),
      ).valid,
    ).toBe(false);
    await c.close();
  });
});
