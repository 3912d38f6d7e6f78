/**
 * @module keys/encryption
 * Encryption of secrets at rest, compatible with a keripy keystore (KERI-RULES §1.11; keripy
 * `Habery.setup`, `Encrypter`, `Decrypter`, `Cipher`).
 *
 * A passcode is stretched into a non-transferable Ed25519 key pair; its public key, the `aeid`,
 * names the keystore's encryption key. Secrets are libsodium sealed boxes to the X25519 form of
 * the aeid. The plaintext of a seed or salt is its qb64 TEXT, so its code survives the round trip.
 */
import {
  bytesToText,
  CesrError,
  type Matter,
  matterFromQb64,
  matterFromRaw,
  textToBytes,
} from '@kestrel/cesr';
import { KeyError } from '../errors.js';
import type { Crypto, StretchTier } from '../ports/crypto.js';
import { DEFAULT_TIER, deriveSigner, deriveSignerAsync, saltFromQb64 } from './salter.js';
import { SIGNATURE_SCHEMES } from './schemes.js';
import { type Signer, seedMatter } from './signer.js';

/** keripy uses exactly the first 21 characters of a passcode ("bran"), and refuses shorter ones. */
export const PASSCODE_LENGTH = 21;

export interface PasscodeIdentity {
  /** Non-transferable Ed25519 public key, qb64 'B...': the keystore's encryption identity. */
  readonly aeid: string;
  /** Its private seed, qb64 'A...': decrypts the keystore. Secret: keep it in memory only. */
  readonly seed: Matter;
}

/** The salt of a passcode: qb64 '0A' + 'A' + its first 21 characters (the 'A' zeroes the pad bits). */
export function passcodeSalt(passcode: string): Matter {
  const characters = Array.from(passcode);
  if (characters.length < PASSCODE_LENGTH) {
    throw new KeyError('bad_salt', `Passcode must have at least ${PASSCODE_LENGTH} characters`, {
      length: characters.length,
    });
  }
  try {
    return saltFromQb64(`0AA${characters.slice(0, PASSCODE_LENGTH).join('')}`);
  } catch (error) {
    if (error instanceof KeyError) {
      throw new KeyError(
        'bad_salt',
        'The first 21 passcode characters must be Base64 URL-safe (A-Z a-z 0-9 - _)',
      );
    }
    throw error;
  }
}

function identityOf(signer: Signer): PasscodeIdentity {
  return { aeid: signer.publicKey.qb64, seed: signer.seed };
}

/** keripy `Habery.setup(bran=...)`: the signer at path '' of the passcode's salt, non-transferable. */
export function passcodeIdentity(
  crypto: Crypto,
  passcode: string,
  tier: StretchTier = DEFAULT_TIER,
): PasscodeIdentity {
  return identityOf(
    deriveSigner(crypto, passcodeSalt(passcode), '', { tier, transferable: false }),
  );
}

/** `passcodeIdentity` with the stretch off the main thread. */
export async function passcodeIdentityAsync(
  crypto: Crypto,
  passcode: string,
  tier: StretchTier = DEFAULT_TIER,
): Promise<PasscodeIdentity> {
  return identityOf(
    await deriveSignerAsync(crypto, passcodeSalt(passcode), '', { tier, transferable: false }),
  );
}

const ED25519 = SIGNATURE_SCHEMES.Ed25519;
/** Cipher codes whose plaintext is qb64 text: fixed seed and salt, and the variable 4D family. */
const QB64_CIPHERS: ReadonlySet<string> = new Set([
  'P',
  '1AAH',
  '4D',
  '5D',
  '6D',
  '7AAD',
  '8AAD',
  '9AAD',
]);
const QB2_CIPHERS: ReadonlySet<string> = new Set(['4E', '5E', '6E', '7AAE', '8AAE', '9AAE']);
const STREAM_CIPHERS: ReadonlySet<string> = new Set(['4C', '5C', '6C', '7AAC', '8AAC', '9AAC']);
const SEED_CODES: ReadonlySet<string> = new Set(['A', 'J', 'Q']);

/** keripy `Encrypter(verkey=aeid)`: the X25519 public key (qb64 'C...') of an Ed25519 key 'B'/'D'. */
export function encryptionPublicKey(crypto: Crypto, aeidQb64: string): Matter {
  let key: Matter;
  try {
    key = matterFromQb64(aeidQb64);
  } catch (error) {
    if (error instanceof CesrError)
      throw new KeyError('bad_key', `Encryption key is not valid qb64 (${error.code})`);
    throw error;
  }
  if (key.code !== ED25519.transferableKey && key.code !== ED25519.nonTransferableKey) {
    throw new KeyError('bad_key', `Encryption needs an Ed25519 key 'B' or 'D', got '${key.code}'`, {
      code: key.code,
    });
  }
  return matterFromRaw('C', crypto.x25519PublicFromEd25519(key.raw));
}

/** keripy `Decrypter(seed=...)`: the X25519 private key (qb64 'O...') of an Ed25519 seed. Secret. */
export function decryptionPrivateKey(crypto: Crypto, seed: Matter | string): Matter {
  return matterFromRaw('O', crypto.x25519PrivateFromEd25519Seed(ed25519Seed(seed).raw));
}

