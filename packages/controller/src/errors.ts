/**
 * @module errors
 * Controller errors: what a person asked for that cannot be done, and why.
 */
import { type ErrorContext, KeriError } from '@kestrel/cesr';

export type ControllerErrorCode =
  | 'exists'
  | 'unknown_alias'
  | 'not_accepted'
  | 'bad_plan'
  | 'totp_required'
  | 'totp_invalid'
  | 'not_delegated'
  | 'bad_input'
  | 'unknown_member'
  | 'member_not_rotated'
  | 'bad_proposal'
  | 'not_member'
  | 'unknown_group'
  | 'unknown_proposal'
  | 'expired'
  | 'bad_message'
  | 'bad_signature'
  | 'delivery';

export class ControllerError extends KeriError {
  declare readonly code: ControllerErrorCode;
  constructor(
    code: ControllerErrorCode,
    message: string,
    context: ErrorContext = {},
    options?: ErrorOptions,
  ) {
    super(code, message, context, options);
  }
}
