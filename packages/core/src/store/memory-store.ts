/**
 * @module store/memory-store
 * An in-memory `KeyValueStore`: sorted keys per table, for tests, browsers and throwaway
 * validation. Values are kept as given (callers never mutate stored values).
 */
import type {
  KeyValueStore,
  ScanOptions,
  StoredValue,
  TableName,
  Write,
} from '../ports/key-value.js';
import { firstAtOrAfter } from './sorted-keys.js';

/** A table whose keys are sorted lazily, when a scan needs them in order. */
class SortedTable {
  readonly values = new Map<string, StoredValue>();
  private sorted: string[] = [];
  private stale = false;

  set(key: string, value: StoredValue): void {
    if (!this.values.has(key)) this.stale = true;
    this.values.set(key, value);
  }

  delete(key: string): void {
    if (this.values.delete(key)) this.stale = true;
  }

  private keys(): string[] {
    if (this.stale) {
      this.sorted = [...this.values.keys()].sort();
      this.stale = false;
    }
    return this.sorted;
  }

  *scan(options: ScanOptions): Iterable<readonly [string, StoredValue]> {
    const { prefix, reverse = false, limit = Number.POSITIVE_INFINITY } = options;
    const keys = this.keys();
    const start = firstAtOrAfter(keys, prefix);
    let end = start;
    while (end < keys.length && keys[end]!.startsWith(prefix)) end++;
    const selected = keys.slice(start, end);
    if (reverse) selected.reverse();
    let count = 0;
    for (const key of selected) {
      if (count++ >= limit) return;
      yield [key, this.values.get(key)];
    }
  }
}

export class MemoryStore implements KeyValueStore {
  private readonly tables = new Map<TableName, SortedTable>();
  private closed = false;

  private table(name: TableName): SortedTable {
    let table = this.tables.get(name);
    if (!table) {
      table = new SortedTable();
      this.tables.set(name, table);
    }
    return table;
  }

  get(table: TableName, key: string): StoredValue | undefined {
    return this.tables.get(table)?.values.get(key);
  }

  scan(table: TableName, options: ScanOptions): Iterable<readonly [string, StoredValue]> {
    return this.tables.get(table)?.scan(options) ?? [];
  }

  async commit(writes: readonly Write[]): Promise<void> {
    if (this.closed) throw new Error('MemoryStore is closed');
    for (const write of writes) {
      if ('delete' in write) this.table(write.table).delete(write.key);
      else this.table(write.table).set(write.key, write.value);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
