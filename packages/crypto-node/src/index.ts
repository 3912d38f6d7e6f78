/**
 * @module @kestrel/crypto-node
 * The Node.js backend of the `Crypto` port.
 *
 * * Ed25519, argon2id and sealed boxes: libsodium through sodium-native, the same C library keripy
 *   uses through pysodium (about twice node:crypto's Ed25519 verify rate).
 * * Blake3, Blake2 and SHA3: hash-wasm, with one reusable hasher per algorithm (creating hashers
 *   is the slow part); SHA2: node:crypto.
 * * secp256k1, secp256r1, Ed448: @noble/curves (rare codes: correctness over speed).
 */
import { createHash } from 'node:crypto';
import type { MatterCode } from '@kestrel/cesr';
import type { Crypto, StretchTier } from '@kestrel/core';
import { ed448 } from '@noble/curves/ed448.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createBLAKE2b, createBLAKE2s, createBLAKE3, createSHA3, type IHasher } from 'hash-wasm';
import sodium from 'sodium-native';

export { createParallelCrypto, type ParallelCrypto } from './parallel-crypto.js';

/** keripy `Salter.stretch` limits per tier (opslimit, memlimit in bytes). */
export const STRETCH_LIMITS: Record<StretchTier, { opslimit: number; memlimit: number }> = {
  temp: { opslimit: 1, memlimit: 8192 },
  low: { opslimit: 2, memlimit: 64 * 1024 * 1024 },
  med: { opslimit: 3, memlimit: 256 * 1024 * 1024 },
  high: { opslimit: 4, memlimit: 1024 * 1024 * 1024 },
};

type Hash = (data: Uint8Array) => Uint8Array;

function wasmHash(hasher: IHasher): Hash {
  return (data) => {
    hasher.init();
    hasher.update(data);
    return hasher.digest('binary');
  };
}

