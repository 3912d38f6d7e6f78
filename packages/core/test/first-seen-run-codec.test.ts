import {
  decodeFirstSeenRun,
  type FirstSeenEntry,
  FirstSeenRunWriter,
  isFirstSeenRun,
  StoreError,
} from '@kestrel/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';

const hex = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map((value) => value.toString(16));
const qb64 = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
  minLength: 44,
  maxLength: 88,
});
const entry: fc.Arbitrary<FirstSeenEntry> = fc.tuple(
  hex,
  hex,
  fc.constantFrom('icp', 'rot', 'ixn', 'dip', 'drt'),
  qb64,
);

const written = (entries: readonly FirstSeenEntry[]) => {
  const writer = new FirstSeenRunWriter();
  for (const [firstSeen, sn, ilk, said] of entries) writer.append(firstSeen, sn, ilk, said);
  return writer;
};

describe('first-seen run codec', () => {
  it('round-trips any run, pending (through its writer) and stored (as bytes)', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 300 }), (entries) => {
        const writer = written(entries);
        expect(writer.entries()).toEqual(entries);
        const bytes = writer.finish();
        expect(isFirstSeenRun(bytes)).toBe(true);
        expect(decodeFirstSeenRun(bytes)).toEqual(entries);
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  it('extends a stored run with what follows, as a run written in one go', () => {
    fc.assert(
      fc.property(fc.array(entry), fc.array(entry), (before, after) => {
        const extended = new FirstSeenRunWriter(decodeFirstSeenRun(written(before).finish()));
        for (const [firstSeen, sn, ilk, said] of after) extended.append(firstSeen, sn, ilk, said);
        expect([...extended.finish()]).toEqual([...written([...before, ...after]).finish()]);
      }),
      { numRuns: propertyRuns(50) },
    );
  });

  it('starts with 0xc1 (no msgpack value does) and a format other than event records', () => {
    const bytes = written([]).finish();
    expect([...bytes]).toEqual([0xc1, 2]);
    expect(isFirstSeenRun(Uint8Array.from([0xc1, 1, 3]))).toBe(false); // an event record
  });

  it('answers truncated, extended or foreign bytes with a typed error', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 20 }), fc.nat(), (entries, cut) => {
        const bytes = written(entries).finish();
        // Cut anywhere after the header but before the end: never a whole number of entries
        // unless the cut falls between entries, which then reads as the entries before it.
        const at = 2 + (cut % (bytes.length - 2));
        let decoded: FirstSeenEntry[] | undefined;
        try {
          decoded = decodeFirstSeenRun(bytes.subarray(0, at));
        } catch (error) {
          expect(error).toBeInstanceOf(StoreError);
          expect((error as StoreError).code).toBe('corrupt_record');
        }
        if (decoded !== undefined) expect(entries.slice(0, decoded.length)).toEqual(decoded);
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        longer[bytes.length] = 5; // a field length with nothing after it
        expect(() => decodeFirstSeenRun(longer)).toThrow(StoreError);
      }),
      { numRuns: propertyRuns(200) },
    );
    for (const foreign of [
      [0x81, 0xa1, 0x61, 1],
      [0xc1, 1],
      [0xc1, 2, 0xff],
      [0xc1, 2, 2, 0xc3, 0xa9],
    ])
      expect(() => decodeFirstSeenRun(Uint8Array.from(foreign))).toThrow(StoreError);
  });

  it('refuses fields it could not read back: not ASCII, or longer than a length byte says', () => {
    const writer = written([['0', '0', 'icp', 'E'.repeat(44)]]);
    expect(() => writer.append('1', '1', 'ixn', 'É'.repeat(44))).toThrow(StoreError);
    expect(() => writer.append('1', '1', 'ixn', 'E'.repeat(128))).toThrow(StoreError);
    // Nothing of the refused entries was kept.
    expect(decodeFirstSeenRun(writer.finish())).toEqual([['0', '0', 'icp', 'E'.repeat(44)]]);
  });
});
