/**
 * @module errors
 * HTTP errors: a request the server refuses (status 4xx) or a peer that could not be reached.
 */
import { type ErrorContext, KeriError } from '@kestrel/cesr';

export type HttpErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'unreachable'
  | 'refused';

export class HttpError extends KeriError {
  declare readonly code: HttpErrorCode;
  constructor(
    code: HttpErrorCode,
    message: string,
    readonly status: number,
    context: ErrorContext = {},
  ) {
    super(code, message, context);
  }
}
