/**
 * @module errors
 * Keystore errors. Messages never contain secrets (seeds, salts, passcodes, token PINs, TOTP
 * secrets).
 *
 * Hardware token failures a person can act on have their own codes (`hsm_*`); `hsm` is the rest
 * (a Cryptoki failure with its CKR_ name in the message).
 */
import { type ErrorContext, KeriError } from '@kestrel/cesr';

export type KeystoreErrorCode =
  | 'wrong_passcode'
  | 'passcode_required'
  | 'bad_passcode'
  | 'bad_salt'
  | 'exists'
  | 'not_found'
  | 'corrupt'
  | 'unknown_alias'
  | 'alias_exists'
  | 'missing_secret'
  | 'missing_next_store'
  | 'next_keys_elsewhere'
  | 'not_committed'
  | 'not_transferable'
  | 'totp_required'
  | 'totp_invalid'
  /** An algorithm that cannot be used where it was asked for. */
  | 'bad_algorithm'
  | 'hsm'
  /** The PKCS#11 module (shared library) is not at the given path or does not load. */
  | 'hsm_module_not_found'
  /** No initialised token with this label in the module (or more than one). */
  | 'hsm_token_not_found'
  /** The token refused the user PIN (CKR_PIN_INCORRECT). */
  | 'hsm_wrong_pin'
  /** The token's user PIN is locked or was never set. */
  | 'hsm_pin_locked'
  /** The keys are in a token that is not open: its user PIN was not given. */
  | 'hsm_pin_required'
  /** The keystore records a key as kept in the token, and the token does not hold it. */
  | 'hsm_key_not_found'
  /** A token operation was started while a slow one (key generation) is still running. */
  | 'hsm_busy';

export class KeystoreError extends KeriError {
  declare readonly code: KeystoreErrorCode;
  constructor(
    code: KeystoreErrorCode,
    message: string,
    context: ErrorContext = {},
    options?: ErrorOptions,
  ) {
    super(code, message, context, options);
  }
}
