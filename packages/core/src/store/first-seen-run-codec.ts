/**
 * @module store/first-seen-run-codec
 * A prefix's first-seen log is stored in runs, one per prefix per committed batch (see
 * `KelStore.putEvent`). A run is bytes: 0xc1 (like event records, so that a store holding msgpack
 * values beside them keeps it as it is), the format byte, then one entry per event, four ASCII
 * fields each (first-seen ordinal and sn in hex, type, SAID), each field a length byte and its
 * characters.
 *
 * Why bytes: entries are appended as events are accepted, so a pending batch holds one buffer per
 * run instead of an array and two fresh strings per event, which every young-generation
 * collection had to copy; and the store writes the run as it is instead of packing four thousand
 * strings when the batch is committed. A run is read back as one string cut into its fields (the
 * fields are substrings of it, so reading allocates no more than unpacking a map would).
 */
import { StoreError } from '../errors.js';
import type { KeyEventIlk } from '../event/fields.js';
import { FORMAT_MARKER, writeAscii } from './byte-formats.js';
import type { FirstSeenEntry } from './records.js';

/** Event records are format 1; runs format 2, so that neither reads as the other. */
const FORMAT = 2;
const HEADER = 2;
/** Fields are ASCII with a one-byte length: hex numbers, types and qb64 digests are far shorter. */
const MAX_FIELD = 0x7f;

const ascii = new TextDecoder('utf-8', { fatal: true });

/** Builds one run's bytes as events are accepted (appending to a run read back extends it). */
export class FirstSeenRunWriter {
  private bytes = new Uint8Array(256);
  private length = HEADER;

  constructor(entries: readonly FirstSeenEntry[] = []) {
    this.bytes[0] = FORMAT_MARKER;
    this.bytes[1] = FORMAT;
    for (const [firstSeen, sn, ilk, said] of entries) this.append(firstSeen, sn, ilk, said);
  }

  /** Appends one entry; a field it could not read back throws, and leaves the run as it was. */
  append(firstSeen: string, sn: string, ilk: KeyEventIlk, said: string): void {
    this.reserve(4 + firstSeen.length + sn.length + ilk.length + said.length);
    let at = this.length;
    at = this.field(firstSeen, at);
    at = this.field(sn, at);
    at = this.field(ilk, at);
    this.length = this.field(said, at);
  }

  /** The run as stored: a copy of its bytes, as long as they are (the buffer grows by doubling). */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  /** The entries so far (what a read of the pending run sees). */
  entries(): FirstSeenEntry[] {
    return decodeFirstSeenRun(this.bytes.subarray(0, this.length));
  }

  private reserve(size: number): void {
    if (this.length + size <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(2 * this.bytes.length, this.length + size));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /** Writes a field at `at`; returns where it ends. */
  private field(text: string, at: number): number {
    if (text.length > MAX_FIELD)
      throw new StoreError('corrupt_record', 'A first-seen field is too long');
    this.bytes[at] = text.length;
    const end = writeAscii(this.bytes, at + 1, text);
    if (end < 0) throw new StoreError('corrupt_record', 'A first-seen field is not ASCII');
    return end;
  }
}

/** Whether a stored value is a run in this format (rather than a run kept as a map). */
export function isFirstSeenRun(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value[0] === FORMAT_MARKER && value[1] === FORMAT;
}

/** The entries of a run written by `FirstSeenRunWriter`; a typed error if it is not one. */
export function decodeFirstSeenRun(bytes: Uint8Array): FirstSeenEntry[] {
  if (!isFirstSeenRun(bytes))
    throw new StoreError('corrupt_record', 'Unknown first-seen run format');
  let text: string;
  try {
    text = ascii.decode(bytes.subarray(HEADER));
  } catch {
    text = '';
  }
  // One character per byte, so that offsets in the text are offsets in the bytes.
  if (text.length !== bytes.length - HEADER)
    throw new StoreError('corrupt_record', 'A first-seen run is not ASCII');
  const entries: FirstSeenEntry[] = [];
  let at = 0;
  const field = (): string => {
    const end = at < text.length ? at + 1 + text.charCodeAt(at) : Number.POSITIVE_INFINITY;
    if (end > text.length) throw new StoreError('corrupt_record', 'A first-seen run is truncated');
    const value = text.slice(at + 1, end);
    at = end;
    return value;
  };
  while (at < text.length) {
    const firstSeen = field();
    const sn = field();
    const ilk = field() as KeyEventIlk;
    entries.push([firstSeen, sn, ilk, field()]);
  }
  return entries;
}
