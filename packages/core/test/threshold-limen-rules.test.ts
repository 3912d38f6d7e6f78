/**
 * Signing thresholds: the CESR limen, checked constructors, descriptions and the key-count rules
 * of keripy 1.3.6 (builders and Kever).
 */
import { describe, expect, it } from 'vitest';
import { ThresholdError } from '../src/errors.js';
import {
  describeThreshold,
  numericThreshold,
  parseThreshold,
  rational,
  type SigningThreshold,
  thresholdFromLimen,
  thresholdToLimen,
  validateThresholdForKeys,
  weightedThreshold,
} from '../src/threshold/index.js';

const half = rational(1n, 2n);
const one = rational(1n);

describe('checked constructors', () => {
  it('build thresholds and refuse what keripy refuses', () => {
    expect(numericThreshold(3)).toEqual(parseThreshold('3'));
    expect(weightedThreshold([[half, half]])).toEqual(parseThreshold(['1/2', '1/2']));
    expect(() => numericThreshold(-1)).toThrow(ThresholdError);
    expect(() => numericThreshold(1.5)).toThrow(ThresholdError);
    expect(() => weightedThreshold([])).toThrow(ThresholdError);
    expect(() => weightedThreshold([[half]])).toThrow(/add up to 1\/2/);
    expect(() => weightedThreshold([[rational(3n, 2n)]])).toThrow(/between 0 and 1/);
    expect(() => weightedThreshold([[{ weight: one, members: [half] }]])).toThrow(
      /members of nested group/,
    );
  });
});

describe('limen (CESR)', () => {
  it.each([
    ['b', 'MAAL'],
    ['f', 'MAAP'],
    [2, 'MAAC'],
    ['1', 'MAAB'],
    [['1/2', '1/2', '1/4', '1/4', '1/4'], '4AAFA1s2c1s2c1s4c1s4c1s4'],
    [['1/2', '1/2', '1/4', '1/4', '1/4', '0'], '6AAGAAA1s2c1s2c1s4c1s4c1s4c0'],
    [
      [
        ['1/2', '1/2', '1/4', '1/4', '1/4'],
        ['1/1', '1'],
      ],
      '4AAGA1s2c1s2c1s4c1s4c1s4a1c1',
    ],
    [
      [{ '1/3': ['1/2', '1/2', '1/2'] }, '1/3', '1/2', { '1/2': ['1', '1'] }],
      '4AAIA1s3k1s2v1s2v1s2c1s3c1s2c1s2k1v1',
    ],
    [
      [
        [{ '1/3': ['1/2', '1/2', '1/2'] }, '1/2', { '1/2': ['1', '1'] }],
        ['1/2', { '1/2': ['1', '1'] }],
      ],
      '4AAKA1s3k1s2v1s2v1s2c1s2c1s2k1v1a1s2c1s2k1v1',
    ],
  ])('%j is %s (keripy test_tholder)', (sith, limen) => {
    const threshold = parseThreshold(sith);
    expect(thresholdToLimen(threshold)).toBe(limen);
    expect(thresholdFromLimen(limen)).toEqual(threshold);
  });

  it('refuses limens that hold no threshold', () => {
    expect(() => thresholdFromLimen('EBBB')).toThrow(ThresholdError);
    expect(() => thresholdFromLimen('not cesr')).toThrow(ThresholdError);
    expect(() => thresholdFromLimen('4AABA1s3')).toThrow(ThresholdError); // one weight of 1/3
  });
});

describe('describeThreshold', () => {
  it.each([
    ['2', 3, '2 of 3'],
    ['2', undefined, 'any 2'],
    ['0', 2, 'never (0)'],
    [['1/2', '1/2', '1/2'], undefined, 'weights 1/2,1/2,1/2'],
    [
      [
        ['1/2', '1/2', '1/2'],
        ['1', '1'],
      ],
      5,
      'weights 1/2,1/2,1/2 and 1,1',
    ],
    [[{ '1/3': ['1/2', '1/2'] }, '2/3'], undefined, 'weights 1/3(1/2,1/2),2/3'],
  ])('%j', (sith, keyCount, text) => {
    expect(describeThreshold(parseThreshold(sith), keyCount)).toBe(text);
  });
});

describe('validateThresholdForKeys', () => {
  const check =
    (sith: unknown, keys: number, what: 'current' | 'next', stage?: 'build' | 'receive') => () =>
      validateThresholdForKeys(parseThreshold(sith) as SigningThreshold, keys, what, stage);

  it('building: kt at least 1 and no larger than k', () => {
    expect(check('1', 1, 'current')).not.toThrow();
    expect(check(['1/2', '1/2'], 2, 'current')).not.toThrow();
    expect(check('0', 1, 'current')).toThrow(/at least 1/);
    expect(check('2', 1, 'current')).toThrow(/needs 2 keys, but 1 are listed/);
    expect(check(['1/2', '1/2'], 1, 'current')).toThrow(ThresholdError);
    expect(check('1', 0, 'current')).toThrow(ThresholdError);
  });

  it('building: nt no larger than n, 0 allowed with or without next keys', () => {
    expect(check('0', 0, 'next')).not.toThrow();
    expect(check('0', 3, 'next')).not.toThrow();
    expect(check('2', 3, 'next')).not.toThrow();
    expect(check('2', 1, 'next')).toThrow(/needs 2 next key digests/);
    expect(check([{ '1': ['1', '1'] }], 1, 'next')).toThrow(ThresholdError);
  });

  it('receiving: only the size of kt is checked, nt not at all', () => {
    expect(check('0', 1, 'current', 'receive')).not.toThrow();
    expect(check('2', 1, 'current', 'receive')).toThrow(ThresholdError);
    expect(check('5', 1, 'next', 'receive')).not.toThrow();
  });

  it('refuses a bad key count', () => {
    expect(check('1', -1, 'current')).toThrow(ThresholdError);
    expect(check('1', 1.5, 'next', 'receive')).toThrow(ThresholdError);
  });
});
