/**
 * @module primitives/matter
 * Matter primitives: a code and raw bytes, in text (qb64) and binary (qb2) form
 * (CESR spec, "Text domain", "Binary domain"; keripy `Matter`).
 *
 * Because every full primitive is a whole number of 24-bit quanta, qb2 is exactly the Base64
 * decoding of qb64; the code's pad bits sit in the middle ("mid-pad") and must be zero.
 */
import {
  base64ToInt,
  decodeBase64Quadlets,
  decodeRaw,
  decodeWithPrepad,
  digitOf,
  encodeBase64,
  intToBase64,
  isBase64,
  sextetOf,
} from '../base64.js';
import {
  MATTER_SIZES,
  type MatterCode,
  type MatterSizes,
  matterHardSize,
} from '../codes/matter-codes.js';
import { CesrError } from '../errors.js';
import { readChars, Shortage, whole } from './shortage.js';

export interface Matter {
  /** Hard part of the code, e.g. 'E' or '0B' or '4B'. */
  readonly code: MatterCode;
  /** Soft part without pre-pad: the size digits of variable codes, the value of special codes. */
  readonly soft: string;
  /** The raw material, without lead bytes. */
  readonly raw: Uint8Array;
  /** Fully qualified text form. */
  readonly qb64: string;
}

const PAD = '_';

export function matterSizes(code: string): MatterSizes {
  const sizes = (MATTER_SIZES as Record<string, MatterSizes>)[code];
  if (!sizes) throw new CesrError('unknown_code', `Unsupported Matter code '${code}'`, 0, { code });
  return sizes;
}

/** Raw size in bytes of a fixed-size code (not including lead bytes). */
export function rawSizeOf(code: MatterCode): number {
  const { hs, ss, fs, ls } = matterSizes(code);
  if (fs === null)
    throw new CesrError('bad_size', `Code '${code}' has a variable size`, 0, { code });
  return Math.floor(((fs - hs - ss) * 3) / 4) - ls;
}

const SMALL_VARIABLE = '456';
const LARGE_VARIABLE = '789';

/**
 * Whether `qb64` is the primitive of `code` over `raw`, without building it: a received SAID is
 * checked against the digest computed for it once per event, and encoding the digest to compare
 * strings allocated a primitive, a padded copy, a view and a string. Fixed-size codes with no soft
 * part and no lead bytes (every digest code) are compared digit by digit; others are built.
 */
export function qb64MatchesRaw(code: MatterCode, raw: Uint8Array, qb64: string): boolean {
  const { hs, ss, fs, ls } = matterSizes(code);
  const padding = (3 - (raw.length % 3)) % 3;
  if (fs === null || ss !== 0 || ls !== 0 || padding !== hs) {
    return matterFromRaw(code, raw).qb64 === qb64;
  }
  if (qb64.length !== fs || !qb64.startsWith(code)) return false;
  // The raw, pre-padded with as many zero bytes as the code has characters, encodes to the code's
  // place (zero digits) followed by the qb64's digits.
  let position = 0;
  for (let index = -padding; index < raw.length; index += 3) {
    const quantum =
      ((index < 0 ? 0 : raw[index]!) << 16) |
      ((index + 1 < 0 ? 0 : raw[index + 1]!) << 8) |
      raw[index + 2]!;
    for (let shift = 18; shift >= 0; shift -= 6, position++) {
      if (position >= hs && qb64.charCodeAt(position) !== digitOf((quantum >>> shift) & 63))
        return false;
    }
  }
  return true;
}

/**
 * Builds a primitive from code and raw. For variable-size families (4X..9AAX) pass any member of
 * the family: the code is promoted to the lead size and to the big form as the raw length demands,
 * exactly as keripy does. `soft` is the value of special fixed codes (tags), without pre-pad.
 */