function ed25519Seed(seed: Matter | string): Matter {
  const matter = seedMatter(seed);
  if (matter.code !== ED25519.seed) {
    throw new KeyError('bad_key', `Decryption needs an Ed25519 seed 'A', got '${matter.code}'`, {
      code: matter.code,
    });
  }
  return matter;
}

/** Cipher code keripy's `Encrypter.encrypt` gives a qb64 secret; '4D' (variable) for other primitives. */
function secretCipherCode(plaintext: Matter): 'P' | '1AAH' | '4D' {
  if (plaintext.code === '0A') return '1AAH';
  if (SEED_CODES.has(plaintext.code)) return 'P';
  return '4D';
}

/**
 * Seals a qb64 secret to the aeid. Default code: 'P' for a 44-character seed, '1AAH' for a
 * 24-character salt, and the variable '4D' family (promoted to 5D/6D/7AAD... by size) for any other
 * primitive, where keripy would need the code given. An explicit code must fit the plaintext size.
 */
export function encryptSecret(
  crypto: Crypto,
  aeidQb64: string,
  plaintextQb64: string,
  code?: 'P' | '1AAH' | '4D',
): Matter {
  let plaintext: Matter;
  try {
    plaintext = matterFromQb64(plaintextQb64);
  } catch (error) {
    if (error instanceof CesrError)
      throw new KeyError('bad_key', `Secret is not valid qb64 (${error.code})`);
    throw error;
  }
  const cipherCode = code ?? secretCipherCode(plaintext);
  const sealed = crypto.seal(textToBytes(plaintextQb64), encryptionPublicKey(crypto, aeidQb64).raw);
  try {
    return matterFromRaw(cipherCode, sealed);
  } catch (error) {
    if (error instanceof CesrError) {
      throw new KeyError(
        'bad_cipher',
        `Cipher code '${cipherCode}' does not fit a ${plaintextQb64.length}-character secret`,
      );
    }
    throw error;
  }
}

/**
 * Seals arbitrary bytes: `format` 'stream' (a sniffable CESR stream, keripy's default, code family
 * 4C) or 'qb2' (a binary primitive, family 4E). The code is promoted by size as for any variable code.
 */
export function encryptBytes(
  crypto: Crypto,
  aeidQb64: string,
  plaintext: Uint8Array,
  format: 'stream' | 'qb2' = 'stream',
): Matter {
  const sealed = crypto.seal(plaintext, encryptionPublicKey(crypto, aeidQb64).raw);
  return matterFromRaw(format === 'stream' ? '4C' : '4E', sealed);
}

function cipherMatter(cipher: Matter | string): Matter {
  let matter: Matter;
  try {
    matter = typeof cipher === 'string' ? matterFromQb64(cipher) : cipher;
  } catch (error) {
    if (error instanceof CesrError)
      throw new KeyError('bad_cipher', `Cipher is not valid qb64 (${error.code})`);
    throw error;
  }
  const code = matter.code;
  if (!QB64_CIPHERS.has(code) && !QB2_CIPHERS.has(code) && !STREAM_CIPHERS.has(code)) {
    throw new KeyError('bad_cipher', `'${code}' is not an X25519 cipher code`, { code });
  }
  return matter;
}

/** Opens any X25519 sealed-box cipher with the aeid's seed and returns the plaintext bytes. */
export function decryptBytes(
  crypto: Crypto,
  seed: Matter | string,
  cipher: Matter | string,
): Uint8Array {
  const matter = cipherMatter(cipher);
  const seedRaw = ed25519Seed(seed).raw;
  const publicKey = crypto.x25519PublicFromEd25519(crypto.publicKey('A', seedRaw));
  const plaintext = crypto.openSealed(
    matter.raw,
    publicKey,
    crypto.x25519PrivateFromEd25519Seed(seedRaw),
  );
  if (!plaintext)
    throw new KeyError('decrypt_failed', 'Cipher does not open with this seed', {
      code: matter.code,
    });
  return plaintext;
}

/**
 * Opens a cipher of a qb64 secret ('P', '1AAH' or the 4D family) and returns the secret's qb64.
 * The plaintext is checked as keripy checks it: a seed for 'P', a salt for '1AAH', a primitive else.
 */
export function decryptSecret(
  crypto: Crypto,
  seed: Matter | string,
  cipher: Matter | string,
): string {
  const matter = cipherMatter(cipher);
  if (!QB64_CIPHERS.has(matter.code)) {
    throw new KeyError('bad_cipher', `Cipher '${matter.code}' does not hold qb64 text`, {
      code: matter.code,
    });
  }
  const text = bytesToText(decryptBytes(crypto, seed, matter));
  let plaintext: Matter;
  try {
    plaintext = matterFromQb64(text);
  } catch (error) {
    if (error instanceof CesrError)
      throw new KeyError('bad_cipher', 'Decrypted secret is not valid qb64');
    throw error;
  }
  // keripy reads a 'P' plaintext as a Signer and a '1AAH' one as a Salter; 4D has no fixed kind.
  const fits =
    (matter.code !== 'P' || SEED_CODES.has(plaintext.code)) &&
    (matter.code !== '1AAH' || plaintext.code === '0A');
  if (!fits) {
    throw new KeyError(
      'bad_cipher',
      `Cipher '${matter.code}' holds an unexpected '${plaintext.code}' primitive`,
    );
  }
  return text;
}
