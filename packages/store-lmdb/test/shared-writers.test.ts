/**
 * Writes in and out of key order, from several stores on one directory and from another process:
 * every write must be there afterwards, with the value of the last write of each key. (These
 * tests were written for MDB_APPEND, which the store used for a while and gave up: under several
 * writer processes LMDB failed with it now and then; see docs/benchmarks.md, eighth look.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableName, Write } from '@kestrel/core';
import { LmdbStore } from '@kestrel/store-lmdb';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';

const root = mkdtempSync(join(tmpdir(), 'kestrel-shared-writers-'));
let count = 0;
const freshPath = () => join(root, `store-${count++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const REPO = join(import.meta.dirname, '..', '..', '..');

const put = (table: TableName, key: string, value: unknown): Write => ({ table, key, value });

/** Every key and value of a table. */
function contents(store: LmdbStore, table: TableName): Map<string, unknown> {
  return new Map(store.scan(table, { prefix: '' }));
}

describe('LmdbStore writes', () => {
  it('keeps every write of keys in order, out of order and overwritten, across reopening', async () => {
    const path = freshPath();
    let store = LmdbStore.open(path);
    await store.commit([put('events', 'p.02', 'two'), put('events', 'p.04', 'four')]);
    await store.commit([put('events', 'p.01', 'one'), put('events', 'p.05', 'five')]);
    await store.commit([put('events', 'p.04', 'FOUR'), put('events', 'p.03', 'three')]);
    await store.close();
    store = LmdbStore.open(path);
    await store.commit([put('events', 'p.00', 'zero'), put('events', 'p.06', 'six')]);
    expect([...contents(store, 'events')]).toEqual([
      ['p.00', 'zero'],
      ['p.01', 'one'],
      ['p.02', 'two'],
      ['p.03', 'three'],
      ['p.04', 'FOUR'],
      ['p.05', 'five'],
      ['p.06', 'six'],
    ]);
    await store.close();
  });

  it('loses nothing when two stores on one directory write interleaved, batches queued ahead', async () => {
    const path = freshPath();
    const first = LmdbStore.open(path);
    const second = LmdbStore.open(path);
    await first.commit([put('events', 'k.10', 'first 10')]);
    await second.commit([put('events', 'k.90', 'second 90')]);
    // Batches queued one after the other commit in order: k.50 ends with the later value.
    const one = first.commit([put('events', 'k.50', 'early'), put('events', 'k.60', 'sixty')]);
    const two = first.commit([put('events', 'k.50', 'late'), put('states', 's', { n: 1 })]);
    const three = first.commit([put('events', 'k.70', 'seventy')]);
    await Promise.all([one, two, three]);
    await second.commit([put('events', 'k.20', 'second 20'), put('events', 'k.95', 'second 95')]);
    for (const store of [first, second]) {
      expect([...contents(store, 'events')]).toEqual([
        ['k.10', 'first 10'],
        ['k.20', 'second 20'],
        ['k.50', 'late'],
        ['k.60', 'sixty'],
        ['k.70', 'seventy'],
        ['k.90', 'second 90'],
        ['k.95', 'second 95'],
      ]);
      expect(store.get('states', 's')).toEqual({ n: 1 });
    }
    await first.close();
    await second.close();
  });

  it('loses nothing when another process writes above its keys in between', async () => {
    const path = freshPath();
    const store = LmdbStore.open(path);
    await store.commit([put('events', 'k.10', 'ten')]);
    const script = `
      import { LmdbStore } from '@kestrel/store-lmdb';
      const store = LmdbStore.open(${JSON.stringify(path)});
      await store.commit([{ table: 'events', key: 'k.90', value: 'other process' }]);
      await store.close();
    `;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO });
    await store.commit([put('events', 'k.50', 'fifty')]);
    await store.commit([put('events', 'k.95', 'ninety-five')]);
    expect([...contents(store, 'events')]).toEqual([
      ['k.10', 'ten'],
      ['k.50', 'fifty'],
      ['k.90', 'other process'],
      ['k.95', 'ninety-five'],
    ]);
    await store.close();
  });

  it('holds what a model holds, for random batches from two stores on one directory', async () => {
    // Keys from a small alphabet, so that batches often write below, at and above the greatest
    // key and overwrite each other; a few keys outside printable ASCII.
    const key = fc.oneof(
      { weight: 9, arbitrary: fc.stringMatching(/^[a-d]{1,3}$/) },
      { weight: 1, arbitrary: fc.constantFrom('b\u00e9', 'c\u0001', '\u{1f600}') },
    );
    const write = fc.record({
      store: fc.integer({ min: 0, max: 1 }),
      table: fc.constantFrom<TableName>('events', 'anchors'),
      key,
      remove: fc.boolean(),
    });
    const batch = fc.array(write, { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 8 }), async (batches) => {
        const path = freshPath();
        const stores = [
          LmdbStore.open(path, { noSync: true }),
          LmdbStore.open(path, { noSync: true }),
        ];
        const model = new Map<string, unknown>();
        // Batches of one store commit in the order they were queued; batches of two stores only
        // in the order they were awaited. So a batch may be queued ahead only behind its own store's.
        const pending: { store: number; committed: Promise<void> }[] = [];
        const settle = async () => {
          await Promise.all(pending.map((p) => p.committed));
          pending.length = 0;
        };
        for (const [index, writes] of batches.entries()) {
          const target = writes[0]!.store;
          if (pending.some((p) => p.store !== target)) await settle();
          const batchWrites = writes.map((w, at): Write => {
            const modelKey = `${w.table}/${w.key}`;
            if (w.remove) {
              model.delete(modelKey);
              return { table: w.table, key: w.key, delete: true };
            }
            const value = `${index}.${at}`;
            model.set(modelKey, value);
            return put(w.table, w.key, value);
          });
          pending.push({ store: target, committed: stores[target]!.commit(batchWrites) });
          if (index % 3 !== 2) await settle();
        }
        await settle();
        for (const store of stores) await store.close();
        // Read back by a store opened afterwards (another's reads may keep an older snapshot), key
        // by key, whatever the scan order of keys outside ASCII.
        const reader = LmdbStore.open(path);
        const held = new Map<string, unknown>();
        for (const w of batches.flat()) {
          const value = reader.get(w.table, w.key);
          if (value !== undefined) held.set(`${w.table}/${w.key}`, value);
        }
        await reader.close();
        expect(held).toEqual(model);
      }),
      { numRuns: propertyRuns(40) },
    );
  });
});
