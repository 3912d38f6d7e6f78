/**
 * @module threshold/types
 * Signing thresholds (the `kt` and `nt` fields of establishment events), KERI §"Signing
 * thresholds", as keripy 1.3.6 models them in `Tholder`.
 *
 * A numeric threshold M means "any M of the keys". A weighted threshold is one or more clauses,
 * all of which must hold (AND). A clause lists weights in key order; it holds when the weights of
 * the keys that signed add up to at least 1. An entry of a clause may instead be a nested group: a
 * weight that counts for the clause only when the group's own members (again weights, in key
 * order) that signed add up to at least 1. Keys are consumed left to right across all clauses
 * and groups, one per leaf weight.
 */
import type { Rational } from './rational.js';

/** A nested group: `weight` counts when the signed `members` add up to at least 1. */
export interface WeightedGroup {
  readonly weight: Rational;
  readonly members: readonly Rational[];
}

/** One entry of a clause: a key's weight, or a nested group of keys. */
export type WeightedEntry = Rational | WeightedGroup;

/** Entries that must add up to at least 1 for the clause to hold. */
export type WeightedClause = readonly WeightedEntry[];

/** `"kt":"2"`: any `value` distinct keys. 0 is never satisfied (used as `nt` to end a KEL). */
export interface NumericThreshold {
  readonly kind: 'numeric';
  readonly value: number;
}

/** `"kt":["1/2","1/2","1/2"]` or `[["1/2","1/2","1/2"],["1","1"]]`: every clause must hold. */
export interface WeightedThreshold {
  readonly kind: 'weighted';
  readonly clauses: readonly WeightedClause[];
}

export type SigningThreshold = NumericThreshold | WeightedThreshold;

/** A nested group on the wire: a one-entry map from the group weight to the member weights. */
export type WeightedSithGroup = { readonly [weight: string]: readonly string[] };

/** One entry of a clause on the wire. */
export type WeightedSithEntry = string | WeightedSithGroup;

/** A weighted threshold on the wire: one clause written flat, several as a list of lists. */
export type WeightedSith = readonly WeightedSithEntry[] | readonly (readonly WeightedSithEntry[])[];

export function isWeightedGroup(entry: WeightedEntry): entry is WeightedGroup {
  return 'members' in entry;
}
