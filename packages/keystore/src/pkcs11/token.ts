/**
 * @module pkcs11/token
 * A PKCS#11 token holding Ed25519 keys: the `HardwareKeys` of a key manager. Private keys are
 * generated inside the token, sensitive and not extractable; only public keys and signatures
 * come out.
 *
 * Most pkcs11js calls are synchronous and block the event loop while the token works (well under
 * a millisecond per signature on SoftHSM). That is also what keeps the single session safe: an
 * operation's calls (find, sign-init + sign) never interleave with another's. Key generation, which
 * a hardware token can take seconds over, runs on a worker thread instead; while it does, signing
 * waits its turn and the synchronous calls refuse (`hsm_busy`) rather than share the session.
 */
import { CesrError, matterFromQb64, matterFromRaw } from '@kestrel/cesr';
import { KeystoreError, type KeystoreErrorCode } from '../errors.js';
import type { HardwareKeys, KeySigner } from '../signers.js';
import { attempt, hsmError, returnValueOf } from './failure.js';
import {
  destroyKeyPair,
  destroyObjects,
  findKeyObjects,
  findPrivateKeys,
  generateKeyPair,
  type Handle,
  isKeptInside,
  type KeyPair,
  readPublicKey,
  type Session,
  setKeyId,
  signEd25519,
} from './key-objects.js';
import { Pkcs11Library } from './library.js';

export interface Pkcs11TokenOptions {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly module: string;
  /** The token's label, as given at initialisation (without the blank padding). */
  readonly tokenLabel: string;
  /** The user PIN. Used to log in, then dropped. */
  readonly pin: string;
}

/**
 * Tokens open in this process, by module and slot. A PKCS#11 login belongs to the application,
 * not the session: a second `Pkcs11Token` on the same token would log in without its PIN being
 * checked, and closing either would log the other out.
 */
const openTokens = new Set<string>();

export class Pkcs11Token implements HardwareKeys {
  readonly tokenLabel: string;
  readonly #library: Pkcs11Library;
  readonly #slotKey: string;
  #session: Session | undefined;
  /** Operations that may wait (generation, signing), one after the other. Never rejects. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Operations queued or running. */
  #pending = 0;
  /** True while a generation runs on a worker thread. */
  #generating = false;

  private constructor(
    tokenLabel: string,
    library: Pkcs11Library,
    slotKey: string,
    session: Session,
  ) {
    this.tokenLabel = tokenLabel;
    this.#library = library;
    this.#slotKey = slotKey;
    this.#session = session;
  }

  /** Loads the module, finds the token by label, opens a read/write session and logs in. */
  static open(options: Pkcs11TokenOptions): Pkcs11Token {
    const { tokenLabel } = options;
    const library = Pkcs11Library.acquire(options.module);
    let session: Handle | undefined;
    try {
      const slot = findSlot(library, tokenLabel, options.module);
      const slotKey = `${library.path}#${slot.toString('hex')}`;
      if (openTokens.has(slotKey)) {
        throw new KeystoreError(
          'hsm',
          `Token '${tokenLabel}' is already open in this process; share its Pkcs11Token`,
          { tokenLabel },
        );
      }
      const { api, module } = library;
      session = attempt(`Cannot open a session with token '${tokenLabel}'`, () =>
        module.C_OpenSession(slot, api.CKF_SERIAL_SESSION | api.CKF_RW_SESSION),
      );
      logIn(library, session, options);
      openTokens.add(slotKey);
      return new Pkcs11Token(tokenLabel, library, slotKey, { library, handle: session });
    } catch (error) {
      // Undo what was opened; the first failure is the one to report, so later ones are dropped.
      try {
        if (session !== undefined) library.module.C_CloseSession(session);
      } catch {}
      try {
        library.release();
      } catch {}
      throw error;
    }
  }

