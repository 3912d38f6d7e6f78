/**
 * @module base64
 * URL-safe Base64 (RFC 4648 §5) as CESR uses it: no `=` padding, and integer <-> Base64 digit
 * conversions for code soft parts (CESR spec, "Base64 code sizes").
 */
import { CesrError } from './errors.js';
import { Slabs } from './slabs.js';
import { latin1Text } from './text.js';

export const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sextet value of each ASCII byte, or -1 when the byte is not a URL-safe Base64 digit. */
const SEXTETS: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 64; i++) table[BASE64_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

const DIGITS: Uint8Array = new TextEncoder().encode(BASE64_ALPHABET);

/** Sextet value of an ASCII byte, -1 when it is not a Base64 digit. */
export function sextetOf(byte: number): number {
  return SEXTETS[byte] ?? -1;
}

/** True when every character of `text` is a URL-safe Base64 digit. */
export function isBase64(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if ((SEXTETS[text.charCodeAt(i)] ?? -1) < 0) return false;
  }
  return true;
}

/** Integer from Base64 digits (big-endian, most significant digit first). */
export function base64ToInt(text: string): number {
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const sextet = SEXTETS[text.charCodeAt(i)] ?? -1;
    if (sextet < 0) throw new CesrError('bad_base64', `Non Base64 character in '${text}'`, i);
    value = value * 64 + sextet;
  }
  return value;
}

/** Base64 digits of a non-negative integer, left padded with 'A' to `length` digits. */
export function intToBase64(value: number, length: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CesrError('bad_size', `Cannot encode ${value} in Base64 digits`);
  }
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = BASE64_ALPHABET[rest % 64] + out;
    rest = Math.floor(rest / 64);
  }
  if (rest !== 0)
    throw new CesrError('bad_size', `${value} does not fit in ${length} Base64 digits`);
  return out;
}

/**
 * Encodes bytes to URL-safe Base64 without padding characters. When `bytes.length % 3 != 0` the
 * trailing partial quantum is emitted with its zero bits, as Python's `urlsafe_b64encode` minus `=`.
 */
export function encodeBase64(bytes: Uint8Array): string {
  const length = Math.ceil((bytes.length * 4) / 3);
  // The digits are written as bytes and made a string once: appending to a string builds one
  // intermediate string per step (a 44-character digest made a dozen).
  const out = length <= SCRATCH_SIZE ? scratch : new Uint8Array(length);
  const full = bytes.length - (bytes.length % 3);
  let o = 0;
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = DIGITS[n >>> 18]!;
    out[o++] = DIGITS[(n >>> 12) & 63]!;
    out[o++] = DIGITS[(n >>> 6) & 63]!;
    out[o++] = DIGITS[n & 63]!;
  }
  const rest = bytes.length - full;
  if (rest > 0) {
    const n = (bytes[full]! << 16) | (rest === 2 ? bytes[full + 1]! << 8 : 0);
    out[o++] = DIGITS[n >>> 18]!;
    out[o++] = DIGITS[(n >>> 12) & 63]!;
    if (rest === 2) out[o++] = DIGITS[(n >>> 6) & 63]!;
  }
  return latin1Text(out, 0, o);
}

/** Encodings up to this many digits are written in a reused buffer. */
const SCRATCH_SIZE = 4096;
const scratch = new Uint8Array(SCRATCH_SIZE);

