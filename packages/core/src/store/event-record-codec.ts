/**
 * @module store/event-record-codec
 * Accepted events as compact bytes. Every accepted event is written once, so its record is the
 * store's hottest value: encoding it as a generic map (field names in every value, a walk over
 * every property at commit time) cost more than any other step besides signature verification.
 * This codec writes the fields in a fixed order, lengths as unsigned LEB128 varints, strings as
 * UTF-8, and runs when the event is accepted, so a pending batch holds flat bytes rather than
 * object graphs that every young-generation collection would have to copy.
 *
 * Layout (format 1): the marker byte 0xc1, the format byte, prefix, sn, said, ilk, raw (length +
 * bytes), signatures, witness signatures, receipts (prefix, signature), transferable receipts
 * (prefix, sn, said, signature), witnesses, first-seen ordinal, datetime, then a flag byte (1 when
 * a source seal follows: sn, said). Lists are a count followed by their items.
 */
import { StoreError } from '../errors.js';
import type { KeyEventIlk } from '../event/fields.js';
import { FORMAT_MARKER, writeAscii } from './byte-formats.js';
import type {
  EventRecord,
  ReceiptCoupleRecord,
  SourceSealRecord,
  TransferableReceiptRecord,
} from './records.js';

/** Event records are format 1 (after `FORMAT_MARKER`); first-seen runs are format 2. */
const FORMAT = 1;

/** Records are copied into slabs of this size (larger ones get their own buffer). */
const SLAB_SIZE = 64 * 1024;

const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the string written, not a byte-order mark to drop.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Writes records straight into shared slabs: a view per record instead of an ArrayBuffer per
 * record, whose allocation (off the JavaScript heap) cost more than the encoding. A slab lives as
 * long as any record in it, which is until its batch is committed. Encoding is synchronous, so one
 * writer serves every record.
 */
class Writer {
  /** The current slab (or, after a record larger than a quarter slab, that record's own buffer). */
  private buffer = new Uint8Array(0);
  /** Where the record being written starts in `buffer`. */
  private start = 0;
  private offset = 0;

  /** Starts a record after the previous one. */
  reset(): void {
    this.start = this.offset;
  }

  /** Makes room for `size` more bytes, moving the record so far to a new slab if needed. */
  private reserve(size: number): void {
    if (this.offset + size <= this.buffer.length) return;
    const written = this.offset - this.start;
    const needed = written + size;
    const next = new Uint8Array(
      needed > SLAB_SIZE / 4 ? Math.max(2 * needed, SLAB_SIZE) : SLAB_SIZE,
    );
    next.set(this.buffer.subarray(this.start, this.offset));
    this.buffer = next;
    this.start = 0;
    this.offset = written;
  }

  uint(value: number): void {
    this.reserve(5);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[this.offset++] = rest;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.offset++] = value;
  }

  bytes(value: Uint8Array): void {
    this.uint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  /** Qb64, hex and datetimes are ASCII, written as such (`writeAscii`); UTF-8 otherwise. */
  string(value: string): void {
    this.reserve(value.length + 5);
    const start = this.offset;
    this.uint(value.length);
    const end = writeAscii(this.buffer, this.offset, value);
    if (end >= 0) {
      this.offset = end;
      return;
    }
    this.offset = start;
    this.bytes(utf8.encode(value));
  }

  strings(values: readonly string[]): void {
    this.uint(values.length);
    for (const value of values) this.string(value);
  }

  /** The record written since `reset`. */
  finish(): Uint8Array {
    const record = this.buffer.subarray(this.start, this.offset);
    this.start = this.offset;
    return record;
  }
}

class Reader {
  private offset = 0;

  constructor(private readonly buffer: Uint8Array) {}

  get done(): boolean {
    return this.offset === this.buffer.length;
  }

