/**
 * @module pkcs11/key-objects
 * Ed25519 key objects in a logged-in session: generation with the attributes that keep the private
 * key inside the token, lookup by `CKA_ID`, and signing (PKCS#11 3.0 §6.3 "EC Edwards").
 *
 * Keys are found again by `CKA_ID`, which holds the qb64 of the public key ('D...'): it is known
 * only after generation, so it is set on both objects right after `C_GenerateKeyPair`.
 */
import { KeystoreError } from '../errors.js';
import {
  CKK_EC_EDWARDS,
  CKM_EC_EDWARDS_KEY_PAIR_GEN,
  CKM_EDDSA,
  ED25519_EC_PARAMS,
  ED25519_SIGNATURE_SIZE,
} from './constants.js';
import { ed25519KeyFromEcPoint } from './ec-point.js';
import { attempt, attemptAsync } from './failure.js';
import type { Pkcs11Library } from './library.js';

/** A pkcs11js object or session handle. */
export type Handle = Buffer;

/** An open, logged-in session. */
export interface Session {
  readonly library: Pkcs11Library;
  readonly handle: Handle;
}

export interface KeyPair {
  readonly publicKey: Handle;
  readonly privateKey: Handle;
}

/**
 * Generates a token (persistent) Ed25519 key pair whose private key never leaves the token. The
 * call runs on a worker thread: a hardware token can take seconds, and the event loop stays free
 * (to draw progress, for one). The caller keeps other calls off the session meanwhile.
 */
export function generateKeyPair(session: Session, label: string): Promise<KeyPair> {
  const { api, module } = session.library;
  const common = [
    { type: api.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
    { type: api.CKA_TOKEN, value: true },
    { type: api.CKA_LABEL, value: label },
  ];
  const publicTemplate = [
    ...common,
    { type: api.CKA_CLASS, value: api.CKO_PUBLIC_KEY },
    { type: api.CKA_PRIVATE, value: false },
    { type: api.CKA_VERIFY, value: true },
    { type: api.CKA_EC_PARAMS, value: Buffer.from(ED25519_EC_PARAMS) },
  ];
  const privateTemplate = [
    ...common,
    { type: api.CKA_CLASS, value: api.CKO_PRIVATE_KEY },
    { type: api.CKA_PRIVATE, value: true },
    { type: api.CKA_SENSITIVE, value: true },
    { type: api.CKA_EXTRACTABLE, value: false },
    { type: api.CKA_SIGN, value: true },
  ];
  return attemptAsync('Cannot generate an Ed25519 key pair', () =>
    module.C_GenerateKeyPairAsync(
      session.handle,
      { mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN },
      publicTemplate,
      privateTemplate,
    ),
  );
}

/** The raw 32-byte public key of a public key object. */
export function readPublicKey(session: Session, publicKey: Handle): Uint8Array {
  const { api, module } = session.library;
  const [point] = attempt('Cannot read the public key (CKA_EC_POINT)', () =>
    module.C_GetAttributeValue(session.handle, publicKey, [{ type: api.CKA_EC_POINT }]),
  );
  if (!point) throw new KeystoreError('hsm', 'The token returned no CKA_EC_POINT');
  return ed25519KeyFromEcPoint(point.value);
}

/** Whether a private key is sensitive and not extractable, as read back from the token. */
export function isKeptInside(session: Session, privateKey: Handle): boolean {
  const { api, module } = session.library;
  const [sensitive, extractable] = attempt('Cannot read the attributes of a private key', () =>
    module.C_GetAttributeValue(session.handle, privateKey, [
      { type: api.CKA_SENSITIVE },
      { type: api.CKA_EXTRACTABLE },
    ]),
  );
  // CK_BBOOL attributes come back as one byte: 1 is CK_TRUE.
  return sensitive?.value[0] === 1 && extractable?.value[0] === 0;
}

/** Sets `CKA_ID` on both objects of a pair. */
export function setKeyId(session: Session, pair: KeyPair, id: string): void {
  const { api, module } = session.library;
  const template = [{ type: api.CKA_ID, value: Buffer.from(id, 'ascii') }];
  attempt('Cannot set CKA_ID on a new key pair', () => {
    module.C_SetAttributeValue(session.handle, pair.publicKey, template);
    module.C_SetAttributeValue(session.handle, pair.privateKey, template);
  });
}

/** Ed25519 private key objects with this `CKA_ID` (at most two, enough to tell "ambiguous"). */
export function findPrivateKeys(session: Session, id: string): Handle[] {
  const { api, module } = session.library;
  const template = [
    { type: api.CKA_CLASS, value: api.CKO_PRIVATE_KEY },
    { type: api.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
    { type: api.CKA_ID, value: Buffer.from(id, 'ascii') },
  ];
  return attempt('Cannot search the token for a private key', () => {
    module.C_FindObjectsInit(session.handle, template);
    try {
      return module.C_FindObjects(session.handle, 2);
    } finally {
      module.C_FindObjectsFinal(session.handle);
    }
  });
}

/** Every object (public and private key) with this `CKA_ID`. */
export function findKeyObjects(session: Session, id: string): Handle[] {
  const { api, module } = session.library;
  const template = [{ type: api.CKA_ID, value: Buffer.from(id, 'ascii') }];
  return attempt('Cannot search the token for key objects', () => {
    module.C_FindObjectsInit(session.handle, template);
    try {
      const found: Handle[] = [];
      for (;;) {
        const batch = module.C_FindObjects(session.handle, 16);
        if (batch.length === 0) return found;
        found.push(...batch);
      }
    } finally {
      module.C_FindObjectsFinal(session.handle);
    }
  });
}

/** Removes objects from the token. */
export function destroyObjects(session: Session, objects: readonly Handle[]): void {
  const { module } = session.library;
  attempt('Cannot remove a key object', () => {
    for (const object of objects) module.C_DestroyObject(session.handle, object);
  });
}

/** Removes both objects of a pair; for undoing a generation that did not complete. */
export function destroyKeyPair(session: Session, pair: KeyPair): void {
  const { module } = session.library;
  attempt('Cannot remove a key pair', () => {
    module.C_DestroyObject(session.handle, pair.privateKey);
    module.C_DestroyObject(session.handle, pair.publicKey);
  });
}

/**
 * Signs with CKM_EDDSA (pure Ed25519 without parameters). Init and sign run back to back without
 * yielding to the event loop, so no other operation can start in between on the shared session.
 */
export function signEd25519(session: Session, privateKey: Handle, message: Uint8Array): Uint8Array {
  const { module } = session.library;
  const signature = attempt('Cannot sign with the token', () => {
    module.C_SignInit(session.handle, { mechanism: CKM_EDDSA }, privateKey);
    return module.C_Sign(
      session.handle,
      Buffer.from(message),
      Buffer.alloc(ED25519_SIGNATURE_SIZE),
    );
  });
  if (signature.length !== ED25519_SIGNATURE_SIZE) {
    throw new KeystoreError(
      'hsm',
      `The token returned a ${signature.length}-byte Ed25519 signature`,
      {
        length: signature.length,
      },
    );
  }
  return Uint8Array.from(signature);
}
