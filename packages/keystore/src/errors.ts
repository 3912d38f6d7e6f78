/**
 * @module errors
 * Keystore errors. Messages never contain secrets (seeds, salts, passcodes, TOTP secrets).
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
  | 'hsm';

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
