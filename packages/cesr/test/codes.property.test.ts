/**
 * Round trips qb64 <-> qb2 <-> raw for every row of the three CESR 1.0 code tables (Matter,
 * Indexer, Counter v1), with random raws, sizes, indices and counts within each row's limits; and
 * nonzero pad or lead bits are never accepted by either decoder (CESR spec, "Pad size", "Lead size").
 */

import {
  BASE64_ALPHABET,
  bytesToHex,
  CesrError,
  COUNTER_SIZES_V1,
  type CounterCode,
  counter,
  counterFromQb64,
  counterToQb2,
  encodeBase64,
  equalBytes,
  INDEXER_SIZES,
  type IndexerCode,
  indexedSignature,
  indexerFromQb64,
  indexerToQb2,
  MATTER_SIZES,
  type MatterCode,
  matterFromQb2,
  matterFromQb64,
  matterFromRaw,
  matterToQb2,
  qb64Code,
  qb64MatchesRaw,
  readCounter,
  readCounterBinary,
  readIndexer,
  readIndexerBinary,
  readMatter,
  readMatterBinary,
} from '@kestrel/cesr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';

const RUNS = 25;

const matterCodes = Object.keys(MATTER_SIZES) as MatterCode[];
const fixedCodes = matterCodes.filter((code) => MATTER_SIZES[code].fs !== null);
const variableCodes = matterCodes.filter((code) => MATTER_SIZES[code].fs === null);
const indexerCodes = Object.keys(INDEXER_SIZES) as IndexerCode[];
const counterCodes = Object.keys(COUNTER_SIZES_V1) as CounterCode[];

/** Bytes of a given length from a seed (fast to build even for the big variable-size forms). */
function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

const bytesOfLength = (length: number) =>
  length <= 256
    ? fc.uint8Array({ minLength: length, maxLength: length })
    : fc.integer().map((seed) => seededBytes(length, seed));

const base64Text = (length: number) =>
  fc
    .array(fc.constantFrom(...BASE64_ALPHABET), { minLength: length, maxLength: length })
    .map((chars) => chars.join(''));

/** Sets bit `bit` (0 = most significant bit of byte 0). */
function withBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[bit >> 3]! ^= 0x80 >> (bit & 7);
  return out;
}

/** Byte equality (vitest's deep equality is slow on the 16 KB raws of the big forms). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (!equalBytes(actual, expected)) expect(bytesToHex(actual)).toBe(bytesToHex(expected));
}

function expectCesrError(decode: () => unknown): CesrError {
  try {
    decode();
  } catch (caught) {
    expect(caught).toBeInstanceOf(CesrError);
    return caught as CesrError;
  }
  throw new Error('decoding succeeded');
}

/** Decodes qb64 and qb2 every way there is and checks they agree with `qb64`. */
function expectMatterRoundTrip(
  qb64: string,
  code: MatterCode,
  soft: string,
  raw: Uint8Array,
): void {
  for (const parsed of [
    matterFromQb64(qb64),
    readMatter(`--${qb64}AAAA`, 2),
    readMatter(new TextEncoder().encode(qb64)),
  ]) {
    expect(parsed.code).toBe(code);
    expect(parsed.soft).toBe(soft);
    expectSameBytes(parsed.raw, raw);
    expect(parsed.qb64).toBe(qb64);
  }
  const qb2 = matterToQb2(matterFromQb64(qb64));
  expect(qb2.length).toBe((qb64.length * 3) / 4);
  expect(encodeBase64(qb2)).toBe(qb64);
  const fromBinary = matterFromQb2(qb2);
  expect([fromBinary.code, fromBinary.soft, fromBinary.qb64]).toEqual([code, soft, qb64]);
  expectSameBytes(fromBinary.raw, raw);
  const padded = new Uint8Array(qb2.length + 6);
  padded.set(qb2, 3);
  expect(readMatterBinary(padded, 3).qb64).toBe(qb64);
}

/** Bits that must be zero after the code: pre-pad bits (fixed codes) and lead bytes. */
function padBits(hs: number, ss: number, ls: number): { from: number; count: number } {
  const cs = hs + ss;
  return { from: cs * 6, count: 2 * (cs % 4) + 8 * ls };
}

