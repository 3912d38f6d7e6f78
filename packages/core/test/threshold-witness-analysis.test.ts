/**
 * Witness thresholds (keripy `ample`, the KAACE safety range) and the subset analyses of signing
 * thresholds. Expected values are worked out by hand from the formulas in the comments.
 */
import { describe, expect, it } from 'vitest';
import { ThresholdError } from '../src/errors.js';
import {
  ample,
  faultTolerance,
  MAX_ANALYSED_MEMBERS,
  minimalSatisfyingSets,
  parseThreshold,
  witnessThresholdRange,
} from '../src/threshold/index.js';

describe('ample', () => {
  // keripy: f1 = max(1, floor(max(0, n-1)/3)), f2 = max(1, ceil(max(0, n-1)/3));
  // weak:   min(n, ceil((n+f1+1)/2), ceil((n+f2+1)/2));  strong: min(n, max(0, n-f1, ceil((n+f1+1)/2)))
  //  n  f1 f2  ceil((n+f1+1)/2) ceil((n+f2+1)/2)  n-f1   weak strong
  //  0  1  1        1                1           -1     0    0
  //  1  1  1        2                2            0     1    1
  //  2  1  1        2                2            1     2    2
  //  3  1  1        3                3            2     3    3
  //  4  1  1        3                3            3     3    3
  //  5  1  2        4                4            4     4    4
  //  6  1  2        4                5            5     4    5
  //  7  2  2        5                5            5     5    5
  //  8  2  3        6                6            6     6    6
  //  9  2  3        6                7            7     6    7
  // 10  3  3        7                7            7     7    7
  // 11  3  4        8                8            8     8    8
  // 12  3  4        8                9            9     8    9
  const table = [
    [0, 0, 0],
    [1, 1, 1],
    [2, 2, 2],
    [3, 3, 3],
    [4, 3, 3],
    [5, 4, 4],
    [6, 4, 5],
    [7, 5, 5],
    [8, 6, 6],
    [9, 6, 7],
    [10, 7, 7],
    [11, 8, 8],
    [12, 8, 9],
  ] as const;

  it.each(table)('n=%i: weak %i, strong %i', (n, weak, strong) => {
    expect(ample(n)).toBe(weak);
    expect(ample(n, undefined, true)).toBe(weak);
    expect(ample(n, undefined, false)).toBe(strong);
  });

  // With f: m1 = ceil((n+f+1)/2), m2 = max(0, n-f); weak min(n, m1, m2), strong min(n, max(m1, m2)).
  it.each([
    [4, 1, 3, 3],
    [7, 2, 5, 5],
    [10, 2, 7, 8],
    [10, 3, 7, 7],
    [6, 1, 4, 5],
    [1, 0, 1, 1],
    [4, -1, 3, 4], // f counts as 0: m1 = 3, m2 = 4
    [0, 5, 0, 0], // no witnesses: no error, 0
  ])('n=%i f=%i: weak %i, strong %i', (n, f, weak, strong) => {
    expect(ample(n, f)).toBe(weak);
    expect(ample(n, f, false)).toBe(strong);
  });

  it('counts a negative n as 0', () => {
    expect(ample(-3)).toBe(0);
  });

  it('refuses f too large for n, and non-integers', () => {
    expect(() => ample(3, 1)).toThrow(ThresholdError); // m1 = 3 > m2 = 2
    expect(() => ample(2, 1)).toThrow(ThresholdError);
    expect(() => ample(1.5)).toThrow(ThresholdError);
    expect(() => ample(4, 0.5)).toThrow(ThresholdError);
  });
});

describe('witnessThresholdRange', () => {
  it.each([
    [1, 0, 1, 1],
    [4, 1, 3, 3],
    [5, 1, 4, 4],
    [6, 1, 4, 5],
    [7, 2, 5, 5],
    [10, 2, 7, 8],
    [10, 3, 7, 7],
    [12, 3, 8, 9],
    [12, 0, 7, 12],
  ])('n=%i f=%i: %i..%i', (n, f, min, max) => {
    expect(witnessThresholdRange(n, f)).toEqual({ min, max });
  });

  it.each([
    [3, 1],
    [0, 0],
    [6, 2],
    [-1, 0],
    [4, -1],
    [4.5, 1],
  ])('n=%i f=%i has no safe threshold', (n, f) => {
    expect(() => witnessThresholdRange(n, f)).toThrow(ThresholdError);
  });

  it('contains ample(n, f)', () => {
    for (let n = 1; n <= 30; n++) {
      for (let f = 0; 3 * f + 1 <= n; f++) {
        const { min, max } = witnessThresholdRange(n, f);
        expect(ample(n, f)).toBe(min);
        expect(ample(n, f, false)).toBe(max);
      }
    }
  });
});

