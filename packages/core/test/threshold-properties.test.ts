/**
 * Properties of signing thresholds over random weighted thresholds (nested groups and several
 * clauses included), checked against a reference written here from the rules in KERI-RULES §1.5
 * with plain fraction sums, independently of the implementation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';
import {
  faultTolerance,
  minimalSatisfyingSets,
  parseThreshold,
  parseWeight,
  rational,
  satisfies,
  thresholdFromLimen,
  thresholdSize,
  thresholdToLimen,
  thresholdToSith,
} from '../src/threshold/index.js';

// ---- a tiny independent fraction type: [numerator, denominator], not reduced -------------
type Fraction = readonly [bigint, bigint];
const plus = (a: Fraction, b: Fraction): Fraction => [a[0] * b[1] + b[0] * a[1], a[1] * b[1]];
const reachesOne = (f: Fraction) => f[0] >= f[1];
const fromText = (text: string): Fraction => {
  const [n, d = '1'] = text.split('/');
  return [BigInt(n!), BigInt(d)];
};
const toText = ([n, d]: Fraction): string => {
  let [a, b] = [n, d];
  while (b !== 0n) [a, b] = [b, a % b];
  return d / a === 1n ? `${n / a}` : `${n / a}/${d / a}`;
};

type Entry = string | Record<string, string[]>;

/** Random weights "n/d" (d <= 12), topped up so the list reaches 1 as keripy requires. */
const weightList = (maxLength: number) =>
  fc
    .array(
      fc
        .integer({ min: 1, max: 12 })
        .chain((d) => fc.integer({ min: 0, max: d }).map((n) => `${n}/${d}`)),
      { minLength: 0, maxLength },
    )
    .map((weights) => {
      const total = weights.map(fromText).reduce(plus, [0n, 1n] as Fraction);
      return reachesOne(total)
        ? weights
        : [...weights, toText(plus([1n, 1n], [-total[0], total[1]]))];
    });

