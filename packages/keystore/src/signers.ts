/**
 * @module signers
 * Who can sign with a key: a software signer (seed decrypted from a keystore, kept in memory only
 * while signing) or a hardware token (PKCS#11). Both sign raw Ed25519 signatures.
 */
import type { Matter } from '@kestrel/cesr';
import type { Crypto } from '@kestrel/core';

export interface KeySigner {
  /** Verification key, qb64 ('D...' transferable). */
  readonly publicKey: string;
  /** Raw signature of `message`. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Signs with a seed held in memory. */
export class SoftwareSigner implements KeySigner {
  constructor(
    readonly publicKey: string,
    private readonly crypto: Crypto,
    private readonly seed: Matter,
  ) {}

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return this.crypto.sign(this.seed.code, this.seed.raw, message);
  }
}

/** Keys generated and kept inside a hardware token; only public keys and signatures come out. */
export interface HardwareKeys {
  /** The token's label, for messages. */
  readonly tokenLabel: string;
  /** Generates `count` non-extractable Ed25519 key pairs labelled for `label`; returns public keys. */
  generate(label: string, count: number): Promise<string[]>;
  /** Whether the token holds the private key of this public key. */
  holds(publicKey: string): boolean;
  /** A signer for a key held in the token. */
  signer(publicKey: string): KeySigner;
  /**
   * Removes the key pairs of these public keys from the token (keys rotated out, or made for an
   * event that was never accepted); keys it does not hold are skipped.
   */
  destroy(publicKeys: readonly string[]): void;
}
