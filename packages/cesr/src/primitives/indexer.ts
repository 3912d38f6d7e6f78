/**
 * @module primitives/indexer
 * Indexed signatures (CESR spec, "Indexed code table"; keripy `Indexer`, `Siger`).
 *
 * `index` is the signing key's position in the current key list `k`. `ondex` is its position in
 * the prior next-digest list `n` (for rotations); it is `undefined` for current-only codes and
 * equals `index` for the small "both" codes, whose code has no room for a separate ondex.
 */
import {
  base64ToInt,
  decodeBase64Quadlets,
  decodeRaw,
  encodeBase64,
  intToBase64,
} from '../base64.js';
import {
  INDEXER_CODE_FOR,
  INDEXER_SIZES,
  type IndexerCode,
  type IndexerSizes,
  indexerHardSize,
} from '../codes/indexer-codes.js';
import { CesrError } from '../errors.js';
import { checkPadding, peekBinaryChars, printable } from './matter.js';
import { readChars, Shortage, whole } from './shortage.js';

export interface IndexedSignature {
  readonly code: IndexerCode;
  readonly index: number;
  readonly ondex: number | undefined;
  readonly raw: Uint8Array;
  readonly qb64: string;
}

export function indexerSizes(code: string): IndexerSizes {
  const sizes = (INDEXER_SIZES as Record<string, IndexerSizes>)[code];
  if (!sizes)
    throw new CesrError('unknown_code', `Unsupported Indexer code '${code}'`, 0, { code });
  return sizes;
}

/** Builds an indexed signature, checking index/ondex against the code as keripy does. */
export function indexedSignature(
  code: IndexerCode,
  raw: Uint8Array,
  index: number,
  ondex?: number,
): IndexedSignature {
  const { hs, ss, os, fs, ls, lists } = indexerSizes(code);
  const cs = hs + ss;
  const ms = ss - os;
  if (!Number.isInteger(index) || index < 0 || index > 64 ** ms - 1) {
    throw new CesrError('bad_index', `Invalid index ${index} for code '${code}'`);
  }
  if (
    ondex !== undefined &&
    os > 0 &&
    (!Number.isInteger(ondex) || ondex < 0 || ondex > 64 ** os - 1)
  ) {
    throw new CesrError('bad_index', `Invalid ondex ${ondex} for code '${code}'`);
  }
  let other = ondex;
  if (lists === 'current') {
    if (ondex !== undefined) throw new CesrError('bad_index', `Code '${code}' takes no ondex`);
  } else if (other === undefined) {
    other = index;
  } else if (other !== index && os === 0) {
    throw new CesrError('bad_index', `Code '${code}' needs ondex == index (${other} != ${index})`);
  }
  const rawSize = Math.floor(((fs - cs) * 3) / 4);
  if (raw.length !== rawSize) {
    throw new CesrError('bad_size', `Code '${code}' needs ${rawSize} raw bytes, got ${raw.length}`);
  }
  const ps = (3 - (raw.length % 3)) % 3;
  const padded = new Uint8Array(ps + raw.length);
  padded.set(raw, ps);
  const both = code + intToBase64(index, ms) + intToBase64(os > 0 ? (other ?? 0) : 0, os);
  const qb64 = both + encodeBase64(padded).slice(ps - ls);
  return { code, index, ondex: other, raw, qb64 };
}

/**
 * Builds the signature the way keripy's signer picks codes: `currentOnly` gives the current-only
 * code; otherwise the small "both" code when ondex == index and both fit, the big one otherwise.
 */
export function indexedSignatureFor(
  scheme: keyof typeof INDEXER_CODE_FOR,
  raw: Uint8Array,
  index: number,
  options: { ondex?: number; currentOnly?: boolean } = {},
): IndexedSignature {
  const codes = INDEXER_CODE_FOR[scheme];
  const smallMax = 64 ** (indexerSizes(codes.both[0]).ss - indexerSizes(codes.both[0]).os) - 1;
  if (options.currentOnly) {
    return indexedSignature(index <= smallMax ? codes.current[0] : codes.current[1], raw, index);
  }
  const ondex = options.ondex ?? index;
  const small = ondex === index && index <= smallMax;
  return indexedSignature(small ? codes.both[0] : codes.both[1], raw, index, ondex);
}

