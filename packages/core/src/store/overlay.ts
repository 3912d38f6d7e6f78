/**
 * @module store/overlay
 * Pending writes over a `KeyValueStore`. Reads see them before they are committed, and `flush`
 * hands them all to the backend as one atomic, durable batch; processing may go on meanwhile, so a
 * batch being committed stays readable until it is on disk.
 */
import type { KeyValueStore, StoredValue, TableName, Write } from '../ports/key-value.js';
import { firstAtOrAfter, insertSorted } from './sorted-keys.js';

const DELETED = Symbol('deleted');

type Pending = StoredValue | typeof DELETED;

/** One table's pending writes in a layer. */
interface TableWrites {
  readonly values: Map<string, Pending>;
  /**
   * The keys in order, built when the table is first scanned and kept up to date from then on, so
   * a scan reads only the keys under its prefix. A stream in order never scans the events it has
   * just written (nothing waits), so it never pays for the order; an out-of-order event scanned
   * every pending event of the batch before (about 75 µs per such event with 1% out of order).
   */
  sorted?: string[];
}

type Layer = Map<TableName, TableWrites>;

export class WriteOverlay {
  /** Writes not yet handed to the backend. */
  private current: Layer = new Map();
  private currentCount = 0;
  /** Layers being committed, newest first: still read until their commit is durable. */
  private committing: Layer[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(readonly backend: KeyValueStore) {}

  get<T>(table: TableName, key: string): T | undefined {
    const value = this.current.get(table)?.values.get(key);
    if (value !== undefined) return value === DELETED ? undefined : (value as T);
    for (const layer of this.committing) {
      const committed = layer.get(table)?.values.get(key);
      if (committed !== undefined) return committed === DELETED ? undefined : (committed as T);
    }
    return this.backend.get(table, key) as T | undefined;
  }

  put(table: TableName, key: string, value: StoredValue): void {
    let writes = this.current.get(table);
    if (!writes) {
      writes = { values: new Map() };
      this.current.set(table, writes);
    }
    if (writes.sorted !== undefined && !writes.values.has(key)) insertSorted(writes.sorted, key);
    writes.values.set(key, value);
    this.currentCount++;
  }

  remove(table: TableName, key: string): void {
    this.put(table, key, DELETED);
  }

  /**
   * Entries whose keys start with `prefix`, in key order: the backend's, merged with the pending
   * writes as it streams by (long ranges are never gathered or sorted in memory).
   */
  *scan<T>(table: TableName, prefix: string): Iterable<[string, T]> {
    const pending = this.pendingUnder(table, prefix);
    const keys = [...pending.keys()].sort();
    let next = 0;
    for (const [key, value] of this.backend.scan(table, { prefix })) {
      while (next < keys.length && keys[next]! < key) {
        const pendingKey = keys[next++]!;
        const pendingValue = pending.get(pendingKey);
        if (pendingValue !== DELETED) yield [pendingKey, pendingValue as T];
      }
      if (keys[next] === key) {
        next++;
        const pendingValue = pending.get(key);
        if (pendingValue !== DELETED) yield [key, pendingValue as T];
        continue;
      }
      yield [key, value as T];
    }
    for (; next < keys.length; next++) {
      const pendingValue = pending.get(keys[next]!);
      if (pendingValue !== DELETED) yield [keys[next]!, pendingValue as T];
    }
  }

  /** Pending writes under a key prefix, the newest write of each key winning. */
  private pendingUnder(table: TableName, prefix: string): Map<string, Pending> {
    const pending = new Map<string, Pending>();
    for (let index = this.committing.length - 1; index >= -1; index--) {
      const writes = (index < 0 ? this.current : this.committing[index]!).get(table);
      if (!writes) continue;
      writes.sorted ??= [...writes.values.keys()].sort();
      const keys = writes.sorted;
      for (let at = firstAtOrAfter(keys, prefix); at < keys.length; at++) {
        const key = keys[at]!;
        if (!key.startsWith(prefix)) break;
        pending.set(key, writes.values.get(key)!);
      }
    }
    return pending;
  }

  /** Number of writes waiting for `flush`. */
  get pendingWrites(): number {
    return this.currentCount;
  }

  /**
   * Commits every pending write atomically and durably. Processing may go on while the commit is
   * under way (its writes stay readable); the returned promise resolves when they are on disk.
   */
  flush(): Promise<void> {
    if (this.currentCount === 0) return Promise.all(this.inFlight).then(() => undefined);
    const layer = this.current;
    this.current = new Map();
    this.currentCount = 0;
    this.committing.unshift(layer);
    const writes: Write[] = [];
    for (const [table, { values }] of layer) {
      for (const [key, value] of values) {
        writes.push(value === DELETED ? { table, key, delete: true } : { table, key, value });
      }
    }
    const done = this.backend.commit(writes).finally(() => {
      this.committing = this.committing.filter((l) => l !== layer);
      this.inFlight.delete(done);
    });
    this.inFlight.add(done);
    return done;
  }
}
