/**
 * @module pkcs11/constants
 * The PKCS#11 3.0 Edwards-curve values that pkcs11js 2.1 (a PKCS#11 2.40 binding) does not export,
 * and the curve parameters of Ed25519. Values from the OASIS PKCS#11 3.0 header `pkcs11t.h`.
 */

/** Key type of Edwards-curve keys (`CKK_EC_EDWARDS`, PKCS#11 3.0 §6.3.5). */
export const CKK_EC_EDWARDS = 0x40;

/** Edwards-curve key pair generation (`CKM_EC_EDWARDS_KEY_PAIR_GEN`, PKCS#11 3.0 §6.3.8). */
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;

/** Pure EdDSA signing (`CKM_EDDSA`, PKCS#11 3.0 §6.3.15); no parameter means plain Ed25519. */
export const CKM_EDDSA = 0x1057;

/**
 * `CKA_EC_PARAMS` of Ed25519: the DER encoding of OID 1.3.101.112 (RFC 8410 §3). PKCS#11 3.0 also
 * allows the PrintableString "edwards25519", which SoftHSM 2.6 accepts too, but the OID is the
 * form every token that supports Ed25519 understands.
 */
export const ED25519_EC_PARAMS: Uint8Array = Uint8Array.of(0x06, 0x03, 0x2b, 0x65, 0x70);

/** Ed25519 public keys and signatures, in bytes (RFC 8032 §5.1.5, §5.1.6). */
export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;
