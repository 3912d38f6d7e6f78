/**
 * The Node backend's signatures: Ed25519 against keripy 1.3.6 vectors, ECDSA against OpenSSL
 * (node:crypto), which is what keripy's `cryptography` package signs and verifies with.
 */
import {
  createPrivateKey,
  createPublicKey,
  sign as opensslSign,
  verify as opensslVerify,
} from 'node:crypto';
import {
  bytesToHex,
  hexToBytes,
  type MatterCode,
  matterFromQb64,
  textToBytes,
} from '@kestrel/cesr';
import { ed448 } from '@noble/curves/ed448.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { keyVectors } from '../../../test/support/key-vectors.js';
import { createNodeCrypto } from '../src/index.js';

const crypto = await createNodeCrypto();
const vectors = keyVectors();

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

describe('Ed25519', () => {
  it.each(vectors.signatures)('keripy cigar of path $path, message $message_utf8', (row) => {
    const seed = matterFromQb64(row.seed);
    const publicKey = matterFromQb64(row.pub);
    const message = hexToBytes(row.message_hex);
    const signature = crypto.sign('A', seed.raw, message);
    // Ed25519 is deterministic: the same bytes as keripy.
    expect(bytesToHex(signature)).toBe(row.cigar.raw);
    expect(crypto.verify('D', publicKey.raw, signature, message)).toBe(true);
    expect(crypto.verify('B', publicKey.raw, signature, message)).toBe(row.verifies);
  });

  const row = vectors.signatures[1]!;
  const publicKey = matterFromQb64(row.pub).raw;
  const message = hexToBytes(row.message_hex);
  const signature = hexToBytes(row.cigar.raw);
  const otherKey = matterFromQb64(vectors.signatures[3]!.pub).raw;

  it('fails for a flipped bit anywhere', () => {
    for (const bit of [0, 7, 255, 256, 511]) {
      expect(crypto.verify('D', publicKey, flipBit(signature, bit), message)).toBe(false);
    }
    expect(crypto.verify('D', publicKey, signature, flipBit(message, 3))).toBe(false);
    expect(crypto.verify('D', flipBit(publicKey, 9), signature, message)).toBe(false);
  });

  it('fails for the wrong key and wrong lengths, without throwing', () => {
    expect(crypto.verify('D', otherKey, signature, message)).toBe(false);
    expect(crypto.verify('D', publicKey, signature.subarray(0, 63), message)).toBe(false);
    expect(crypto.verify('D', publicKey, new Uint8Array([...signature, 0]), message)).toBe(false);
    expect(crypto.verify('D', publicKey.subarray(0, 31), signature, message)).toBe(false);
    expect(crypto.verify('D', new Uint8Array(0), new Uint8Array(0), message)).toBe(false);
  });

  it('fails for key codes of other schemes', () => {
    expect(crypto.verify('E', publicKey, signature, message)).toBe(false);
    expect(crypto.verify('1AAB', publicKey, signature, message)).toBe(false);
  });

  it('signs a subarray view of a larger buffer correctly', () => {
    const seed = matterFromQb64(row.seed).raw;
    const backing = new Uint8Array(100);
    backing.set(seed, 10);
    const view = backing.subarray(10, 42);
    expect(crypto.sign('A', view, message)).toEqual(signature);
  });
});

const CURVES = [
  { name: 'secp256k1', seedCode: 'J', keys: ['1AAB', '1AAA'], noble: secp256k1, row: 0 },
  { name: 'secp256r1', seedCode: 'Q', keys: ['1AAJ', '1AAI'], noble: p256, row: 1 },
] as const;

function base64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

