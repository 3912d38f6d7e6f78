/**
 * @module keys
 * Keys over the `Crypto` port, compatible with keripy: salts and derivation paths, seeds and their
 * public keys, signatures, next-key digests, and the passcode-based encryption of a keystore.
 */
export * from './encryption.js';
export * from './salter.js';
export * from './schemes.js';
export * from './signer.js';
export * from './signing.js';
