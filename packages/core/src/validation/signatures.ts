/**
 * @module validation/signatures
 * Verifying indexed signatures against a key list, as keripy's `verifySigs` and
 * `Kever.exposeds` do.
 */
import {
  type IndexedSignature,
  indexerFromQb64,
  type MatterCode,
  matterFromQb64,
} from '@kestrel/cesr';
import { EventError } from '../errors.js';
import { nextKeyDigest } from '../keys/salter.js';
import type { Crypto, SignatureCheck } from '../ports/crypto.js';

export interface VerifiedSignatures {
  /** Signatures that verify, without duplicates, in the order received. */
  readonly signatures: readonly IndexedSignature[];
  /** Their indices into the key list. */
  readonly indices: readonly number[];
}

const NONE_VERIFIED: VerifiedSignatures = Object.freeze({
  signatures: Object.freeze([]),
  indices: Object.freeze([]),
});

const keyCache = new Map<string, { code: MatterCode; raw: Uint8Array }>();

/** Decodes a verification key, caching (keys repeat across the events of a KEL). */
export function decodeKey(qb64: string): { code: MatterCode; raw: Uint8Array } {
  let key = keyCache.get(qb64);
  if (!key) {
    const matter = matterFromQb64(qb64);
    key = { code: matter.code, raw: matter.raw };
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(qb64, key);
  }
  return key;
}

/**
 * Whether a signature has the size of the key's signatures. keripy verifies an indexed signature
 * with the algorithm of the key at its index, whatever the signature's code says (an Ed25519
 * signature labelled as secp256k1 still counts); only a signature of another size cannot verify.
 */
function sizeMatches(signature: IndexedSignature, keyCode: MatterCode): boolean {
  const ed448 = keyCode === '1AAC' || keyCode === '1AAD';
  return signature.raw.length === (ed448 ? ED448_SIGNATURE_SIZE : SIGNATURE_SIZE);
}

/** Ed25519, secp256k1 and secp256r1 signatures are 64 bytes; Ed448 signatures 114. */
const SIGNATURE_SIZE = 64;
const ED448_SIGNATURE_SIZE = 114;

/**
 * The verification of `signature` over `message` by the key `keyQb64`, as `verifySignatures` will
 * ask for it; undefined when the key cannot have made it.
 */
export function signatureCheck(
  signature: IndexedSignature,
  keyQb64: string,
  message: Uint8Array,
): SignatureCheck | undefined {
  const key = decodeKey(keyQb64);
  if (!sizeMatches(signature, key.code)) return undefined;
  return { keyCode: key.code, publicKey: key.raw, signature: signature.raw, message };
}

/**
 * Keeps the signatures that verify over `raw` by the key at their index. Duplicates (same qb64)
 * count once. A signature whose index is beyond the key list makes the whole event invalid, as it
 * does in keripy (its `verifySigs` fails on it).
 */
export function verifySignatures(
  crypto: Crypto,
  raw: Uint8Array,
  signatures: readonly IndexedSignature[],
  keys: readonly string[],
): VerifiedSignatures {
  if (signatures.length === 0) return NONE_VERIFIED;
  const seen = signatures.length > 1 ? new Set<string>() : undefined;
  const verified: IndexedSignature[] = [];
  const indices: number[] = [];
  for (const signature of signatures) {
    if (seen?.has(signature.qb64)) continue;
    seen?.add(signature.qb64);
    const key = keys[signature.index];
    if (key === undefined) {
      throw new EventError(
        'bad_keys',
        `Signature index ${signature.index} is beyond the ${keys.length} keys`,
      );
    }
    const decoded = decodeKey(key);
    if (!sizeMatches(signature, decoded.code)) continue;
    if (crypto.verify(decoded.code, decoded.raw, signature.raw, raw)) {
      verified.push(signature);
      indices.push(signature.index);
    }
  }
  return { signatures: verified, indices };
}

/** Parses stored signatures. */
export function signaturesFromQb64(list: readonly string[]): IndexedSignature[] {
  return list.map((qb64) => indexerFromQb64(qb64));
}

/**
 * Positions in the prior next-digest list exposed by verified rotation signatures: a signature's
 * ondex names a prior next digest, and its key (at `index` in the new key list) must hash to it.
 */
export function exposedPriorNextIndices(
  crypto: Crypto,
  signatures: readonly IndexedSignature[],
  keys: readonly string[],
  priorNextDigests: readonly string[],
): number[] {
  const exposed: number[] = [];
  for (const signature of signatures) {
    if (signature.ondex === undefined) continue;
    const digest = priorNextDigests[signature.ondex];
    const key = keys[signature.index];
    if (digest === undefined || key === undefined) continue;
    const code = matterFromQb64(digest).code;
    if (nextKeyDigest(crypto, key, code).qb64 === digest) exposed.push(signature.ondex);
  }
  return exposed;
}