describe.each(CURVES)('ECDSA $name', ({ name, seedCode, keys, noble, row }) => {
  const vector = vectors.ecdsaKeys[row]!;
  const seed = matterFromQb64(vector.seed).raw;
  const publicKey = matterFromQb64(vector.pub_transferable).raw;
  const message = textToBytes('{"v":"KERI10JSON000000_"}');
  const uncompressed = noble.getPublicKey(seed, false);
  const jwk = {
    kty: 'EC',
    crv: name === 'secp256k1' ? 'secp256k1' : 'P-256',
    x: base64Url(uncompressed.subarray(1, 33)),
    y: base64Url(uncompressed.subarray(33)),
  };
  const opensslPrivate = createPrivateKey({ key: { ...jwk, d: base64Url(seed) }, format: 'jwk' });
  const opensslPublic = createPublicKey({ key: jwk, format: 'jwk' });

  it('round-trips sign and verify, for both key codes', () => {
    const signature = crypto.sign(seedCode, seed, message);
    expect(signature).toHaveLength(64);
    for (const key of keys)
      expect(crypto.verify(key as MatterCode, publicKey, signature, message)).toBe(true);
  });

  it('makes low-S signatures, which strict verifiers accept too', () => {
    for (let i = 0; i < 16; i++) {
      const signature = crypto.sign(seedCode, seed, textToBytes(`low-S ${i}`));
      expect(noble.Signature.fromBytes(signature, 'compact').hasHighS()).toBe(false);
    }
  });

  it('makes signatures OpenSSL verifies (r||s over SHA-256, as keripy)', () => {
    const signature = crypto.sign(seedCode, seed, message);
    expect(
      opensslVerify(
        'sha256',
        message,
        { key: opensslPublic, dsaEncoding: 'ieee-p1363' },
        signature,
      ),
    ).toBe(true);
  });

  it('verifies OpenSSL signatures, in both their low-S and high-S forms (keripy accepts both)', () => {
    for (let i = 0; i < 8; i++) {
      const signed = textToBytes(`message ${i}`);
      const signature = new Uint8Array(
        opensslSign('sha256', signed, { key: opensslPrivate, dsaEncoding: 'ieee-p1363' }),
      );
      const parsed = noble.Signature.fromBytes(signature, 'compact');
      const other = new noble.Signature(parsed.r, noble.Point.Fn.neg(parsed.s)).toBytes('compact');
      expect(noble.Signature.fromBytes(other, 'compact').hasHighS()).toBe(!parsed.hasHighS());
      expect(crypto.verify(keys[0], publicKey, signature, signed)).toBe(true);
      expect(crypto.verify(keys[0], publicKey, other, signed)).toBe(true);
      expect(
        opensslVerify('sha256', signed, { key: opensslPublic, dsaEncoding: 'ieee-p1363' }, other),
      ).toBe(true);
    }
  });

  it('fails for a flipped bit, the wrong key, the wrong length, without throwing', () => {
    const signature = crypto.sign(seedCode, seed, message);
    for (const bit of [0, 100, 256, 300, 511]) {
      expect(crypto.verify(keys[0], publicKey, flipBit(signature, bit), message)).toBe(false);
    }
    expect(crypto.verify(keys[0], publicKey, signature, flipBit(message, 5))).toBe(false);
    const otherKey = crypto.publicKey(seedCode, crypto.digest('I', textToBytes('another seed')));
    expect(crypto.verify(keys[0], otherKey, signature, message)).toBe(false);
    expect(crypto.verify(keys[0], publicKey, signature.subarray(0, 63), message)).toBe(false);
    expect(crypto.verify(keys[0], publicKey, new Uint8Array([...signature, 1]), message)).toBe(
      false,
    );
    expect(crypto.verify(keys[0], publicKey.subarray(1), signature, message)).toBe(false);
    expect(crypto.verify(keys[0], new Uint8Array(33), signature, message)).toBe(false);
    expect(crypto.verify(keys[0], publicKey, new Uint8Array(64), message)).toBe(false);
  });

  it('does not verify with the other curve or Ed25519', () => {
    const signature = crypto.sign(seedCode, seed, message);
    const other = CURVES.find((curve) => curve.name !== name)!;
    expect(crypto.verify(other.keys[0], publicKey, signature, message)).toBe(false);
    expect(crypto.verify('D', publicKey.subarray(1), signature, message)).toBe(false);
  });
});

describe('Ed448', () => {
  it('verifies RFC 8032 Ed448 signatures and rejects tampered ones', () => {
    const secret = crypto.digest('0G', textToBytes('ed448 test')).subarray(0, 57);
    const publicKey = ed448.getPublicKey(secret);
    const message = textToBytes('abc');
    const signature = ed448.sign(message, secret);
    expect(crypto.verify('1AAD', publicKey, signature, message)).toBe(true);
    expect(crypto.verify('1AAC', publicKey, signature, message)).toBe(true);
    expect(crypto.verify('1AAD', publicKey, flipBit(signature, 17), message)).toBe(false);
    expect(crypto.verify('1AAD', publicKey, signature.subarray(1), message)).toBe(false);
  });
});
