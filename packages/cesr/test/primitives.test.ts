import { createHash } from 'node:crypto';
import type { CounterCode, IndexerCode, MatterCode } from '@kestrel/cesr';
import {
  bytesToHex,
  counter,
  counterFromQb64,
  counterToQb2,
  datetimePrimitive,
  datetimeValue,
  hexToBytes,
  indexedSignature,
  indexerFromQb64,
  indexerToQb2,
  matterFromQb2,
  matterFromQb64,
  matterFromRaw,
  matterToQb2,
  numberPrimitive,
  numberValue,
  readCounterBinary,
  readIndexerBinary,
  seqner,
  seqnerValue,
} from '@kestrel/cesr';
import { describe, expect, it } from 'vitest';
import { primitives } from '../../../test/support/vectors.js';

const vectors = primitives();
type Row = [string, any];
const matterRows: Row[] = vectors.matter.map((row: any) => [row.qb64 ?? row.qb64_prefix, row]);
const indexerRows: Row[] = vectors.indexer.map((row: any) => [
  `${row.code} ${row.index}/${row.ondex}`,
  row,
]);
const counterRows: Row[] = vectors.counter_v1.map((row: any) => [row.qb64, row]);

describe('Matter vectors (keripy 1.3.6 primitives.json)', () => {
  it.each(matterRows)('%s', (_qb64, row: any) => {
    if (row.raw === null) {
      // Big variable-size rows: raw = SHAKE-256(label) of `rawlen` bytes; qb64 given by its SHA-256.
      const raw = new Uint8Array(
        createHash('shake256', { outputLength: row.rawlen })
          .update(row.raw_shake256_label)
          .digest(),
      );
      const built = matterFromRaw(row.requested_code as MatterCode, raw);
      expect(built.code).toBe(row.code);
      expect(built.qb64.startsWith(row.qb64_prefix)).toBe(true);
      expect(createHash('sha256').update(built.qb64).digest('hex')).toBe(row.qb64_sha256);
      expect(matterFromQb64(built.qb64).raw).toEqual(raw);
      expect(matterFromQb2(matterToQb2(built)).qb64).toBe(built.qb64);
      return;
    }
    const raw = hexToBytes(row.raw);
    const requested = (row.requested_code ?? row.code) as MatterCode;
    const built = matterFromRaw(requested, raw, row.soft ?? '');
    expect(built.qb64).toBe(row.qb64);
    expect(built.code).toBe(row.code);
    expect(bytesToHex(matterToQb2(built))).toBe(row.qb2);

    const parsed = matterFromQb64(row.qb64);
    expect(parsed.code).toBe(row.code);
    expect(bytesToHex(parsed.raw)).toBe(row.raw);
    const fromBinary = matterFromQb2(hexToBytes(row.qb2));
    expect(fromBinary.qb64).toBe(row.qb64);
    expect(bytesToHex(fromBinary.raw)).toBe(row.raw);
  });
});

describe('Indexer vectors', () => {
  it.each(indexerRows)('%s', (_n, row: any) => {
    if (row.error) {
      // keripy refuses these index/ondex combinations; so must we.
      expect(() =>
        indexedSignature(
          row.code as IndexerCode,
          new Uint8Array(114),
          row.index,
          row.ondex ?? undefined,
        ),
      ).toThrow(/index/);
      return;
    }
    const ondex = row.requested.ondex === null ? undefined : row.requested.ondex;
    const built = indexedSignature(
      row.code as IndexerCode,
      hexToBytes(row.raw),
      row.requested.index,
      ondex,
    );
    expect(built.qb64).toBe(row.qb64);
    expect(built.ondex).toBe(row.ondex === null ? undefined : row.ondex);
    expect(bytesToHex(indexerToQb2(built))).toBe(row.qb2);
    const parsed = indexerFromQb64(row.qb64);
    expect([parsed.code, parsed.index, parsed.ondex]).toEqual([
      row.code,
      row.index,
      row.ondex ?? undefined,
    ]);
    expect(bytesToHex(parsed.raw)).toBe(row.raw);
    expect(readIndexerBinary(hexToBytes(row.qb2)).qb64).toBe(row.qb64);
  });
});

describe('Counter v1 vectors', () => {
  it.each(counterRows)('%s', (_q, row: any) => {
    const built = counter(row.requested_code as CounterCode, row.count);
    expect(built.qb64).toBe(row.qb64);
    expect(built.code).toBe(row.code);
    expect(bytesToHex(counterToQb2(built))).toBe(row.qb2);
    const parsed = counterFromQb64(row.qb64);
    expect([parsed.code, parsed.count]).toEqual([row.code, row.count]);
    expect(readCounterBinary(hexToBytes(row.qb2)).qb64).toBe(row.qb64);
  });
});

describe('semantic primitives', () => {
  it('numbers pick keripy codes by size and round trip', () => {
    for (const row of vectors.semantic.numbers) {
      const value = BigInt(`0x${row.numh}`); // JSON numbers above 2^53 are not exact in JavaScript
      const built = numberPrimitive(value);
      expect(built.code).toBe(row.code);
      expect(built.qb64).toBe(row.qb64);
      expect(bytesToHex(matterToQb2(built))).toBe(row.qb2);
      expect(numberValue(matterFromQb64(row.qb64))).toBe(value);
    }
  });
  it('sequence numbers are 16-byte 0A primitives', () => {
    for (const row of vectors.semantic.seqners) {
      expect(seqner(BigInt(row.sn)).qb64).toBe(row.qb64);
      expect(seqnerValue(matterFromQb64(row.qb64))).toBe(BigInt(row.sn));
    }
  });
  it('datetimes', () => {
    for (const row of vectors.semantic.daters) {
      const built = datetimePrimitive(row.dts);
      expect(built.qb64).toBe(row.qb64);
      expect(bytesToHex(matterToQb2(built))).toBe(row.qb2);
      expect(datetimeValue(built)).toBe(row.dts);
    }
  });
  it('ilk tags', () => {
    for (const row of vectors.semantic.ilkers) {
      expect(matterFromRaw(row.code, new Uint8Array(0), row.ilk).qb64).toBe(row.qb64);
    }
  });
});
