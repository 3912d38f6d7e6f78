/**
 * @module @kestrel/store-lmdb
 * The embedded default store: LMDB on disk through npm `lmdb`. One named database per table,
 * msgpack-encoded values, ordered string keys. Reads are synchronous memory-mapped lookups;
 * `commit` writes a batch in one LMDB write transaction, which is atomic (LMDB's copy-on-write
 * B-tree never exposes a half-written transaction) and, once the promise resolves, flushed to disk.
 */
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Slabs } from '@kestrel/cesr';
import {
  type KeyValueStore,
  type ScanOptions,
  type StoredValue,
  StoreError,
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
 *
 * Overlapping sync (lmdb-js's default off Windows: the fsync after the write lock is released)
 * loses commits when several processes write one store: with three processes writing 400 batches
 * each, a fresh process found one to three whole batches missing in about one round of ten,
 * every writer having seen its commits resolve as flushed; with it off, none in 470 rounds of
 * three or four writers (`test/lmdb-processes.test.ts`). Commits then fsync inside the
 * transaction, on lmdb-js's writer thread; validation measured no slower (1,000 and 20,000
 * events, alternating).
 */
const WRITE_OPTIONS = { commitDelay: 0, eventTurnBatching: false, overlappingSync: false };

/**
 * A first byte no msgpack value starts with (the format reserves 0xc1 as "never used"), so a value
 * starting with it is bytes. Followed by `COPY_TAG`, the bytes after that two-byte tag, a copy of a
 * value given to `commit`; followed by anything else, the value itself, stored as given: the core's
 * event records start with 0xc1 and their format number for this, and are stored without a copy.
 * (Event records written when every byte value carried a one-byte tag read the same: that tag and
 * the record's format byte were what are now the record's first two bytes.)
 */
const BYTES_TAG = 0xc1;
const COPY_TAG = 0x00;

/** Whether a byte value is stored as it is (see `BYTES_TAG`). */
function storedAsIs(value: Uint8Array): boolean {
  return value.length >= 2 && value[0] === BYTES_TAG && value[1] !== COPY_TAG;
}

/** Values as msgpack maps, and byte values behind `BYTES_TAG`. */
class ValueEncoder extends Packr {
  override decode(source: Uint8Array, options?: number | { start?: number; end?: number }) {
    // msgpackr takes the value's bounds as an options object, or its end as a number (-1: none).
    const start = typeof options === 'object' ? (options.start ?? 0) : 0;
    if (source[start] !== BYTES_TAG) return super.decode(source, options as never);
    const end = (typeof options === 'object' ? options.end : options) ?? -1;
    const from = source[start + 1] === COPY_TAG ? start + 2 : start;
    // A copy: lmdb-js reads into a buffer it reuses for the next read.
    return Uint8Array.prototype.slice.call(source, from, end > -1 ? end : source.length);
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
 * a `Buffer` from Node's 8 KiB pool cost a new pool every few values. lmdb-js keeps a reference
 * to a value and reads it by address when it commits, which slab pieces allow: never reused, and
 * their memory never moves.
 */
const taggedCopies = new Slabs(256 * 1024, 64 * 1024);

/**
 * A byte value as lmdb-js stores it unencoded: as it is when it starts with `BYTES_TAG` (an event
 * record, from the core's never-reused slabs: no copy, which cost half a microsecond per event),
 * otherwise a copy behind the two-byte tag.
 */
function storedBytes(value: Uint8Array): ReturnType<typeof asBinary> {
  if (storedAsIs(value)) return asBinary(value as Buffer);
  const tagged = taggedCopies.take(value.length + 2);
  tagged[0] = BYTES_TAG;
  tagged[1] = COPY_TAG;
  tagged.set(value, 2);
  return asBinary(tagged as Buffer);
}

/**
 * LMDB's first (meta) page holds its magic number right after the page header, whose size differs
 * between LMDB versions (16 bytes in 0.9, 24 in the version lmdb-js builds): looked for in the
 * first 64 bytes, in the byte order of the machine that wrote it (LMDB files are not portable
 * across byte orders anyway).
 */
const LMDB_MAGIC = 0xbeefc0de;
const HEADER_BYTES = 64;

/** Refuses a data file that is not an LMDB environment: opening one would crash the process. */
function checkLmdbFile(file: string): void {
  let header: Buffer;
  try {
    const descriptor = openSync(file, 'r');
    try {
      header = Buffer.alloc(HEADER_BYTES);
      header = header.subarray(0, readSync(descriptor, header, 0, HEADER_BYTES, 0));
    } finally {
      closeSync(descriptor);
    }
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return; // a new store
    throw new StoreError('cannot_open', `Cannot read ${file}: ${(caught as Error).message}`, {
      path: file,
    });
  }
  if (header.length === 0) return; // created, and nothing written yet
  for (let offset = 0; offset + 4 <= header.length; offset += 4)
    if (header.readUInt32LE(offset) === LMDB_MAGIC) return;
  throw new StoreError('not_a_store', `${file} is not an LMDB store`, { path: file });
}

/**
 * What ends a prefix range: the highest code point. lmdb-js orders string keys by their UTF-8
 * bytes, where U+FFFF (EF BF BF) sorts below every character outside the BMP (F0-F4 ...).
 */
const RANGE_END = '\u{10ffff}';

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
      // A directory even when its name has a dot: lmdb-js would take `kel.store` for a file.
      noSubdir: false,
      maxDbs: TABLES.length + 2,
      mapSize: options.mapSize ?? 256 * 1024 * 1024,
      noSync: options.noSync ?? false,
      ...WRITE_OPTIONS,
    });
    for (const table of TABLES) {
      this.tables.set(table, this.root.openDB({ name: table, ...TABLE_ENCODING }));
    }
  }

  /**
   * Opens (creating if needed) a store in directory `path`. Throws `StoreError` when the directory
   * holds something that is not an LMDB environment (LMDB would crash the process on it) or
   * cannot be opened (permissions, a file in the way).
   */
  static open(path: string, options: LmdbStoreOptions = {}): LmdbStore {
    checkLmdbFile(join(path, 'data.mdb'));
    try {
      return new LmdbStore(path, options);
    } catch (caught) {
      throw new StoreError(
        'cannot_open',
        `Cannot open the LMDB store in ${path}: ${(caught as Error).message}`,
        { path },
      );
    }
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

  /**
   * Not an async function: one would keep `writes`, and through it every value of the batch, until
   * the commit is durable, so that young-generation collections in the meantime copied them all.
   */
  commit(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return Promise.resolve();
    let committed: Promise<unknown>;
    try {
      committed = this.queue(writes);
    } catch (error) {
      return Promise.reject(error);
    }
    // Without overlapping sync a commit resolves once it is on disk; waiting for `flushed` as well
    // keeps that true should the option ever be turned back on.
    return committed.then(() => this.root.flushed).then(() => undefined);
  }

  /**
   * The writes are encoded and queued now, on this thread, as one batch; lmdb-js's writer thread
   * commits it while processing goes on (a transaction callback would wait for an event-loop turn).
   */
  private queue(writes: readonly Write[]): Promise<unknown> {
    return this.root.batch(() => {
      for (const write of writes) {
        const db = this.db(write.table);
        if ('delete' in write) db.remove(write.key);
        else
          db.put(
            write.key,
            write.value instanceof Uint8Array ? storedBytes(write.value) : write.value,
          );
      }
    });
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