export function matterFromRaw(code: MatterCode, raw: Uint8Array, soft = ''): Matter {
  let sizes = matterSizes(code);
  let hard: string = code;
  if (sizes.fs === null) {
    const ls = (3 - (raw.length % 3)) % 3;
    const quadlets = (raw.length + ls) / 3;
    const selector = hard[0]!;
    if (SMALL_VARIABLE.includes(selector) && quadlets <= 64 ** 2 - 1) {
      hard = SMALL_VARIABLE[ls]! + hard[1]!;
    } else if (SMALL_VARIABLE.includes(selector) && quadlets <= 64 ** 4 - 1) {
      hard = `${LARGE_VARIABLE[ls]!}AA${hard[1]!}`;
    } else if (LARGE_VARIABLE.includes(selector) && quadlets <= 64 ** 4 - 1) {
      hard = LARGE_VARIABLE[ls]! + hard.slice(1, 4);
    } else {
      throw new CesrError('bad_size', `Raw of ${raw.length} bytes is too large for '${code}'`);
    }
    sizes = matterSizes(hard);
    const size = intToBase64(quadlets, sizes.ss);
    const lead = new Uint8Array(ls + raw.length);
    lead.set(raw, ls);
    return { code: hard as MatterCode, soft: size, raw, qb64: hard + size + encodeBase64(lead) };
  }

  const { hs, ss, xs, fs, ls } = sizes;
  const cs = hs + ss;
  const rawSize = Math.floor(((fs - cs) * 3) / 4) - ls;
  if (raw.length !== rawSize) {
    throw new CesrError(
      'bad_size',
      `Code '${code}' needs ${rawSize} raw bytes, got ${raw.length}`,
      0,
      {
        code,
      },
    );
  }
  let softPart = '';
  if (ss > 0) {
    softPart = soft.slice(0, ss - xs);
    if (softPart.length !== ss - xs || !isBase64(softPart)) {
      throw new CesrError('bad_size', `Code '${code}' needs ${ss - xs} Base64 soft characters`);
    }
  }
  const ps = (3 - ((rawSize + ls) % 3)) % 3;
  const padded = new Uint8Array(ps + ls + raw.length);
  padded.set(raw, ps + ls);
  const qb64 = code + PAD.repeat(xs) + softPart + encodeBase64(padded).slice(ps);
  return { code, soft: softPart, raw, qb64 };
}

/** Builds a special fixed-size primitive that has only a soft value (tags, e.g. '0J' with soft). */
export function matterFromSoft(code: MatterCode, soft: string): Matter {
  const { fs, hs, ss } = matterSizes(code);
  if (fs === null || ss === 0 || fs !== hs + ss) {
    throw new CesrError('bad_size', `Code '${code}' is not a soft-only special code`);
  }
  return matterFromRaw(code, new Uint8Array(0), soft);
}

/**
 * Reads one primitive from text (or ASCII bytes) at `offset`. Signals `Shortage` when the input
 * ends inside it; throws `CesrError` (offset relative to `offset`) when it is malformed.
 */
export function readMatter(input: string | Uint8Array, offset = 0): Matter {
  if (input.length <= offset) throw new Shortage(1);
  const first = typeof input === 'string' ? input[offset]! : String.fromCharCode(input[offset]!);
  const hs = matterHardSize(first);
  if (hs === undefined) {
    throw new CesrError('unknown_code', `Unsupported Matter code start '${printable(first)}'`);
  }
  const hard = hs === 1 ? first : readChars(input, offset, hs);
  const sizes = (MATTER_SIZES as Record<string, MatterSizes>)[hard];
  if (!sizes) throw new CesrError('unknown_code', `Unsupported Matter code '${printable(hard)}'`);
  const { ss, xs, ls } = sizes;
  const cs = hs + ss;
  let fs = sizes.fs;
  if (fs === null) fs = base64ToInt(readChars(input, offset, cs).slice(hs + xs)) * 4 + cs;
  const text = readChars(input, offset, fs);
  if (xs > 0 && text.slice(hs, hs + xs) !== PAD.repeat(xs)) {
    throw new CesrError('bad_size', `Invalid pre-pad '${text.slice(hs, hs + xs)}' in '${hard}'`);
  }
  const ps = cs % 4;
  checkPadding(text, cs, ps, ls, hard);
  return new ParsedMatter(hard as MatterCode, text.slice(hs + xs, cs), text, cs, ps + ls);
}

/**
 * Checks what decoding would: every character is Base64, and the pad and lead bits that precede
 * the raw are zero (CESR "mid-pad"). Only the first quadlets are decoded for that.
 */
export function checkPadding(text: string, cs: number, ps: number, ls: number, code: string): void {
  if (!isBase64(text))
    throw new CesrError('bad_base64', `Non Base64 character in '${printable(code)}' primitive`);
  if (ps + ls === 0) return;
  const head = decodeWithPrepad(text, cs, Math.min(text.length, cs + 8 - ps), ps);
  for (let i = 0; i < ps + ls; i++) {
    if (head[i] !== 0)
      throw new CesrError('nonzero_pad', `Nonzero mid-pad or lead bits in '${printable(code)}'`);
  }
}

/**
 * A primitive read from a stream. Its raw is decoded on first use: a parser that only routes or
 * stores messages never pays for it (the text was already checked by `checkPadding`).
 */
