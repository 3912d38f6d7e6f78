/**
 * @module pkcs11/ec-point
 * The Ed25519 public key inside `CKA_EC_POINT`. PKCS#11 3.0 §6.3.6 makes it a DER OCTET STRING
 * (04 20 || 32 key bytes), which SoftHSM 2.6 returns; some tokens return the 32 bytes bare.
 */
import { KeystoreError } from '../errors.js';
import { ED25519_PUBLIC_KEY_SIZE } from './constants.js';

const DER_OCTET_STRING = 0x04;

/** The raw 32-byte Ed25519 public key of a `CKA_EC_POINT` value, wrapped or bare. */
export function ed25519KeyFromEcPoint(point: Uint8Array): Uint8Array {
  if (point.length === ED25519_PUBLIC_KEY_SIZE) return Uint8Array.from(point);
  if (
    point.length === ED25519_PUBLIC_KEY_SIZE + 2 &&
    point[0] === DER_OCTET_STRING &&
    point[1] === ED25519_PUBLIC_KEY_SIZE
  ) {
    return Uint8Array.from(point.subarray(2));
  }
  throw new KeystoreError(
    'hsm',
    `CKA_EC_POINT of ${point.length} bytes is not an Ed25519 public key ` +
      `(expected ${ED25519_PUBLIC_KEY_SIZE} bytes, bare or as a DER OCTET STRING)`,
    { length: point.length },
  );
}
