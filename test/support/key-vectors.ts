/**
 * Typed views of the key-related parts of the keripy 1.3.6 corpus (primitives.json, keystore.json).
 * The loaders in vectors.ts return untyped JSON; these types only describe what is there.
 */
import { keystore, primitives } from './vectors.js';

export interface SaltedKeyRow {
  readonly path: string;
  readonly tier: 'temp' | 'low' | 'med' | 'high';
  readonly seed: string;
  readonly pub: string;
  readonly pub_nontransferable?: string;
  readonly next_digest?: string;
}

export interface SemanticKeyRow {
  readonly path?: string;
  readonly tier?: 'temp';
  readonly curve?: 'secp256k1' | 'secp256r1';
  readonly seed: string;
  readonly seed_raw: string;
  readonly pub_transferable: string;
  readonly pub_nontransferable: string;
  readonly pub_raw?: string;
}

export interface SigerRow {
  readonly args: { readonly index: number; readonly ondex?: number; readonly only?: boolean };
  readonly code: string;
  readonly index: number;
  readonly ondex: number | null;
  readonly qb64: string;
}

export interface SignatureRow {
  readonly seed: string;
  readonly pub: string;
  readonly path: string;
  readonly message_hex: string;
  readonly message_utf8: string;
  readonly cigar: { readonly code: string; readonly qb64: string; readonly raw: string };
  readonly verifies: boolean;
  readonly sigers: readonly SigerRow[];
}

export interface KeyVectors {
  readonly ed25519Keys: readonly SemanticKeyRow[];
  readonly ecdsaKeys: readonly SemanticKeyRow[];
  readonly x25519FromEd25519: {
    readonly seed: string;
    readonly verkey: string;
    readonly encrypter_pub: string;
    readonly decrypter_pri: string;
  };
  readonly digests: readonly Readonly<Record<string, string>>[];
  readonly blake3: readonly {
    readonly input_utf8: string;
    readonly qb64: string;
    readonly raw: string;
  }[];
  readonly nextKeyDigests: {
    readonly path: string;
    readonly tier: 'temp';
    readonly vectors: readonly { readonly pub: string; readonly next_digest: string }[];
  };
  readonly signatures: readonly SignatureRow[];
  readonly salter: {
    readonly salt_raw_hex: string;
    readonly salt_qb64: string;
    readonly tiers: readonly SaltedKeyRow[];
    readonly temp: readonly SaltedKeyRow[];
    readonly signers_paths: {
      readonly example: readonly {
        readonly path: string;
        readonly seed: string;
        readonly pub: string;
      }[];
    };
  };
}

export function keyVectors(): KeyVectors {
  const all = primitives();
  return {
    ed25519Keys: all.semantic.ed25519_keys,
    ecdsaKeys: all.semantic.ecdsa_keys,
    x25519FromEd25519: all.semantic.x25519_from_ed25519,
    digests: all.semantic.digests,
    blake3: all.semantic.blake3_256,
    nextKeyDigests: all.semantic.next_key_digests,
    signatures: all.ed25519_signatures,
    salter: all.salter,
  };
}

export interface SealedSecret {
  readonly kind: 'Ed25519_Seed' | 'Salt_128';
  readonly path?: string;
  readonly plaintext: string;
  readonly pub?: string;
  readonly cipher_code: string;
  readonly cipher: string;
}

export interface KeystoreEntry {
  readonly bran: string;
  readonly bran_len: number;
  readonly mode: 'kli_default_tier_low' | 'temp_test_mode';
  readonly salt_qb64: string;
  readonly salt_raw_hex: string;
  readonly seed: string;
  readonly aeid: string;
  readonly x25519_pub: string;
  readonly x25519_pri: string;
  readonly secrets: readonly SealedSecret[];
}

export function keystoreEntries(): readonly KeystoreEntry[] {
  return keystore().entries;
}