describe('Matter: every fixed-size code', () => {
  it.each(fixedCodes)('%s round trips raw <-> qb64 <-> qb2', (code) => {
    const { hs, ss, xs, fs, ls } = MATTER_SIZES[code];
    const rawSize = Math.floor(((fs! - hs - ss) * 3) / 4) - ls;
    fc.assert(
      fc.property(bytesOfLength(rawSize), base64Text(ss - xs), (raw, soft) => {
        const built = matterFromRaw(code, raw, soft);
        expect(built.qb64.length).toBe(fs);
        expect(built.qb64.startsWith(code + '_'.repeat(xs) + soft)).toBe(true);
        expectMatterRoundTrip(built.qb64, code, soft, raw);
        expect(qb64Code(built.qb64)).toBe(code);
        expect(qb64Code(built.qb64.slice(0, -1))).toBeUndefined();
        expect(qb64Code(`${built.qb64}A`)).toBeUndefined();
      }),
      { numRuns: propertyRuns(RUNS) },
    );
  });

  it.each(fixedCodes.filter((code) => MATTER_SIZES[code].ss === 0))(
    '%s: qb64MatchesRaw holds for its own qb64 and for no other',
    (code) => {
      const { fs, hs, ls } = MATTER_SIZES[code];
      const rawSize = Math.floor(((fs! - hs) * 3) / 4) - ls;
      fc.assert(
        fc.property(
          bytesOfLength(rawSize),
          fc.integer({ min: 0, max: fs! - 1 }),
          fc.constantFrom(...BASE64_ALPHABET),
          (raw, position, digit) => {
            const qb64 = matterFromRaw(code, raw).qb64;
            expect(qb64MatchesRaw(code, raw, qb64)).toBe(true);
            const other = qb64.slice(0, position) + digit + qb64.slice(position + 1);
            expect(qb64MatchesRaw(code, raw, other)).toBe(other === qb64);
            expect(qb64MatchesRaw(code, raw, qb64.slice(0, -1))).toBe(false);
          },
        ),
        { numRuns: propertyRuns(RUNS) },
      );
    },
  );

  it.each(
    fixedCodes.filter(
      (code) =>
        padBits(MATTER_SIZES[code].hs, MATTER_SIZES[code].ss, MATTER_SIZES[code].ls).count > 0,
    ),
  )('%s rejects any nonzero pad or lead bit', (code) => {
    const { hs, ss, xs, fs, ls } = MATTER_SIZES[code];
    const rawSize = Math.floor(((fs! - hs - ss) * 3) / 4) - ls;
    const pad = padBits(hs, ss, ls);
    fc.assert(
      fc.property(
        bytesOfLength(rawSize),
        base64Text(ss - xs),
        fc.integer({ min: 0, max: pad.count - 1 }),
        (raw, soft, bit) => {
          const qb2 = withBit(matterToQb2(matterFromRaw(code, raw, soft)), pad.from + bit);
          expect(expectCesrError(() => matterFromQb2(qb2)).code).toBe('nonzero_pad');
          expect(expectCesrError(() => matterFromQb64(encodeBase64(qb2))).code).toBe('nonzero_pad');
          expect(qb64Code(encodeBase64(qb2))).toBeUndefined();
        },
      ),
      { numRuns: propertyRuns(RUNS) },
    );
  });
});