const entry: fc.Arbitrary<Entry> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .integer({ min: 1, max: 6 })
      .chain((d) => fc.integer({ min: 0, max: d }).map((n) => `${n}/${d}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc
          .integer({ min: 1, max: 4 })
          .chain((d) => fc.integer({ min: 0, max: d }).map((n) => `${n}/${d}`)),
        weightList(3),
      )
      .map(([weight, members]) => ({ [weight]: members })),
  },
);

/** A clause: random entries, topped up with a plain weight when their top-level weights fall short. */
const clause = fc.array(entry, { minLength: 0, maxLength: 4 }).map((entries) => {
  const total = entries
    .map((e) => fromText(typeof e === 'string' ? e : Object.keys(e)[0]!))
    .reduce(plus, [0n, 1n] as Fraction);
  return reachesOne(total) ? entries : [...entries, toText(plus([1n, 1n], [-total[0], total[1]]))];
});

/** A weighted sith as it appears on the wire: one clause flat, or a list of clauses. */
const weightedSith = fc.oneof(clause, fc.array(clause, { minLength: 1, maxLength: 3 }));

const clausesOf = (sith: Entry[] | Entry[][]): Entry[][] =>
  sith.every(Array.isArray) ? (sith as Entry[][]) : [sith as Entry[]];

/** The rules of KERI-RULES §1.5, read directly off the sith. */
function referenceSatisfies(sith: Entry[] | Entry[][], indices: readonly number[]): boolean {
  const signed = new Set(indices);
  let offset = 0;
  let allHold = true;
  for (const entries of clausesOf(sith)) {
    let total: Fraction = [0n, 1n];
    for (const e of entries) {
      if (typeof e === 'string') {
        if (signed.has(offset)) total = plus(total, fromText(e));
        offset++;
      } else {
        const [weight, members] = Object.entries(e)[0]!;
        let groupTotal: Fraction = [0n, 1n];
        for (const member of members) {
          if (signed.has(offset)) groupTotal = plus(groupTotal, fromText(member));
          offset++;
        }
        if (reachesOne(groupTotal)) total = plus(total, fromText(weight));
      }
    }
    if (!reachesOne(total)) allHold = false;
  }
  return allHold;
}

const leafCount = (sith: Entry[] | Entry[][]) =>
  clausesOf(sith).reduce(
    (count, entries) =>
      count +
      entries.reduce((n, e) => n + (typeof e === 'string' ? 1 : Object.values(e)[0]!.length), 0),
    0,
  );

const indexSet = fc.array(fc.integer({ min: -2, max: 30 }), { maxLength: 16 });

describe('threshold properties', () => {
  it('satisfies() agrees with the reference', () => {
    fc.assert(
      fc.property(weightedSith, indexSet, (sith, indices) => {
        expect(satisfies(parseThreshold(sith), indices)).toBe(referenceSatisfies(sith, indices));
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('satisfies() agrees with the reference on index sets that matter', () => {
    fc.assert(
      fc.property(
        weightedSith.chain((sith) =>
          fc.tuple(fc.constant(sith), fc.subarray([...Array(leafCount(sith)).keys()])),
        ),
        ([sith, indices]) => {
          expect(satisfies(parseThreshold(sith), indices)).toBe(referenceSatisfies(sith, indices));
        },
      ),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('adding signers never breaks satisfaction (monotonicity)', () => {
    fc.assert(
      fc.property(weightedSith, indexSet, indexSet, (sith, some, more) => {
        const threshold = parseThreshold(sith);
        if (satisfies(threshold, some)) expect(satisfies(threshold, [...some, ...more])).toBe(true);
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('all keys together always satisfy a weighted threshold', () => {
    fc.assert(
      fc.property(weightedSith, (sith) => {
        const threshold = parseThreshold(sith);
        expect(thresholdSize(threshold)).toBe(leafCount(sith));
        expect(satisfies(threshold, [...Array(thresholdSize(threshold)).keys()])).toBe(true);
      }),
    );
  });

  it('round-trips through the sith, its JSON text and the limen', () => {
    fc.assert(
      fc.property(weightedSith, (sith) => {
        const threshold = parseThreshold(sith);
        const rendered = thresholdToSith(threshold);
        expect(parseThreshold(rendered)).toEqual(threshold);
        expect(parseThreshold(JSON.stringify(rendered))).toEqual(threshold);
        expect(thresholdToSith(parseThreshold(rendered))).toEqual(rendered);
        expect(thresholdFromLimen(thresholdToLimen(threshold))).toEqual(threshold);
      }),
    );
  });

  it('numeric thresholds round-trip and count distinct signers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), indexSet, (value, indices) => {
        const threshold = parseThreshold(value);
        expect(parseThreshold(thresholdToSith(threshold))).toEqual(threshold);
        expect(parseThreshold(value.toString(16).toUpperCase())).toEqual(threshold);
        expect(thresholdFromLimen(thresholdToLimen(threshold))).toEqual(threshold);
        const distinct = new Set(indices.filter((index) => index >= 0)).size;
        expect(satisfies(threshold, indices)).toBe(value > 0 && distinct >= value);
      }),
    );
  });

  it('weights n/d are read in lowest terms and refused above 1', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        (n, d) => {
          if (n <= d) expect(parseWeight(`${n}/${d}`)).toEqual(rational(n, d));
          else expect(() => parseWeight(`${n}/${d}`)).toThrow();
        },
      ),
    );
  });

  it('minimal sets satisfy, lose it without any member, and bound the fault tolerance', () => {
    fc.assert(
      fc.property(
        weightedSith.filter((sith) => leafCount(sith) <= 8),
        (sith) => {
          const threshold = parseThreshold(sith);
          const members = leafCount(sith);
          const minimal = minimalSatisfyingSets(threshold, members);
          expect(minimal.length).toBeGreaterThan(0);
          for (const set of minimal) {
            expect(referenceSatisfies(sith, set)).toBe(true);
            for (const member of set)
              expect(
                referenceSatisfies(
                  sith,
                  set.filter((m) => m !== member),
                ),
              ).toBe(false);
          }
          // Losing k members is survivable iff every (members - k)-subset keeps a minimal set.
          const tolerance = faultTolerance(threshold, members);
          const survives = (lost: number[]) =>
            referenceSatisfies(
              sith,
              [...Array(members).keys()].filter((m) => !lost.includes(m)),
            );
          const subsetsOfSize = (k: number): number[][] =>
            k === 0
              ? [[]]
              : subsetsOfSize(k - 1).flatMap((s) =>
                  [...Array(members).keys()]
                    .filter((m) => m > (s.at(-1) ?? -1))
                    .map((m) => [...s, m]),
                );
          expect(subsetsOfSize(tolerance).every(survives)).toBe(true);
          if (tolerance + 1 <= members)
            expect(subsetsOfSize(tolerance + 1).every(survives)).toBe(false);
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });
});
