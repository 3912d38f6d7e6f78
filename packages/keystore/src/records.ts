/**
 * @module records
 * What a keystore keeps: its encryption identity and root salt, the key sequence of each
 * identifier (which public keys are current, which are committed as next, and how to make the
 * following ones), and the encrypted private keys by public key.
 */
import type { StretchTier } from '@kestrel/core';

/** How keys are made: from the salt and a path (salty, keripy's default), at random, or in a token. */
export type KeyAlgorithm = 'salty' | 'randy' | 'pkcs11';

/**
 * Where a keystore's hardware keys are: a PKCS#11 module and the label of a token in it. Recorded
 * so that later commands find the token by themselves; the PIN is never recorded.
 */
export interface TokenLocation {
  /** Path of the PKCS#11 module (shared library), as given when the keystore was made. */
  readonly module: string;
  /** The token's label. */
  readonly label: string;
}

export interface KeystoreMeta {
  readonly format: 1;
  /** Non-transferable public key derived from the passcode ('' without a passcode). */
  readonly aeid: string;
  /** Tier used to stretch the passcode. */
  readonly passcodeTier: StretchTier;
  /** Root salt: a '1AAH' cipher when encrypted, or '0A...' qb64 without a passcode. */
  readonly salt: string;
  /** Default tier and algorithm of new key sequences. */
  readonly tier: StretchTier;
  readonly algorithm: KeyAlgorithm;
  /** The token holding this keystore's 'pkcs11' keys, if it has one. */
  readonly token?: TokenLocation;
  /** Next prefix index (keripy `pidx`): numbers key sequences made without a stem. */
  readonly nextPrefixIndex: number;
  readonly createdAt: string;
}

/** A set of public keys made together, with keripy's rotation and key indices of the first one. */
export interface KeyLot {
  readonly publicKeys: readonly string[];
  readonly rotationIndex: number;
  readonly keyIndex: number;
  readonly createdAt: string;
}

/** Where the committed next keys are: here, or in another keystore (separated custody). */
export type NextKeys =
  | { readonly custody: 'here'; readonly lot: KeyLot; readonly reserve: readonly string[] }
  | {
      readonly custody: 'elsewhere';
      readonly digests: readonly string[];
      readonly storeHint: string;
    }
  | { readonly custody: 'none' };

export interface KeySequence {
  readonly alias: string;
  /** The identifier's prefix once incepted. */
  readonly prefix: string | undefined;
  /** How the inception's current keys were made (and the next keys, without `nextAlgorithm`). */
  readonly algorithm: KeyAlgorithm;
  /**
   * How next keys are made, when not as the current ones: e.g. software current keys with next
   * keys in a token, kept there until a rotation exposes them.
   */
  readonly nextAlgorithm?: KeyAlgorithm;
  /** Per-sequence salt cipher (salty), when not the keystore's root salt. */
  readonly salt?: string;
  /** keripy path stem (the alias for kli identifiers). */
  readonly stem: string;
  readonly tier: StretchTier;
  readonly prefixIndex: number;
  readonly transferable: boolean;
  readonly previous?: KeyLot;
  /** Current signing keys (empty in a keystore that only holds next keys). */
  readonly current?: KeyLot;
  /**
   * The committed next keys in the order of `n`: the newest lot, preceded by reserve keys kept from
   * earlier commitments (reserve rotation).
   */
  readonly next: NextKeys;
  /** Encrypted TOTP secret required before establishment events (second factor), if enabled. */
  readonly totp?: string;
}

/** A private key at rest: cipher of its seed qb64 ('P...'), or the seed itself without a passcode. */
export interface SecretRecord {
  readonly seed: string;
}
