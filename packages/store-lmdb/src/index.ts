/**
 * @module @kestrel/store-lmdb
 * The embedded default store: LMDB on disk through npm `lmdb`. One named database per table,
 * msgpack-encoded values, ordered string keys. Reads are synchronous memory-mapped lookups;
 * `commit` runs all writes in one LMDB write transaction, which is atomic and, once the promise
 * resolves, durable (LMDB's copy-on-write B-tree never exposes a half-written transaction).
 */
import { mkdirSync } from 'node:fs';
import {
  type KeyValueStore,
  type ScanOptions,
  type StoredValue,
  TABLES,
  type TableName,
  type Write,
} from '@kestrel/core';
import { type Database, open, type RootDatabase } from 'lmdb';

export interface LmdbStoreOptions {
  /** Map size in bytes (grows automatically in lmdb-js; this is the starting size). */
  readonly mapSize?: number;
  /** Skip fsync on commit (faster, not crash-safe: for throwaway stores only). */
  readonly noSync?: boolean;
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
      // Writes are grouped by our own batches; don't let lmdb-js defer them further.
      commitDelay: 0,
    });
    for (const table of TABLES) {
      this.tables.set(table, this.root.openDB({ name: table, encoding: 'msgpack' }));
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
    await this.root.transaction(() => {
      for (const write of writes) {
        const db = this.db(write.table);
        if ('delete' in write) db.remove(write.key);
        else db.put(write.key, write.value);
      }
    });
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
