/**
 * @module pkcs11
 * Ed25519 keys in a PKCS#11 token (hardware security module, smart card, SoftHSM2).
 */
export { Pkcs11Token, type Pkcs11TokenOptions } from './token.js';
