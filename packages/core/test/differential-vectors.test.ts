/**
 * Random adversarial streams (several KELs, forks, recoveries, delegation, witnesses and receipts,
 * damaged signatures and fields, reordered and lost messages) with keripy 1.3.6's answers on them,
 * recorded by the differential run (test/vectors/differential-keripy-1.3.6/README.md): Kestrel
 * must still give each one, field by field.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EventProcessor,
  ManualClock,
  MemoryStore,
  type NotAccepted,
  StreamValidator,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { describe, expect, it } from 'vitest';

const VECTORS = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../test/vectors/differential-keripy-1.3.6',
);
const crypto = await createNodeCrypto();

const bySaid = (list: readonly NotAccepted[]) =>
  [...list].sort((a, b) => (a.said < b.said ? -1 : a.said > b.said ? 1 : 0));

const folders = readdirSync(VECTORS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface Deliberate {
  readonly reason: string;
  readonly not_accepted?: readonly { said: string; keripy: string; kestrel: string }[];
  readonly escrows?: Record<string, { keripy: number | null; kestrel: number | null }>;
}

/**
 * keripy's answer with the differences docs/architecture.md lists as deliberate put in Kestrel's
 * terms, for the few vectors that mark one (`deliberate.json`). keripy's own verdict stays in
 * `expected.json`: each marked difference must still be what keripy said there.
 */
function withDeliberateDifferences(
  folder: string,
  expected: Record<string, unknown>,
): Record<string, unknown> & { not_accepted: NotAccepted[] } {
  let text: string;
  try {
    text = readFileSync(join(VECTORS, folder, 'deliberate.json'), 'utf8');
  } catch {
    return expected as Record<string, unknown> & { not_accepted: NotAccepted[] };
  }
  const deliberate = JSON.parse(text) as Deliberate;
  expect(deliberate.reason.length).toBeGreaterThan(0);
  const notAccepted = (expected.not_accepted as NotAccepted[]).map((entry) => {
    const marked = deliberate.not_accepted?.find((d) => d.said === entry.said);
    if (!marked) return entry;
    expect(entry.why).toBe(marked.keripy);
    return { ...entry, why: marked.kestrel as NotAccepted['why'] };
  });
  const escrows = { ...(expected.escrows as Record<string, number>) };
  for (const [name, { keripy, kestrel }] of Object.entries(deliberate.escrows ?? {})) {
    expect(escrows[name] ?? null).toBe(keripy);
    if (kestrel === null) delete escrows[name];
    else escrows[name] = kestrel;
  }
  return { ...expected, not_accepted: notAccepted, escrows };
}

describe('random streams, as keripy 1.3.6 judged them', () => {
  it('are there to check', () => {
    expect(folders.length).toBeGreaterThanOrEqual(80);
  });

  for (const folder of folders) {
    it(folder, async () => {
      const stream = readFileSync(join(VECTORS, folder, 'stream.cesr'));
      const expected = withDeliberateDifferences(
        folder,
        JSON.parse(readFileSync(join(VECTORS, folder, 'expected.json'), 'utf8')),
      );
      const validator = new StreamValidator(
        new EventProcessor({ store: new MemoryStore(), crypto, clock: new ManualClock() }),
      );
      await validator.push(new Uint8Array(stream));
      const report = await validator.end();
      expect(report.verdict).toBe(expected.verdict);
      expect(report.accepted).toEqual(expected.accepted);
      expect(bySaid(report.not_accepted)).toEqual(bySaid(expected.not_accepted));
      expect(report.escrows).toEqual(expected.escrows);
    });
  }
});