/** Encodes bytes to Base64 ASCII bytes (the text domain is bytes in a stream). */
export function encodeBase64Bytes(bytes: Uint8Array): Uint8Array {
  const text = encodeBase64(bytes);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * Decodes `length` Base64 characters (a multiple of 4) read from `text` at `start` into
 * `length * 3 / 4` bytes. `text` may be a string or ASCII bytes.
 */
export function decodeBase64Quadlets(
  text: string | Uint8Array,
  start = 0,
  length = text.length - start,
): Uint8Array {
  if (length % 4 !== 0) throw new CesrError('bad_size', 'Base64 length is not a multiple of 4');
  const out = new Uint8Array((length / 4) * 3);
  const read =
    typeof text === 'string'
      ? (i: number) => SEXTETS[text.charCodeAt(i)] ?? -1
      : (i: number) => SEXTETS[text[i]!] ?? -1;
  let o = 0;
  for (let i = start; i < start + length; i += 4) {
    const a = read(i);
    const b = read(i + 1);
    const c = read(i + 2);
    const d = read(i + 3);
    if ((a | b | c | d) < 0) throw new CesrError('bad_base64', 'Non Base64 character', i - start);
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  return out;
}

/** The ASCII digit for a sextet value. */
export function digitOf(sextet: number): number {
  return DIGITS[sextet]!;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** ASCII/UTF-8 bytes to string. */
export function bytesToText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/** String to UTF-8 bytes. */
export function textToBytes(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Lowercase hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Bytes of an even-length hex string. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
    throw new TypeError('Invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Decodes Base64 characters [start, end) of `text`, preceded by `prepad` implicit 'A' (zero)
 * sextets, into bytes; (prepad + end - start) must be a multiple of 4. This is how CESR strips a
 * code: the code's characters are replaced by zero sextets so the raw stays 24-bit aligned.
 */
export function decodeWithPrepad(
  text: string,
  start: number,
  end: number,
  prepad: number,
  into?: Uint8Array,
): Uint8Array {
  const total = prepad + end - start;
  if (total % 4 !== 0) throw new CesrError('bad_size', 'Base64 length is not a multiple of 4');
  const size = (total / 4) * 3;
  // A buffer given to decode into may be longer than the bytes: only its first `size` are written.
  const out = into ?? new Uint8Array(size);
  // Whole quadlets of sextets, the first one led by the `prepad` zero sextets.
  let position = start - prepad;
  for (let o = 0; o < size; o += 3) {
    let quadlet = 0;
    for (let k = 0; k < 4; k++, position++) {
      const sextet = position < start ? 0 : (SEXTETS[text.charCodeAt(position)] ?? -1);
      if (sextet < 0) throw new CesrError('bad_base64', 'Non Base64 character', position);
      quadlet = (quadlet << 6) | sextet;
    }
    out[o] = quadlet >>> 16;
    out[o + 1] = (quadlet >>> 8) & 255;
    out[o + 2] = quadlet & 255;
  }
  return out;
}

/**
 * Typed arrays of up to 64 bytes live on V8's heap; a larger one gets an ArrayBuffer of its own,
 * ten times the cost (0.25 against 0.02 µs here). Signatures decode to 66 bytes, one or more per
 * event, so raws above that size are cut from shared slabs instead.
 */
const ON_HEAP_LIMIT = 64;
const rawSlabs = new Slabs(16 * 1024, 1024);
/** Where raws up to the slabs' own-buffer size are decoded before they are copied to a piece. */
const rawScratch = new Uint8Array(1024);

/**
 * The raw bytes of a primitive's qb64 text: the characters after its `codeSize`-character code,
 * decoded with the code's place taken by zero sextets, without the first `skip` bytes (those
 * zero sextets' bytes and the code's lead bytes).
 */
export function decodeRaw(qb64: string, codeSize: number, skip: number): Uint8Array {
  const prepad = codeSize % 4;
  const size = ((prepad + qb64.length - codeSize) / 4) * 3;
  if (size <= ON_HEAP_LIMIT || size > rawScratch.length) {
    return decodeWithPrepad(qb64, codeSize, qb64.length, prepad).subarray(skip);
  }
  // One view on a slab, rather than a piece and a view of it without the skipped bytes.
  const decoded = decodeWithPrepad(qb64, codeSize, qb64.length, prepad, rawScratch);
  const raw = rawSlabs.take(size - skip);
  for (let index = 0; index < raw.length; index++) raw[index] = decoded[skip + index]!;
  return raw;
}
