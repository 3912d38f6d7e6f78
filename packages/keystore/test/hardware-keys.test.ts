/**
 * The key manager with keys in a token, against an in-memory stand-in for the token (the real
 * token is tested in pkcs11.test.ts and through the CLI): refusals before anything changes, keys
 * of failed inceptions destroyed, rotated-out keys erased, next keys made another way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matterFromRaw } from '@kestrel/cesr';
import { signerFromSeed } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import {
  type HardwareKeys,
  KeyManager,
  type KeySigner,
  Keystore,
  KeystoreError,
  SoftwareSigner,
} from '@kestrel/keystore';
import { afterAll, describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();
const root = mkdtempSync(join(tmpdir(), 'kestrel-hardware-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;
const TOKEN = { module: '/nowhere/libtoken.so', label: 'stand-in' };

/** Keys "in a token": software keys the keystore never sees. `failAfter` makes generation fail. */
class StandInToken implements HardwareKeys {
  readonly tokenLabel = TOKEN.label;
  readonly keys = new Map<string, KeySigner>();
  generations = 0;
  constructor(private readonly failAfter = Number.POSITIVE_INFINITY) {}

  async generate(_label: string, count: number): Promise<string[]> {
    if (this.generations++ >= this.failAfter) throw new KeystoreError('hsm', 'Generation failed');
    return Array.from({ length: count }, () => {
      const seed = matterFromRaw('A', crypto.randomBytes(32));
      const publicKey = signerFromSeed(crypto, seed).publicKey.qb64;
      this.keys.set(publicKey, new SoftwareSigner(publicKey, crypto, seed));
      return publicKey;
    });
  }
  holds(publicKey: string): boolean {
    return this.keys.has(publicKey);
  }
  signer(publicKey: string): KeySigner {
    const signer = this.keys.get(publicKey);
    if (!signer) throw new KeystoreError('hsm_key_not_found', `No key ${publicKey}`);
    return signer;
  }
  destroy(publicKeys: readonly string[]): void {
    for (const key of publicKeys) this.keys.delete(key);
  }
}

async function keystore() {
  return Keystore.create(join(root, `ks-${count++}`), crypto, { tier: 'temp', token: TOKEN });
}

describe('key manager with a token', () => {
  it('refuses token keys without an open token, claiming nothing', async () => {
    const store = await keystore();
    const manager = new KeyManager(crypto, store);
    for (const options of [{ algorithm: 'pkcs11' as const }, { nextAlgorithm: 'pkcs11' as const }])
      await expect(manager.incept('a', { ...options, temp: true })).rejects.toMatchObject({
        code: 'hsm_pin_required',
        message: expect.stringContaining("token 'stand-in', which is not open"),
      });
    expect(store.sequence('a')).toBeUndefined();
    expect(store.peekPrefixIndex()).toBe(0);
    await store.close();
  });

  it('destroys the current keys when making the next keys fails', async () => {
    const store = await keystore();
    const token = new StandInToken(1);
    const manager = new KeyManager(crypto, store, token);
    await expect(manager.incept('a', { algorithm: 'pkcs11' })).rejects.toThrow('Generation failed');
    expect(token.keys.size).toBe(0);
    expect(store.sequence('a')).toBeUndefined();
    expect(store.peekPrefixIndex()).toBe(0);
    await store.close();
  });

  it('makes software keys with next keys in the token, and erases rotated-out token keys', async () => {
    const store = await keystore();
    const token = new StandInToken();
    const manager = new KeyManager(crypto, store, token);
    const { currentKeys } = await manager.incept('a', { nextAlgorithm: 'pkcs11', temp: true });
    expect(store.hasSecret(currentKeys[0]!)).toBe(true);
    expect(manager.storage('a')).toEqual({ current: 'keystore', next: 'token', token: 'stand-in' });
    expect(store.peekPrefixIndex()).toBe(1);

    const rotations: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const rotation = await manager.prepareRotation('a', { temp: true });
      rotations.push(rotation.exposed.map((e) => e.publicKey));
      await rotation.commit('Eprefix');
    }
    expect(manager.storage('a')).toMatchObject({ current: 'token', next: 'token' });
    // Kept: the current keys, the previous ones and the next ones; the first token lot is erased.
    expect(token.holds(rotations[0]![0]!)).toBe(false);
    expect(token.holds(rotations[1]![0]!)).toBe(true);
    expect(token.holds(rotations[2]![0]!)).toBe(true);
    expect(token.keys.size).toBe(3);
    // The software inception key was erased from the keystore the same way.
    expect(store.hasSecret(currentKeys[0]!)).toBe(false);
    await store.close();
  });

  it('refuses a rotation whose exposed key the token lost, making nothing', async () => {
    const store = await keystore();
    const token = new StandInToken();
    const manager = new KeyManager(crypto, store, token);
    await manager.incept('a', { algorithm: 'pkcs11' });
    const sequence = store.sequence('a')!;
    const [next] = sequence.next.custody === 'here' ? sequence.next.lot.publicKeys : [];
    token.destroy([next!]);
    const before = token.keys.size;
    await expect(manager.prepareRotation('a')).rejects.toMatchObject({
      code: 'hsm_key_not_found',
    });
    expect(token.keys.size).toBe(before);
    expect(store.sequence('a')).toEqual(sequence);
    expect(() => manager.signingKeys('a', sequence.current!.publicKeys)).not.toThrow();
    token.destroy(sequence.current!.publicKeys);
    expect(() => manager.signingKeys('a', sequence.current!.publicKeys)).toThrow(
      /does not hold the key/,
    );
    await store.close();
  });

  it('discards the next keys of a rotation that was never signed', async () => {
    const store = await keystore();
    const token = new StandInToken();
    const manager = new KeyManager(crypto, store, token);
    await manager.incept('a', { algorithm: 'pkcs11' });
    const before = token.keys.size;
    const rotation = await manager.prepareRotation('a');
    expect(token.keys.size).toBe(before + 1);
    await rotation.discard();
    expect(token.keys.size).toBe(before);
    await store.close();
  });

  it('keeps software next keys in a separate keystore for token current keys', async () => {
    const store = await keystore();
    const nextStore = await Keystore.create(join(root, `next-${count++}`), crypto, {
      tier: 'temp',
    });
    const manager = new KeyManager(crypto, store, new StandInToken());
    await manager.incept('a', { algorithm: 'pkcs11', nextStore, temp: true });
    expect(manager.storage('a')).toMatchObject({ current: 'token', next: 'another keystore' });
    const held = nextStore.sequence('a')!;
    expect(held.algorithm).toBe('salty');
    const rotation = await manager.prepareRotation('a', { nextStore, temp: true });
    await rotation.commit('Eprefix');
    expect(manager.storage('a')).toMatchObject({ current: 'keystore' });
    await expect(
      manager.incept('b', { algorithm: 'pkcs11', nextStore, nextAlgorithm: 'pkcs11' }),
    ).rejects.toMatchObject({ code: 'bad_algorithm' });
    await nextStore.close();
    await store.close();
  });
});
