/**
 * Salts, derivation paths and next-key digests against keripy 1.3.6 `Salter` vectors.
 */
import { bytesToHex, CesrError, MatterCodes, matterFromQb64, matterFromRaw } from '@kestrel/cesr';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { describe, expect, it } from 'vitest';
import { keyVectors } from '../../../test/support/key-vectors.js';
import { KeyError } from '../src/errors.js';
import {
  deriveSigner,
  deriveSignerAsync,
  deriveSigners,
  nextKeyDigest,
  randomSalt,
  saltFromQb64,
  saltFromRaw,
  signerFromSeed,
  signerPaths,
  stretchSeed,
} from '../src/keys/index.js';

const crypto = await createNodeCrypto();
const vectors = keyVectors();
const salter = vectors.salter;
const SALT = salter.salt_qb64;

describe('salts', () => {
  it('parses the keripy salt and builds it from raw', () => {
    const salt = saltFromQb64(SALT);
    expect(salt.code).toBe('0A');
    expect(bytesToHex(salt.raw)).toBe(salter.salt_raw_hex);
    expect(saltFromRaw(salt.raw).qb64).toBe(SALT);
  });

  it('makes random 16-byte salts', () => {
    const a = randomSalt(crypto);
    const b = randomSalt(crypto);
    expect(a.code).toBe('0A');
    expect(a.qb64).toHaveLength(24);
    expect(a.qb64).not.toBe(b.qb64);
  });

  it('rejects other codes, sizes and malformed text with KeyError bad_salt', () => {
    for (const bad of ['', 'AAwMTIzNDU2Nzg5YWJjZGVm', salter.temp[0]!.seed, `${SALT}A`, '0A!!!']) {
      expect(() => saltFromQb64(bad)).toThrowError(KeyError);
      try {
        saltFromQb64(bad);
      } catch (error) {
        expect((error as KeyError).code).toBe('bad_salt');
      }
    }
    expect(() => saltFromRaw(new Uint8Array(15))).toThrowError(KeyError);
    expect(() => deriveSigner(crypto, salter.temp[0]!.seed, '', { tier: 'temp' })).toThrowError(
      KeyError,
    );
  });
});

describe('deriveSigner (temp tier)', () => {
  it.each(salter.temp)('path $path', (row) => {
    const signer = deriveSigner(crypto, SALT, row.path, { tier: 'temp' });
    expect(signer.seed.qb64).toBe(row.seed);
    expect(signer.publicKey.qb64).toBe(row.pub);
    expect(
      deriveSigner(crypto, saltFromQb64(SALT), row.path, { tier: 'temp', transferable: false })
        .publicKey.qb64,
    ).toBe(row.pub_nontransferable);
    expect(nextKeyDigest(crypto, signer.publicKey.qb64).qb64).toBe(row.next_digest);
  });

  it('stretchSeed gives the raw seed', () => {
    const row = salter.temp[1]!;
    expect(stretchSeed(crypto, saltFromQb64(SALT).raw, row.path, 'temp')).toEqual(
      matterFromQb64(row.seed).raw,
    );
  });

  it.each(vectors.ed25519Keys)('semantic key at path $path', (row) => {
    const signer = deriveSigner(crypto, SALT, row.path ?? '', { tier: 'temp' });
    expect(signer.seed.qb64).toBe(row.seed);
    expect(bytesToHex(signer.seed.raw)).toBe(row.seed_raw);
    expect(signer.publicKey.qb64).toBe(row.pub_transferable);
    expect(signerFromSeed(crypto, row.seed, false).publicKey.qb64).toBe(row.pub_nontransferable);
  });
});

describe('deriveSigner at the keripy tiers', () => {
  const row = (tier: string) => salter.tiers.find((candidate) => candidate.tier === tier)!;

  it('low (64 MiB, the default tier)', () => {
    const signer = deriveSigner(crypto, SALT, row('low').path);
    expect(signer.seed.qb64).toBe(row('low').seed);
    expect(signer.publicKey.qb64).toBe(row('low').pub);
  });

  it.each(['med', 'high'] as const)('%s (off the main thread)', async (tier) => {
    const signer = await deriveSignerAsync(crypto, SALT, row(tier).path, { tier });
    expect(signer.seed.qb64).toBe(row(tier).seed);
    expect(signer.publicKey.qb64).toBe(row(tier).pub);
  });
});

