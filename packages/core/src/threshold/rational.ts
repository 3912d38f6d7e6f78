/**
 * @module threshold/rational
 * Exact rational numbers over bigint, always in lowest terms with a positive denominator, so that
 * two equal values are also structurally equal (thresholds compare and round-trip by deep equality).
 * Weights are exact because a clause such as 1/3 + 1/3 + 1/3 must reach exactly 1, as with
 * Python's `Fraction` in keripy; floating point would put it just below.
 */

/** A rational number in lowest terms; `denominator` is always positive. */
export interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export const ZERO: Rational = Object.freeze({ numerator: 0n, denominator: 1n });
export const ONE: Rational = Object.freeze({ numerator: 1n, denominator: 1n });

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}

/** Greatest common divisor of the absolute values (gcd(0, 0) = 0). */
export function gcd(a: bigint, b: bigint): bigint {
  let x = absolute(a);
  let y = absolute(b);
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Least common multiple of two positive integers. */
export function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

/** `numerator / denominator` in lowest terms. Throws RangeError on a zero denominator (a bug here). */
export function rational(numerator: bigint, denominator = 1n): Rational {
  if (denominator === 0n) throw new RangeError('Rational with a zero denominator');
  const sign = denominator < 0n ? -1n : 1n;
  const divisor = gcd(numerator, denominator) || 1n;
  return { numerator: (sign * numerator) / divisor, denominator: (sign * denominator) / divisor };
}

export function add(a: Rational, b: Rational): Rational {
  return rational(
    a.numerator * b.denominator + b.numerator * a.denominator,
    a.denominator * b.denominator,
  );
}

/** Sum of a list of rationals (0 for an empty list). */
export function sum(values: Iterable<Rational>): Rational {
  let total = ZERO;
  for (const value of values) total = add(total, value);
  return total;
}

/** Negative, zero or positive as a is less than, equal to or greater than b. */
export function compare(a: Rational, b: Rational): number {
  const difference = a.numerator * b.denominator - b.numerator * a.denominator;
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** Whether `value` is at least 1, the bar every clause and nested group must reach. */
export function atLeastOne(value: Rational): boolean {
  return value.numerator >= value.denominator;
}

/**
 * Text of a weight with `separator` between numerator and denominator: integers (0 and 1 for a
 * valid weight) are written bare, everything else as a reduced fraction. keripy writes '/' in
 * `sith` and 's' in the Base64 `limen`.
 */
export function rationalToText(value: Rational, separator = '/'): string {
  if (value.denominator === 1n) return value.numerator.toString();
  return `${value.numerator}${separator}${value.denominator}`;
}
