/**
 * The encrypted keystore: keripy-compatible encryption identity, files private to the user,
 * wrong passcodes and damaged files refused without changing anything, passcode changes in one
 * transaction, and key sequences on keripy's paths.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveSigner, nextKeyDigest, saltFromQb64 } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { KeyManager, Keystore, KeystoreError } from '@kestrel/keystore';
import { afterAll, describe, expect, it } from 'vitest';
import { keystore as keystoreVectors } from '../../../test/support/vectors.js';

const crypto = await createNodeCrypto();
const root = mkdtempSync(join(tmpdir(), 'kestrel-keystore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;
const path = () => join(root, `ks-${count++}`);
const PASSCODE = 'MyPasscodeIsASecret21';
const fingerprint = (dir: string) =>
  createHash('sha256')
    .update(readFileSync(join(dir, 'data.mdb')))
    .digest('hex');

describe('keystore', () => {
  it('derives the encryption identity exactly as keripy (keystore.json, tier low and temp)', async () => {
    for (const entry of keystoreVectors().entries) {
      const tier = entry.mode === 'temp_test_mode' ? 'temp' : 'low';
      const store = await Keystore.create(path(), crypto, {
        passcode: entry.bran,
        passcodeTier: tier,
      });
      expect(store.aeid).toBe(entry.aeid);
      await store.close();
    }
  });

  it('keeps its files private to the user (0700 directory, 0600 files)', async () => {
    const dir = path();
    const store = await Keystore.create(dir, crypto, { passcode: PASSCODE, passcodeTier: 'temp' });
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ['data.mdb', 'lock.mdb'])
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
  });

  it('lives in a directory whose name has a dot (lmdb-js would take it for a file)', async () => {
    const dir = join(root, `alice.keystore-${count++}`);
    const store = await Keystore.create(dir, crypto, { passcode: PASSCODE, passcodeTier: 'temp' });
    await store.close();
    expect(statSync(join(dir, 'data.mdb')).isFile()).toBe(true);
    const again = await Keystore.open(dir, crypto, { passcode: PASSCODE });
    await again.close();
  });

  it('refuses a wrong passcode clearly, changing nothing', async () => {
    const dir = path();
    const store = await Keystore.create(dir, crypto, { passcode: PASSCODE, passcodeTier: 'temp' });
    await new KeyManager(crypto, store).incept('a', { temp: true });
    await store.close();
    const before = fingerprint(dir);
    await expect(
      Keystore.open(dir, crypto, { passcode: 'WrongPasscodeWrongPass' }),
    ).rejects.toMatchObject({ code: 'wrong_passcode' });
    await expect(Keystore.open(dir, crypto, {})).rejects.toMatchObject({
      code: 'passcode_required',
    });
    await expect(Keystore.open(dir, crypto, { passcode: 'short' })).rejects.toMatchObject({
      code: 'bad_passcode',
    });
    expect(fingerprint(dir)).toBe(before);
    const again = await Keystore.open(dir, crypto, { passcode: PASSCODE });
    expect(again.sequence('a')?.current?.publicKeys).toHaveLength(1);
    await again.close();
  });

  it('refuses a damaged keystore file', async () => {
    const dir = path();
    const store = await Keystore.create(dir, crypto, { passcode: PASSCODE, passcodeTier: 'temp' });
    await store.close();
    writeFileSync(join(dir, 'data.mdb'), Buffer.alloc(8192, 0x5a));
    const error = await Keystore.open(dir, crypto, { passcode: PASSCODE }).catch((e) => e);
    expect(error).toBeInstanceOf(KeystoreError);
    expect(error.code).toBe('corrupt');
  });

  it('changes the passcode by re-encrypting every secret in one transaction', async () => {
    const dir = path();
    const store = await Keystore.create(dir, crypto, { passcode: PASSCODE, passcodeTier: 'temp' });
    const manager = new KeyManager(crypto, store);
    const { currentKeys } = await manager.incept('a', { currentCount: 2, temp: true });
    const seeds = currentKeys.map((key) => store.seed(key).qb64);
    const salt = store.rootSalt().qb64;
    await store.changePasscode('ANewPasscodeOfTwentyOne1');
    await store.close();
    await expect(Keystore.open(dir, crypto, { passcode: PASSCODE })).rejects.toMatchObject({
      code: 'wrong_passcode',
    });
    const reopened = await Keystore.open(dir, crypto, { passcode: 'ANewPasscodeOfTwentyOne1' });
    expect(currentKeys.map((key) => reopened.seed(key).qb64)).toEqual(seeds);
    expect(reopened.rootSalt().qb64).toBe(salt);
    await reopened.close();
  });

  it('never writes secrets in the clear when encrypted', async () => {
    const dir = path();
    const salt = '0AAwMTIzNDU2Nzg5YWJjZGVm';
    const store = await Keystore.create(dir, crypto, {
      passcode: PASSCODE,
      passcodeTier: 'temp',
      salt,
    });
    const manager = new KeyManager(crypto, store);
    const { currentKeys } = await manager.incept('a', { temp: true });
    const seed = store.seed(currentKeys[0]!).qb64;
    await store.close();
    const bytes = readFileSync(join(dir, 'data.mdb')).toString('latin1');
    expect(bytes.includes(seed)).toBe(false);
    expect(bytes.includes(salt)).toBe(false);
  });

  it("makes salty keys on keripy's paths: {alias}{ridx}{kidx}, next keys after the current ones", async () => {
    const salt = '0ACDEyMzQ1Njc4OWxtbm9aBc';
    const store = await Keystore.create(path(), crypto, { salt, tier: 'temp' });
    const manager = new KeyManager(crypto, store);
    const keys = await manager.incept('alias', { currentCount: 3, nextCount: 3 });
    const derive = (p: string) =>
      deriveSigner(crypto, saltFromQb64(salt), p, { tier: 'temp' }).publicKey.qb64;
    expect(keys.currentKeys).toEqual(['alias00', 'alias01', 'alias02'].map(derive));
    expect(keys.nextDigests).toEqual(
      ['alias13', 'alias14', 'alias15'].map((p) => nextKeyDigest(crypto, derive(p)).qb64),
    );
    const rotation = await manager.prepareRotation('alias');
    expect(rotation.exposed.map((e) => e.publicKey)).toEqual(
      ['alias13', 'alias14', 'alias15'].map(derive),
    );
    expect(rotation.nextDigests).toEqual(
      ['alias26', 'alias27', 'alias28'].map((p) => nextKeyDigest(crypto, derive(p)).qb64),
    );
    await store.close();
  });

  it('refuses to expose a key that was never committed, changing nothing', async () => {
    const dir = path();
    const store = await Keystore.create(dir, crypto, { passcode: PASSCODE, passcodeTier: 'temp' });
    const manager = new KeyManager(crypto, store);
    await manager.incept('a', { nextCount: 2, temp: true });
    const before = store.sequence('a');
    await expect(manager.prepareRotation('a', { expose: [5] })).rejects.toMatchObject({
      code: 'not_committed',
    });
    await expect(manager.prepareRotation('a', { expose: [0], reserve: [0] })).rejects.toMatchObject(
      { code: 'not_committed' },
    );
    expect(store.sequence('a')).toEqual(before);
    await store.close();
  });
});
