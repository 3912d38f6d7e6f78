/**
 * Passcode-derived keystore identity and encrypted secrets against keripy 1.3.6 keystore vectors.
 */
import { bytesToHex, matterFromQb64, matterFromRaw, textToBytes } from '@kestrel/cesr';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { describe, expect, it } from 'vitest';
import {
  type KeystoreEntry,
  keystoreEntries,
  keyVectors,
} from '../../../test/support/key-vectors.js';
import { KeyError } from '../src/errors.js';
import {
  decryptBytes,
  decryptionPrivateKey,
  decryptSecret,
  encryptBytes,
  encryptionPublicKey,
  encryptSecret,
  passcodeIdentity,
  passcodeIdentityAsync,
  passcodeSalt,
  randomSalt,
  signerFromSeed,
} from '../src/keys/index.js';
import type { StretchTier } from '../src/ports/crypto.js';

const crypto = await createNodeCrypto();
const entries = keystoreEntries();
const vectors = keyVectors();
const tierOf = (entry: KeystoreEntry): StretchTier =>
  entry.mode === 'temp_test_mode' ? 'temp' : 'low';

function keyErrorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof KeyError) return error.code;
    throw error;
  }
  return undefined;
}

describe('passcode identity (keripy Habery.setup)', () => {
  it.each(entries)('$mode, passcode of $bran_len characters', (entry) => {
    const salt = passcodeSalt(entry.bran);
    expect(salt.qb64).toBe(entry.salt_qb64);
    expect(bytesToHex(salt.raw)).toBe(entry.salt_raw_hex);
    const identity = passcodeIdentity(crypto, entry.bran, tierOf(entry));
    expect(identity.seed.qb64).toBe(entry.seed);
    expect(identity.aeid).toBe(entry.aeid);
    expect(encryptionPublicKey(crypto, identity.aeid).qb64).toBe(entry.x25519_pub);
    expect(decryptionPrivateKey(crypto, identity.seed).qb64).toBe(entry.x25519_pri);
  });

  it('defaults to the low tier, and the async form agrees', async () => {
    const entry = entries.find((candidate) => tierOf(candidate) === 'low')!;
    expect((await passcodeIdentityAsync(crypto, entry.bran)).aeid).toBe(entry.aeid);
    expect(passcodeIdentity(crypto, entry.bran).seed.qb64).toBe(entry.seed);
  });

  it('uses only the first 21 characters', () => {
    const long = passcodeIdentity(crypto, 'ThisPasscodeIsLongerThan21Chars', 'temp');
    const cut = passcodeIdentity(crypto, 'ThisPasscodeIsLongerT', 'temp');
    const other = passcodeIdentity(crypto, 'ThisPasscodeIsLongerX', 'temp');
    expect(long.aeid).toBe(cut.aeid);
    expect(other.aeid).not.toBe(cut.aeid);
  });

  it('refuses passcodes shorter than 21 characters or not Base64 with KeyError bad_salt', () => {
    expect(keyErrorCode(() => passcodeIdentity(crypto, 'MyPasscodeIsASecret2', 'temp'))).toBe(
      'bad_salt',
    );
    expect(keyErrorCode(() => passcodeIdentity(crypto, '', 'temp'))).toBe('bad_salt');
    expect(keyErrorCode(() => passcodeSalt('MyPasscode IsASecret21'))).toBe('bad_salt');
    expect(keyErrorCode(() => passcodeSalt('MyPasscodeIsASecret2é'))).toBe('bad_salt');
    // Characters after the 21st are not used, so they need not be Base64.
    expect(passcodeSalt('MyPasscodeIsASecret21 !').qb64).toBe('0AAMyPasscodeIsASecret21');
  });
});

describe('keripy sealed secrets decrypt', () => {
  it.each(entries)('$mode, passcode of $bran_len characters', (entry) => {
    for (const secret of entry.secrets) {
      expect(matterFromQb64(secret.cipher).code).toBe(secret.cipher_code);
      expect(decryptSecret(crypto, entry.seed, secret.cipher)).toBe(secret.plaintext);
      if (secret.pub)
        expect(signerFromSeed(crypto, secret.plaintext).publicKey.qb64).toBe(secret.pub);
    }
  });

  it('fail with decrypt_failed under another passcode', () => {
    const [first, second] = [entries[1]!, entries[3]!];
    expect(first.aeid).not.toBe(second.aeid);
    expect(keyErrorCode(() => decryptSecret(crypto, second.seed, first.secrets[0]!.cipher))).toBe(
      'decrypt_failed',
    );
  });
});