function nodeHash(algorithm: string): Hash {
  return (data) => new Uint8Array(createHash(algorithm).update(data).digest());
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Creates the Node crypto backend (async once: the WASM hashers are instantiated up front). */
export async function createNodeCrypto(): Promise<Crypto> {
  const hashes: Partial<Record<MatterCode, Hash>> = {
    E: wasmHash(await createBLAKE3(256)),
    F: wasmHash(await createBLAKE2b(256)),
    G: wasmHash(await createBLAKE2s(256)),
    H: wasmHash(await createSHA3(256)),
    I: nodeHash('sha256'),
    '0D': wasmHash(await createBLAKE3(512)),
    '0E': wasmHash(await createBLAKE2b(512)),
    '0F': wasmHash(await createSHA3(512)),
    '0G': nodeHash('sha512'),
  };
  const sha256 = nodeHash('sha256');

  const ed25519Keypair = (seed: Uint8Array) => {
    const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
    const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_seed_keypair(publicKey, secretKey, toBuffer(seed));
    return { publicKey, secretKey };
  };

  const ecdsaVerify = (
    curve: typeof secp256k1 | typeof p256,
    publicKey: Uint8Array,
    signature: Uint8Array,
    message: Uint8Array,
  ): boolean => {
    try {
      // keripy (python cryptography) accepts high-S signatures, so we do too.
      return curve.verify(signature, sha256(message), publicKey, {
        prehash: false,
        lowS: false,
        format: 'compact',
      });
    } catch {
      return false;
    }
  };

  return {
    digest(code, data) {
      const hash = hashes[code];
      if (!hash) throw new TypeError(`Unsupported digest code '${code}'`);
      return hash(data);
    },

    verify(keyCode, publicKey, signature, message) {
      switch (keyCode) {
        case 'B':
        case 'D':
          // sodium-native reads any typed array through its ArrayBuffer: no Buffer to wrap them in.
          return (
            signature.length === sodium.crypto_sign_BYTES &&
            publicKey.length === sodium.crypto_sign_PUBLICKEYBYTES &&
            sodium.crypto_sign_verify_detached(
              signature as Buffer,
              message as Buffer,
              publicKey as Buffer,
            ) === true
          );
        case '1AAA':
        case '1AAB':
          return ecdsaVerify(secp256k1, publicKey, signature, message);
        case '1AAI':
        case '1AAJ':
          return ecdsaVerify(p256, publicKey, signature, message);
        case '1AAC':
        case '1AAD':
          try {
            return ed448.verify(signature, message, publicKey);
          } catch {
            return false;
          }
        default:
          return false;
      }
    },

    publicKey(seedCode, seed) {
      switch (seedCode) {
        case 'A':
          return new Uint8Array(ed25519Keypair(seed).publicKey);
        case 'J':
          return secp256k1.getPublicKey(seed, true);
        case 'Q':
          return p256.getPublicKey(seed, true);
        default:
          throw new TypeError(`Unsupported seed code '${seedCode}'`);
      }
    },

    sign(seedCode, seed, message) {
      switch (seedCode) {
        case 'A': {
          const { secretKey } = ed25519Keypair(seed);
          const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
          sodium.crypto_sign_detached(signature, toBuffer(message), secretKey);
          secretKey.fill(0);
          return new Uint8Array(signature);
        }
        // Low-S signatures: keripy accepts either form, while strict verifiers (libsecp256k1, most
        // wallets) reject high-S ones, so the low form is the one every peer accepts.
        case 'J':
          return secp256k1.sign(sha256(message), seed, {
            prehash: false,
            lowS: true,
            format: 'compact',
          });
        case 'Q':
          return p256.sign(sha256(message), seed, {
            prehash: false,
            lowS: true,
            format: 'compact',
          });
        default:
          throw new TypeError(`Unsupported seed code '${seedCode}'`);
      }
    },

    randomBytes(length) {
      const out = Buffer.alloc(length);
      sodium.randombytes_buf(out);
      return new Uint8Array(out);
    },

    stretch(password, salt, size, tier) {
      const { opslimit, memlimit } = STRETCH_LIMITS[tier];
      const out = Buffer.alloc(size);
      sodium.crypto_pwhash(
        out,
        toBuffer(password),
        toBuffer(salt),
        opslimit,
        memlimit,
        sodium.crypto_pwhash_ALG_ARGON2ID13,
      );
      return new Uint8Array(out);
    },

    stretchAsync(password, salt, size, tier) {
      const { opslimit, memlimit } = STRETCH_LIMITS[tier];
      const out = Buffer.alloc(size);
      return new Promise((resolve, reject) => {
        sodium.crypto_pwhash_async(
          out,
          toBuffer(password),
          toBuffer(salt),
          opslimit,
          memlimit,
          sodium.crypto_pwhash_ALG_ARGON2ID13,
          (error: Error | null) => (error ? reject(error) : resolve(new Uint8Array(out))),
        );
      });
    },

    x25519PublicFromEd25519(publicKey) {
      const out = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES);
      sodium.crypto_sign_ed25519_pk_to_curve25519(out, toBuffer(publicKey));
      return new Uint8Array(out);
    },

    x25519PrivateFromEd25519Seed(seed) {
      const { secretKey } = ed25519Keypair(seed);
      const out = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES);
      sodium.crypto_sign_ed25519_sk_to_curve25519(out, secretKey);
      secretKey.fill(0);
      return new Uint8Array(out);
    },

    seal(plaintext, x25519Public) {
      const out = Buffer.alloc(plaintext.length + sodium.crypto_box_SEALBYTES);
      sodium.crypto_box_seal(out, toBuffer(plaintext), toBuffer(x25519Public));
      return new Uint8Array(out);
    },

    openSealed(cipher, x25519Public, x25519Private) {
      // sodium-native asserts on sizes; the port promises undefined for anything that does not open.
      if (
        cipher.length < sodium.crypto_box_SEALBYTES ||
        x25519Public.length !== sodium.crypto_box_PUBLICKEYBYTES ||
        x25519Private.length !== sodium.crypto_box_SECRETKEYBYTES
      ) {
        return undefined;
      }
      const out = Buffer.alloc(cipher.length - sodium.crypto_box_SEALBYTES);
      const ok = sodium.crypto_box_seal_open(
        out,
        toBuffer(cipher),
        toBuffer(x25519Public),
        toBuffer(x25519Private),
      );
      return ok ? new Uint8Array(out) : undefined;
    },
  };
}
