/**
 * Signing thresholds: the sith forms keripy 1.3.6 accepts and refuses, the corpus thresholds and
 * satisfaction.
 */
import { describe, expect, it } from 'vitest';
import { allCases } from '../../../test/support/vectors.js';
import { ThresholdError } from '../src/errors.js';
import {
  parseThreshold,
  parseWeight,
  rational,
  satisfies,
  thresholdSize,
  thresholdToSith,
} from '../src/threshold/index.js';

const half = rational(1n, 2n);
const one = rational(1n);

function refusal(sith: unknown): ThresholdError {
  try {
    parseThreshold(sith);
  } catch (error) {
    if (error instanceof ThresholdError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(sith)} was accepted`);
}

describe('parseThreshold: numeric', () => {
  it.each([
    [2, 2],
    [0, 0],
    ['1', 1],
    ['a', 10],
    ['A', 10],
    ['10', 16],
    ['0x1f', 31],
    [' 2 ', 2],
    ['-0', 0],
    [true, 1],
    [false, 0],
  ])('%j is %i', (sith, value) => {
    expect(parseThreshold(sith)).toEqual({ kind: 'numeric', value });
  });

  it.each([
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '-1',
    'g',
    '1.0',
    '0.5',
    '',
    '1 2',
    2 ** 53,
    '20000000000000',
  ])('refuses %j', (sith) => {
    expect(() => parseThreshold(sith)).toThrow(ThresholdError);
  });

  it('takes a bigint', () => {
    expect(parseThreshold(3n)).toEqual({ kind: 'numeric', value: 3 });
  });

  it('refuses a missing threshold', () => {
    expect(() => parseThreshold(undefined)).toThrow(ThresholdError);
    expect(() => parseThreshold(null)).toThrow(ThresholdError);
  });
});

describe('parseThreshold: weighted', () => {
  it('reads a flat list as one clause', () => {
    expect(parseThreshold(['1/2', '1/2', '1/2'])).toEqual({
      kind: 'weighted',
      clauses: [[half, half, half]],
    });
  });

  it('reads a list of lists as several clauses and normalises weights', () => {
    expect(
      parseThreshold([
        ['2/4', '1/2'],
        ['1/1', '1', '0'],
      ]),
    ).toEqual({
      kind: 'weighted',
      clauses: [
        [half, half],
        [one, one, rational(0n)],
      ],
    });
  });

  it('reads nested groups written as one-entry maps', () => {
    const threshold = parseThreshold([
      { '1/3': ['1/2', '1/2', '1/2'] },
      '1/3',
      '1/2',
      { '1/2': ['1', '1'] },
    ]);
    expect(threshold).toEqual({
      kind: 'weighted',
      clauses: [
        [
          { weight: rational(1n, 3n), members: [half, half, half] },
          rational(1n, 3n),
          half,
          { weight: half, members: [one, one] },
        ],
      ],
    });
    expect(thresholdSize(threshold)).toBe(7);
  });

  it('reads JSON text of a weighted list, as keripy does for CLI and config values', () => {
    expect(parseThreshold('["1/2","1/2"]')).toEqual(parseThreshold(['1/2', '1/2']));
    expect(parseThreshold('[["1/2","1/2"],["1"]]')).toEqual(
      parseThreshold([['1/2', '1/2'], ['1']]),
    );
  });

  it('accepts the integral decimal spellings keripy lets through', () => {
    expect(parseThreshold(['1.0'])).toEqual(parseThreshold(['1']));
    expect(parseThreshold(['0.0', '10e-1'])).toEqual(parseThreshold(['0', '1']));
    expect(parseWeight('0.99999999999999999999')).toEqual(
      rational(99999999999999999999n, 10n ** 20n),
    );
  });

  it.each([
    ['\u0661/\u0662', '1/2'],
    ['\x1c1/2', '1/2'], // Fraction's \s takes U+001C, float's and int's whitespace does not
    ['1/2\x85', '1/2'],
    ['\ufeff1/2', null], // JavaScript whitespace, not Python's
    ['\u0661', '1'],
    ['\u0661.\u0660', '1'],
    ['\uff11', '1'],
    ['\u3000\u0661/\u0663\u3000', '1/3'],
    ['\x1c1', '1'],
    ['1\x1f', '1'],
    ['\u0661e\u0660', '1'],
    ['\u0660.\u0665', null],
    ['\x851', '1'],
  ])(
    'reads the weight %j with Unicode digits and whitespace as Python does (%s)',
    (text, expected) => {
      // Expected values printed by keripy's Tholder.weight logic under Python 3.11.
      if (expected === null) {
        expect(() => parseWeight(text)).toThrow(ThresholdError);
        return;
      }
      const [numerator, denominator = '1'] = expected.split('/');
      expect(parseWeight(text)).toEqual(rational(BigInt(numerator!), BigInt(denominator)));
    },
  );

  it('reproduces the Python iteration quirks keripy accepts', () => {
    expect(parseThreshold({ '1': ['ignored'] })).toEqual(parseThreshold(['1']));
    expect(parseThreshold([{ '1': '11' }])).toEqual(parseThreshold([{ '1': ['1', '1'] }]));
    expect(parseThreshold([{ '1': [1, true, 0] }])).toEqual(
      parseThreshold([{ '1': ['1', '1', '0'] }]),
    );
    // Python keeps {"1": ..., "0": ...} in text order; JavaScript puts integer-like keys first.
    expect(thresholdToSith(parseThreshold([{ '1': { '1': [], '0': [] } }]))).toEqual([
      { '1': ['0', '1'] },
    ]);
  });

  it.each([
    [[], 'empty weight list'],
    [[[]], 'add up to 0'],
    [['1/3', '1/2'], 'add up to 5/6'],
    [['1/2', '1/2', '3/2'], 'between 0 and 1'],
    [['1/2', '1/2', '2'], 'between 0 and 1'],
    [['-1/2', '1', '1/2'], 'between 0 and 1'],
    [['0.5', '0.5'], 'decimal fractions'],
    [['1/2', 0.5], 'not a weight string'],
    [['1', 1], 'not a weight string'],
    [['1/0'], 'zero denominator'],
    [['1/2.0'], 'expected 0, 1 or a fraction'],
    [['inf'], 'infinite'],
    [['nan'], 'not a number'],
    [[['1/2', '1/2'], '1'], 'not a weight string'],
    [[{ '1/3': ['1/3', '1/3', '1/4'] }, '1/3', '1/2'], 'members of nested group 1/3'],
    [[{ '1': ['1'], '1/2': ['1'] }], 'exactly one key'],
    [[{ '1': 5 }], 'must list its weights'],
    ['[', 'not valid JSON'],
    ['[1]', 'not a weight string'],
    [{}, 'empty weight list'],
  ])('refuses %j (%s)', (sith, reason) => {
    const error = refusal(sith);
    expect(error.code).toBe('bad_threshold');
    expect(error.message).toContain(reason);
  });
});

describe('corpus thresholds', () => {
  const fields = allCases().flatMap((loaded) =>
    loaded.case.events.flatMap((event) =>
      (['kt', 'nt'] as const)
        .filter((field) => event.ked[field] !== undefined)
        .map(
          (field) =>
            [`${loaded.name} ${event.ilk} ${event.sn} ${field}`, event.ked[field]] as const,
        ),
    ),
  );

  it('include numeric and weighted thresholds', () => {
    expect(fields.some(([, sith]) => Array.isArray(sith))).toBe(true);
    expect(fields.length).toBeGreaterThan(100);
  });

  it.each(fields)('%s parses and renders back identically', (_name, sith) => {
    expect(thresholdToSith(parseThreshold(sith))).toEqual(sith);
  });
});

describe('satisfies', () => {
  it('numeric: distinct signers, never for 0', () => {
    const twoOfThree = parseThreshold('2');
    expect(satisfies(twoOfThree, [0, 2])).toBe(true);
    expect(satisfies(twoOfThree, [5, 7])).toBe(true); // key count is not known to a numeric threshold
    expect(satisfies(twoOfThree, [1, 1])).toBe(false);
    expect(satisfies(twoOfThree, [1, -1, 0.5])).toBe(false);
    expect(satisfies(parseThreshold('0'), [0, 1, 2])).toBe(false);
    expect(satisfies(twoOfThree, new Set([0, 1]))).toBe(true);
  });

  it('multi-clause [["1/2","1/2","1/2"],["1","1"]]: two of the first three AND one of the last two', () => {
    const threshold = parseThreshold([
      ['1/2', '1/2', '1/2'],
      ['1', '1'],
    ]);
    expect(satisfies(threshold, [0, 1, 3])).toBe(true);
    expect(satisfies(threshold, [2, 0, 4])).toBe(true);
    expect(satisfies(threshold, [0, 1, 2, 3, 4])).toBe(true);
    expect(satisfies(threshold, [0, 3, 4])).toBe(false);
    expect(satisfies(threshold, [0, 1, 2])).toBe(false);
    expect(satisfies(threshold, [3, 4])).toBe(false);
    expect(satisfies(threshold, [])).toBe(false);
  });

  it('nested groups count their weight only when their members reach 1 (keripy test_tholder)', () => {
    const threshold = parseThreshold(
      '[{"1/3":["1/2", "1/2", "1/2"]}, "1/3", "1/2", {"1/2": ["1", "1"]}]',
    );
    for (const indices of [
      [0, 2, 3, 6],
      [3, 4, 5],
      [1, 2, 3, 4],
      [4, 6],
      [4, 2, 0, 3],
      [0, 0, 1, 2, 1, 5, 6, 3],
    ]) {
      expect(satisfies(threshold, indices)).toBe(true);
    }
    expect(satisfies(threshold, [0, 2, 5])).toBe(false);
    expect(satisfies(threshold, [2, 3, 4])).toBe(false);
  });

  it('stays exact when weights need more than 53 bits', () => {
    const threshold = parseThreshold([
      '99999999999999999999/100000000000000000000',
      '1/100000000000000000000',
      '0',
    ]);
    expect(satisfies(threshold, [0, 1])).toBe(true);
    expect(satisfies(threshold, [0, 2])).toBe(false);
    expect(satisfies(threshold, [1, 2])).toBe(false);
  });

  it('weighted: ignores duplicates and indices outside the key list', () => {
    const threshold = parseThreshold(['1/2', '1/2', '1/2']);
    expect(satisfies(threshold, [0, 0])).toBe(false);
    expect(satisfies(threshold, [0, 1, 3, -1])).toBe(true);
    expect(satisfies(threshold, [0, 3, 4, -1])).toBe(false);
  });
});

describe('parsed weighted thresholds are shared', () => {
  it('returns one frozen object for a weight list however it is written', () => {
    const list = [
      ['1/2', '1/2'],
      [{ '1/2': ['1', '1'] }, '1/2'],
    ];
    const first = parseThreshold(list);
    const again = parseThreshold(structuredClone(list));
    const asText = parseThreshold(JSON.stringify(list));
    expect(again).toBe(first);
    expect(asText).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    if (first.kind !== 'weighted') throw new Error('expected a weighted threshold');
    expect(Object.isFrozen(first.clauses)).toBe(true);
    expect(Object.isFrozen(first.clauses[0])).toBe(true);
    expect(() => {
      (first.clauses as unknown[]).push([]);
    }).toThrow(TypeError);
    // A different list is a different threshold.
    expect(parseThreshold([['1/2', '1/2'], ['1']])).not.toBe(first);
  });

  it('never caches a refusal', () => {
    expect(() => parseThreshold(['1/2', 'x'])).toThrow(ThresholdError);
    expect(() => parseThreshold(['1/2', 'x'])).toThrow(ThresholdError);
    expect(() => parseThreshold('["1/2", "x"]')).toThrow(ThresholdError);
  });
});
