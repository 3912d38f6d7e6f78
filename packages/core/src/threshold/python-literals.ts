/**
 * @module threshold/python-literals
 * The three Python string-to-number conversions keripy's `Tholder.weight` chains together:
 * `float(text)`, `int(text)` and `fractions.Fraction(text)` (CPython >= 3.12.2, the versions
 * keripy 1.3.6 supports). Reproducing their grammars is what makes us accept exactly the weight
 * strings keripy accepts, including surprising ones such as "1.0" or "10e-1".
 *
 * Unicode as Python has it: `float` and `int` read non-ASCII decimal digits as their ASCII digits
 * and non-ASCII whitespace as a space, then parse ASCII (where U+001C-U+001F are not whitespace);
 * `Fraction`'s pattern matches Unicode digits with `\d` and Python's whitespace with `\s` (U+001C
 * to U+001F and U+0085 included, U+FEFF not). JavaScript's `\s` and `trim` differ on exactly these.
 */
import { PYTHON_NON_ASCII_SPACES, pythonNumberText } from '@kestrel/cesr';
import { type Rational, rational } from './rational.js';

// Python digit groups allow single underscores between digits ("1_000").
const DIGITS = String.raw`\d(?:_?\d)*`;

/** Python's whitespace (`str.isspace`, which its `re` module's `\s` matches). */
const PYTHON_SPACE = `[\\t\\n\\v\\f\\r\\x1c-\\x1f ${[...PYTHON_NON_ASCII_SPACES]
  .map((code) => `\\u{${code.toString(16)}}`)
  .join('')}]`;

/** Leading and trailing whitespace as `float()` and `int()` strip it, after `pythonNumberText`. */
function stripAscii(text: string): string {
  return text.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
}

const FLOAT_NUMBER = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.?)(?:[eE][+-]?${DIGITS})?$`,
);
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
const INTEGER = new RegExp(`^[+-]?${DIGITS}$`);

// CPython's fractions._RATIONAL_FORMAT: sign, numerator, then either "/denominator" (spaces
// allowed around the slash) or an optional ".decimals" and an optional exponent.
// Digits are Unicode's (`\p{Nd}`) and whitespace Python's, as in Python's pattern.
const FRACTION = new RegExp(
  String.raw`^S*([-+]?)(?=D|\.D)(D*|D+(?:_D+)*)(?:(?:S*\/S*(D+(?:_D+)*))?|(?:\.(D*|D+(?:_D+)*))?(?:[eE]([-+]?D+(?:_D+)*))?)S*$`
    .replaceAll('S', PYTHON_SPACE)
    .replaceAll('D', String.raw`\p{Nd}`),
  'u',
);

/**
 * Python would compute 10**exponent exactly however large it is (and stall on "1e-999999999");
 * no sensible weight needs more than this many decimal places, so larger exponents are refused.
 */
export const MAX_DECIMAL_EXPONENT = 4096;

/** Digits as `BigInt` reads them: underscores dropped, Unicode digits as ASCII ones. */
function withoutUnderscores(text: string): string {
  return pythonNumberText(text).replaceAll('_', '');
}

/** Python `float(text)`: the double it denotes, or undefined where Python raises ValueError. */
export function pythonFloat(text: string): number | undefined {
  const trimmed = stripAscii(pythonNumberText(text));
  const special = FLOAT_SPECIAL.exec(trimmed);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!FLOAT_NUMBER.test(trimmed)) return undefined;
  // Both languages round decimal text to the nearest double, so the values agree.
  return Number(withoutUnderscores(trimmed));
}

/** Python `int(text)` (base 10): the integer, or undefined where Python raises ValueError. */
export function pythonInt(text: string): bigint | undefined {
  const trimmed = stripAscii(pythonNumberText(text));
  if (!INTEGER.test(trimmed)) return undefined;
  return BigInt(withoutUnderscores(trimmed));
}

/** Outcome of Python `Fraction(text)`: a value, or the reason Python raises. */
export type FractionResult =
  | { readonly ok: true; readonly value: Rational }
  | { readonly ok: false; readonly reason: 'syntax' | 'zero_denominator' | 'exponent_too_large' };

/** Python `fractions.Fraction(text)`. */
export function pythonFraction(text: string): FractionResult {
  const match = FRACTION.exec(text);
  if (!match) return { ok: false, reason: 'syntax' };
  const [, sign, numeratorText, denominatorText, decimalText, exponentText] = match;
  let numerator = BigInt(withoutUnderscores(numeratorText || '0'));
  let denominator = 1n;
  if (denominatorText) {
    denominator = BigInt(withoutUnderscores(denominatorText));
    if (denominator === 0n) return { ok: false, reason: 'zero_denominator' };
  } else {
    if (decimalText) {
      const decimals = withoutUnderscores(decimalText);
      const scale = 10n ** BigInt(decimals.length);
      numerator = numerator * scale + BigInt(decimals);
      denominator = scale;
    }
    if (exponentText) {
      const exponent = BigInt(withoutUnderscores(exponentText));
      // Zero stays zero whatever the exponent; spare computing a huge power of ten for nothing.
      if (numerator !== 0n) {
        const size = exponent < 0n ? -exponent : exponent;
        if (size > BigInt(MAX_DECIMAL_EXPONENT)) return { ok: false, reason: 'exponent_too_large' };
        if (exponent >= 0n) numerator *= 10n ** size;
        else denominator *= 10n ** size;
      }
    }
  }
  return { ok: true, value: rational(sign === '-' ? -numerator : numerator, denominator) };
}
