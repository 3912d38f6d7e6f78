/**
 * @module threshold/limen
 * A threshold as one CESR primitive, keripy's `Tholder.limen` (coring.py), used where a field is
 * serialized natively in CESR rather than in JSON: a numeric threshold is a `Number` primitive
 * (smallest code that holds it: 2 is 'MAAC'); a weighted one is a `Bexter` (StrB64, '4A'...)
 * holding the threshold as Base64 text: '/' written 's', entries joined by 'c', clauses joined by
 * 'a', and a nested group written weight 'k' member 'v' member...
 * [["1/2","1/2","1/4","1/4","1/4"],["1","1"]] is '4AAGA1s2c1s2c1s4c1s4c1s4a1c1'.
 */
import {
  decodeBase64Quadlets,
  encodeBase64,
  type Matter,
  MatterCodes,
  matterFromQb64,
  matterFromRaw,
  matterSizes,
  NUMBER_CODES,
  numberPrimitive,
  numberValue,
} from '@kestrel/cesr';
import { ThresholdError } from '../errors.js';
import { numericThreshold, weightedThreshold } from './construct.js';
import { rationalToText } from './rational.js';
import {
  isWeightedGroup,
  type SigningThreshold,
  type WeightedClause,
  type WeightedEntry,
} from './types.js';
import { parseWeight } from './weight.js';

const BASE64_TEXT_CODES: ReadonlySet<string> = new Set(['4A', '5A', '6A', '7AAA', '8AAA', '9AAA']);

/** keripy `Bexter(bext=...)`: Base64 text stored as its decoding, left-padded with 'A' (zero). */
function base64TextPrimitive(text: string): Matter {
  const remainder = text.length % 4;
  const padding = (4 - remainder) % 4;
  const lead = (3 - remainder) % 3;
  const raw = decodeBase64Quadlets('A'.repeat(padding) + text).subarray(lead);
  return matterFromRaw(MatterCodes.StrB64_L0, raw);
}

/** keripy `Bexter.bext`: the text back, without the padding added above. */
function base64TextOf(matter: Matter): string {
  const { ls } = matterSizes(matter.code);
  const withLead = new Uint8Array(ls + matter.raw.length);
  withLead.set(matter.raw, ls);
  const text = encodeBase64(withLead);
  if (ls === 0) return text.startsWith('A') ? text.slice(1) : text;
  return text.slice((ls + 1) % 4);
}

function entryToText(entry: WeightedEntry): string {
  if (!isWeightedGroup(entry)) return rationalToText(entry, 's');
  const members = entry.members.map((member) => rationalToText(member, 's')).join('v');
  return `${rationalToText(entry.weight, 's')}k${members}`;
}

/** The Base64 text of a weighted threshold's clauses, as in keripy's Bexter. */
export function weightedLimenText(clauses: readonly WeightedClause[]): string {
  return clauses.map((clause) => clause.map(entryToText).join('c')).join('a');
}

/** keripy `Tholder.limen` (qb64): a Number primitive or a Base64-text primitive. */
export function thresholdToLimen(threshold: SigningThreshold): string {
  if (threshold.kind === 'numeric') return numberPrimitive(threshold.value).qb64;
  return base64TextPrimitive(weightedLimenText(threshold.clauses)).qb64;
}

/** keripy `Tholder(limen=...)`: the threshold in a limen; throws ThresholdError if it holds none. */
export function thresholdFromLimen(limen: string): SigningThreshold {
  let matter: Matter;
  try {
    matter = matterFromQb64(limen);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ThresholdError(`Invalid threshold limen '${limen}': ${why}`, { limen });
  }
  if (NUMBER_CODES.has(matter.code)) {
    const value = numberValue(matter);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ThresholdError(`Numeric threshold too large in limen '${limen}'`, { limen });
    }
    return numericThreshold(Number(value));
  }
  if (!BASE64_TEXT_CODES.has(matter.code)) {
    throw new ThresholdError(`Code '${matter.code}' of limen '${limen}' holds no threshold`, {
      limen,
    });
  }
  const text = base64TextOf(matter).replaceAll('s', '/');
  const clauses = text.split('a').map((clause) =>
    clause.split('c').map((entry): WeightedEntry => {
      const split = entry.indexOf('k');
      if (split < 0) return parseWeight(entry);
      const members = entry.slice(split + 1).split('v');
      return { weight: parseWeight(entry.slice(0, split)), members: members.map(parseWeight) };
    }),
  );
  return weightedThreshold(clauses);
}
