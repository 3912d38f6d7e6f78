/**
 * The store contract: what every `KeyValueStore` (memory, LMDB, ...) must do, as one suite that
 * each implementation runs against itself.
 */

import { KelStore, type KeyValueStore } from '@kestrel/core';
import { describe, expect, it } from 'vitest';

export interface StoreFactory {
  /** A new, empty store. */
  create(): Promise<KeyValueStore>;
  /** The same store reopened after close (persistent stores only). */
  reopen?(store: KeyValueStore): Promise<KeyValueStore>;
}

export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    it('gets what was committed, and nothing else', async () => {
      const store = await factory.create();
      expect(store.get('events', 'missing')).toBeUndefined();
      await store.commit([
        { table: 'events', key: 'p.a', value: { raw: new Uint8Array([1, 2, 3]), n: 'x' } },
        { table: 'states', key: 'p', value: { s: '1' } },
      ]);
      const event = store.get('events', 'p.a') as { raw: Uint8Array; n: string };
      expect([...event.raw]).toEqual([1, 2, 3]);
      expect(event.n).toBe('x');
      expect(store.get('states', 'p')).toEqual({ s: '1' });
      expect(store.get('states', 'p.a')).toBeUndefined(); // tables are separate
      await store.close();
    });

    it('deletes', async () => {
      const store = await factory.create();
      await store.commit([{ table: 'anchors', key: 'k', value: ['a'] }]);
      await store.commit([{ table: 'anchors', key: 'k', delete: true }]);
      expect(store.get('anchors', 'k')).toBeUndefined();
      await store.commit([{ table: 'anchors', key: 'never', delete: true }]); // deleting nothing is fine
      await store.close();
    });

    it('scans a prefix in key order, forwards and backwards, with a limit', async () => {
      const store = await factory.create();
      const keys = ['b.02', 'a.03', 'a.01', 'a.02', 'ab.01', 'c'];
      await store.commit(keys.map((key) => ({ table: 'duplicity' as const, key, value: key })));
      const scanned = (options: { prefix: string; reverse?: boolean; limit?: number }) =>
        [...store.scan('duplicity', options)].map(([key]) => key);
      expect(scanned({ prefix: 'a.' })).toEqual(['a.01', 'a.02', 'a.03']);
      expect(scanned({ prefix: 'a.', reverse: true })).toEqual(['a.03', 'a.02', 'a.01']);
      expect(scanned({ prefix: 'a.', limit: 2 })).toEqual(['a.01', 'a.02']);
      expect(scanned({ prefix: 'a' })).toEqual(['a.01', 'a.02', 'a.03', 'ab.01']);
      expect(scanned({ prefix: '' })).toEqual(['a.01', 'a.02', 'a.03', 'ab.01', 'b.02', 'c']);
      expect(scanned({ prefix: 'zz' })).toEqual([]);
      await store.close();
    });

    it('applies a batch as a whole, in order', async () => {
      const store = await factory.create();
      await store.commit([
        { table: 'escrows', key: 'x', value: 1 },
        { table: 'escrows', key: 'x', value: 2 },
        { table: 'escrows', key: 'y', value: 3 },
        { table: 'escrows', key: 'y', delete: true },
      ]);
      expect(store.get('escrows', 'x')).toBe(2);
      expect(store.get('escrows', 'y')).toBeUndefined();
      await store.close();
    });

    it('lets the KEL store read its own pending writes before they are flushed', async () => {
      const store = await factory.create();
      const kel = new KelStore(store);
      const record = (sn: string, said: string, firstSeen: string) => ({
        prefix: 'E1',
        sn,
        said,
        ilk: 'ixn' as const,
        raw: new Uint8Array([1]),
        signatures: [],
        witnessSignatures: [],
        receipts: [],
        transferableReceipts: [],
        witnesses: [],
        firstSeen,
        datetime: '',
      });
      kel.putEvent(record('0', 'S0', '0'));
      kel.putEvent(record('1', 'S1b', '2')); // a later event at sn 1 (a recovery) ...
      kel.putEvent(record('1', 'S1', '1')); // ... whatever the key order
      expect(kel.saidsAt('E1', 1n)).toEqual(['S1', 'S1b']);
      expect(kel.lastSaidAt('E1', 1n)).toBe('S1b');
      expect(kel.firstSeenOrder('E1').map((e) => e.said)).toEqual(['S0', 'S1', 'S1b']);
      expect(kel.event('E1', 'S1')?.firstSeen).toBe('1');
      expect(store.get('events', `E1.${'0'.repeat(31)}1.S1`)).toBeUndefined(); // not committed yet
      await kel.flush();
      expect(kel.pendingWrites).toBe(0);
      expect(new KelStore(store).lastSaidAt('E1', 1n)).toBe('S1b');
      await store.close();
    });

    if (factory.reopen) {
      const reopen = factory.reopen;
      it('keeps committed data across close and reopen', async () => {
        const store = await factory.create();
        await store.commit([{ table: 'meta', key: 'version', value: { format: 1 } }]);
        const again = await reopen(store);
        expect(again.get('meta', 'version')).toEqual({ format: 1 });
        await again.close();
      });
    }
  });
}
