/**
 * @module @kestrel/store-lmdb
 * The embedded default store: LMDB on disk through npm `lmdb`. One named database per table,
 * msgpack-encoded values, ordered string keys. Reads are synchronous memory-mapped lookups;
 * `commit` writes a batch in one LMDB write transaction, which is atomic (LMDB's copy-on-write
 * B-tree never exposes a half-written transaction) and, once the promise resolves, flushed to disk.
 */
import { mkdirSync } from 'node:fs';
import { Slabs } from '@kestrel/cesr';
import {
  type KeyValueStore,
  type ScanOptions,
  type StoredValue,
  TABLES,
  type TableName,
  type Write,
} from '@kestrel/core';
import { asBinary, type Database, open, type RootDatabase } from 'lmdb';
import { Packr } from 'msgpackr';

export interface LmdbStoreOptions {
  /** Map size in bytes (grows automatically in lmdb-js; this is the starting size). */
  readonly mapSize?: number;
  /** Skip fsync on commit (faster, not crash-safe: for throwaway stores only). */
  readonly noSync?: boolean;
}

/**
 * Writes are grouped by our own batches: lmdb-js must neither defer them (commitDelay) nor wait
 * for the end of the event-loop turn to commit a batch (eventTurnBatching), which would hold
 * every commit until processing yields. Each batch is one `batch()` block, so it stays atomic.
 */
const WRITE_OPTIONS = { commitDelay: 0, eventTurnBatching: false };

/**
 * A first byte no msgpack value starts with (the format reserves 0xc1 as "never used"): values
 * that are already bytes (the core's encoded event records) are stored after it as they are,
 * without a msgpack header or a copy through msgpackr's buffers, and read back as bytes.
 */
const BYTES_TAG = 0xc1;

/** Values as msgpack maps, and byte values behind `BYTES_TAG`. */
class ValueEncoder extends Packr {
  override decode(source: Uint8Array, options?: number | { start?: number; end?: number }) {
    // msgpackr takes the value's bounds as an options object, or its end as a number (-1: none).
    const start = typeof options === 'object' ? (options.start ?? 0) : 0;
    if (source[start] !== BYTES_TAG) return super.decode(source, options as never);
    const end = (typeof options === 'object' ? options.end : options) ?? -1;
    // A copy: lmdb-js reads into a buffer it reuses for the next read.
    return Uint8Array.prototype.slice.call(source, start + 1, end > -1 ? end : source.length);
  }
}

/**
 * Values as msgpack maps: msgpackr's records, without structures shared across values, redefine
 * each record's fields in every value and cost more to write and to read than maps.
 */
const TABLE_ENCODING = {
  encoding: 'msgpack' as const,
  useRecords: false,
  encoder: { Encoder: ValueEncoder },
};

/**
 * Tagged copies come from shared 256 KiB slabs (values over a quarter slab get their own buffer):
 * a `Buffer` from Node's 8 KiB pool cost a new pool every few event records, a third of the time
 * `commit` spent on this thread. lmdb-js keeps a reference to the value and reads it by address
 * when it commits, which slab pieces allow: never reused, and their memory never moves.
 */
const taggedCopies = new Slabs(256 * 1024, 64 * 1024);

/** A byte value as lmdb-js stores it unencoded: the tag, then the bytes. */
function taggedBytes(value: Uint8Array): ReturnType<typeof asBinary> {
  const tagged = taggedCopies.take(value.length + 1);
  tagged[0] = BYTES_TAG;
  tagged.set(value, 1);
  return asBinary(tagged as Buffer);
}

/** The highest code unit, to end a prefix range. */
const RANGE_END = '\uffff';

export class LmdbStore implements KeyValueStore {
  private readonly root: RootDatabase;
  private readonly tables = new Map<TableName, Database>();

  private constructor(
    readonly path: string,
    options: LmdbStoreOptions,
  ) {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    this.root = open({
      path,
      maxDbs: TABLES.length + 2,
      mapSize: options.mapSize ?? 256 * 1024 * 1024,
      noSync: options.noSync ?? false,
      ...WRITE_OPTIONS,
    });
    for (const table of TABLES) {
      this.tables.set(table, this.root.openDB({ name: table, ...TABLE_ENCODING }));
    }
  }

  /** Opens (creating if needed) a store in directory `path`. */
  static open(path: string, options: LmdbStoreOptions = {}): LmdbStore {
    return new LmdbStore(path, options);
  }

  private db(table: TableName): Database {
    return this.tables.get(table)!;
  }

  get(table: TableName, key: string): StoredValue | undefined {
    return this.db(table).get(key);
  }

  *scan(table: TableName, options: ScanOptions): Iterable<readonly [string, StoredValue]> {
    const { prefix, reverse = false, limit } = options;
    const range = reverse
      ? { start: prefix + RANGE_END, end: prefix, reverse: true }
      : { start: prefix, end: prefix + RANGE_END };
    for (const { key, value } of this.db(table).getRange(
      limit === undefined ? range : { ...range, limit },
    )) {
      const text = String(key);
      if (!text.startsWith(prefix)) continue;
      yield [text, value];
    }
  }

  async commit(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return;
    // The writes are encoded and queued now, on this thread; lmdb-js's writer thread commits
    // them while processing goes on (a transaction callback would wait for an event-loop turn).
    await this.root.batch(() => {
      for (const write of writes) {
        const db = this.db(write.table);
        if ('delete' in write) db.remove(write.key);
        else
          db.put(
            write.key,
            write.value instanceof Uint8Array ? taggedBytes(write.value) : write.value,
          );
      }
    });
    // With overlapping sync (lmdb-js's default off Windows) a write resolves once committed and
    // visible, before it is on disk: durable means flushed.
    await this.root.flushed;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
