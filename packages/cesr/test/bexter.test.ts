import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bexter, bextOf, pather, pathOf, readMatter } from '../src/index.js';

describe('Bexter and Pather (SAD paths as StrB64 primitives)', () => {
  // keripy's own examples in the Pather docstring (coring.py, 1.3.6).
  it.each([
    [[], '6AABAAA-'],
    [['A'], '5AABAA-A'],
    [['A', 'B'], '4AAB-A-B'],
    [['A', 1, 'B', 3], '4AAC-A-1-B-3'],
  ] as const)('path %j is %s', (path, qb64) => {
    const matter = pather(path);
    expect(matter.qb64).toBe(qb64);
    expect(pathOf(readMatter(qb64))).toEqual(path.map(String));
  });

  it('an exn embed path', () => {
    expect(pather(['e', 'icp']).qb64).toBe('5AACAA-e-icp');
  });

  it('Base64 text round-trips when it does not start with A', () => {
    const text = fc.stringMatching(/^[B-Za-z0-9_-][A-Za-z0-9_-]{0,40}$/);
    fc.assert(
      fc.property(text, (value) => {
        expect(bextOf(readMatter(bexter(value).qb64))).toBe(value);
      }),
    );
  });

  it('refuses path parts that are not Base64 or hold the separator', () => {
    expect(() => pather(['a-b'])).toThrow(/not Base64/);
    expect(() => pather(['a b'])).toThrow(/not Base64/);
  });
});
