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

describe('random streams, as keripy 1.3.6 judged them', () => {
  it('are there to check', () => {
    expect(folders.length).toBeGreaterThanOrEqual(80);
  });

  for (const folder of folders) {
    it(folder, async () => {
      const stream = readFileSync(join(VECTORS, folder, 'stream.cesr'));
      const expected = JSON.parse(readFileSync(join(VECTORS, folder, 'expected.json'), 'utf8'));
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
