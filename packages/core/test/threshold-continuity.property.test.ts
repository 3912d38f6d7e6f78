/**
 * The continuity analysis against brute force: random numeric and weighted thresholds (nested
 * groups and several clauses included) over up to 8 members, where every subset is checked with
 * a reference satisfaction written here from the rules (plain fraction sums, read off the sith),
 * independently of the implementation. And the witness range against every m from 0 to n.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';
import {
  continuityPolicy,
  continuityPolicyJson,
  parseThreshold,
  witnessThresholdPolicy,
} from '../src/threshold/index.js';
import { sortMasks } from '../src/threshold/member-sets.js';

// ---- reference satisfaction, straight from the sith ------------------------------------------
type Entry = string | Record<string, string[]>;
type Sith = number | Entry[] | Entry[][];

/** Whether n1/d1 + ... >= 1, with exact integer arithmetic. */
function reachesOne(weights: readonly string[]): boolean {
  let numerator = 0n;
  let denominator = 1n;
  for (const weight of weights) {
    const [n, d = '1'] = weight.split('/');
    numerator = numerator * BigInt(d) + BigInt(n!) * denominator;
    denominator *= BigInt(d);
  }
  return numerator >= denominator;
}

function referenceSatisfies(sith: Sith, signed: ReadonlySet<number>): boolean {
  if (typeof sith === 'number') return sith > 0 && signed.size >= sith;
  const clauses = sith.every(Array.isArray) ? (sith as Entry[][]) : [sith as Entry[]];
  let offset = 0;
  let allHold = true;
  for (const clause of clauses) {
    const counted: string[] = [];
    for (const entry of clause) {
      if (typeof entry === 'string') {
        if (signed.has(offset)) counted.push(entry);
        offset++;
        continue;
      }
      const [weight, members] = Object.entries(entry)[0]!;
      const groupCounted = members.filter((_, i) => signed.has(offset + i));
      offset += members.length;
      if (reachesOne(groupCounted)) counted.push(weight);
    }
    if (!reachesOne(counted)) allHold = false;
  }
  return allHold;
}

function leafCount(sith: Entry[] | Entry[][]): number {
  const clauses = sith.every(Array.isArray) ? (sith as Entry[][]) : [sith as Entry[]];
  return clauses
    .flat()
    .reduce((n, e) => n + (typeof e === 'string' ? 1 : Object.values(e)[0]!.length), 0);
}

// ---- random thresholds -----------------------------------------------------------------------
const weight = (maxDenominator: number) =>
  fc
    .integer({ min: 1, max: maxDenominator })
    .chain((d) => fc.integer({ min: 0, max: d }).map((n) => `${n}/${d}`));

/** Weights topped up with one more so they add up to at least 1, as keripy requires. */
const toppedUp = (weights: string[], weightOf: (w: string) => string = (w) => w) =>
  reachesOne(weights.map(weightOf)) ? weights : [...weights, '1'];

const group = fc
  .tuple(weight(4), fc.array(weight(4), { maxLength: 3 }))
  .map(([w, members]) => ({ [w]: toppedUp(members) }));

const clause: fc.Arbitrary<Entry[]> = fc
  .array(fc.oneof({ weight: 3, arbitrary: weight(6) }, { weight: 1, arbitrary: group }), {
    maxLength: 4,
  })
  .map((entries) => {
    const tops = entries.map((e) => (typeof e === 'string' ? e : Object.keys(e)[0]!));
    return reachesOne(tops) ? entries : [...entries, '1'];
  });

const MAX_MEMBERS = 8;

const weighted = fc
  .oneof(clause as fc.Arbitrary<Sith>, fc.array(clause, { minLength: 1, maxLength: 3 }))
  .filter((sith) => leafCount(sith as Entry[]) <= MAX_MEMBERS);

/** A threshold, the members it is analysed over, and maybe an escrow agent among them. */
const subject = fc
  .oneof(
    fc
      .integer({ min: 1, max: MAX_MEMBERS })
      .chain((members) =>
        fc.integer({ min: 1, max: members }).map((value) => ({ sith: value as Sith, members })),
      ),
    weighted.chain((sith) =>
      fc
        .integer({ min: leafCount(sith as Entry[]), max: MAX_MEMBERS })
        .map((members) => ({ sith, members })),
    ),
  )
  .chain(({ sith, members }) =>
    fc.integer({ min: 0, max: members - 1 }).map((agent) => ({ sith, members, agent })),
  );

// ---- brute force over all subsets -------------------------------------------------------------
const setOf = (mask: number) => new Set([...Array(32).keys()].filter((i) => (mask >>> i) & 1));
const listOf = (mask: number) => [...setOf(mask)];
const maskOf = (set: readonly number[]) => set.reduce((mask, i) => mask | (1 << i), 0);
const popCount = (mask: number) => listOf(mask).length;

