/**
 * keripy-canonical JSON (`json.dumps(sad, separators=(",", ":"), ensure_ascii=False)`):
 * `scanCanonicalJson` accepts exactly the texts that survive a parse/serialize round trip, for
 * objects of strings, integers, booleans, null, arrays and nested objects with keys that are not
 * integer-like (JavaScript reorders those), written canonically or with random deviations; and it
 * rejects whitespace, escapes and number forms Python would not write (examples).
 */

import { CesrError, concatBytes, scanCanonicalJson, textToBytes } from '@kestrel/cesr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';

type Json =
  | string
  | number
  | boolean
  | null
  | Json[]
  | { readonly entries: ReadonlyArray<readonly [string, Json]> };

const isObject = (value: Json): value is { entries: ReadonlyArray<readonly [string, Json]> } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.string({ unit: 'binary-ascii', maxLength: 10 }),
);
const key = text.filter((candidate) => !/^(0|[1-9][0-9]*)$/.test(candidate));
const integer = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000 }),
  fc.maxSafeInteger(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: 0 }),
);

const { object } = fc.letrec<{ value: Json; array: Json[]; object: Json }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    text,
    integer,
    fc.constantFrom(true, false, null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc
    .uniqueArray(fc.tuple(key, tie('value')), { selector: ([label]) => label, maxLength: 5 })
    .map((entries) => ({ entries })),
}));

/** A small deterministic PRNG, so each written text is reproducible from its fast-check seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `value` as JSON. With `deviation` 0 the text is canonical; otherwise each token deviates
 * with that probability: whitespace, escapes of characters Python writes raw (or the reverse),
 * uppercase hex, '\/', number forms ('+1', '01', '-0', '1e0'), trailing commas, repeated keys.
 * Float forms are left out: Python reads '1.0' as a float and writes it back as is.
 */
function write(value: Json, random: () => number, deviation: number): string {
  const deviate = () => deviation > 0 && random() < deviation;
  const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)]!;
  const space = () => (deviate() ? pick([' ', '\n', '\t', '\r', '  ']) : '');

  const string = (content: string): string => {
    let out = '"';
    for (const char of content) {
      const canonical = JSON.stringify(char).slice(1, -1);
      if (!deviate()) {
        out += canonical;
        continue;
      }
      const units = [...Array(char.length).keys()].map((i) =>
        char.charCodeAt(i).toString(16).padStart(4, '0'),
      );
      out += pick([
        units.map((hex) => `\\u${hex}`).join(''),
        units.map((hex) => `\\u${hex.toUpperCase()}`).join(''),
        char === '/' ? '\\/' : canonical,
        char, // raw (invalid for control characters, '"' and '\')
      ]);
    }
    return `${out}"`;
  };

  const number = (n: number): string => {
    const canonical = String(n);
    if (!deviate()) return canonical;
    return pick([
      `+${canonical}`,
      `0${canonical}`,
      `${canonical}e0`,
      `${canonical}E0`,
      n === 0 ? '-0' : canonical,
    ]);
  };

  const walk = (node: Json): string => {
    if (typeof node === 'string') return string(node);
    if (typeof node === 'number') return number(node);
    if (typeof node === 'boolean' || node === null) return String(node);
    const separator = () => `${space()},${space()}`;
    if (Array.isArray(node)) {
      const trailing = node.length > 0 && deviate() ? ',' : '';
      return `[${space()}${node.map(walk).join(separator())}${trailing}${space()}]`;
    }
    const entries = [...node.entries];
    if (entries.length > 0 && deviate()) entries.push(pick(entries)); // a repeated key
    const members = entries.map(
      ([label, member]) => `${string(label)}${space()}:${space()}${walk(member)}`,
    );
    return `{${space()}${members.join(separator())}${space()}}`;
  };

  return `${space()}${walk(value)}${space()}`;
}

function accepts(bytes: Uint8Array): boolean {
  try {
    scanCanonicalJson(bytes);
    return true;
  } catch (caught) {
    expect(caught).toBeInstanceOf(CesrError);
    return false;
  }
}

/** The reference: a text is canonical when parsing and serializing it again gives it back. */
function roundTrips(candidate: string): boolean {
  try {
    return JSON.stringify(JSON.parse(candidate)) === candidate;
  } catch {
    return false;
  }
}