describe('Matter: every variable-size code', () => {
  // Raw sizes: small ones, the edges of the small form (4095 quadlets = 12285 bytes with lead) and
  // the big form beyond it.
  const rawSizes = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 200 }), weight: 6 },
    { arbitrary: fc.integer({ min: 12_280, max: 12_292 }), weight: 2 },
    { arbitrary: fc.integer({ min: 12_293, max: 16_000 }), weight: 1 },
  );

  /** keripy's choice of code for a raw of `size` bytes requested as `code`, written out again. */
  function expectedCode(
    code: MatterCode,
    size: number,
  ): { code: string; lead: number; quadlets: number } {
    const lead = (3 - (size % 3)) % 3;
    const quadlets = (size + lead) / 3;
    const small = '456'.includes(code[0]!);
    if (small && quadlets < 64 ** 2) return { code: '456'[lead]! + code[1]!, lead, quadlets };
    return { code: `${'789'[lead]!}AA${code.at(-1)!}`, lead, quadlets };
  }

  it.each(variableCodes)(
    '%s round trips for random raw sizes (lead 0/1/2, small and big forms)',
    (code) => {
      fc.assert(
        fc.property(
          rawSizes.chain((size) => bytesOfLength(size)),
          (raw) => {
            const expected = expectedCode(code, raw.length);
            const built = matterFromRaw(code, raw);
            expect(built.code).toBe(expected.code);
            expect(MATTER_SIZES[built.code].ls).toBe(expected.lead);
            const cs = MATTER_SIZES[built.code].hs + MATTER_SIZES[built.code].ss;
            expect(built.qb64.length).toBe(cs + expected.quadlets * 4);
            expectMatterRoundTrip(built.qb64, built.code, built.soft, raw);
            expect(qb64Code(built.qb64)).toBe(built.code);
            // the soft part is the size in quadlets
            expect(built.soft).toBe(
              Array.from({ length: cs - MATTER_SIZES[built.code].hs }, (_, i) => {
                const digits = cs - MATTER_SIZES[built.code].hs;
                return BASE64_ALPHABET[Math.floor(expected.quadlets / 64 ** (digits - 1 - i)) % 64];
              }).join(''),
            );
          },
        ),
        { numRuns: propertyRuns(RUNS) },
      );
    },
  );

  it.each(variableCodes.filter((code) => MATTER_SIZES[code].ls > 0))(
    '%s rejects any nonzero lead bit',
    (code) => {
      const { hs, ss, ls } = MATTER_SIZES[code];
      const pad = padBits(hs, ss, ls);
      const rawSize = fc.integer({ min: 0, max: 60 }).map((n) => n * 3 + 3 - ls); // sizes with this lead size
      fc.assert(
        fc.property(
          rawSize.chain((size) => bytesOfLength(size)),
          fc.integer({ min: 0, max: pad.count - 1 }),
          (raw, bit) => {
            const built = matterFromRaw(code, raw);
            expect(built.code).toBe(code);
            const qb2 = withBit(matterToQb2(built), pad.from + bit);
            expect(expectCesrError(() => matterFromQb2(qb2)).code).toBe('nonzero_pad');
            expect(expectCesrError(() => matterFromQb64(encodeBase64(qb2))).code).toBe(
              'nonzero_pad',
            );
          },
        ),
        { numRuns: propertyRuns(RUNS) },
      );
    },
  );

  it('each family yields all six codes (three lead sizes, small and big)', () => {
    const families = new Set(variableCodes.map((code) => code.at(-1)!));
    for (const family of families) {
      const produced = new Set(
        [3, 2, 1, 12_288, 12_287, 12_286].map(
          (size) => matterFromRaw(`4${family}` as MatterCode, new Uint8Array(size)).code,
        ),
      );
      expect([...produced].sort()).toEqual(
        variableCodes.filter((code) => code.at(-1) === family).sort(),
      );
    }
  });
});