function bruteForce(sith: Sith, members: number) {
  const all = 2 ** members - 1;
  const ok = (mask: number) => referenceSatisfies(sith, setOf(mask));
  const masks = [...Array(all + 1).keys()];
  const minimal = masks.filter(
    (mask) => ok(mask) && listOf(mask).every((i) => !ok(mask ^ (1 << i))),
  );
  // Largest k such that every loss of k members leaves a satisfying set.
  let tolerates = -1;
  for (let k = 0; k <= members; k++)
    if (masks.filter((lost) => popCount(lost) === k).every((lost) => ok(all ^ lost))) tolerates = k;
    else break;
  const blocking = masks.filter((lost) => popCount(lost) === tolerates + 1 && !ok(all ^ lost));
  return { ok, masks, minimal, tolerates, blocking, all };
}

const sortedLists = (masks: number[]) => Array.from(sortMasks(masks), listOf);

describe('continuityPolicy against brute force', () => {
  it('minimal sets, tolerance, blocking losses and the escrow agent', () => {
    fc.assert(
      fc.property(subject, ({ sith, members, agent }) => {
        const policy = continuityPolicy({
          signingThreshold: parseThreshold(sith),
          memberCount: members,
          escrowAgent: agent,
        });
        const side = policy.current;
        const reference = bruteForce(sith, members);

        // Every minimal set satisfies, and loses it without any one of its members.
        for (const set of side.minimalSets) {
          expect(reference.ok(maskOf(set))).toBe(true);
          for (const member of set) expect(reference.ok(maskOf(set) ^ (1 << member))).toBe(false);
        }
        // Every satisfying set contains a minimal set.
        const minimalMasks = side.minimalSets.map(maskOf);
        for (const mask of reference.masks.filter(reference.ok))
          expect(minimalMasks.some((m) => (m & mask) === m)).toBe(true);
        // Nothing missing, nothing extra, in report order.
        expect(side.minimalSets).toEqual(sortedLists(reference.minimal));
        expect(side.minimalSetCount).toBe(reference.minimal.length);

        expect(side.tolerates).toBe(reference.tolerates);
        expect(side.smallestBlockingSets).toEqual(sortedLists(reference.blocking));

        const bit = 1 << agent;
        expect(side.escrowAgent).toEqual({
          member: agent,
          alone: reference.ok(bit),
          partners: sortedLists(reference.minimal.filter((m) => m & bit)).map((set) =>
            set.filter((member) => member !== agent),
          ),
          partnerSetCount: reference.minimal.filter((m) => m & bit).length,
          withoutAgent: reference.ok(reference.all ^ bit),
        });
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('a cut list is the first sets of the whole list, and the JSON says so', () => {
    fc.assert(
      fc.property(subject, fc.integer({ min: 1, max: 6 }), ({ sith, members }, maxSets) => {
        const options = { signingThreshold: parseThreshold(sith), memberCount: members };
        const whole = continuityPolicy(options).current;
        const cut = continuityPolicy({ ...options, maxSets }).current;
        expect(cut.minimalSets).toEqual(whole.minimalSets.slice(0, maxSets));
        expect(cut.smallestBlockingSets).toEqual(whole.smallestBlockingSets.slice(0, maxSets));
        expect(cut.minimalSetCount).toBe(whole.minimalSetCount);
        const json = continuityPolicyJson(continuityPolicy({ ...options, maxSets })).current;
        if (whole.minimalSetCount > maxSets)
          expect(json).toMatchObject({ truncated: true, minimalSetCount: whole.minimalSetCount });
        else expect(Object.keys(json)).toEqual(['minimalSets', 'tolerates']);
      }),
      { numRuns: propertyRuns(200) },
    );
  });

  it('sorts sets by size, then lexicographically', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 24 - 1 })), (masks) => {
        const lexicographic = (a: number[], b: number[]) => {
          if (a.length !== b.length) return a.length - b.length;
          const at = a.findIndex((x, i) => x !== b[i]);
          return at === -1 ? 0 : a[at]! - b[at]!;
        };
        expect(Array.from(sortMasks(masks), listOf)).toEqual(masks.map(listOf).sort(lexicographic));
      }),
    );
  });
});

describe('witnessThresholdPolicy against every m', () => {
  it('is the m with (n+f+1)/2 <= m <= n-f, or refused when there is none', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 80 }),
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        (n, f) => {
          // Without f: the most faults n tolerates, the largest f with a safe m.
          const faults =
            f ??
            [...Array(n + 1).keys()]
              .filter((g) => 3 * g + 1 <= n)
              .reduce((a, b) => Math.max(a, b), 0);
          // (n+f+1)/2 <= m, in integers: 2m >= n+f+1, so m >= ceil((n+f+1)/2).
          const safe = [...Array(n + 1).keys()].filter(
            (m) => 2 * m >= n + faults + 1 && m <= n - faults,
          );
          if (n === 0 && faults === 0) {
            // No witnesses: keripy requires bt 0.
            expect(witnessThresholdPolicy(n, f)).toEqual({
              witnesses: 0,
              faults: 0,
              min: 0,
              max: 0,
            });
          } else if (safe.length === 0) {
            expect(() => witnessThresholdPolicy(n, f)).toThrow(/No safe witness threshold/);
          } else {
            expect(witnessThresholdPolicy(n, f)).toEqual({
              witnesses: n,
              faults,
              min: safe[0],
              max: safe.at(-1),
            });
          }
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });
});
