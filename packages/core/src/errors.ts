/**
 * @module errors
 * Errors of the core. Expected outcomes of processing (escrowed, duplicitous, rejected) are values,
 * not errors; these are thrown only for invalid input to builders and pure functions.
 */
import { type ErrorContext, KeriError } from '@kestrel/cesr';

export { KeriError } from '@kestrel/cesr';

/** A signing or witness threshold that is malformed or cannot be met by its key list. */
export class ThresholdError extends KeriError {
  constructor(message: string, context: ErrorContext = {}) {
    super('bad_threshold', message, context);
  }
}

/** Codes of event errors. */
export type EventErrorCode =
  | 'bad_field'
  | 'missing_field'
  | 'bad_said'
  | 'bad_prefix'
  | 'bad_sequence_number'
  | 'bad_witnesses'
  | 'bad_keys'
  | 'bad_seal';

/** An event (or the arguments to build one) that breaks a KERI rule of form. */
export class EventError extends KeriError {
  declare readonly code: EventErrorCode;
  constructor(code: EventErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
  }
}

/** A key, salt or cipher that cannot be used (wrong code, wrong size, does not decrypt). */
export class KeyError extends KeriError {
  constructor(
    code: 'bad_key' | 'bad_salt' | 'bad_cipher' | 'decrypt_failed',
    message: string,
    context: ErrorContext = {},
  ) {
    super(code, message, context);
  }
}

/** Codes of validation failures: why an event is rejected. */
export type ValidationErrorCode =
  | 'no_signatures'
  | 'stale_event'
  | 'bad_prior'
  | 'not_transferable'
  | 'establishment_only'
  | 'delegated_rotation_required'
  | 'bad_recovery'
  | 'bad_witnesses'
  | 'bad_threshold'
  | 'misfit_source'
  | 'do_not_delegate'
  | 'bad_delegation'
  | 'unsigned_conflict'
  | 'stale_receipt'
  | 'bad_receipt'
  | 'expired'
  | 'unsupported';

/** An event or receipt that breaks a validation rule given the key state: it is rejected. */
export class ValidationError extends KeriError {
  declare readonly code: ValidationErrorCode;
  constructor(code: ValidationErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
  }
}

export type StoreErrorCode = 'corrupt_record' | 'not_a_store' | 'cannot_open';

/**
 * A store that cannot be used: a stored value that cannot be read back (a damaged or foreign
 * store), or a store that cannot be opened (not a store, no permission).
 */
export class StoreError extends KeriError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
  }
}