describe('minimalSatisfyingSets and faultTolerance', () => {
  it('3 of 5: every triple, any 2 may be lost', () => {
    const threshold = parseThreshold('3');
    expect(minimalSatisfyingSets(threshold, 5)).toEqual([
      [0, 1, 2],
      [0, 1, 3],
      [0, 1, 4],
      [0, 2, 3],
      [0, 2, 4],
      [0, 3, 4],
      [1, 2, 3],
      [1, 2, 4],
      [1, 3, 4],
      [2, 3, 4],
    ]);
    expect(faultTolerance(threshold, 5)).toBe(2);
    expect(faultTolerance(threshold, 3)).toBe(0);
    expect(faultTolerance(threshold, 2)).toBe(-1);
    expect(minimalSatisfyingSets(threshold, 2)).toEqual([]);
  });

  it('weights 1/2,1/4,1/4: everyone must sign', () => {
    const threshold = parseThreshold(['1/2', '1/4', '1/4']);
    expect(minimalSatisfyingSets(threshold, 3)).toEqual([[0, 1, 2]]);
    expect(faultTolerance(threshold, 3)).toBe(0);
  });

  it('weights 1/2,1/2,1/4,1/4: both halves, or a half and both quarters', () => {
    const threshold = parseThreshold(['1/2', '1/2', '1/4', '1/4']);
    expect(minimalSatisfyingSets(threshold, 4)).toEqual([
      [0, 1],
      [0, 2, 3],
      [1, 2, 3],
    ]);
    expect(faultTolerance(threshold, 4)).toBe(1);
  });

  it('escrow agents: the owner alone, or any two of three escrow agents', () => {
    const threshold = parseThreshold(['1', { '1': ['1/2', '1/2', '1/2'] }]);
    expect(minimalSatisfyingSets(threshold, 4)).toEqual([[0], [1, 2], [1, 3], [2, 3]]);
    expect(faultTolerance(threshold, 4)).toBe(2);
  });

  it('escrow agents: the owner with either of two agents; losing the owner is fatal', () => {
    const threshold = parseThreshold(['1/2', { '1/2': ['1', '1'] }]);
    expect(minimalSatisfyingSets(threshold, 3)).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(faultTolerance(threshold, 3)).toBe(0);
  });

  it('multi-clause [["1/2","1/2","1/2"],["1","1"]]', () => {
    const threshold = parseThreshold([
      ['1/2', '1/2', '1/2'],
      ['1', '1'],
    ]);
    expect(minimalSatisfyingSets(threshold, 5)).toEqual([
      [0, 1, 3],
      [0, 1, 4],
      [0, 2, 3],
      [0, 2, 4],
      [1, 2, 3],
      [1, 2, 4],
    ]);
    expect(faultTolerance(threshold, 5)).toBe(1);
  });

  it('a zero threshold is never met', () => {
    expect(minimalSatisfyingSets(parseThreshold('0'), 3)).toEqual([]);
    expect(faultTolerance(parseThreshold('0'), 3)).toBe(-1);
    expect(faultTolerance(parseThreshold('1'), 0)).toBe(-1);
  });

  it('members beyond a weighted threshold never help', () => {
    const threshold = parseThreshold(['1/2', '1/2']);
    expect(minimalSatisfyingSets(threshold, 4)).toEqual([[0, 1]]);
    expect(faultTolerance(threshold, 4)).toBe(0);
  });

  it(`handles ${MAX_ANALYSED_MEMBERS} members and refuses more`, () => {
    const many = parseThreshold(Array.from({ length: 20 }, () => '1/10'));
    expect(faultTolerance(many, 20)).toBe(10);
    expect(minimalSatisfyingSets(parseThreshold(23), 24)).toHaveLength(24);
    expect(() => faultTolerance(parseThreshold('1'), 25)).toThrow(ThresholdError);
    expect(() => minimalSatisfyingSets(parseThreshold('1'), -1)).toThrow(ThresholdError);
  });
});
