/**
 * Hex numbers as keripy reads them: Python's `int(text, 16)` for thresholds, and keripy's `Number`
 * (the same, with '' as 0) for `s` and `bt`. Each expected value was printed by Python 3.11's
 * `int(text, 16)` (null where it raises ValueError).
 */
import { describe, expect, it } from 'vitest';
import { parseHexNumber, parseKeripyNumber } from '../src/index.js';

const PYTHON: ReadonlyArray<readonly [string, number | null]> = [
  ['1', 1],
  ['a', 10],
  ['A', 10],
  ['01', 1],
  [' 1 ', 1],
  ['\t1\n', 1],
  ['+1', 1],
  ['-0', 0],
  ['-1', null], // a valid int, but negative: not a whole number
  ['0x1', 1],
  ['0X1', 1],
  ['0x_1', 1],
  ['0x', null],
  ['_1', null],
  ['1_', null],
  ['1__2', null],
  ['1_2', 18],
  ['0_1', 1],
  ['\u00851', 1], // NEL is whitespace to Python, not to JavaScript's \s
  ['\x1c1\x1f', null], // ASCII separators reach the parser as they are: not whitespace there
  ['\ufeff1', null], // the byte-order mark is JavaScript whitespace, not Python's
  ['\u0661', 1], // Arabic-Indic one
  ['\u0661\u0662', 18],
  ['\uff11', 1], // fullwidth one
  ['\u0966\u0967', 1], // Devanagari zero, one
  ['\uff41', null], // a fullwidth letter is not a hex digit
  ['1 2', null],
  ['', null],
  ['\u3000a\u2028', 10],
  ['0xa_b', 171],
  ['+-1', null],
  ['1\u00a0', 1],
  ['\u{1d7d9}', 1], // mathematical double-struck one
  ['\u{1d7ce}\u{1d7e2}', 0], // mathematical bold zero, sans-serif zero
];

describe('parseHexNumber', () => {
  for (const [text, expected] of PYTHON) {
    it(`reads ${JSON.stringify(text)} as Python's int(text, 16) does`, () => {
      if (expected === null) expect(() => parseHexNumber(text)).toThrow(/Not a whole number/);
      else expect(parseHexNumber(text)).toBe(BigInt(expected));
    });
  }
});

describe('parseKeripyNumber', () => {
  it("reads '' as 0, as keripy's Number does, and the rest as parseHexNumber", () => {
    expect(parseKeripyNumber('')).toBe(0n);
    expect(parseKeripyNumber('\u0661')).toBe(1n);
    expect(() => parseKeripyNumber('\ufeff1')).toThrow();
  });
});
