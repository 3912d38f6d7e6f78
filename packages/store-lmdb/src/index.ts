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
import { AppendPlanner } from './appends.js';

export interface LmdbStoreOptions {
  /** Map size in bytes (grows automatically in lmdb-js; this is the starting size). */
  readonly mapSize?: number;
  /** Skip fsync on commit (faster, not crash-safe: for throwaway stores only). */
  readonly noSync?: boolean;
  /** Never write with MDB_APPEND (see `appends.ts`; for comparisons and tests). */
  readonly noAppend?: boolean;
}

/**
 * Writes are grouped by our own batches: lmdb-js must neither defer them (commitDelay) nor wait
 * for the end of the event-loop turn to commit a batch (eventTurnBatching), which would hold
 * every commit until processing yields. Each batch is one `batch()` block, so it stays atomic.
 *
 * Overlapping sync (lmdb-js's default off Windows: the fsync after the write lock is released)
 * loses commits when several processes write one store: with three processes writing 400 batches
 * each, a fresh process found one to three whole batches missing in about one round of five,
 * every writer having seen its commits resolve as flushed; with it off, none in twenty rounds
 * (`test/lmdb-processes.test.ts`). Commits then fsync inside the transaction, on lmdb-js's writer
 * thread; validation measured no slower (1,000 and 20,000 events, alternating).
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
 * A put with MDB_APPEND: lmdb-js takes put options as its third argument (`write.js`), which its
 * type declarations give only to `putSync`.
 */
const APPEND = { append: true };
const putAppending = (db: Database, key: string, value: unknown) =>
  (db.put as (key: string, value: unknown, options: typeof APPEND) => Promise<boolean>).call(
    db,
    key,
    value,
    APPEND,
  );

/**
 * What ends a prefix range: the highest code point. lmdb-js orders string keys by their UTF-8
 * bytes, where U+FFFF (EF BF BF) sorts below every character outside the BMP (F0-F4 ...).
 */
const RANGE_END = '\u{10ffff}';

/**
 * The guard of appends (see `appends.ts`): a record whose version every batch of every
 * `LmdbStore` sets to a fresh random number. A store that appends makes its batch conditional on
 * the version its own last batch set, so LMDB commits it only if no other writer (another process,
 * or another store open on the same directory) committed in between; otherwise the batch is
 * skipped whole, and written again without appends. Versions are doubles: 52 random bits.
 */
const WRITERS_TABLE = 'writers';
const LAST_BATCH = 'last-batch';
const NO_VALUE = new Uint8Array(0);

function freshVersion(): number {
  return Math.floor(Math.random() * 2 ** 52);
}

export class LmdbStore implements KeyValueStore {
  private readonly root: RootDatabase;
  private readonly tables = new Map<TableName, Database>();
  private readonly writers: Database;
  /** Which keys may be appended; undefined once another writer has been seen (never again). */
  private appends: AppendPlanner<TableName> | undefined;
  /** The version of the last batch as this store knows it (undefined: none was ever written). */
  private lastVersion: number | undefined;
  /** While a conditional batch is unsettled: settles once it is committed, or queued again. */
  private conditionalQueued: Promise<unknown> | undefined;

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
    this.writers = this.root.openDB({ name: WRITERS_TABLE, useVersions: true, encoding: 'binary' });
    // The version first, then the greatest keys: a batch committed in between changes the version,
    // so the first conditional batch is skipped rather than trusting keys read before it.
    this.lastVersion = this.writers.getEntry(LAST_BATCH)?.version;
    const appends = new AppendPlanner<TableName>();
    for (const table of TABLES) {
      for (const key of this.db(table).getKeys({ reverse: true, limit: 1 }))
        appends.know(table, key);
    }
    this.appends = options.noAppend ? undefined : appends;
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

  /**
   * Not an async function: one would keep `writes`, and through it every value of the batch, until
   * the commit is durable, so that young-generation collections in the meantime copied them all.
   */
  commit(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return Promise.resolve();
    let committed: Promise<unknown>;
    try {
      committed = this.appends
        ? this.queueAppending(writes, this.appends)
        : this.queueShared(writes);
    } catch (error) {
      return Promise.reject(error);
    }
    // Without overlapping sync a commit resolves once it is on disk; waiting for `flushed` as well
    // keeps that true should the option ever be turned back on.
    return committed.then(() => this.root.flushed).then(() => undefined);
  }

  /**
   * Queues a batch that appends what it can, conditional on no other writer having committed
   * since this store's last batch. If one has, LMDB skips the batch whole; it is queued again
   * without appends, and so is every later batch (they were queued on the same condition, and
   * fail it too, in order).
   */
  private queueAppending(writes: readonly Write[], appends: AppendPlanner<TableName>) {
    const expected = this.lastVersion;
    const version = freshVersion();
    this.lastVersion = version;
    const block = () => this.put(writes, version, appends);
    const done =
      expected === undefined
        ? this.writers.ifNoExists(LAST_BATCH, block)
        : this.writers.ifVersion(LAST_BATCH, expected, block);
    let again: Promise<unknown> | undefined;
    const handled = done.then((committed) => {
      if (committed) return;
      this.appends = undefined;
      again = this.queue(writes);
    });
    const gate: Promise<unknown> = handled.then(
      () => this.settle(gate),
      () => this.settle(gate),
    );
    this.conditionalQueued = gate;
    return handled.then(() => again);
  }

  private settle(gate: Promise<unknown>): void {
    if (this.conditionalQueued === gate) this.conditionalQueued = undefined;
  }

  /** Without appends, after every conditional batch queued before it (to keep batches in order). */
  private queueShared(writes: readonly Write[]): Promise<unknown> {
    const gate = this.conditionalQueued;
    return gate ? gate.then(() => this.queue(writes)) : this.queue(writes);
  }

  /**
   * The writes are encoded and queued now, on this thread, as one batch; lmdb-js's writer thread
   * commits it while processing goes on (a transaction callback would wait for an event-loop turn).
   */
  private queue(writes: readonly Write[]): Promise<unknown> {
    return this.root.batch(() => this.put(writes, freshVersion()));
  }

  /** The writes of one batch, and the version it sets; `appends` says which keys may append. */
  private put(writes: readonly Write[], version: number, appends?: AppendPlanner<TableName>) {
    for (const write of writes) {
      const db = this.db(write.table);
      if ('delete' in write) {
        db.remove(write.key);
        continue;
      }
      const value = write.value instanceof Uint8Array ? storedBytes(write.value) : write.value;
      if (appends?.append(write.table, write.key)) putAppending(db, write.key, value);
      else db.put(write.key, value);
    }
    this.writers.put(LAST_BATCH, NO_VALUE, version);
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