  uint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.offset >= this.buffer.length || shift > 28) throw truncated();
      const byte = this.buffer[this.offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  }

  byte(): number {
    if (this.offset >= this.buffer.length) throw truncated();
    return this.buffer[this.offset++]!;
  }

  /** A copy: the buffer may be a store's reusable read buffer. */
  bytes(): Uint8Array {
    const length = this.uint();
    const end = this.offset + length;
    if (end > this.buffer.length) throw truncated();
    const value = this.buffer.slice(this.offset, end);
    this.offset = end;
    return value;
  }

  string(): string {
    const length = this.uint();
    const end = this.offset + length;
    if (end > this.buffer.length) throw truncated();
    const value = utf8Decoder.decode(this.buffer.subarray(this.offset, end));
    this.offset = end;
    return value;
  }

  list<T>(item: () => T): T[] {
    const count = this.uint();
    const values: T[] = [];
    for (let index = 0; index < count; index++) values.push(item());
    return values;
  }
}

function truncated(): StoreError {
  return new StoreError('corrupt_record', 'A stored event record ends before its last field');
}

const writer = new Writer();

/** An event record as bytes (format 1). */
export function encodeEventRecord(record: EventRecord): Uint8Array {
  writer.reset();
  writer.byte(FORMAT_MARKER);
  writer.byte(FORMAT);
  writer.string(record.prefix);
  writer.string(record.sn);
  writer.string(record.said);
  writer.string(record.ilk);
  writer.bytes(record.raw);
  writer.strings(record.signatures);
  writer.strings(record.witnessSignatures);
  writer.uint(record.receipts.length);
  for (const receipt of record.receipts) {
    writer.string(receipt.prefix);
    writer.string(receipt.signature);
  }
  writer.uint(record.transferableReceipts.length);
  for (const receipt of record.transferableReceipts) {
    writer.string(receipt.prefix);
    writer.string(receipt.sn);
    writer.string(receipt.said);
    writer.string(receipt.signature);
  }
  writer.strings(record.witnesses);
  writer.string(record.firstSeen);
  writer.string(record.datetime);
  if (record.sourceSeal) {
    writer.byte(1);
    writer.string(record.sourceSeal.sn);
    writer.string(record.sourceSeal.said);
  } else {
    writer.byte(0);
  }
  return writer.finish();
}

/** Reads an event record written by `encodeEventRecord`; a typed error if it is not one. */
export function decodeEventRecord(bytes: Uint8Array): EventRecord {
  const reader = new Reader(bytes);
  const marker = reader.byte();
  const format = reader.byte();
  if (marker !== FORMAT_MARKER || format !== FORMAT)
    throw new StoreError('corrupt_record', `Unknown event record format ${marker}.${format}`);
  const prefix = reader.string();
  const sn = reader.string();
  const said = reader.string();
  const ilk = reader.string() as KeyEventIlk;
  const raw = reader.bytes();
  const text = () => reader.string();
  const signatures = reader.list(text);
  const witnessSignatures = reader.list(text);
  const receipts = reader.list<ReceiptCoupleRecord>(() => ({
    prefix: reader.string(),
    signature: reader.string(),
  }));
  const transferableReceipts = reader.list<TransferableReceiptRecord>(() => ({
    prefix: reader.string(),
    sn: reader.string(),
    said: reader.string(),
    signature: reader.string(),
  }));
  const witnesses = reader.list(text);
  const firstSeen = reader.string();
  const datetime = reader.string();
  const sourceSeal: SourceSealRecord | undefined =
    reader.byte() === 1 ? { sn: reader.string(), said: reader.string() } : undefined;
  if (!reader.done)
    throw new StoreError('corrupt_record', 'A stored event record has bytes after its last field');
  return {
    prefix,
    sn,
    said,
    ilk,
    raw,
    signatures,
    witnessSignatures,
    receipts,
    transferableReceipts,
    witnesses,
    firstSeen,
    datetime,
    ...(sourceSeal ? { sourceSeal } : {}),
  };
}

/**
 * A stored value of the events table as a record: bytes from this codec, or a map as stores
 * written before it kept them.
 */
export function storedEventRecord(value: unknown): EventRecord {
  return value instanceof Uint8Array ? decodeEventRecord(value) : (value as EventRecord);
}
