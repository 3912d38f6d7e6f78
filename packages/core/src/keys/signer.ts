/**
 * @module keys/signer
 * A signing key pair as primitives: the private seed and its public verification key
 * (keripy `Signer` and its `verfer`).
 */
import { CesrError, type Matter, matterFromQb64, matterFromRaw } from '@kestrel/cesr';
import { KeyError } from '../errors.js';
import type { Crypto } from '../ports/crypto.js';
import { schemeOfSeed } from './schemes.js';

export interface Signer {
  /** Private seed, qb64 'A...' (Ed25519), 'J...' (secp256k1) or 'Q...' (secp256r1). Secret. */
  readonly seed: Matter;
  /** Public key: transferable 'D' / '1AAB' / '1AAJ' or non-transferable 'B' / '1AAA' / '1AAI'. */
  readonly publicKey: Matter;
}

/** A seed given as a primitive or as qb64 text, parsed and checked to be a signing seed. */
export function seedMatter(seed: Matter | string): Matter {
  let matter: Matter;
  try {
    matter = typeof seed === 'string' ? matterFromQb64(seed) : seed;
  } catch (error) {
    // The message never echoes the text: it is secret material.
    if (error instanceof CesrError)
      throw new KeyError('bad_key', `Seed is not a valid qb64 primitive (${error.code})`);
    throw error;
  }
  schemeOfSeed(matter.code);
  return matter;
}

/**
 * The key pair of a seed. An ECDSA seed outside [1, n-1] has no key pair (keripy raises too); with
 * stretched seeds that happens with probability about 2^-32 on secp256r1.
 */
export function signerFromSeed(crypto: Crypto, seed: Matter | string, transferable = true): Signer {
  const matter = seedMatter(seed);
  const scheme = schemeOfSeed(matter.code);
  let raw: Uint8Array;
  try {
    raw = crypto.publicKey(scheme.seed, matter.raw);
  } catch {
    throw new KeyError('bad_key', `Seed of code '${matter.code}' has no public key`, {
      code: matter.code,
    });
  }
  const publicKey = matterFromRaw(
    transferable ? scheme.transferableKey : scheme.nonTransferableKey,
    raw,
  );
  return { seed: matter, publicKey };
}