describe('Indexer: every code', () => {
  it.each(indexerCodes)('%s round trips with random index/ondex within its limits', (code) => {
    const { hs, ss, os, fs, lists } = INDEXER_SIZES[code];
    const cs = hs + ss;
    const rawSize = Math.floor(((fs - cs) * 3) / 4);
    const maxIndex = 64 ** (ss - os) - 1;
    const ondexes = (index: number): fc.Arbitrary<number | undefined> =>
      lists === 'current'
        ? fc.constant(undefined)
        : os === 0
          ? fc.constantFrom(undefined, index)
          : fc.option(fc.integer({ min: 0, max: 64 ** os - 1 }), { nil: undefined });
    const args = fc
      .integer({ min: 0, max: maxIndex })
      .chain((index) => fc.tuple(fc.constant(index), ondexes(index), bytesOfLength(rawSize)));
    fc.assert(
      fc.property(args, ([index, ondex, raw]) => {
        const built = indexedSignature(code, raw, index, ondex);
        const expectedOndex = lists === 'current' ? undefined : (ondex ?? index);
        expect(built.qb64.length).toBe(fs);
        expect(built.ondex).toBe(expectedOndex);
        const qb2 = indexerToQb2(built);
        expect(qb2.length).toBe((fs * 3) / 4);
        expect(encodeBase64(qb2)).toBe(built.qb64);
        const padded = new Uint8Array(qb2.length + 3);
        padded.set(qb2, 3);
        for (const parsed of [
          indexerFromQb64(built.qb64),
          readIndexer(`AB${built.qb64}`, 2),
          readIndexerBinary(qb2),
          readIndexerBinary(padded, 3),
        ]) {
          expect([parsed.code, parsed.index, parsed.ondex, parsed.qb64]).toEqual([
            code,
            index,
            expectedOndex,
            built.qb64,
          ]);
          expectSameBytes(parsed.raw, raw);
        }
      }),
      { numRuns: propertyRuns(RUNS) },
    );
  });

  it.each(indexerCodes)('%s refuses indices outside its limits', (code) => {
    const { ss, os, fs, hs, lists } = INDEXER_SIZES[code];
    const raw = new Uint8Array(Math.floor(((fs - hs - ss) * 3) / 4));
    const maxIndex = 64 ** (ss - os) - 1;
    expect(expectCesrError(() => indexedSignature(code, raw, maxIndex + 1)).code).toBe('bad_index');
    expect(expectCesrError(() => indexedSignature(code, raw, -1)).code).toBe('bad_index');
    if (lists === 'current')
      expect(expectCesrError(() => indexedSignature(code, raw, 0, 0)).code).toBe('bad_index');
    else if (os === 0)
      expect(expectCesrError(() => indexedSignature(code, raw, 0, 1)).code).toBe('bad_index');
    else
      expect(expectCesrError(() => indexedSignature(code, raw, 0, 64 ** os)).code).toBe(
        'bad_index',
      );
  });

  it.each(
    indexerCodes.filter(
      (code) =>
        padBits(INDEXER_SIZES[code].hs, INDEXER_SIZES[code].ss, INDEXER_SIZES[code].ls).count > 0,
    ),
  )('%s rejects any nonzero pad bit', (code) => {
    const { hs, ss, fs, ls } = INDEXER_SIZES[code];
    const pad = padBits(hs, ss, ls);
    fc.assert(
      fc.property(
        bytesOfLength(Math.floor(((fs - hs - ss) * 3) / 4)),
        fc.integer({ min: 0, max: pad.count - 1 }),
        (raw, bit) => {
          const qb2 = withBit(indexerToQb2(indexedSignature(code, raw, 0)), pad.from + bit);
          expect(expectCesrError(() => readIndexerBinary(qb2)).code).toBe('nonzero_pad');
          expect(expectCesrError(() => indexerFromQb64(encodeBase64(qb2))).code).toBe(
            'nonzero_pad',
          );
        },
      ),
      { numRuns: propertyRuns(RUNS) },
    );
  });

  it('codes without pad bits are exactly those whose code fills whole quadlets', () => {
    const withoutPad = indexerCodes.filter(
      (code) => (INDEXER_SIZES[code].hs + INDEXER_SIZES[code].ss) % 4 === 0,
    );
    expect(withoutPad.every((code) => INDEXER_SIZES[code].ls === 0)).toBe(true);
    expect(withoutPad.sort()).toEqual(['0A', '0B', '3A', '3B']);
  });
});

describe('Counter v1: every code', () => {
  it.each(counterCodes)('%s round trips with random counts within its limits', (code) => {
    const { ss, fs } = COUNTER_SIZES_V1[code];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 ** ss - 1 }), (count) => {
        const built = counter(code, count);
        expect([built.code, built.count, built.qb64.length]).toEqual([code, count, fs]);
        const qb2 = counterToQb2(built);
        expect(qb2.length).toBe((fs * 3) / 4);
        expect(encodeBase64(qb2)).toBe(built.qb64);
        const padded = new Uint8Array(qb2.length + 3);
        padded.set(qb2, 3);
        for (const parsed of [
          counterFromQb64(built.qb64),
          readCounter(`{}${built.qb64}-AAB`, 2),
          readCounterBinary(qb2),
          readCounterBinary(padded, 3),
        ]) {
          expect([parsed.code, parsed.count, parsed.qb64]).toEqual([code, count, built.qb64]);
        }
      }),
      { numRuns: propertyRuns(RUNS) },
    );
  });

  it.each(counterCodes.filter((code) => COUNTER_SIZES_V1[code].hs === 2))(
    '%s beyond two digits: promoted to its big form when it has one, refused otherwise',
    (code) => {
      const big = `-0${code[1]}`;
      fc.assert(
        fc.property(fc.integer({ min: 64 ** 2, max: 64 ** 5 - 1 }), (count) => {
          if (big in COUNTER_SIZES_V1) {
            const built = counter(code, count);
            expect(built.code).toBe(big);
            expect(counterFromQb64(built.qb64).count).toBe(count);
            expect(readCounterBinary(counterToQb2(built)).count).toBe(count);
          } else {
            expect(expectCesrError(() => counter(code, count)).code).toBe('bad_size');
          }
        }),
        { numRuns: propertyRuns(10) },
      );
    },
  );
});
