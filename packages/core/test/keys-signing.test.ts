/**
 * Indexed and unindexed signatures against keripy 1.3.6 `Signer.sign` vectors, and ECDSA round trips.
 */
import {
  hexToBytes,
  indexerFromQb64,
  matterFromQb64,
  matterFromRaw,
  textToBytes,
} from '@kestrel/cesr';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { describe, expect, it } from 'vitest';
import { keyVectors } from '../../../test/support/key-vectors.js';
import { KeyError } from '../src/errors.js';
import {
  deriveSigner,
  signIndexed,
  signUnindexed,
  verifyIndexedSignature,
  verifyMatterSignature,
} from '../src/keys/index.js';

const crypto = await createNodeCrypto();
const vectors = keyVectors();

describe('keripy Ed25519 signatures', () => {
  it.each(vectors.signatures)('cigar of path $path, message $message_utf8', (row) => {
    const message = hexToBytes(row.message_hex);
    const cigar = signUnindexed(crypto, row.seed, message);
    expect(cigar.code).toBe(row.cigar.code);
    expect(cigar.qb64).toBe(row.cigar.qb64);
    expect(verifyMatterSignature(crypto, row.pub, cigar, message)).toBe(row.verifies);
    expect(verifyMatterSignature(crypto, row.pub, row.cigar.qb64, message)).toBe(row.verifies);
  });

  it.each(vectors.signatures)('sigers of path $path, message $message_utf8', (row) => {
    const message = hexToBytes(row.message_hex);
    const seed = matterFromQb64(row.seed);
    for (const siger of row.sigers) {
      const args = siger.args;
      const signature = signIndexed(crypto, seed, message, args.index, {
        ...(args.ondex === undefined ? {} : { ondex: args.ondex }),
        ...(args.only === undefined ? {} : { currentOnly: args.only }),
      });
      expect(signature.code).toBe(siger.code);
      expect(signature.index).toBe(siger.index);
      expect(signature.ondex ?? null).toBe(siger.ondex);
      expect(signature.qb64).toBe(siger.qb64);
      expect(verifyIndexedSignature(crypto, row.pub, signature, message)).toBe(true);
      expect(verifyIndexedSignature(crypto, row.pub, siger.qb64, message)).toBe(true);
    }
  });
});

describe('indexed signature codes (keripy Signer.sign rules)', () => {
  const seed = vectors.signatures[0]!.seed;
  const message = textToBytes('abc');
  const code = (index: number, options = {}) =>
    signIndexed(crypto, seed, message, index, options).code;

  it('small both-lists code for ondex == index <= 63, big otherwise', () => {
    expect(code(0)).toBe('A');
    expect(code(63)).toBe('A');
    expect(code(64)).toBe('2A');
    expect(code(3, { ondex: 3 })).toBe('A');
    expect(code(3, { ondex: 4 })).toBe('2A');
  });

  it('current-only codes ignore ondex', () => {
    expect(code(63, { currentOnly: true })).toBe('B');
    expect(code(64, { currentOnly: true })).toBe('2B');
    const signature = signIndexed(crypto, seed, message, 2, { currentOnly: true, ondex: 7 });
    expect(signature.code).toBe('B');
    expect(signature.ondex).toBeUndefined();
  });

  it('rejects indices that do not fit', () => {
    expect(() => signIndexed(crypto, seed, message, -1)).toThrow();
    expect(() => signIndexed(crypto, seed, message, 64 ** 2)).toThrow();
    expect(() => signIndexed(crypto, seed, message, 1.5)).toThrow();
  });
});

