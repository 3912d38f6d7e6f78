/**
 * @module @kestrel/keystore
 * Encrypted keystores compatible with keripy, key sequences (salty, randy, hardware), separated
 * custody of next keys, software and PKCS#11 signers, and TOTP second factors.
 */
export * from './errors.js';
export * from './key-manager.js';
export * from './keystore.js';
export * from './pkcs11/index.js';
export * from './private-lmdb.js';
export * from './progress.js';
export * from './records.js';
export * from './signers.js';
export * from './totp.js';
