/**
 * @module primitives/shortage
 * The "need more bytes" signal. Decoders raise it when the input ends inside a primitive; the
 * stream parser catches it and waits for the next chunk, so it never escapes as an error there.
 * Whole-input decoders turn it into a `CesrError('truncated')`.
 */
import { CesrError } from '../errors.js';
import { latin1Text } from '../text.js';

export class Shortage {
  /** Total number of units (characters or bytes) the decoder needs from its start offset. */
  readonly needed: number;
  constructor(needed: number) {
    this.needed = needed;
  }
}

/** Runs `decode`, converting a Shortage into a truncation error (for complete inputs). */
export function whole<T>(decode: () => T, what: string): T {
  try {
    return decode();
  } catch (caught) {
    if (caught instanceof Shortage) {
      throw new CesrError(
        'truncated',
        `Truncated ${what}: needs ${caught.needed} characters or bytes`,
      );
    }
    throw caught;
  }
}

/** Reads `count` Base64 characters at `offset` from text or ASCII bytes, or signals a shortage. */
export function readChars(input: string | Uint8Array, offset: number, count: number): string {
  if (input.length - offset < count) throw new Shortage(count);
  if (typeof input === 'string') return input.slice(offset, offset + count);
  return latin1Text(input, offset, offset + count);
}
