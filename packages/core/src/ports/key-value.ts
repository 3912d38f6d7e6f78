/**
 * @module ports/key-value
 * The storage port: a few ordered tables of string keys and structured values, read
 * synchronously and written in atomic, durable batches. Memory and LMDB implement it (both pass
 * the store contract suite); the core builds the KEL, escrows and evidence on top of it.
 *
 * Reads are synchronous so that validation of an event never waits on I/O (LMDB reads are
 * memory-mapped); writes are batched so that one fsync covers many events.
 */

/** The tables of a Kestrel store. */
export const TABLES = [
  'events', // accepted events with signatures and receipts, by prefix + sn + SAID (KEL order)
  'firstSeen', // first-seen log in runs of events, by prefix + first ordinal of the run
  'states', // key state record by prefix
  'escrows', // events waiting for something, by kind + prefix + sn + SAID
  'receipts', // receipts whose event is not accepted yet, by prefix + SAID
  'anchors', // which events anchor a seal {i, s, d}, by i + s + d + anchoring prefix + sn
  'duplicity', // duplicity evidence, by prefix + sn + SAID
  'meta', // store format version and the like
] as const;

export type TableName = (typeof TABLES)[number];

/** Values must be structured-cloneable: objects, arrays, strings, numbers, booleans, Uint8Array. */
export type StoredValue = unknown;

export type Write =
  | { readonly table: TableName; readonly key: string; readonly value: StoredValue }
  | { readonly table: TableName; readonly key: string; readonly delete: true };

export interface ScanOptions {
  /** Only keys starting with this prefix. */
  readonly prefix: string;
  readonly reverse?: boolean;
  readonly limit?: number;
}

export interface KeyValueStore {
  get(table: TableName, key: string): StoredValue | undefined;
  /** Entries in key order (UTF-16 code unit order, which is byte order for the ASCII keys we use). */
  scan(table: TableName, options: ScanOptions): Iterable<readonly [string, StoredValue]>;
  /**
   * Applies all writes atomically and durably; resolves when they are on disk. A store may read
   * byte values until then (LMDB's keeps them as they are), so they must not change meanwhile.
   */
  commit(writes: readonly Write[]): Promise<void>;
  close(): Promise<void>;
}

/** Key separator: not a Base64 character, so prefixes and SAIDs never contain it. */
export const SEPARATOR = '.';

/** A sequence number as a fixed-width key part (32 hex digits sort numerically). */
export function snKey(sn: bigint): string {
  return sn.toString(16).padStart(32, '0');
}

/** `snKey` of a sequence number kept in hex (records keep them so). */
export function hexSnKey(hex: string): string {
  return CANONICAL_HEX.test(hex) ? hex.padStart(32, '0') : snKey(BigInt(`0x${hex}`));
}

const CANONICAL_HEX = /^(0|[1-9a-f][0-9a-f]{0,31})$/;

export function joinKey(...parts: readonly string[]): string {
  return parts.join(SEPARATOR);
}