class ParsedMatter implements Matter {
  private decoded: Uint8Array | undefined;

  constructor(
    readonly code: MatterCode,
    readonly soft: string,
    readonly qb64: string,
    private readonly codeSize: number,
    private readonly skip: number,
  ) {}

  get raw(): Uint8Array {
    this.decoded ??= decodeRaw(this.qb64, this.codeSize, this.skip);
    return this.decoded;
  }
}

/** Parses exactly one primitive from a whole qb64 string. */
export function matterFromQb64(qb64: string): Matter {
  const matter = whole(() => readMatter(qb64), 'Matter');
  if (matter.qb64.length !== qb64.length) {
    throw new CesrError('bad_size', `Extra characters after '${matter.code}' primitive`);
  }
  return matter;
}

/** Binary form: the Base64 decoding of qb64. */
export function matterToQb2(matter: Matter): Uint8Array {
  return decodeBase64Quadlets(matter.qb64);
}

/**
 * Reads `count` text characters' worth of code from binary at `offset` (enough whole bytes to
 * cover them), or signals a shortage.
 */
export function peekBinaryChars(bytes: Uint8Array, offset: number, count: number): string {
  const needed = Math.ceil((count * 3) / 4);
  if (bytes.length - offset < needed) throw new Shortage(needed);
  return encodeBase64(bytes.subarray(offset, offset + needed)).slice(0, count);
}

/** Reads one primitive from binary (qb2) at `offset`. */
export function readMatterBinary(bytes: Uint8Array, offset = 0): Matter {
  if (bytes.length <= offset) throw new Shortage(1);
  const first = encodeBase64(bytes.subarray(offset, offset + 1))[0]!;
  const hs = matterHardSize(first);
  if (hs === undefined)
    throw new CesrError('unknown_code', 'Unsupported Matter code start in binary');
  const hard = peekBinaryChars(bytes, offset, hs);
  const sizes = (MATTER_SIZES as Record<string, MatterSizes>)[hard];
  if (!sizes) throw new CesrError('unknown_code', `Unsupported Matter code '${printable(hard)}'`);
  const cs = hs + sizes.ss;
  let fs = sizes.fs;
  if (fs === null)
    fs = base64ToInt(peekBinaryChars(bytes, offset, cs).slice(hs + sizes.xs)) * 4 + cs;
  const size = (fs * 3) / 4;
  if (bytes.length - offset < size) throw new Shortage(size);
  return readMatter(encodeBase64(bytes.subarray(offset, offset + size)));
}

/** Parses exactly one primitive from a whole qb2 byte array. */
export function matterFromQb2(qb2: Uint8Array): Matter {
  const matter = whole(() => readMatterBinary(qb2), 'Matter');
  if ((matter.qb64.length * 3) / 4 !== qb2.length) {
    throw new CesrError('bad_size', `Extra bytes after '${matter.code}' primitive`);
  }
  return matter;
}

/** Escapes non-printable characters for error messages. */
export function printable(text: string): string {
  return text.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** True when the byte is a Base64 digit (text-domain primitives start with one). */
export function isBase64Byte(byte: number): boolean {
  return sextetOf(byte) >= 0;
}

/**
 * The code of `qb64` when it is exactly one well-formed primitive, else undefined. On the hot path
 * (prefixes, SAIDs, keys and digests of every event), so fixed-size codes are checked in place,
 * without decoding: known code, exact length, Base64 characters, zero mid-pad and lead bits.
 */
export function qb64Code(qb64: string): MatterCode | undefined {
  const hs = matterHardSize(qb64.charAt(0));
  if (hs === undefined) return undefined;
  const hard = qb64.slice(0, hs);
  const sizes = (MATTER_SIZES as Record<string, MatterSizes>)[hard];
  if (!sizes) return undefined;
  if (sizes.fs === null || sizes.xs > 0) {
    try {
      return matterFromQb64(qb64).code;
    } catch {
      return undefined;
    }
  }
  if (qb64.length !== sizes.fs || !isBase64(qb64)) return undefined;
  // Decoding prepends cs % 4 zero sextets; the first (prepad + lead) bytes that come out must be
  // zero, so the text after the code must start with 2 * prepad + 8 * lead zero bits.
  const cs = hs + sizes.ss;
  let bits = 2 * (cs % 4) + 8 * sizes.ls;
  for (let position = cs; bits > 0; position++) {
    const taken = Math.min(6, bits);
    if (sextetOf(qb64.charCodeAt(position)) >> (6 - taken) !== 0) return undefined;
    bits -= taken;
  }
  return hard as MatterCode;
}
