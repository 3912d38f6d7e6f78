/**
 * @module threshold/render
 * The wire form of a threshold as keripy 1.3.6 writes it (`Tholder.sith`), and a short text for
 * people. The wire form is canonical: whatever spelling was parsed ("2/4", "1/1", 2 as a JSON
 * number), it is written back as keripy would build the event.
 */
import { rationalToText } from './rational.js';
import {
  isWeightedGroup,
  type SigningThreshold,
  type WeightedClause,
  type WeightedSith,
  type WeightedSithEntry,
} from './types.js';

function clauseToSith(clause: WeightedClause): WeightedSithEntry[] {
  return clause.map((entry) =>
    isWeightedGroup(entry)
      ? { [rationalToText(entry.weight)]: entry.members.map((member) => rationalToText(member)) }
      : rationalToText(entry),
  );
}

/**
 * `kt`/`nt` as keripy writes them: a numeric threshold as lowercase hex text ("1", "a"); a weighted
 * one as a flat list when it has one clause, else a list of lists; nested groups as one-entry maps;
 * weights as "0", "1" or a reduced "n/d".
 */
export function thresholdToSith(threshold: SigningThreshold): string | WeightedSith {
  if (threshold.kind === 'numeric') return threshold.value.toString(16);
  const clauses = threshold.clauses.map(clauseToSith);
  return clauses.length === 1 ? clauses[0]! : clauses;
}

function clauseToText(clause: WeightedClause): string {
  return clause
    .map((entry) =>
      isWeightedGroup(entry)
        ? `${rationalToText(entry.weight)}(${entry.members.map((member) => rationalToText(member)).join(',')})`
        : rationalToText(entry),
    )
    .join(',');
}

/**
 * A short human description: "2 of 3" (or "any 2" without a key count), "never (0)" for a zero
 * threshold, "weights 1/2,1/2,1/2" for one clause, clauses joined by " and ", nested groups as
 * "1/3(1/2,1/2,1/2)".
 */
export function describeThreshold(threshold: SigningThreshold, keyCount?: number): string {
  if (threshold.kind === 'numeric') {
    if (threshold.value === 0) return 'never (0)';
    return keyCount === undefined ? `any ${threshold.value}` : `${threshold.value} of ${keyCount}`;
  }
  return `weights ${threshold.clauses.map(clauseToText).join(' and ')}`;
}
