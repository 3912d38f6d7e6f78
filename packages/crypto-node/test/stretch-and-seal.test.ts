/**
 * The Node backend's argon2id stretching and sealed boxes against keripy 1.3.6 vectors
 * (primitives.json `salter`, keystore.json).
 */
import { bytesToText, hexToBytes, matterFromQb64, textToBytes } from '@kestrel/cesr';
import { describe, expect, it } from 'vitest';
import { keystoreEntries, keyVectors } from '../../../test/support/key-vectors.js';
import { createNodeCrypto, STRETCH_LIMITS } from '../src/index.js';

const crypto = await createNodeCrypto();
const salter = keyVectors().salter;
const salt = hexToBytes(salter.salt_raw_hex);

describe('stretch', () => {
  it('uses keripy Salter.stretch limits per tier', () => {
    expect(STRETCH_LIMITS).toEqual({
      temp: { opslimit: 1, memlimit: 8192 },
      low: { opslimit: 2, memlimit: 67108864 },
      med: { opslimit: 3, memlimit: 268435456 },
      high: { opslimit: 4, memlimit: 1073741824 },
    });
  });

  it.each(salter.temp)('temp tier, path $path: the path is the password', (row) => {
    const seed = crypto.stretch(textToBytes(row.path), salt, 32, 'temp');
    expect(seed).toEqual(matterFromQb64(row.seed).raw);
  });

  it.each(salter.temp.slice(0, 4))(
    'stretchAsync agrees at the temp tier, path $path',
    async (row) => {
      const seed = await crypto.stretchAsync(textToBytes(row.path), salt, 32, 'temp');
      expect(seed).toEqual(matterFromQb64(row.seed).raw);
    },
  );

  // The low tier is 64 MiB, med 256 MiB and high 1 GiB of argon2id memory: seconds, not milliseconds.
  it.each(salter.tiers)('$tier tier, path $path (stretchAsync)', async (row) => {
    const seed = await crypto.stretchAsync(textToBytes(row.path), salt, 32, row.tier);
    expect(seed).toEqual(matterFromQb64(row.seed).raw);
  });

  it('low tier, path tier0 (stretch, synchronous)', () => {
    const row = salter.tiers.find((tier) => tier.tier === 'low')!;
    expect(crypto.stretch(textToBytes(row.path), salt, 32, 'low')).toEqual(
      matterFromQb64(row.seed).raw,
    );
  });

  it('gives other sizes as prefixes of nothing: size is an argon2 parameter', () => {
    const short = crypto.stretch(textToBytes('x'), salt, 16, 'temp');
    const long = crypto.stretch(textToBytes('x'), salt, 32, 'temp');
    expect(short).toHaveLength(16);
    expect(long.subarray(0, 16)).not.toEqual(short);
  });

  it('rejects a salt that is not 16 bytes (the async form rejects, it does not throw)', async () => {
    expect(() => crypto.stretch(textToBytes('x'), salt.subarray(1), 32, 'temp')).toThrow();
    await expect(
      crypto.stretchAsync(textToBytes('x'), salt.subarray(1), 32, 'temp'),
    ).rejects.toThrow();
  });
});

describe('sealed boxes (keystore.json)', () => {
  const entries = keystoreEntries();

  it.each(entries)('$mode, passcode of $bran_len characters: every secret opens', (entry) => {
    const seed = matterFromQb64(entry.seed).raw;
    const aeid = matterFromQb64(entry.aeid).raw;
    const x25519Public = crypto.x25519PublicFromEd25519(aeid);
    const x25519Private = crypto.x25519PrivateFromEd25519Seed(seed);
    expect(x25519Public).toEqual(matterFromQb64(entry.x25519_pub).raw);
    expect(x25519Private).toEqual(matterFromQb64(entry.x25519_pri).raw);
    expect(crypto.publicKey('A', seed)).toEqual(aeid);
    for (const secret of entry.secrets) {
      const cipher = matterFromQb64(secret.cipher);
      const plaintext = crypto.openSealed(cipher.raw, x25519Public, x25519Private);
      expect(plaintext && bytesToText(plaintext)).toBe(secret.plaintext);
    }
  });

  const entry = entries[1]!;
  const x25519Public = matterFromQb64(entry.x25519_pub).raw;
  const x25519Private = matterFromQb64(entry.x25519_pri).raw;

  it('seals and opens, randomised each time', () => {
    const plaintext = textToBytes('0AAwMTIzNDU2Nzg5YWJjZGVm');
    const first = crypto.seal(plaintext, x25519Public);
    const second = crypto.seal(plaintext, x25519Public);
    expect(first).toHaveLength(plaintext.length + 48);
    expect(first).not.toEqual(second);
    expect(crypto.openSealed(first, x25519Public, x25519Private)).toEqual(plaintext);
    expect(crypto.openSealed(second, x25519Public, x25519Private)).toEqual(plaintext);
    expect(
      crypto.openSealed(crypto.seal(new Uint8Array(0), x25519Public), x25519Public, x25519Private),
    ).toEqual(new Uint8Array(0));
  });

  it('returns undefined, never throws, when the box does not open', () => {
    const sealed = crypto.seal(textToBytes('secret'), x25519Public);
    const other = entries[0]!;
    const otherPublic = matterFromQb64(other.x25519_pub).raw;
    const otherPrivate = matterFromQb64(other.x25519_pri).raw;
    expect(crypto.openSealed(sealed, otherPublic, otherPrivate)).toBeUndefined();
    const tampered = new Uint8Array(sealed);
    tampered[sealed.length - 1]! ^= 1;
    expect(crypto.openSealed(tampered, x25519Public, x25519Private)).toBeUndefined();
    expect(crypto.openSealed(sealed.subarray(0, 47), x25519Public, x25519Private)).toBeUndefined();
    expect(crypto.openSealed(sealed.subarray(0, 48), x25519Public, x25519Private)).toBeUndefined();
    expect(crypto.openSealed(sealed, x25519Public.subarray(1), x25519Private)).toBeUndefined();
    expect(crypto.openSealed(sealed, x25519Public, new Uint8Array(0))).toBeUndefined();
  });
});
