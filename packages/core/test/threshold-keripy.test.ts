/**
 * Differential vectors: what keripy 1.3.6's own `Tholder` class concluded for ~200 sith values
 * (curated edge cases plus random weighted thresholds), see fixtures/threshold-keripy-1.3.6.jsonl
 * and the script next to it. For each: accepted or refused, and when accepted its canonical sith,
 * size, limen text and the satisfaction of many index sets.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ThresholdError } from '../src/errors.js';
import {
  parseThreshold,
  satisfies,
  thresholdFromLimen,
  thresholdSize,
  thresholdToLimen,
  thresholdToSith,
} from '../src/threshold/index.js';
import { weightedLimenText } from '../src/threshold/limen.js';

interface Expected {
  accepted: boolean;
  error?: string;
  weighted?: boolean;
  size?: number;
  sith?: unknown;
  limen?: string;
  satisfy?: boolean[];
}

interface Vector {
  sith: unknown;
  indices: number[][];
  expected: Expected;
  note?: string;
}

// JSON Lines: a header with the source, then one vector per line.
const [header, ...lines] = readFileSync(
  new URL('./fixtures/threshold-keripy-1.3.6.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.length > 0);
const fixture = {
  source: (JSON.parse(header!) as { source: string }).source,
  cases: lines.map((line) => JSON.parse(line) as Vector),
};

const label = (vector: Vector) => JSON.stringify(vector.sith) ?? String(vector.sith);
const accepted = fixture.cases.filter((vector) => vector.expected.accepted);
const refused = fixture.cases.filter((vector) => !vector.expected.accepted);

describe('keripy Tholder vectors', () => {
  it('cover both outcomes', () => {
    expect(fixture.source).toContain('keripy 1.3.6');
    expect(accepted.length).toBeGreaterThan(100);
    expect(refused.length).toBeGreaterThan(50);
  });

  it.each(accepted.map((vector) => [label(vector), vector] as const))(
    'accepts %s',
    (_label, vector) => {
      const threshold = parseThreshold(vector.sith);
      const expected = vector.expected;
      expect(threshold.kind).toBe(expected.weighted ? 'weighted' : 'numeric');
      expect(thresholdToSith(threshold)).toEqual(expected.sith);
      expect(thresholdSize(threshold)).toBe(expected.size);

      if (threshold.kind === 'weighted') {
        expect(`BEXT:${weightedLimenText(threshold.clauses)}`).toBe(expected.limen);
      } else {
        expect(`NUM:${threshold.value}`).toBe(expected.limen);
      }
      expect(thresholdFromLimen(thresholdToLimen(threshold))).toEqual(threshold);

      const results = vector.indices.map((indices) => satisfies(threshold, indices));
      expect(results).toEqual(expected.satisfy);
    },
  );

  it.each(refused.map((vector) => [label(vector), vector] as const))(
    'refuses %s',
    (_label, vector) => {
      expect(() => parseThreshold(vector.sith)).toThrow(ThresholdError);
    },
  );
});
