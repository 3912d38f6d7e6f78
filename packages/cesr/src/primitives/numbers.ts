/**
 * @module primitives/numbers
 * Numbers in CESR: `Number` primitives (M, 0H, R, N, S, T, 0A, U), sequence numbers as keripy's
 * 16-byte `Seqner` ('0A'), and the hex sequence numbers of JSON bodies.
 */

import type { MatterCode } from '../codes/matter-codes.js';
import { MatterCodes, NUMBER_CODES, NUMBER_CODES_BY_SIZE } from '../codes/matter-codes.js';
import { CesrError } from '../errors.js';
import { type Matter, matterFromRaw, rawSizeOf } from './matter.js';

/** Big-endian unsigned bytes of `value`, exactly `size` long. */
export function bigintToBytes(value: bigint, size: number): Uint8Array {
  if (value < 0n) throw new CesrError('bad_size', 'Negative number');
  const out = new Uint8Array(size);
  let rest = value;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest !== 0n) throw new CesrError('bad_size', `${value} does not fit in ${size} bytes`);
  return out;
}

/** Unsigned big-endian integer of bytes. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** A Number primitive; without `code`, the smallest of M, R, N, S, T, U that holds `value`. */
export function numberPrimitive(value: bigint | number, code?: MatterCode): Matter {
  const num = BigInt(value);
  if (num < 0n) throw new CesrError('bad_size', `Not a whole number: ${value}`);
  if (code !== undefined) {
    if (!NUMBER_CODES.has(code))
      throw new CesrError('unknown_code', `'${code}' is not a number code`);
    return matterFromRaw(code, bigintToBytes(num, rawSizeOf(code)));
  }
  for (const candidate of NUMBER_CODES_BY_SIZE) {
    const size = rawSizeOf(candidate);
    if (num < 1n << BigInt(size * 8)) return matterFromRaw(candidate, bigintToBytes(num, size));
  }
  throw new CesrError('bad_size', `Number ${value} is too large to encode`);
}

/** The value of a Number (or Seqner) primitive. */
export function numberValue(matter: Matter): bigint {
  if (!NUMBER_CODES.has(matter.code)) {
    throw new CesrError('unknown_code', `'${matter.code}' is not a number code`);
  }
  return bytesToBigint(matter.raw);
}

/** A sequence number as keripy's `Seqner`: code '0A' with 16 raw bytes. */
export function seqner(sn: bigint | number): Matter {
  return matterFromRaw(MatterCodes.Salt_128, bigintToBytes(BigInt(sn), 16));
}

/** The sequence number in a `Seqner`. */
export function seqnerValue(matter: Matter): bigint {
  if (matter.code !== MatterCodes.Salt_128) {
    throw new CesrError('unknown_code', `Expected a '0A' sequence number, got '${matter.code}'`);
  }
  return bytesToBigint(matter.raw);
}

/**
 * Parses a hex number the way keripy does, with Python's `int(text, 16)`: surrounding whitespace
 * (Python's, which is not JavaScript's `\s`: U+0085 is whitespace there, U+FEFF is not), a sign, a
 * `0x` prefix, single underscores between digits, and any Unicode decimal digit standing for its
 * value (Python reads "١" as 1); anything else, and negative values, are invalid. keripy accepts
 * `"s":"01"` (see the corpus) and so do we.
 */
export function parseHexNumber(text: string): bigint {
  if (isPlainHex(text)) return BigInt(`0x${text}`);
  const ascii = pythonNumberText(text);
  const match =
    /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]_?)?([0-9a-fA-F](?:_?[0-9a-fA-F])*)[ \t\n\v\f\r]*$/.exec(ascii);
  if (!match) throw new CesrError('bad_size', `Not a whole number: '${text}'`);
  const value = BigInt(`0x${match[2]!.replaceAll('_', '')}`);
  if (match[1] === '-' && value !== 0n)
    throw new CesrError('bad_size', `Not a whole number: '${text}'`);
  return value;
}

/**
 * keripy's `Number` primitive, which reads `s` and `bt`: the empty string is 0, anything else is
 * read as `parseHexNumber` reads it. (Thresholds are read by `int(text, 16)` alone.)
 */
export function parseKeripyNumber(text: string): bigint {
  return text === '' ? 0n : parseHexNumber(text);
}

/**
 * Python's non-ASCII whitespace (`str.isspace`). ASCII characters reach `int()`'s parser as they
 * are, where only space, tab and line breaks are whitespace (U+001C-U+001F are not, there).
 */
export const PYTHON_NON_ASCII_SPACES: ReadonlySet<number> = new Set([
  0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
  0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * The text as Python's `int()` and `float()` see it before parsing: whitespace as a space, every decimal digit
 * as its ASCII digit, other non-ASCII characters as '?' (which no number holds). Decimal digits
 * come in runs of ten, 0 to 9, so a digit's value is its distance from its run's start modulo 10
 * (this matches Python's `unicodedata.decimal` for every one; the Unicode version is the engine's).
 */
export function pythonNumberText(text: string): string {
  let ascii = '';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code < 0x80) ascii += character;
    else if (PYTHON_NON_ASCII_SPACES.has(code)) ascii += ' ';
    else if (DECIMAL_DIGIT.test(character)) {
      let start = code;
      while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
      ascii += String((code - start) % 10);
    } else ascii += '?';
  }
  return ascii;
}

/** Hex digits only (how every sequence number we have seen is written): no need for the pattern. */
function isPlainHex(text: string): boolean {
  if (text.length === 0 || text.length > 32) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66);
    if (!digit && !(code >= 0x41 && code <= 0x46)) return false;
  }
  return true;
}

/** Canonical hex of a sequence number (lowercase, no leading zeros), as keripy writes `s`. */
export function toHex(value: bigint | number): string {
  return BigInt(value).toString(16);
}
