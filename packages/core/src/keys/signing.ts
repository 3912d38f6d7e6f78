/**
 * @module keys/signing
 * Signing and verifying with key primitives (keripy `Signer.sign`, `Verfer.verify`).
 *
 * An indexed signature's code follows keripy's rules: current-only codes when asked, otherwise the
 * small "both" code when ondex equals index and fits one digit, the big code in every other case.
 */
import {
  CesrError,
  INDEXER_SIZES,
  type IndexedSignature,
  indexedSignatureFor,
  indexerFromQb64,
  type Matter,
  matterFromQb64,
  matterFromRaw,
} from '@kestrel/cesr';
import type { Crypto } from '../ports/crypto.js';
import { type SignatureScheme, schemeOfPublicKey, schemeOfSeed } from './schemes.js';
import { seedMatter } from './signer.js';

export interface SignIndexedOptions {
  /** Position of the key's digest in the prior next list; defaults to `index`. Ignored when `currentOnly`. */
  readonly ondex?: number;
  /** True for a signature that refers to the current key list only (keripy `only=True`). */
  readonly currentOnly?: boolean;
}

function rawSignature(crypto: Crypto, seed: Matter | string, message: Uint8Array) {
  const matter = seedMatter(seed);
  const scheme = schemeOfSeed(matter.code);
  return { scheme, raw: crypto.sign(scheme.seed, matter.raw, message) };
}

/** An indexed signature (keripy `Siger`) of `message` by the key at `index` of the key list. */
export function signIndexed(
  crypto: Crypto,
  seed: Matter | string,
  message: Uint8Array,
  index: number,
  options: SignIndexedOptions = {},
): IndexedSignature {
  const { scheme, raw } = rawSignature(crypto, seed, message);
  const codeOptions = options.currentOnly
    ? { currentOnly: true }
    : options.ondex === undefined
      ? {}
      : { ondex: options.ondex };
  return indexedSignatureFor(scheme.name, raw, index, codeOptions);
}

/** An unindexed signature (keripy `Cigar`): code '0B' Ed25519, '0C' secp256k1, '0I' secp256r1. */
export function signUnindexed(crypto: Crypto, seed: Matter | string, message: Uint8Array): Matter {
  const { scheme, raw } = rawSignature(crypto, seed, message);
  return matterFromRaw(scheme.signature, raw);
}

/** The scheme of a public key given as qb64, or undefined when it is not a verification key. */
function publicKeyScheme(
  publicKeyQb64: string,
): { key: Matter; scheme: SignatureScheme } | undefined {
  let key: Matter;
  try {
    key = matterFromQb64(publicKeyQb64);
  } catch (error) {
    if (error instanceof CesrError) return undefined;
    throw error;
  }
  const scheme = schemeOfPublicKey(key.code);
  return scheme ? { key, scheme } : undefined;
}

/**
 * True when `signature` (a keripy `Cigar`: primitive or qb64) is a valid signature of `message` by
 * the key. A malformed key or signature, or a signature code of another scheme than the key's, is
 * false rather than an error: these are checks of untrusted input. (keripy does not compare the
 * signature's code with the key's; Kestrel does, so an Ed25519 signature labelled '0C' is false.)
 */
export function verifyMatterSignature(
  crypto: Crypto,
  publicKeyQb64: string,
  signature: Matter | string,
  message: Uint8Array,
): boolean {
  const found = publicKeyScheme(publicKeyQb64);
  if (!found) return false;
  let matter: Matter;
  try {
    matter = typeof signature === 'string' ? matterFromQb64(signature) : signature;
  } catch (error) {
    if (error instanceof CesrError) return false;
    throw error;
  }
  if (matter.code !== found.scheme.signature) return false;
  return crypto.verify(found.key.code, found.key.raw, matter.raw, message);
}

/** True when an indexed signature (primitive or qb64) is a valid signature of `message` by the key. */
export function verifyIndexedSignature(
  crypto: Crypto,
  publicKeyQb64: string,
  signature: IndexedSignature | string,
  message: Uint8Array,
): boolean {
  const found = publicKeyScheme(publicKeyQb64);
  if (!found) return false;
  let indexed: IndexedSignature;
  try {
    indexed = typeof signature === 'string' ? indexerFromQb64(signature) : signature;
  } catch (error) {
    if (error instanceof CesrError) return false;
    throw error;
  }
  if (INDEXER_SIZES[indexed.code].scheme !== found.scheme.name) return false;
  return crypto.verify(found.key.code, found.key.raw, indexed.raw, message);
}