/** Reads one indexed signature from text (or ASCII bytes) at `offset`. */
export function readIndexer(input: string | Uint8Array, offset = 0): IndexedSignature {
  if (input.length <= offset) throw new Shortage(1);
  const first = typeof input === 'string' ? input[offset]! : String.fromCharCode(input[offset]!);
  const hs = indexerHardSize(first);
  if (hs === undefined) {
    throw new CesrError('unknown_code', `Unsupported Indexer code start '${printable(first)}'`);
  }
  const hard = hs === 1 ? first : readChars(input, offset, hs);
  const sizes = (INDEXER_SIZES as Record<string, IndexerSizes>)[hard];
  if (!sizes) throw new CesrError('unknown_code', `Unsupported Indexer code '${printable(hard)}'`);
  const { ss, os, fs, ls, lists } = sizes;
  const cs = hs + ss;
  const ms = ss - os;
  const text = readChars(input, offset, fs);
  const index = base64ToInt(text.slice(hs, hs + ms));
  let ondex: number | undefined;
  if (lists === 'current') {
    if (os > 0 && base64ToInt(text.slice(hs + ms, cs)) !== 0) {
      throw new CesrError('bad_index', `Nonzero ondex in current-only code '${hard}'`);
    }
  } else {
    ondex = os > 0 ? base64ToInt(text.slice(hs + ms, cs)) : index;
  }
  // The pre-padded bytes are zero by construction except for the 2*ps bits that come from the
  // text, which must be zero too; the raw is decoded when first used.
  checkPadding(text, cs, cs % 4, ls, hard);
  return new ParsedIndexedSignature(hard as IndexerCode, index, ondex, text, cs, ls);
}

/** An indexed signature read from a stream, decoding its raw on first use. */
class ParsedIndexedSignature implements IndexedSignature {
  private decoded: Uint8Array | undefined;

  constructor(
    readonly code: IndexerCode,
    readonly index: number,
    readonly ondex: number | undefined,
    readonly qb64: string,
    private readonly codeSize: number,
    private readonly lead: number,
  ) {}

  get raw(): Uint8Array {
    this.decoded ??= decodeRaw(this.qb64, this.codeSize, (this.codeSize % 4) + this.lead);
    return this.decoded;
  }
}

/** Parses exactly one indexed signature from a whole qb64 string. */
export function indexerFromQb64(qb64: string): IndexedSignature {
  const signature = whole(() => readIndexer(qb64), 'indexed signature');
  if (signature.qb64.length !== qb64.length) {
    throw new CesrError('bad_size', `Extra characters after '${signature.code}' signature`);
  }
  return signature;
}

/** Reads one indexed signature from binary (qb2) at `offset`. */
export function readIndexerBinary(bytes: Uint8Array, offset = 0): IndexedSignature {
  if (bytes.length <= offset) throw new Shortage(1);
  const first = encodeBase64(bytes.subarray(offset, offset + 1))[0]!;
  const hs = indexerHardSize(first);
  if (hs === undefined)
    throw new CesrError('unknown_code', 'Unsupported Indexer code start in binary');
  const hard = peekBinaryChars(bytes, offset, hs);
  const sizes = (INDEXER_SIZES as Record<string, IndexerSizes>)[hard];
  if (!sizes) throw new CesrError('unknown_code', `Unsupported Indexer code '${printable(hard)}'`);
  const size = (sizes.fs * 3) / 4;
  if (bytes.length - offset < size) throw new Shortage(size);
  return readIndexer(encodeBase64(bytes.subarray(offset, offset + size)));
}

/** Binary form: the Base64 decoding of qb64. */
export function indexerToQb2(signature: IndexedSignature): Uint8Array {
  return decodeBase64Quadlets(signature.qb64);
}
