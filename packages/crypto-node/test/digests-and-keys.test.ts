/**
 * The Node backend's digests and key derivations against keripy 1.3.6 vectors (primitives.json).
 */
import {
  bytesToHex,
  hexToBytes,
  type MatterCode,
  MatterCodes,
  matterFromQb64,
  textToBytes,
} from '@kestrel/cesr';
import { describe, expect, it } from 'vitest';
import { keyVectors } from '../../../test/support/key-vectors.js';
import { createNodeCrypto } from '../src/index.js';

const crypto = await createNodeCrypto();
const vectors = keyVectors();

const DIGEST_NAMES = [
  'Blake3_256',
  'Blake2b_256',
  'Blake2s_256',
  'SHA3_256',
  'SHA2_256',
  'Blake3_512',
  'Blake2b_512',
  'SHA3_512',
  'SHA2_512',
] as const;

describe('digest', () => {
  for (const row of vectors.digests) {
    for (const name of DIGEST_NAMES) {
      it(`${name} of ${JSON.stringify(row.input_utf8)}`, () => {
        const code: MatterCode = MatterCodes[name];
        const expected = matterFromQb64(row[name]!);
        expect(expected.code).toBe(code);
        expect(bytesToHex(crypto.digest(code, hexToBytes(row.input_hex!)))).toBe(
          bytesToHex(expected.raw),
        );
      });
    }
  }

  it('covers all 9 digest codes', () => {
    expect(
      Object.keys(vectors.digests[0]!).filter((key) => DIGEST_NAMES.includes(key as never)),
    ).toHaveLength(9);
  });

  it.each(vectors.blake3)('Blake3-256 raw of $input_utf8', (row) => {
    expect(bytesToHex(crypto.digest('E', textToBytes(row.input_utf8)))).toBe(row.raw);
  });

  it('is stable when a reused hasher is called again and on empty input', () => {
    const first = crypto.digest('E', textToBytes('abc'));
    crypto.digest('E', new Uint8Array(1000));
    expect(crypto.digest('E', textToBytes('abc'))).toEqual(first);
    // Blake3-256 of the empty string (BLAKE3 reference test vector).
    expect(bytesToHex(crypto.digest('E', new Uint8Array(0)))).toBe(
      'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    );
  });

  it('rejects codes that are not digests', () => {
    expect(() => crypto.digest('A', new Uint8Array(1))).toThrow(/Unsupported digest code/);
  });
});

describe('publicKey', () => {
  it.each(vectors.ed25519Keys)('Ed25519 seed at path $path', (row) => {
    expect(bytesToHex(crypto.publicKey('A', hexToBytes(row.seed_raw)))).toBe(row.pub_raw);
    expect(matterFromQb64(row.pub_transferable).raw).toEqual(hexToBytes(row.pub_raw ?? ''));
  });

  it.each(vectors.ecdsaKeys)('$curve seed gives the compressed public key', (row) => {
    const seed = matterFromQb64(row.seed);
    expect(bytesToHex(seed.raw)).toBe(row.seed_raw);
    const publicKey = crypto.publicKey(seed.code, seed.raw);
    expect(publicKey).toHaveLength(33);
    expect(publicKey).toEqual(matterFromQb64(row.pub_transferable).raw);
    expect(publicKey).toEqual(matterFromQb64(row.pub_nontransferable).raw);
  });

  it('rejects seed codes it cannot use and seeds of the wrong size', () => {
    expect(() => crypto.publicKey('K', new Uint8Array(57))).toThrow();
    expect(() => crypto.publicKey('A', new Uint8Array(31))).toThrow();
    expect(() => crypto.publicKey('J', new Uint8Array(32))).toThrow(); // zero is not a valid scalar
  });
});

describe('X25519 from Ed25519', () => {
  const row = vectors.x25519FromEd25519;

  it('converts the public key as libsodium crypto_sign_pk_to_box_pk', () => {
    const verkey = matterFromQb64(row.verkey);
    expect(crypto.x25519PublicFromEd25519(verkey.raw)).toEqual(
      matterFromQb64(row.encrypter_pub).raw,
    );
  });

  it('converts the seed as libsodium crypto_sign_sk_to_box_sk', () => {
    const seed = matterFromQb64(row.seed);
    expect(crypto.x25519PrivateFromEd25519Seed(seed.raw)).toEqual(
      matterFromQb64(row.decrypter_pri).raw,
    );
  });
});

describe('randomBytes', () => {
  it('returns the requested length, differently each time', () => {
    const a = crypto.randomBytes(32);
    const b = crypto.randomBytes(32);
    expect(a).toHaveLength(32);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
    expect(crypto.randomBytes(0)).toHaveLength(0);
  });
});
