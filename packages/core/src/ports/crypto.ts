/**
 * @module ports/crypto
 * The cryptographic operations the core needs, as a port: the core never imports a crypto library.
 * Backends: `@kestrel/crypto-node` (libsodium via sodium-native, hash-wasm, @noble/curves).
 * Every method is synchronous so validation never yields to the event loop mid-event.
 */
import type { MatterCode } from '@kestrel/cesr';

/** keripy's argon2id stretching tiers (`Salter.stretch`): temp is for tests only. */
export type StretchTier = 'temp' | 'low' | 'med' | 'high';

/** One signature verification, as `Crypto.verify` takes it. */
export interface SignatureCheck {
  readonly keyCode: MatterCode;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
}

export interface Crypto {
  /** Raw digest of `data` for a digest code (E Blake3-256, F Blake2b-256, I SHA2-256, 0D Blake3-512...). */
  digest(code: MatterCode, data: Uint8Array): Uint8Array;
  /**
   * Verifies a raw signature. The verification key's code picks the scheme: B/D Ed25519,
   * 1AAA/1AAB secp256k1, 1AAI/1AAJ secp256r1, 1AAC/1AAD Ed448. ECDSA signatures are r||s over the
   * SHA-256 of the message, as keripy makes them.
   */
  verify(
    keyCode: MatterCode,
    publicKey: Uint8Array,
    signature: Uint8Array,
    message: Uint8Array,
  ): boolean;
  /**
   * Optional: verifications about to be asked for, in about that order, so that a backend can do
   * them meanwhile on other threads. A hint only: `verify` stays the only answer, and must return
   * exactly what verifying its own arguments gives, whatever was announced.
   */
  expect?(checks: readonly SignatureCheck[]): void;
  /** Raw public key of a private seed (seed codes A Ed25519, J secp256k1, Q secp256r1). */
  publicKey(seedCode: MatterCode, seed: Uint8Array): Uint8Array;
  /** Raw signature of `message` by a private seed. */
  sign(seedCode: MatterCode, seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
  /** argon2id (libsodium crypto_pwhash) of `password` with a 16-byte salt, as keripy stretches. */
  stretch(password: Uint8Array, salt: Uint8Array, size: number, tier: StretchTier): Uint8Array;
  /** The same, off the main thread, for the expensive tiers. */
  stretchAsync(
    password: Uint8Array,
    salt: Uint8Array,
    size: number,
    tier: StretchTier,
  ): Promise<Uint8Array>;
  /** X25519 public key of an Ed25519 public key (libsodium crypto_sign_ed25519_pk_to_curve25519). */
  x25519PublicFromEd25519(publicKey: Uint8Array): Uint8Array;
  /** X25519 private key of an Ed25519 seed (libsodium crypto_sign_ed25519_sk_to_curve25519). */
  x25519PrivateFromEd25519Seed(seed: Uint8Array): Uint8Array;
  /** libsodium sealed box (crypto_box_seal) of `plaintext` to an X25519 public key. */
  seal(plaintext: Uint8Array, x25519Public: Uint8Array): Uint8Array;
  /** Opens a sealed box, or returns undefined when the keys do not open it. */
  openSealed(
    cipher: Uint8Array,
    x25519Public: Uint8Array,
    x25519Private: Uint8Array,
  ): Uint8Array | undefined;
}