describe.each([
  { code: 'J', cigar: '0C', small: 'C', smallCurrent: 'D', big: '2C' },
  { code: 'Q', cigar: '0I', small: 'E', smallCurrent: 'F', big: '2E' },
] as const)('ECDSA seed $code', ({ code, cigar, small, smallCurrent, big }) => {
  const signer = deriveSigner(crypto, vectors.salter.salt_qb64, 'ecdsa-sign', {
    tier: 'temp',
    code,
  });
  const other = deriveSigner(crypto, vectors.salter.salt_qb64, 'ecdsa-other', {
    tier: 'temp',
    code,
  });
  const publicKey = signer.publicKey.qb64;
  const message = textToBytes('{"v":"KERI10JSON000000_"}');

  it('round-trips unindexed and indexed signatures', () => {
    const signature = signUnindexed(crypto, signer.seed, message);
    expect(signature.code).toBe(cigar);
    expect(verifyMatterSignature(crypto, publicKey, signature, message)).toBe(true);
    expect(verifyMatterSignature(crypto, publicKey, signature.qb64, message)).toBe(true);
    const nonTransferable = deriveSigner(crypto, vectors.salter.salt_qb64, 'ecdsa-sign', {
      tier: 'temp',
      code,
      transferable: false,
    });
    expect(verifyMatterSignature(crypto, nonTransferable.publicKey.qb64, signature, message)).toBe(
      true,
    );
    expect(signIndexed(crypto, signer.seed, message, 1).code).toBe(small);
    expect(signIndexed(crypto, signer.seed, message, 1, { currentOnly: true }).code).toBe(
      smallCurrent,
    );
    const indexed = signIndexed(crypto, signer.seed.qb64, message, 70);
    expect(indexed.code).toBe(big);
    expect(verifyIndexedSignature(crypto, publicKey, indexed, message)).toBe(true);
    expect(verifyIndexedSignature(crypto, publicKey, indexerFromQb64(indexed.qb64), message)).toBe(
      true,
    );
  });

  it('fails for a flipped bit, the wrong key or message, the wrong length', () => {
    const signature = signUnindexed(crypto, signer.seed, message);
    for (const byte of [0, 31, 32, 63]) {
      const flipped = new Uint8Array(signature.raw);
      flipped[byte]! ^= 0x10;
      expect(verifyMatterSignature(crypto, publicKey, matterFromRaw(cigar, flipped), message)).toBe(
        false,
      );
    }
    expect(verifyMatterSignature(crypto, other.publicKey.qb64, signature, message)).toBe(false);
    expect(verifyMatterSignature(crypto, publicKey, signature, textToBytes('other'))).toBe(false);
    expect(verifyMatterSignature(crypto, publicKey, signature.qb64.slice(0, -4), message)).toBe(
      false,
    );
    expect(verifyMatterSignature(crypto, publicKey.slice(0, -4), signature, message)).toBe(false);
  });
});

describe('verification of mismatched or malformed input is false, not an error', () => {
  const row = vectors.signatures[1]!;
  const message = hexToBytes(row.message_hex);
  const raw = hexToBytes(row.cigar.raw);

  it('a signature code of another scheme than the key', () => {
    expect(verifyMatterSignature(crypto, row.pub, matterFromRaw('0C', raw), message)).toBe(false);
    expect(verifyMatterSignature(crypto, row.pub, matterFromRaw('0D', raw), message)).toBe(false);
    expect(
      verifyIndexedSignature(crypto, row.pub, row.sigers[0]!.qb64.replace(/^A/, 'C'), message),
    ).toBe(false);
  });

  it('keys that are not verification keys, garbage text', () => {
    expect(verifyMatterSignature(crypto, row.seed, row.cigar.qb64, message)).toBe(false);
    expect(verifyMatterSignature(crypto, 'E' + row.pub.slice(1), row.cigar.qb64, message)).toBe(
      false,
    );
    expect(verifyMatterSignature(crypto, '', row.cigar.qb64, message)).toBe(false);
    expect(verifyMatterSignature(crypto, row.pub, 'garbage', message)).toBe(false);
    expect(verifyIndexedSignature(crypto, row.pub, 'garbage', message)).toBe(false);
  });

  it('signing with something that is not a seed is a KeyError', () => {
    expect(() => signUnindexed(crypto, row.pub, message)).toThrowError(KeyError);
    expect(() => signIndexed(crypto, 'nonsense', message, 0)).toThrowError(KeyError);
  });
});
