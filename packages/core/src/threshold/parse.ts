/**
 * @module threshold/parse
 * Reads a `kt`/`nt` value (keripy's "sith") exactly as keripy 1.3.6 `Tholder(sith=...)` does
 * (`Tholder._processSith`, coring.py), so that we accept and refuse the same events.
 *
 * - An int is a numeric threshold (Python bools are ints: `true` is 1, `false` is 0).
 * - A string without '[' is a numeric threshold in hex, read like Python's `int(text, 16)`.
 * - A string with '[' is JSON text of a weighted threshold (keripy's CLI and config files).
 * - Anything else is a weighted threshold: a flat list of entries is one clause, a list of lists
 *   is several clauses. Entries are weight strings or one-entry maps (nested groups).
 *
 * keripy walks the value with Python's iteration rules, which gives some odd but accepted
 * shapes that we reproduce because an event carrying them is valid to keripy:
 * - a map where a list is expected counts as the list of its keys: `{"1":[]}` reads as `["1"]`;
 * - a string as a nested group's member list counts as its characters: `{"1":"11"}` reads as
 *   `{"1":["1","1"]}`;
 * - member weights (not top-level ones) may be JSON numbers or booleans.
 * JavaScript orders the keys "0" and "1" first in a parsed object, where Python keeps the text
 * order; only the map-as-list shape above can observe that difference.
 *
 * Also differing: a JSON number such as `2.0` is an int here (JSON.parse cannot tell) but a float
 * that keripy refuses (the event reader refuses a float `kt` or `nt` from the body's text); hex
 * values above 2^53 - 1 are refused here (keripy allows up to 2^136 - 1, far more keys than any
 * event can list).
 */
import { parseHexNumber } from '@kestrel/cesr';
import { ThresholdError } from '../errors.js';
import { numericThreshold, weightedThreshold } from './construct.js';
import type { SigningThreshold, WeightedClause, WeightedEntry } from './types.js';
import { parseWeight } from './weight.js';

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a Python `for` loop over a JSON value yields, or undefined where Python raises TypeError. */
function pythonIterate(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isMapping(value)) return Object.keys(value);
  return undefined;
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function invalid(sith: unknown, why: string): ThresholdError {
  return new ThresholdError(`Invalid signing threshold ${show(sith)}: ${why}`, {
    sith: show(sith),
  });
}

function parseNumericText(text: string): SigningThreshold {
  let value: bigint;
  try {
    value = parseHexNumber(text);
  } catch {
    throw invalid(text, 'expected a hex number or a JSON list of weights');
  }
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(text, 'numeric threshold too large');
  return numericThreshold(Number(value));
}

function parseEntry(entry: unknown, sith: unknown): WeightedEntry {
  if (!isMapping(entry)) return parseWeight(entry);
  const keys = Object.keys(entry);
  if (keys.length !== 1) {
    throw invalid(sith, `nested group ${show(entry)} must have exactly one key`);
  }
  const key = keys[0]!;
  const members = pythonIterate(entry[key]);
  if (members === undefined) {
    throw invalid(sith, `nested group ${show(entry)} must list its weights`);
  }
  return { weight: parseWeight(key), members: members.map(parseWeight) };
}

function parseWeighted(value: unknown, sith: unknown): SigningThreshold {
  const items = pythonIterate(value);
  if (items === undefined) {
    throw invalid(sith, 'expected a number, a hex string or a list of weights');
  }
  if (items.length === 0) throw invalid(sith, 'empty weight list');
  // keripy: unless every item is itself a list, the whole value is a single clause.
  const clauses = items.every(Array.isArray) ? items : [value];
  const parsed: WeightedClause[] = clauses.map((clause) => {
    const entries = pythonIterate(clause) ?? [];
    for (const entry of entries) {
      if (typeof entry !== 'string' && !isMapping(entry)) {
        throw invalid(
          sith,
          `clause ${show(clause)} holds ${show(entry)}, which is not a weight string`,
        );
      }
    }
    return entries.map((entry) => parseEntry(entry, sith));
  });
  return weightedThreshold(parsed);
}

/**
 * A signing threshold from an event's `kt` or `nt` value (or from a CLI/config string).
 * Throws ThresholdError with the reason for anything keripy would refuse.
 */
export function parseThreshold(sith: unknown): SigningThreshold {
  if (sith === undefined || sith === null) throw invalid(sith, 'missing threshold');
  if (typeof sith === 'boolean') return numericThreshold(sith ? 1 : 0);
  if (typeof sith === 'number' || typeof sith === 'bigint') {
    if (typeof sith === 'number' && !Number.isInteger(sith)) {
      throw invalid(sith, 'a numeric threshold must be a whole number');
    }
    if (sith < 0) throw invalid(sith, 'a numeric threshold must not be negative');
    if (sith > Number.MAX_SAFE_INTEGER) throw invalid(sith, 'numeric threshold too large');
    return numericThreshold(Number(sith));
  }
  if (typeof sith === 'string') {
    if (sith.length === 0) throw invalid(sith, 'empty threshold');
    if (!sith.includes('[')) return parseNumericText(sith);
    return cachedWeighted(sith, () => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(sith);
      } catch {
        throw invalid(sith, 'not valid JSON');
      }
      return parseWeighted(decoded, sith);
    });
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(sith);
  } catch {
    return parseWeighted(sith, sith); // not JSON data (a bigint inside...): parsed, not cached
  }
  return cachedWeighted(text, () => parseWeighted(sith, sith));
}

/**
 * Weighted thresholds parsed before, by their JSON text (a weight list and the same list written
 * as a JSON string parse alike). An identifier's `kt` and `nt` repeat at every rotation, and
 * parsing exact fractions cost a rotation more than all its other checks but the signatures; the
 * same object back also keeps its prepared form (`preparedWeighted`). Refusals are not cached.
 */
const weightedCache = new Map<string, SigningThreshold>();
const WEIGHTED_CACHE_LIMIT = 1024;

function cachedWeighted(text: string, parse: () => SigningThreshold): SigningThreshold {
  let threshold = weightedCache.get(text);
  if (threshold === undefined) {
    threshold = deepFreeze(parse()); // shared from now on: nobody may change it
    if (weightedCache.size >= WEIGHTED_CACHE_LIMIT) weightedCache.clear();
    weightedCache.set(text, threshold);
  }
  return threshold;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}
