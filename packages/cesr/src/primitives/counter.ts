/**
 * @module primitives/counter
 * CESR 1.0 counters: a group code and a count (keripy `Counter` with the v1 tables).
 */
import { base64ToInt, decodeBase64Quadlets, encodeBase64, intToBase64 } from '../base64.js';
import {
  COUNTER_SIZES_V1,
  type CounterCode,
  type CounterSizes,
  counterHardSize,
} from '../codes/counter-codes.js';
import { CesrError } from '../errors.js';
import { peekBinaryChars, printable } from './matter.js';
import { readChars, Shortage, whole } from './shortage.js';

export interface Counter {
  readonly code: CounterCode;
  readonly count: number;
  readonly qb64: string;
}

export function counterSizes(code: string): CounterSizes {
  const sizes = (COUNTER_SIZES_V1 as Record<string, CounterSizes>)[code];
  if (!sizes)
    throw new CesrError('unknown_code', `Unsupported counter code '${code}'`, 0, { code });
  return sizes;
}

/**
 * Builds a counter. A small quadlet-group code whose count does not fit two digits is promoted to
 * its big form ('-V' -> '-0V'), as keripy does; item-count codes have no big form in CESR 1.0.
 */
export function counter(code: CounterCode, count: number): Counter {
  let hard: string = code;
  let sizes = counterSizes(code);
  if (count > 64 ** sizes.ss - 1 && sizes.hs === 2) {
    const big = `-0${code[1]}`;
    if (big in COUNTER_SIZES_V1) {
      hard = big;
      sizes = counterSizes(big);
    }
  }
  if (!Number.isInteger(count) || count < 0 || count > 64 ** sizes.ss - 1) {
    throw new CesrError('bad_size', `Count ${count} does not fit counter '${code}'`);
  }
  return { code: hard as CounterCode, count, qb64: hard + intToBase64(count, sizes.ss) };
}

/** Reads a counter from text (or ASCII bytes) at `offset`. */
export function readCounter(input: string | Uint8Array, offset = 0): Counter {
  const firstTwo = readChars(input, offset, 2);
  const hs = counterHardSize(firstTwo);
  if (hs === undefined) {
    throw new CesrError('unexpected_bytes', `Expected a counter, found '${printable(firstTwo)}'`);
  }
  const hard = readChars(input, offset, hs);
  const sizes = (COUNTER_SIZES_V1 as Record<string, CounterSizes>)[hard];
  if (!sizes) throw new CesrError('unknown_code', `Unsupported counter code '${printable(hard)}'`);
  const text = readChars(input, offset, sizes.fs);
  return { code: hard as CounterCode, count: base64ToInt(text.slice(hs)), qb64: text };
}

/** Parses exactly one counter from a whole qb64 string. */
export function counterFromQb64(qb64: string): Counter {
  const parsed = whole(() => readCounter(qb64), 'counter');
  if (parsed.qb64.length !== qb64.length)
    throw new CesrError('bad_size', 'Extra characters after counter');
  return parsed;
}

/** Reads a counter from binary (qb2) at `offset`. */
export function readCounterBinary(bytes: Uint8Array, offset = 0): Counter {
  if (bytes.length <= offset) throw new Shortage(1);
  const firstTwo = peekBinaryChars(bytes, offset, 2);
  const hs = counterHardSize(firstTwo);
  if (hs === undefined) throw new CesrError('unexpected_bytes', 'Expected a binary counter');
  const hard = peekBinaryChars(bytes, offset, hs);
  const sizes = (COUNTER_SIZES_V1 as Record<string, CounterSizes>)[hard];
  if (!sizes) throw new CesrError('unknown_code', `Unsupported counter code '${printable(hard)}'`);
  const size = (sizes.fs * 3) / 4;
  if (bytes.length - offset < size) throw new Shortage(size);
  return readCounter(encodeBase64(bytes.subarray(offset, offset + size)));
}

/** Binary form: the Base64 decoding of qb64. */
export function counterToQb2(value: Counter): Uint8Array {
  return decodeBase64Quadlets(value.qb64);
}
