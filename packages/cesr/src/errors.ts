/**
 * @module errors
 * The error base of every Kestrel package, and the errors of the CESR layer.
 *
 * Every error carries a stable machine-readable `code` (callers branch on it, never on the
 * message) and a structured `context`. Messages never include secret material.
 */

/** Structured context attached to an error: offsets, prefixes, codes. Never secrets. */
export type ErrorContext = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Base of all Kestrel errors. */
export class KeriError extends Error {
  readonly code: string;
  readonly context: ErrorContext;

  constructor(code: string, message: string, context: ErrorContext = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}

/** Stable codes of CESR errors. */
export type CesrErrorCode =
  | 'unknown_code'
  | 'bad_size'
  | 'bad_base64'
  | 'nonzero_pad'
  | 'bad_index'
  | 'bad_version_string'
  | 'bad_body'
  | 'unexpected_counter'
  | 'unexpected_bytes'
  | 'truncated'
  | 'bad_group';

/**
 * A malformed CESR primitive, counter, body or stream. `offset` is the byte offset in the input
 * where the problem was found (absolute within a stream when raised by the stream parser).
 */
export class CesrError extends KeriError {
  declare readonly code: CesrErrorCode;
  readonly offset: number;

  constructor(code: CesrErrorCode, message: string, offset = 0, context: ErrorContext = {}) {
    super(code, message, { ...context, offset });
    this.offset = offset;
  }

  /** The same error, re-based at an absolute stream offset (with the group `start` it names). */
  at(offset: number): CesrError {
    const start = this.context.start;
    const context =
      typeof start === 'number' ? { ...this.context, start: offset + start } : this.context;
    return new CesrError(this.code, this.message, offset + this.offset, context);
  }
}
