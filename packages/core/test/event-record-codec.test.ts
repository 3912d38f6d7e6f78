import {
  decodeEventRecord,
  type EventRecord,
  encodeEventRecord,
  StoreError,
  storedEventRecord,
} from '@kestrel/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';

const text = fc.string({ unit: 'binary', maxLength: 80 }); // any code points, not only ASCII
const ascii = fc.string({ maxLength: 60 });
// Around the length from which the codec writes strings natively (signatures are 88 characters).
const long = fc.oneof(
  fc.string({ minLength: 60, maxLength: 100 }),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 100 }),
);
const record: fc.Arbitrary<EventRecord> = fc.record(
  {
    prefix: ascii,
    sn: ascii,
    said: ascii,
    ilk: fc.constantFrom('icp', 'rot', 'ixn', 'dip', 'drt'),
    raw: fc.uint8Array({ maxLength: 2000 }),
    signatures: fc.array(fc.oneof(ascii, long), { maxLength: 4 }),
    witnessSignatures: fc.array(text, { maxLength: 3 }),
    receipts: fc.array(fc.record({ prefix: text, signature: ascii }), { maxLength: 3 }),
    transferableReceipts: fc.array(
      fc.record({ prefix: ascii, sn: ascii, said: text, signature: ascii }),
      { maxLength: 3 },
    ),
    witnesses: fc.array(ascii, { maxLength: 200 }),
    firstSeen: ascii,
    datetime: text,
    sourceSeal: fc.record({ sn: ascii, said: text }),
  },
  {
    requiredKeys: [
      'prefix',
      'sn',
      'said',
      'ilk',
      'raw',
      'signatures',
      'witnessSignatures',
      'receipts',
      'transferableReceipts',
      'witnesses',
      'firstSeen',
      'datetime',
    ],
  },
);

/** Plain data for comparison (a decoded raw may be a Buffer or a Uint8Array view). */
const plain = (value: EventRecord) => ({ ...value, raw: [...value.raw] });

describe('event record codec', () => {
  it('round-trips any record, including non-ASCII strings and an absent source seal', () => {
    fc.assert(
      fc.property(record, (value) => {
        expect(plain(decodeEventRecord(encodeEventRecord(value)))).toEqual(plain(value));
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('keeps a string that starts with U+FEFF whole (not read as a byte-order mark)', () => {
    const base = fc.sample(record, { numRuns: 1, seed: 1 })[0]!;
    const value = { ...base, said: '\ufeff', datetime: '\ufeffx' };
    expect(plain(decodeEventRecord(encodeEventRecord(value)))).toEqual(plain(value));
  });

  it('keeps each encoding intact while later records are encoded (slab reuse)', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 2, maxLength: 150 }), (values) => {
        const encoded = values.map(encodeEventRecord);
        encoded.forEach((bytes, index) => {
          expect(plain(decodeEventRecord(bytes))).toEqual(plain(values[index]!));
        });
      }),
      { numRuns: propertyRuns(40) },
    );
  });

  it('keeps records intact across slab boundaries, with records larger than a slab among them', () => {
    // Sizes chosen so that records straddle the end of a 64 KiB slab, and some need a buffer of
    // their own (more than a quarter slab) before and after small ones.
    const sizes = [30_000, 20_000, 17_000, 100, 70_000, 5, 16_000, 16_500, 200_000, 1, 40_000];
    fc.assert(
      fc.property(
        fc.array(record, { minLength: sizes.length, maxLength: sizes.length }),
        (base) => {
          const values = base.map((value, index) => ({
            ...value,
            raw: Uint8Array.from({ length: sizes[index]! }, (_, at) => (at * 7 + index) & 0xff),
          }));
          const encoded = values.map(encodeEventRecord);
          encoded.forEach((bytes, index) => {
            expect(plain(decodeEventRecord(bytes))).toEqual(plain(values[index]!));
          });
        },
      ),
      { numRuns: propertyRuns(5) },
    );
  });

  it('starts every record with 0xc1, which begins no msgpack value, then format 1', () => {
    // The LMDB store keeps values that start so as they are. Before the marker, it stored records
    // behind a one-byte 0xc1 tag of its own, with the format byte next: the same bytes on disk.
    fc.assert(
      fc.property(record, (value) => {
        expect([...encodeEventRecord(value).subarray(0, 2)]).toEqual([0xc1, 1]);
      }),
      { numRuns: propertyRuns(20) },
    );
  });

  it('answers truncated, extended or foreign bytes with a typed error', () => {
    fc.assert(
      fc.property(record, fc.nat(), (value, cut) => {
        const bytes = encodeEventRecord(value);
        const shorter = bytes.subarray(0, cut % bytes.length);
        expect(() => decodeEventRecord(shorter)).toThrow(StoreError);
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        expect(() => decodeEventRecord(longer)).toThrow(StoreError);
      }),
      { numRuns: propertyRuns(200) },
    );
    const foreign = Uint8Array.from([0x81, 0xa1, 0x61, 0x01]); // a msgpack map
    expect(() => decodeEventRecord(foreign)).toThrow(/format/);
    try {
      decodeEventRecord(foreign);
    } catch (error) {
      expect((error as StoreError).code).toBe('corrupt_record');
    }
  });

  it('reads a stored value in either form: codec bytes, or a record kept as a map', () => {
    fc.assert(
      fc.property(record, (value) => {
        expect(plain(storedEventRecord(encodeEventRecord(value)))).toEqual(plain(value));
        expect(storedEventRecord(value)).toBe(value);
      }),
      { numRuns: propertyRuns(50) },
    );
  });
});
