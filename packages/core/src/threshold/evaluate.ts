/**
 * @module threshold/evaluate
 * Satisfaction of a weighted threshold, prepared once per threshold. Each clause (and each nested
 * group) is scaled by the least common multiple of its denominators, so that testing it is a sum
 * of integers compared with the scale: exact, like rational sums, but cheap enough to run over
 * every subset of keys in `analysis.ts`. Plain numbers are used when every sum fits in a safe
 * integer (all realistic thresholds), bigints otherwise.
 */
import { lcm, type Rational } from './rational.js';
import { isWeightedGroup, type WeightedThreshold } from './types.js';

/** A leaf weight scaled to an integer, and the index of the key it belongs to. */
interface ScaledLeaf<T> {
  readonly index: number;
  readonly scaled: T;
}

interface ScaledGroup<T> {
  readonly scaled: T;
  readonly need: T;
  readonly members: readonly ScaledLeaf<T>[];
}

interface ScaledClause<T> {
  readonly need: T;
  readonly entries: readonly (ScaledLeaf<T> | ScaledGroup<T>)[];
}

/** Whether the key at `index` signed. */
export type Signed = (index: number) => boolean;

/** A weighted threshold ready to be tested many times. */
export interface PreparedThreshold {
  /** Number of leaf weights: the keys the threshold reads. */
  readonly size: number;
  satisfiedBy(signed: Signed): boolean;
}

function scaleOf(weights: readonly Rational[]): bigint {
  return weights.reduce((scale, weight) => lcm(scale, weight.denominator), 1n);
}

function scaled(weight: Rational, scale: bigint): bigint {
  return (weight.numerator * scale) / weight.denominator;
}

function scaleClauses(threshold: WeightedThreshold): {
  clauses: ScaledClause<bigint>[];
  size: number;
} {
  let index = 0;
  const clauses = threshold.clauses.map((clause): ScaledClause<bigint> => {
    const need = scaleOf(clause.map((entry) => (isWeightedGroup(entry) ? entry.weight : entry)));
    const entries = clause.map((entry) => {
      if (!isWeightedGroup(entry)) return { index: index++, scaled: scaled(entry, need) };
      const groupNeed = scaleOf(entry.members);
      const members = entry.members.map((member) => ({
        index: index++,
        scaled: scaled(member, groupNeed),
      }));
      return { scaled: scaled(entry.weight, need), need: groupNeed, members };
    });
    return { need, entries };
  });
  return { clauses, size: index };
}

function fitsNumbers(clauses: readonly ScaledClause<bigint>[]): boolean {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  const total = (values: readonly { scaled: bigint }[], need: bigint): boolean =>
    values.reduce((sum, value) => sum + value.scaled, need) <= limit;
  return clauses.every(
    (clause) =>
      total(clause.entries, clause.need) &&
      clause.entries.every((entry) => !('members' in entry) || total(entry.members, entry.need)),
  );
}

function toNumbers(clauses: readonly ScaledClause<bigint>[]): ScaledClause<number>[] {
  return clauses.map((clause) => ({
    need: Number(clause.need),
    entries: clause.entries.map((entry) =>
      'members' in entry
        ? {
            scaled: Number(entry.scaled),
            need: Number(entry.need),
            members: entry.members.map((member) => ({
              index: member.index,
              scaled: Number(member.scaled),
            })),
          }
        : { index: entry.index, scaled: Number(entry.scaled) },
    ),
  }));
}

function satisfiedWith<T extends number | bigint>(
  clauses: readonly ScaledClause<T>[],
  zero: T,
  plus: (a: T, b: T) => T,
  signed: Signed,
): boolean {
  for (const clause of clauses) {
    let total = zero;
    for (const entry of clause.entries) {
      if ('members' in entry) {
        let groupTotal = zero;
        for (const member of entry.members)
          if (signed(member.index)) groupTotal = plus(groupTotal, member.scaled);
        if (groupTotal >= entry.need) total = plus(total, entry.scaled);
      } else if (signed(entry.index)) {
        total = plus(total, entry.scaled);
      }
    }
    if (total < clause.need) return false;
  }
  return true;
}

/** Prepares a weighted threshold for repeated satisfaction tests. */
export function prepareWeighted(threshold: WeightedThreshold): PreparedThreshold {
  const { clauses, size } = scaleClauses(threshold);
  if (fitsNumbers(clauses)) {
    const numeric = toNumbers(clauses);
    return { size, satisfiedBy: (signed) => satisfiedWith(numeric, 0, (a, b) => a + b, signed) };
  }
  return { size, satisfiedBy: (signed) => satisfiedWith(clauses, 0n, (a, b) => a + b, signed) };
}
