/**
 * @module event/wire
 * Wire types of KERI 1.0 key event messages, with the spec's field names.
 */

import type { WeightedSith } from '../threshold/types.js';

/** A signing threshold field (`kt`, `nt`): hex string, integer (intive), or weighted list. */
export type Sith = string | number | WeightedSith;

/** A seal anchored in an event's `a` list, e.g. `{i, s, d}` (event seal) or `{d}` (digest seal). */
export type Seal = Readonly<Record<string, unknown>>;

interface Common {
  readonly v: string;
  readonly d: string;
  readonly i: string;
  readonly s: string;
}

export interface InceptionFields extends Common {
  readonly t: 'icp';
  readonly kt: Sith;
  readonly k: readonly string[];
  readonly nt: Sith;
  readonly n: readonly string[];
  readonly bt: string | number;
  readonly b: readonly string[];
  readonly c: readonly string[];
  readonly a: readonly Seal[];
}

export interface DelegatedInceptionFields extends Omit<InceptionFields, 't'> {
  readonly t: 'dip';
  readonly di: string;
}

export interface RotationFields extends Common {
  readonly t: 'rot' | 'drt';
  readonly p: string;
  readonly kt: Sith;
  readonly k: readonly string[];
  readonly nt: Sith;
  readonly n: readonly string[];
  readonly bt: string | number;
  readonly br: readonly string[];
  readonly ba: readonly string[];
  readonly a: readonly Seal[];
}

export interface InteractionFields extends Common {
  readonly t: 'ixn';
  readonly p: string;
  readonly a: readonly Seal[];
}

export interface ReceiptFields extends Common {
  readonly t: 'rct';
}

export type KeyEventFields =
  | InceptionFields
  | DelegatedInceptionFields
  | RotationFields
  | InteractionFields;

/** Configuration traits of `c` (KERI spec, "Configuration traits"). */
export const TRAITS = {
  EstablishmentOnly: 'EO',
  DoNotDelegate: 'DND',
  NoBackers: 'NB',
  RegistrarBackers: 'RB',
  DelegateIsDelegator: 'DID',
} as const;
