/**
 * @module keys/salter
 * Deterministic keys from a salt, as keripy's `Salter` makes them (KERI-RULES §1.11): the seed is
 * argon2id with the derivation PATH as the password and the 16-byte salt as the salt, so one salt
 * and many paths give many independent keys.
 */
import {
  CesrError,
  DIGEST_CODES,
  type Matter,
  type MatterCode,
  matterFromQb64,
  matterFromRaw,
  rawSizeOf,
  textToBytes,
} from '@kestrel/cesr';
import { KeyError } from '../errors.js';
import type { Crypto, StretchTier } from '../ports/crypto.js';
import type { SeedCode } from './schemes.js';
import { type Signer, signerFromSeed } from './signer.js';

/** Raw size of a `Salt_128` ('0A'), libsodium's crypto_pwhash_SALTBYTES. */
export const SALT_SIZE = 16;

const SALT_CODE = '0A';

/** keripy's default tier (`Salter.Tier`). */
export const DEFAULT_TIER: StretchTier = 'low';

/** A salt from qb64 text ('0A' + 22 characters); KeyError('bad_salt') for anything else. */
export function saltFromQb64(qb64: string): Matter {
  let salt: Matter;
  try {
    salt = matterFromQb64(qb64);
  } catch (error) {
    if (error instanceof CesrError)
      throw new KeyError('bad_salt', `Salt is not valid qb64 (${error.code})`);
    throw error;
  }
  if (salt.code !== SALT_CODE)
    throw new KeyError('bad_salt', `Salt code must be '0A', got '${salt.code}'`);
  return salt;
}

/** A salt from its 16 raw bytes. */
export function saltFromRaw(raw: Uint8Array): Matter {
  if (raw.length !== SALT_SIZE)
    throw new KeyError('bad_salt', `Salt must be ${SALT_SIZE} bytes, got ${raw.length}`);
  return matterFromRaw(SALT_CODE, raw);
}

/** A fresh random salt. */
export function randomSalt(crypto: Crypto): Matter {
  return saltFromRaw(crypto.randomBytes(SALT_SIZE));
}

function saltMatter(salt: Matter | string): Matter {
  if (typeof salt === 'string') return saltFromQb64(salt);
  if (salt.code !== SALT_CODE)
    throw new KeyError('bad_salt', `Salt code must be '0A', got '${salt.code}'`);
  return salt;
}

/** keripy `Salter.stretch`: `size` bytes of argon2id(password = UTF-8 of path, salt = raw salt). */
export function stretchSeed(
  crypto: Crypto,
  saltRaw: Uint8Array,
  path: string,
  tier: StretchTier = DEFAULT_TIER,
  size = 32,
): Uint8Array {
  if (saltRaw.length !== SALT_SIZE)
    throw new KeyError('bad_salt', `Salt must be ${SALT_SIZE} bytes`);
  return crypto.stretch(textToBytes(path), saltRaw, size, tier);
}

/** The same as `stretchSeed`, off the main thread: the med and high tiers take seconds. */
export function stretchSeedAsync(
  crypto: Crypto,
  saltRaw: Uint8Array,
  path: string,
  tier: StretchTier = DEFAULT_TIER,
  size = 32,
): Promise<Uint8Array> {
  if (saltRaw.length !== SALT_SIZE)
    throw new KeyError('bad_salt', `Salt must be ${SALT_SIZE} bytes`);
  return crypto.stretchAsync(textToBytes(path), saltRaw, size, tier);
}

export interface DeriveOptions {
  /** Stretching tier; default 'low' as keripy ('temp' is for tests only). */
  readonly tier?: StretchTier;
  /** Transferable public key code ('D') or not ('B'); default true. */
  readonly transferable?: boolean;
  /** Seed code: 'A' Ed25519 (default), 'J' secp256k1 or 'Q' secp256r1, as keripy's Salter.signer. */
  readonly code?: SeedCode;
}

export interface DeriveManyOptions extends DeriveOptions {
  /** Number of signers; default 1. */
  readonly count?: number;
  /** First suffix; default 0. */
  readonly start?: number;
  /** Path prefix; default ''. */
  readonly path?: string;
}

function signerFromStretch(crypto: Crypto, stretched: Uint8Array, options: DeriveOptions): Signer {
  const seed = matterFromRaw(options.code ?? 'A', stretched);
  return signerFromSeed(crypto, seed, options.transferable ?? true);
}

function seedSize(options: DeriveOptions): number {
  return rawSizeOf(options.code ?? 'A');
}

/** keripy `Salter.signer`: the key pair at `path` under `salt`. */
export function deriveSigner(
  crypto: Crypto,
  salt: Matter | string,
  path: string,
  options: DeriveOptions = {},
): Signer {
  const stretched = stretchSeed(
    crypto,
    saltMatter(salt).raw,
    path,
    options.tier,
    seedSize(options),
  );
  return signerFromStretch(crypto, stretched, options);
}

/** `deriveSigner` with the stretch off the main thread. */
export async function deriveSignerAsync(
  crypto: Crypto,
  salt: Matter | string,
  path: string,
  options: DeriveOptions = {},
): Promise<Signer> {
  const stretched = await stretchSeedAsync(
    crypto,
    saltMatter(salt).raw,
    path,
    options.tier,
    seedSize(options),
  );
  return signerFromStretch(crypto, stretched, options);
}

/** Paths of keripy `Salter.signers`: the prefix followed by `start + i` in lowercase hex, no padding. */
export function signerPaths(count = 1, start = 0, path = ''): string[] {
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(start) || start < 0) {
    throw new KeyError('bad_key', `Invalid signer count ${count} or start ${start}`);
  }
  return Array.from({ length: count }, (_, i) => `${path}${(i + start).toString(16)}`);
}

/** keripy `Salter.signers`: `count` key pairs at the paths of `signerPaths`. */
export function deriveSigners(
  crypto: Crypto,
  salt: Matter | string,
  options: DeriveManyOptions = {},
): Signer[] {
  const matter = saltMatter(salt);
  return signerPaths(options.count, options.start, options.path).map((path) =>
    deriveSigner(crypto, matter, path, options),
  );
}

/**
 * The next-key digest that commits to a public key (KERI-RULES §1.2, keripy `Diger(ser=verfer.qb64b)`):
 * the digest of the key's qb64 TEXT, not of its raw bytes.
 */
export function nextKeyDigest(
  crypto: Crypto,
  publicKeyQb64: string,
  code: MatterCode = 'E',
): Matter {
  if (!DIGEST_CODES.has(code))
    throw new CesrError('unknown_code', `'${code}' is not a digest code`, 0, { code });
  matterFromQb64(publicKeyQb64);
  return matterFromRaw(code, crypto.digest(code, textToBytes(publicKeyQb64)));
}