describe('scanCanonicalJson agrees with JSON.stringify(JSON.parse(x)) === x', () => {
  it('accepts every canonical object and finds each top-level value', () => {
    fc.assert(
      fc.property(object, (value) => {
        const canonical = write(value, () => 0, 0);
        expect(roundTrips(canonical)).toBe(true);
        const bytes = textToBytes(canonical);
        const spans = scanCanonicalJson(bytes);
        const entries = isObject(value) ? value.entries : [];
        expect(spans.map((span) => span.label)).toEqual(entries.map(([label]) => label));
        spans.forEach((span, i) => {
          expect(bytes.subarray(span.start, span.end)).toEqual(
            textToBytes(write(entries[i]![1], () => 0, 0)),
          );
        });
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('on texts written with random deviations', () => {
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(
        object,
        fc.integer(),
        fc.constantFrom(0.02, 0.1, 0.3),
        (value, seed, deviation) => {
          const candidate = write(value, prng(seed), deviation);
          const expected = roundTrips(candidate);
          expect(accepts(textToBytes(candidate))).toBe(expected);
          outcomes[expected ? 'accepted' : 'rejected']++;
        },
      ),
      { numRuns: propertyRuns(600) },
    );
    expect(outcomes.accepted).toBeGreaterThan(50);
    expect(outcomes.rejected).toBeGreaterThan(50);
  });
});

describe('scanCanonicalJson rejects what Python would write differently (examples)', () => {
  const scan = (candidate: string | Uint8Array) =>
    accepts(typeof candidate === 'string' ? textToBytes(candidate) : candidate);

  it('whitespace anywhere', () => {
    for (const candidate of [
      '{"a": 1}',
      '{ "a":1}',
      '{"a":1 }',
      '{"a" :1}',
      '{"a":1} ',
      ' {"a":1}',
      '{"a":[1, 2]}',
      '{"a":1,\n"b":2}',
      '{"a":{}\t}',
    ]) {
      expect(scan(candidate), candidate).toBe(false);
    }
  });

  it('escapes Python would not write', () => {
    const rejected = [
      String.raw`{"a":"\/"}`, // Python writes '/'
      String.raw`{"a":"\u0041"}`, // 'A'
      String.raw`{"a":"\u000a"}`, // '\n'
      String.raw`{"a":"\u0022"}`, // '\"'
      String.raw`{"a":"\u001F"}`, // lowercase hex
      String.raw`{"a":"\u00e9"}`, // ensure_ascii=False writes 'é'
      String.raw`{"a":"\ud83d\ude00"}`, // and the emoji itself
      String.raw`{"a":"\u007f"}`, // DEL is written raw
      String.raw`{"a":"\x41"}`,
      String.raw`{"a\/":1}`, // keys too
      '{"a":"\u0001"}', // a raw control character
    ];
    for (const candidate of rejected) expect(scan(candidate), candidate).toBe(false);
    const accepted = [
      String.raw`{"a":"\n\t\r\b\f\"\\\u0001\u001f"}`,
      '{"a":"é😀\u007f\u2028"}',
      '{"é😀":"/"}',
    ];
    for (const candidate of accepted) expect(scan(candidate), candidate).toBe(true);
  });

  it('numbers Python would print differently', () => {
    const rejected = [
      '1.50',
      '1e5',
      '1E+16',
      '1e16',
      '0.00001',
      '1e-5',
      '1.0e0',
      '100.0e0',
      '-0',
      '01',
      '+1',
      '.5',
      '5.',
      '1.',
      '12345678901234567.0',
      '0.10',
      '1_000',
      'NaN',
      'Infinity',
    ];
    for (const number of rejected) expect(scan(`{"a":${number}}`), number).toBe(false);
    // floats exactly as Python's repr writes them, and integers of any size (Python ints are exact)
    const accepted = [
      '1.0',
      '1.5',
      '-0.0',
      '0.0',
      '0.0001',
      '1e-05',
      '1e+16',
      '1.7976931348623157e+308',
      '5e-324',
      '0.1',
      '123.456',
      '1.2345678901234568e+16',
      '12345678901234567890',
      '-7',
    ];
    for (const number of accepted) expect(scan(`{"a":${number}}`), number).toBe(true);
  });

  it('repeated keys, trailing bytes, non-objects and bytes that are not UTF-8', () => {
    for (const candidate of [
      '{"a":1,"a":2}',
      '{"a":1}{}',
      '{"a":1}x',
      '[1]',
      '"a"',
      '',
      '{"a":1',
      '{"a":[1,]}',
      '{"a":1,}',
    ]) {
      expect(scan(candidate), candidate).toBe(false);
    }
    const open = textToBytes('{"a":"');
    const close = textToBytes('"}');
    for (const bad of [[0xff], [0x80], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      expect(scan(concatBytes(open, new Uint8Array(bad), close)), String(bad)).toBe(false);
      expect(
        scan(concatBytes(textToBytes('{"'), new Uint8Array(bad), textToBytes('":1}'))),
        String(bad),
      ).toBe(false);
    }
    expect(scan(concatBytes(open, new Uint8Array([0xc3, 0xa9]), close))).toBe(true); // 'é'
  });

  it('repeated keys in large objects, at any depth', () => {
    const members = (count: number) => Array.from({ length: count }, (_, i) => `"k${i}":${i}`);
    for (const count of [15, 16, 17, 40]) {
      expect(scan(`{${members(count).join(',')}}`), `${count} keys`).toBe(true);
      expect(scan(`{${[...members(count), '"k0":0'].join(',')}}`), `${count} + k0`).toBe(false);
      expect(scan(`{${[...members(count), `"k${count - 1}":0`].join(',')}}`)).toBe(false);
      expect(scan(`{"a":{${[...members(count), '"k3":0'].join(',')}},"b":1}`)).toBe(false);
      // the same keys in sibling and nested objects are not repeats
      expect(scan(`{"a":{${members(count).join(',')}},"k0":{${members(count).join(',')}}}`)).toBe(
        true,
      );
    }
  });
});