  async generate(label: string, count: number): Promise<string[]> {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new KeystoreError('hsm', `Key count must be a non-negative integer, got ${count}`);
    }
    return this.#exclusive(async () => {
      const session = this.#requireSession();
      this.#generating = true;
      const created: KeyPair[] = [];
      try {
        const publicKeys: string[] = [];
        for (let i = 0; i < count; i++) {
          const pair = await generateKeyPair(session, label);
          created.push(pair);
          if (!isKeptInside(session, pair.privateKey)) {
            throw new KeystoreError(
              'hsm',
              `Token '${this.tokenLabel}' made a private key extractable or not sensitive`,
              { tokenLabel: this.tokenLabel },
            );
          }
          const publicKey = matterFromRaw('D', readPublicKey(session, pair.publicKey)).qb64;
          setKeyId(session, pair, publicKey);
          publicKeys.push(publicKey);
        }
        return publicKeys;
      } catch (error) {
        // Nobody learns the public keys of a failed call, so its keys would sit unused in the token.
        for (const pair of created) {
          try {
            destroyKeyPair(session, pair);
          } catch {}
        }
        throw error;
      } finally {
        this.#generating = false;
      }
    });
  }

  holds(publicKey: string): boolean {
    const session = this.#requireIdleSession();
    return isEd25519Key(publicKey) && findPrivateKeys(session, publicKey).length > 0;
  }

  signer(publicKey: string): KeySigner {
    const session = this.#requireIdleSession();
    if (!isEd25519Key(publicKey)) {
      throw new KeystoreError('hsm', `Not a qb64 Ed25519 public key ('D...'): ${publicKey}`, {
        publicKey,
      });
    }
    const found = findPrivateKeys(session, publicKey);
    const privateKey = found[0];
    if (privateKey === undefined || found.length > 1) {
      const problem = privateKey === undefined ? 'No private key' : 'More than one private key';
      const code: KeystoreErrorCode = privateKey === undefined ? 'hsm_key_not_found' : 'hsm';
      throw new KeystoreError(
        code,
        `${problem} for public key ${publicKey} in token '${this.tokenLabel}'`,
        { publicKey, tokenLabel: this.tokenLabel },
      );
    }
    return {
      publicKey,
      sign: (message) =>
        this.#exclusive(() => signEd25519(this.#requireSession(), privateKey, message)),
    };
  }

  destroy(publicKeys: readonly string[]): void {
    const session = this.#requireIdleSession();
    for (const publicKey of publicKeys) {
      if (!isEd25519Key(publicKey)) continue;
      destroyObjects(session, findKeyObjects(session, publicKey));
    }
  }

  /** Logs out and closes the session; the last token of its module finalises the module. */
  close(): void {
    const session = this.#session;
    if (session === undefined) return;
    this.#requireIdleSession();
    this.#session = undefined;
    openTokens.delete(this.#slotKey);
    const { module } = this.#library;
    let failure: unknown;
    const steps = [
      () => module.C_Logout(session.handle),
      () => module.C_CloseSession(session.handle),
      () => this.#library.release(),
    ];
    // Every step runs even if one fails, so the module is always given back.
    for (const step of steps) {
      try {
        step();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) {
      if (failure instanceof KeystoreError) throw failure;
      throw hsmError(`Closing token '${this.tokenLabel}' failed`, failure, {
        tokenLabel: this.tokenLabel,
      });
    }
  }

  /**
   * Runs `operation` once every operation queued before it has finished; at once when none is, so
   * that a generation has the session (and refuses synchronous calls) as soon as it is asked for.
   */
  #exclusive<T>(operation: () => Promise<T> | T): Promise<T> {
    const run = async () => {
      try {
        return await operation();
      } finally {
        this.#pending -= 1;
      }
    };
    this.#pending += 1;
    const result = this.#pending === 1 ? run() : this.#queue.then(run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** The session, for a synchronous call: refused while a generation is using it. */
  #requireIdleSession(): Session {
    const session = this.#requireSession();
    if (this.#generating) {
      throw new KeystoreError(
        'hsm_busy',
        `Token '${this.tokenLabel}' is generating keys; wait for it to finish`,
        { tokenLabel: this.tokenLabel },
      );
    }
    return session;
  }

  #requireSession(): Session {
    if (this.#session === undefined) {
      throw new KeystoreError('hsm', `Token '${this.tokenLabel}' is closed`, {
        tokenLabel: this.tokenLabel,
      });
    }
    return this.#session;
  }
}

function findSlot(library: Pkcs11Library, tokenLabel: string, modulePath: string): Handle {
  const { api, module } = library;
  const slots = attempt(`Cannot list the tokens of ${modulePath}`, () => {
    return module.C_GetSlotList(true).flatMap((slot) => {
      const info = module.C_GetTokenInfo(slot);
      // SoftHSM always offers one more, uninitialised token: it has no label yet.
      if ((info.flags & api.CKF_TOKEN_INITIALIZED) === 0) return [];
      // Token labels are blank-padded to 32 bytes.
      return [{ slot, label: info.label.trimEnd() }];
    });
  });
  const matches = slots.filter((entry) => entry.label === tokenLabel);
  const [match] = matches;
  if (match === undefined || matches.length > 1) {
    const labels = slots.map((entry) => `'${entry.label}'`).join(', ') || 'none';
    const problem = match === undefined ? 'No token' : 'More than one token';
    throw new KeystoreError(
      'hsm_token_not_found',
      `${problem} labelled '${tokenLabel}' in ${modulePath} (tokens: ${labels})`,
      { tokenLabel, module: modulePath },
    );
  }
  return match.slot;
}

function logIn(library: Pkcs11Library, session: Handle, options: Pkcs11TokenOptions): void {
  const { api, module } = library;
  const { tokenLabel } = options;
  try {
    module.C_Login(session, api.CKU_USER, options.pin);
  } catch (error) {
    const reasons: Record<number, [KeystoreErrorCode, string]> = {
      [api.CKR_PIN_INCORRECT]: ['hsm_wrong_pin', `Wrong PIN for token '${tokenLabel}'`],
      [api.CKR_PIN_LEN_RANGE]: ['hsm_wrong_pin', `Wrong PIN for token '${tokenLabel}'`],
      [api.CKR_PIN_LOCKED]: ['hsm_pin_locked', `The user PIN of token '${tokenLabel}' is locked`],
      [api.CKR_USER_PIN_NOT_INITIALIZED]: [
        'hsm_pin_locked',
        `Token '${tokenLabel}' has no user PIN yet`,
      ],
      // The login would have been someone else's, without checking this PIN.
      [api.CKR_USER_ALREADY_LOGGED_IN]: [
        'hsm',
        `Token '${tokenLabel}' is already logged in by other code in this process`,
      ],
    };
    const [code, message] = reasons[returnValueOf(error) ?? -1] ?? [
      'hsm',
      `Cannot log in to token '${tokenLabel}'`,
    ];
    throw hsmError(message, error, { tokenLabel }, code);
  }
}

function isEd25519Key(publicKey: string): boolean {
  try {
    return matterFromQb64(publicKey).code === 'D';
  } catch (error) {
    if (error instanceof CesrError) return false;
    throw error;
  }
}
