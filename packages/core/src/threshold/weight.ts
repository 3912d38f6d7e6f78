/**
 * @module threshold/weight
 * One weight of a weighted threshold, read as keripy 1.3.6 reads it (`Tholder.weight`, coring.py).
 *
 * keripy first tries `float(w)`: a value with a fractional part is refused as a float, an integral
 * one is then read with `int(w)`, and text that `int` refuses (or that `float` could not read at
 * all, such as "1/2") is handed to `Fraction(w)`. The result must lie in [0, 1]. So "1/2", "2/4",
 * "0", "1", "1/1" are weights, "0.5" and "1.5" are not, and, less obviously, "1.0", "0.0", "1e0"
 * and "10e-1" are (they reach `Fraction` because `float` found them integral).
 */
import { ThresholdError } from '../errors.js';
import { pythonFloat, pythonFraction, pythonInt } from './python-literals.js';
import { compare, ONE, type Rational, rational, ZERO } from './rational.js';

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function refuse(value: unknown, why: string): never {
  throw new ThresholdError(`Invalid threshold weight ${describe(value)}: ${why}`, {
    weight: describe(value),
  });
}

function weightFromText(text: string): Rational {
  const asFloat = pythonFloat(text);
  if (asFloat !== undefined) {
    if (Number.isNaN(asFloat)) refuse(text, 'not a number');
    if (!Number.isFinite(asFloat)) refuse(text, 'infinite');
    if (!Number.isInteger(asFloat)) refuse(text, 'decimal fractions are not weights; write n/d');
    const asInt = pythonInt(text);
    if (asInt !== undefined) return rational(asInt);
  }
  const fraction = pythonFraction(text);
  if (!fraction.ok) {
    const why = {
      syntax: 'expected 0, 1 or a fraction n/d',
      zero_denominator: 'zero denominator',
      exponent_too_large: 'exponent too large',
    }[fraction.reason];
    refuse(text, why);
  }
  return fraction.value;
}

// Non-string weights only occur inside a nested group's member list, which keripy does not
// check for strings: Python ints (and bools, which are ints) pass, floats pass when integral.
function weightFromValue(value: unknown): Rational {
  if (typeof value === 'string') return weightFromText(value);
  if (typeof value === 'boolean') return value ? ONE : ZERO;
  if (typeof value === 'bigint') return rational(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse(value, 'infinite');
    if (!Number.isInteger(value)) refuse(value, 'decimal fractions are not weights; write "n/d"');
    return rational(BigInt(value));
  }
  return refuse(value, 'not a weight');
}

/** A weight as keripy's `Tholder.weight` reads it; throws ThresholdError unless 0 <= w <= 1. */
export function parseWeight(value: unknown): Rational {
  const weight = weightFromValue(value);
  if (compare(weight, ZERO) < 0 || compare(weight, ONE) > 0) {
    refuse(value, 'a weight must be between 0 and 1');
  }
  return weight;
}