describe('deriveSigners', () => {
  it('uses keripy paths: prefix + (i + start) in lowercase hex', () => {
    expect(signerPaths(3, 9, 'x')).toEqual(['x9', 'xa', 'xb']);
    expect(signerPaths(2)).toEqual(['0', '1']);
    expect(signerPaths(1, 255, 'k')).toEqual(['kff']);
    const signers = deriveSigners(crypto, SALT, { count: 3, start: 9, path: 'x', tier: 'temp' });
    expect(signers.map((signer) => signer.seed.qb64)).toEqual(
      salter.signers_paths.example.map((row) => row.seed),
    );
    expect(signers.map((signer) => signer.publicKey.qb64)).toEqual(
      salter.signers_paths.example.map((row) => row.pub),
    );
  });

  it('defaults to one signer at path "0"', () => {
    const [signer, ...rest] = deriveSigners(crypto, SALT, { tier: 'temp' });
    expect(rest).toHaveLength(0);
    expect(signer?.seed.qb64).toBe(salter.temp.find((row) => row.path === '0')?.seed);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => signerPaths(-1)).toThrowError(KeyError);
    expect(() => signerPaths(1, 0.5)).toThrowError(KeyError);
  });
});

describe('ECDSA seeds from a salt (keripy Salter.signer code J / Q)', () => {
  it.each([
    { code: 'J', transferable: '1AAB', nonTransferable: '1AAA' },
    { code: 'Q', transferable: '1AAJ', nonTransferable: '1AAI' },
  ] as const)('$code', ({ code, transferable, nonTransferable }) => {
    const signer = deriveSigner(crypto, SALT, 'ecdsa0', { tier: 'temp', code });
    const ed25519 = deriveSigner(crypto, SALT, 'ecdsa0', { tier: 'temp' });
    // The same 32 stretched bytes, read as another scheme's scalar.
    expect(signer.seed.raw).toEqual(ed25519.seed.raw);
    expect(signer.seed.code).toBe(code);
    expect(signer.publicKey.code).toBe(transferable);
    expect(signer.publicKey.raw).toEqual(crypto.publicKey(code, signer.seed.raw));
    expect(
      deriveSigner(crypto, SALT, 'ecdsa0', { tier: 'temp', code, transferable: false }).publicKey
        .code,
    ).toBe(nonTransferable);
  });

  it.each(vectors.ecdsaKeys)('keripy $curve seed gives its public keys', (row) => {
    expect(signerFromSeed(crypto, row.seed).publicKey.qb64).toBe(row.pub_transferable);
    expect(signerFromSeed(crypto, matterFromQb64(row.seed), false).publicKey.qb64).toBe(
      row.pub_nontransferable,
    );
  });

  it('refuses an ECDSA scalar out of range and non-seed codes with KeyError bad_key', () => {
    const zero = matterFromRaw('J', new Uint8Array(32));
    expect(() => signerFromSeed(crypto, zero)).toThrowError(/no public key/);
    expect(() => signerFromSeed(crypto, salter.temp[0]!.pub)).toThrowError(KeyError);
    expect(() => signerFromSeed(crypto, 'not qb64')).toThrowError(KeyError);
  });
});

describe('nextKeyDigest', () => {
  const next = vectors.nextKeyDigests;

  it('digests the qb64 text of the key (keripy next_key_digests vectors)', () => {
    const signers = deriveSigners(crypto, SALT, {
      count: next.vectors.length,
      path: next.path,
      tier: next.tier,
    });
    next.vectors.forEach((row, i) => {
      expect(signers[i]?.publicKey.qb64).toBe(row.pub);
      expect(nextKeyDigest(crypto, row.pub).qb64).toBe(row.next_digest);
    });
  });

  it('supports every digest code', () => {
    const key = next.vectors[0]!.pub;
    for (const name of ['Blake2b_256', 'SHA3_256', 'SHA2_256', 'Blake3_512', 'SHA2_512'] as const) {
      const code = MatterCodes[name];
      const digest = nextKeyDigest(crypto, key, code);
      expect(digest.code).toBe(code);
      expect(digest.raw).toEqual(crypto.digest(code, new TextEncoder().encode(key)));
    }
  });

  it('rejects codes that are not digests and keys that are not qb64', () => {
    expect(() => nextKeyDigest(crypto, next.vectors[0]!.pub, 'D')).toThrowError(CesrError);
    expect(() => nextKeyDigest(crypto, 'D!!', 'E')).toThrowError(CesrError);
  });
});
