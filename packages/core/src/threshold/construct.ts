/**
 * @module threshold/construct
 * Checked constructors for the two kinds of threshold. Every threshold this module hands out has
 * passed through one of them, so the rest of the code can rely on their rules.
 */
import { ThresholdError } from '../errors.js';
import { atLeastOne, compare, ONE, type Rational, rationalToText, sum, ZERO } from './rational.js';
import {
  isWeightedGroup,
  type NumericThreshold,
  type WeightedClause,
  type WeightedThreshold,
} from './types.js';

/**
 * A numeric threshold. keripy takes any non-negative int (up to what a CESR Number holds); we
 * keep JavaScript's safe integers, far beyond any key list.
 */
export function numericThreshold(value: number): NumericThreshold {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ThresholdError(`A numeric threshold must be a whole number >= 0, got ${value}`, {
      value,
    });
  }
  // `+ 0` turns a -0 into 0, so that equal thresholds are also deep-equal.
  return { kind: 'numeric', value: value + 0 };
}

function checkWeight(weight: Rational, where: string): void {
  if (compare(weight, ZERO) < 0 || compare(weight, ONE) > 0) {
    throw new ThresholdError(`Weight ${rationalToText(weight)} in ${where} is not between 0 and 1`);
  }
}

/**
 * A weighted threshold, with keripy's construction rules (`Tholder._processWeighted`): every
 * weight in [0, 1], every nested group's members add up to at least 1 and every clause's
 * top-level weights add up to at least 1, so that each clause can be met by signing all its keys.
 */
export function weightedThreshold(clauses: readonly WeightedClause[]): WeightedThreshold {
  if (clauses.length === 0) {
    throw new ThresholdError('A weighted threshold needs at least one clause');
  }
  clauses.forEach((clause, index) => {
    const where = `clause ${index}`;
    for (const entry of clause) {
      if (isWeightedGroup(entry)) {
        checkWeight(entry.weight, where);
        for (const member of entry.members) checkWeight(member, where);
        if (!atLeastOne(sum(entry.members))) {
          throw new ThresholdError(
            `The members of nested group ${rationalToText(entry.weight)} in ${where} add up to ` +
              `${rationalToText(sum(entry.members))}; they must add up to at least 1`,
            { clause: index },
          );
        }
      } else {
        checkWeight(entry, where);
      }
    }
    const top = sum(clause.map((entry) => (isWeightedGroup(entry) ? entry.weight : entry)));
    if (!atLeastOne(top)) {
      throw new ThresholdError(
        `The weights of ${where} add up to ${rationalToText(top)}; they must add up to at least 1`,
        { clause: index },
      );
    }
  });
  return { kind: 'weighted', clauses };
}
