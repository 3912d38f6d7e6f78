/**
 * @module token
 * The PKCS#11 token a controller's keystore records, opened with the user PIN the caller gives.
 * The PIN is passed to the token's login and kept nowhere else.
 *
 * A recorded token is opened on first use, not with the keystore: listing identifiers or exporting
 * a KEL needs no token, and should not fail because KERI_HSM_PIN is set while the token is
 * unplugged. Every operation that needs a token key asks for it before it changes anything, so a
 * wrong PIN still changes nothing.
 */
import {
  type HardwareKeys,
  type KeySigner,
  type Keystore,
  KeystoreError,
  Pkcs11Token,
  type TokenLocation,
} from '@kestrel/keystore';

/** A token to use: module path and label (recorded in the keystore) and the user PIN (never). */
export interface TokenAccess extends TokenLocation {
  readonly pin: string;
}

export function openToken(access: TokenAccess): Pkcs11Token {
  return Pkcs11Token.open({ module: access.module, tokenLabel: access.label, pin: access.pin });
}

/** A token that logs in on first use; closing closes it only if it was opened. */
export class TokenOnFirstUse implements HardwareKeys {
  readonly tokenLabel: string;
  #access: TokenAccess | undefined;
  #token: Pkcs11Token | undefined;
  /** The first failure to open, given again instead of retrying: a token counts wrong PINs. */
  #failure: unknown;

  constructor(access: TokenAccess) {
    this.tokenLabel = access.label;
    this.#access = access;
  }

  #open(): Pkcs11Token {
    if (this.#token) return this.#token;
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#access === undefined)
      throw new KeystoreError('hsm', `Token '${this.tokenLabel}' is closed`);
    try {
      this.#token = openToken(this.#access);
      return this.#token;
    } catch (error) {
      this.#failure = error;
      throw error;
    } finally {
      // Logged in or refused, the PIN is not needed again.
      this.#access = undefined;
    }
  }

  generate(label: string, count: number): Promise<string[]> {
    return this.#open().generate(label, count);
  }

  holds(publicKey: string): boolean {
    return this.#open().holds(publicKey);
  }

  signer(publicKey: string): KeySigner {
    return this.#open().signer(publicKey);
  }

  destroy(publicKeys: readonly string[]): void {
    this.#open().destroy(publicKeys);
  }

  close(): void {
    this.#access = undefined;
    this.#token?.close();
  }
}

/** The keystore's recorded token, to open on first use; undefined without one or without a PIN. */
export function recordedToken(
  keystore: Keystore,
  pin: string | undefined,
): TokenOnFirstUse | undefined {
  const token = keystore.token;
  if (token === undefined || pin === undefined) return undefined;
  return new TokenOnFirstUse({ module: token.module, label: token.label, pin });
}