describe('encrypt then decrypt', () => {
  const entry = entries[1]!;
  const { aeid, seed } = entry;
  const edSeed = entry.secrets[0]!.plaintext;

  it.each([
    { name: 'an Ed25519 seed', plaintext: edSeed, code: 'P' },
    { name: 'a secp256k1 seed', plaintext: vectors.ecdsaKeys[0]!.seed, code: 'P' },
    { name: 'a salt', plaintext: '0AAwMTIzNDU2Nzg5YWJjZGVm', code: '1AAH' },
    {
      name: 'a date-time (variable code, no lead)',
      plaintext: '1AAG2021-01-01T00c00c00d000000p00c00',
      code: '4D',
    },
    {
      name: 'a digest (variable code, 1 lead byte)',
      plaintext: 'EGQ3s6w4RlEz_7Y7dSc6jbVIxVhGXXnbA_01nGzVvZ2F',
      code: '5D',
    },
    {
      name: 'a 512-bit digest (variable code, 2 lead bytes)',
      plaintext:
        '0DBkN7OsOEZRM_-2O3UnOo21SMVYRl152wP9NZxs1b2dhR-yUK5zk_XQKBO2XVIaDUktm6Cc985_TP_ZAPIzdL8L',
      code: '6D',
    },
  ])('$name -> $code', ({ plaintext, code }) => {
    const cipher = encryptSecret(crypto, aeid, plaintext);
    expect(cipher.code).toBe(code);
    expect(cipher.raw).toHaveLength(plaintext.length + 48);
    expect(decryptSecret(crypto, seed, cipher)).toBe(plaintext);
    expect(decryptSecret(crypto, matterFromQb64(seed), cipher.qb64)).toBe(plaintext);
    expect(encryptSecret(crypto, aeid, plaintext).qb64).not.toBe(cipher.qb64);
  });

  it('fixed codes have keripy sizes: P is 124 characters, 1AAH is 100', () => {
    expect(encryptSecret(crypto, aeid, edSeed).qb64).toHaveLength(124);
    expect(encryptSecret(crypto, aeid, randomSalt(crypto).qb64).qb64).toHaveLength(100);
  });

  it('an explicit code: 4D for a seed, but never a fixed code of the wrong size', () => {
    const plaintext = edSeed;
    const cipher = encryptSecret(crypto, aeid, plaintext, '4D');
    expect(cipher.code).toBe('5D');
    expect(decryptSecret(crypto, seed, cipher)).toBe(plaintext);
    expect(keyErrorCode(() => encryptSecret(crypto, aeid, plaintext, '1AAH'))).toBe('bad_cipher');
  });

  it('a transferable aeid (D) works too, other key codes do not', () => {
    const transferable = `D${aeid.slice(1)}`;
    expect(
      decryptSecret(crypto, seed, encryptSecret(crypto, transferable, '0AAwMTIzNDU2Nzg5YWJjZGVm')),
    ).toBe('0AAwMTIzNDU2Nzg5YWJjZGVm');
    expect(keyErrorCode(() => encryptSecret(crypto, `E${aeid.slice(1)}`, edSeed))).toBe('bad_key');
    expect(keyErrorCode(() => encryptSecret(crypto, aeid, 'not qb64'))).toBe('bad_key');
  });

  it.each([
    { format: 'stream', length: 0, code: '4C' },
    { format: 'stream', length: 1, code: '6C' },
    { format: 'qb2', length: 2, code: '5E' },
    { format: 'qb2', length: 12_300, code: '7AAE' },
  ] as const)('bytes as $format, $length bytes -> $code', ({ format, length, code }) => {
    const plaintext = crypto.randomBytes(length);
    const cipher = encryptBytes(crypto, aeid, plaintext, format);
    expect(cipher.code).toBe(code);
    expect(decryptBytes(crypto, seed, cipher.qb64)).toEqual(plaintext);
    expect(keyErrorCode(() => decryptSecret(crypto, seed, cipher))).toBe('bad_cipher');
  });
});

describe('decryption errors', () => {
  const entry = entries[1]!;
  const cipherQb64 = entry.secrets[0]!.cipher;

  it('bad_cipher for codes that are not X25519 ciphers and for malformed text', () => {
    expect(keyErrorCode(() => decryptSecret(crypto, entry.seed, entry.aeid))).toBe('bad_cipher');
    expect(keyErrorCode(() => decryptSecret(crypto, entry.seed, 'P!!'))).toBe('bad_cipher');
  });

  it('decrypt_failed for a tampered cipher', () => {
    const cipher = matterFromQb64(cipherQb64);
    const raw = new Uint8Array(cipher.raw);
    raw[50]! ^= 1;
    expect(keyErrorCode(() => decryptSecret(crypto, entry.seed, matterFromRaw('P', raw)))).toBe(
      'decrypt_failed',
    );
  });

  it('bad_cipher when a P cipher holds something that is not a seed', () => {
    const cipher = encryptSecret(crypto, entry.aeid, entry.aeid, 'P');
    expect(keyErrorCode(() => decryptSecret(crypto, entry.seed, cipher))).toBe('bad_cipher');
    expect(bytesToHex(decryptBytes(crypto, entry.seed, cipher))).toBe(
      bytesToHex(textToBytes(entry.aeid)),
    );
  });

  it('bad_key for a seed that is not Ed25519', () => {
    const ecdsaSeed = vectors.ecdsaKeys[0]!.seed;
    expect(keyErrorCode(() => decryptSecret(crypto, ecdsaSeed, cipherQb64))).toBe('bad_key');
    expect(keyErrorCode(() => decryptionPrivateKey(crypto, entry.aeid))).toBe('bad_key');
  });
});
