/**
 * The store contract: what every `KeyValueStore` (memory, LMDB, ...) must do, as one suite that
 * each implementation runs against itself.
 */

import {
  type EscrowRecord,
  type EventRecord,
  KelStore,
  type KeyValueStore,
  type PendingReceiptsRecord,
} from '@kestrel/core';
import { describe, expect, it } from 'vitest';

export interface StoreFactory {
  /** A new, empty store. */
  create(): Promise<KeyValueStore>;
  /** The same store reopened after close (persistent stores only). */
  reopen?(store: KeyValueStore): Promise<KeyValueStore>;
}

/** A minimal accepted-event record for the KEL store's bookkeeping. */
function eventRecord(prefix: string, sn: string, said: string, firstSeen: string): EventRecord {
  return {
    prefix,
    sn,
    said,
    ilk: 'ixn',
    raw: new Uint8Array([1]),
    signatures: [],
    witnessSignatures: [],
    receipts: [],
    transferableReceipts: [],
    witnesses: [],
    firstSeen,
    datetime: '',
  };
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

    it('scans keys with any characters after the prefix, forwards and backwards', async () => {
      const store = await factory.create();
      // Order among characters outside ASCII is the backend's; that every key is found is not.
      const keys = ['p.a', 'p.\u00e9', 'p.\uffff', 'p.\u{1f600}', 'p.\u{10fffd}x', 'q.\u{1f600}'];
      await store.commit(keys.map((key) => ({ table: 'anchors' as const, key, value: key })));
      for (const reverse of [false, true]) {
        const found = [...store.scan('anchors', { prefix: 'p.', reverse })].map(([key]) => key);
        expect(found.sort()).toEqual(keys.filter((key) => key.startsWith('p.')).sort());
      }
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
      const record = (sn: string, said: string, firstSeen: string) =>
        eventRecord('E1', sn, said, firstSeen);
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

    it('merges pending and committing writes into scans, in key order', async () => {
      const store = await factory.create();
      const kel = new KelStore(store);
      const escrow = (sn: string, waitingFor: string) => ({
        kind: 'out_of_order' as const,
        prefix: 'E3',
        sn,
        said: 'S',
        ilk: 'ixn' as const,
        raw: new Uint8Array([1]),
        signatures: [],
        witnessSignatures: [],
        receipts: [],
        escrowedAt: 0,
        waitingFor,
      });
      kel.putEscrow(escrow('1', 'committed'));
      kel.putEscrow(escrow('3', 'committed'));
      kel.putEscrow(escrow('5', 'committed'));
      await kel.flush();
      kel.putEscrow(escrow('2', 'in flight'));
      const inFlight = kel.flush();
      kel.putEscrow(escrow('4', 'pending'));
      kel.removeEscrow('out_of_order', 'E3', 3n, 'S');
      kel.putEscrow(escrow('1', 'replaced'));
      const listed = (from: KelStore) =>
        [...from.escrows('out_of_order', 'E3')].map((r) => `${r.sn} ${r.waitingFor}`);
      const expected = ['1 replaced', '2 in flight', '4 pending', '5 committed'];
      expect(listed(kel)).toEqual(expected);
      await inFlight;
      expect(listed(kel)).toEqual(expected);
      await kel.flush();
      expect(listed(kel)).toEqual(expected);
      expect(listed(new KelStore(store))).toEqual(expected);
      await store.close();
    });

    it('lists a KEL in first-seen order across flushes, updates and out-of-order keys', async () => {
      const store = await factory.create();
      const kel = new KelStore(store);
      const record = (sn: string, said: string, firstSeen: string) =>
        eventRecord('E2', sn, said, firstSeen);
      kel.putEvent(record('0', 'A0', '0'));
      kel.putEvent(record('1', 'A1', '1'));
      kel.putEvent(record('2', 'A2', '2'));
      await kel.flush();
      kel.updateEvent({ ...record('1', 'A1', '1'), signatures: ['late'] });
      kel.putEvent(record('1', 'R1', '3')); // a recovery supersedes sn 1 and 2
      const saids = (store: KelStore) => store.firstSeenOrder('E2').map((e) => e.said);
      /** What `visitFirstSeen` hands over, and whether it went through the whole log. */
      const visited = (store: KelStore) => {
        const seen: string[] = [];
        const whole = store.visitFirstSeen('E2', ([, , , said]) => seen.push(said));
        return { whole, seen };
      };
      expect(saids(kel)).toEqual(['A0', 'A1', 'A2', 'R1']);
      expect(visited(kel)).toEqual({ whole: true, seen: ['A0', 'A1', 'A2', 'R1'] });
      await kel.flush();
      expect(visited(new KelStore(store))).toEqual({ whole: true, seen: ['A0', 'A1', 'A2', 'R1'] });
      kel.putEvent(record('2', 'A2', '2')); // stored twice: still listed once
      kel.putEvent(record('4', 'A4', '4'));
      // The run logged at ordinal 2 sorts before the one at 3: the visit stops at the repeat.
      expect(visited(kel)).toEqual({ whole: false, seen: ['A0', 'A1', 'A2'] });
      await kel.flush();
      kel.putEvent(record('0', 'A0', '0')); // again, where a run already starts
      kel.putEvent(record('5', 'A5', '5'));
      expect(saids(kel)).toEqual(['A0', 'A1', 'A2', 'R1', 'A4', 'A5']);
      await kel.flush();
      const again = new KelStore(store);
      expect(saids(again)).toEqual(['A0', 'A1', 'A2', 'R1', 'A4', 'A5']);
      expect(again.firstSeenOrder('E2').map((e) => e.sn)).toEqual([0n, 1n, 2n, 1n, 4n, 5n]);
      expect(again.event('E2', 'A1', 1n)?.signatures).toEqual(['late']);
      expect(again.firstSeenOrder('E')).toEqual([]); // another prefix, not a key prefix match
      await store.close();
    });

    it('keeps byte values as bytes, whatever their first byte, in gets and scans', async () => {
      const store = await factory.create();
      // 0xc1 is the byte the LMDB store tags byte values with (then 0x00 for a copy; values that
      // start with 0xc1 and anything else are kept as they are); 0x81 starts a msgpack map.
      const values = [
        [],
        [0xc1],
        [0xc1, 0xc1, 7],
        [0xc1, 0x00],
        [0xc1, 0x00, 5],
        [0xc1, 0x01],
        [0x81, 0xa1, 0x61, 1],
        [0, 255, 128],
      ];
      await store.commit(
        values.map((bytes, index) => ({
          table: 'events' as const,
          key: `b.${index}`,
          value: Uint8Array.from(bytes),
        })),
      );
      values.forEach((bytes, index) => {
        const value = store.get('events', `b.${index}`);
        expect(value).toBeInstanceOf(Uint8Array);
        expect([...(value as Uint8Array)]).toEqual(bytes);
      });
      const scanned = [...store.scan('events', { prefix: 'b.' })].map(([, value]) => [
        ...(value as Uint8Array),
      ]);
      expect(scanned).toEqual(values);
      await store.close();
    });

    it('reads event records kept as maps, as stores written before the event codec hold them', async () => {
      const store = await factory.create();
      const legacy = {
        prefix: 'Eprefix',
        sn: '0',
        said: 'Esaid',
        ilk: 'icp',
        raw: new Uint8Array([123, 125]),
        signatures: ['AAsig'],
        witnessSignatures: [],
        receipts: [],
        transferableReceipts: [],
        witnesses: [],
        firstSeen: '0',
        datetime: '2026-11-21T00:00:00.000000+00:00',
      };
      await store.commit([
        { table: 'events', key: `Eprefix.${'0'.repeat(32)}.Esaid`, value: legacy },
      ]);
      const kel = new KelStore(store);
      const record = kel.event('Eprefix', 'Esaid', 0n)!;
      expect({ ...record, raw: [...record.raw] }).toEqual({ ...legacy, raw: [123, 125] });
      // Rewritten (a late receipt, say), it is stored in the compact form and reads the same.
      kel.updateEvent({ ...record, signatures: ['AAsig', 'ABsig'] });
      await kel.flush();
      expect(store.get('events', `Eprefix.${'0'.repeat(32)}.Esaid`)).toBeInstanceOf(Uint8Array);
      expect(new KelStore(store).event('Eprefix', 'Esaid')?.signatures).toEqual(['AAsig', 'ABsig']);
      await store.close();
    });

    it('reads first-seen runs kept as maps, as stores written before the run codec hold them', async () => {
      const store = await factory.create();
      const ordinal = (n: number) => n.toString(16).padStart(32, '0');
      const said = (n: number) => `E${String(n).padStart(43, '0')}`;
      await store.commit([
        {
          table: 'firstSeen',
          key: `Eprefix.${ordinal(0)}`,
          value: {
            prefix: 'Eprefix',
            events: [
              ['0', '0', 'icp', said(0)],
              ['1', '1', 'ixn', said(1)],
            ],
          },
        },
      ]);
      const kel = new KelStore(store);
      // Later events go to a run of their own, in the compact form; the log reads as one.
      kel.putEvent({ ...eventRecord('Eprefix', '2', said(2), '2'), ilk: 'rot' });
      const expected = [
        ['0', '0', 'icp', said(0)],
        ['1', '1', 'ixn', said(1)],
        ['2', '2', 'rot', said(2)],
      ];
      expect(kel.firstSeenEntries('Eprefix')).toEqual(expected);
      await kel.flush();
      expect(store.get('firstSeen', `Eprefix.${ordinal(2)}`)).toBeInstanceOf(Uint8Array);
      expect(new KelStore(store).firstSeenEntries('Eprefix')).toEqual(expected);
      await store.close();
    });

    it('is quiet again once every escrowed event has left, after reopening too', async () => {
      const escrowed = (kind: EscrowRecord['kind'], sn: string, said: string): EscrowRecord => ({
        kind,
        prefix: 'Ex',
        sn,
        said,
        ilk: kind === 'delegation' ? 'dip' : 'ixn',
        raw: new Uint8Array([1]),
        signatures: [],
        witnessSignatures: [],
        receipts: [],
        escrowedAt: 1,
        waitingFor: '',
        ...(kind === 'delegation' ? { sourceSeal: { sn: '3', said: 'Es' }, delegator: 'Ed' } : {}),
      });
      let store = await factory.create();
      let kel = new KelStore(store);
      expect(kel.quiet).toBe(true);
      kel.putEscrow(escrowed('out_of_order', '5', 'Ea'));
      kel.putEscrow(escrowed('out_of_order', '5', 'Eb'));
      kel.putEscrow(escrowed('out_of_order', '5', 'Eb')); // kept again: still two events
      kel.putEscrow(escrowed('delegation', '0', 'Ec'));
      await kel.flush();
      if (factory.reopen) {
        store = await factory.reopen(store);
        kel = new KelStore(store);
      }
      expect(kel.hasEscrowAt('out_of_order', 'Ex', 5n)).toBe(true);
      expect(kel.hasEscrowAt('out_of_order', 'Ex', 4n)).toBe(false);
      expect(kel.delegationsCiting('Ed', 3n).map((r) => r.said)).toEqual(['Ec']);
      kel.removeEscrow('out_of_order', 'Ex', 5n, 'Ea');
      expect(kel.hasEscrowAt('out_of_order', 'Ex', 5n)).toBe(true);
      kel.removeEscrow('out_of_order', 'Ex', 5n, 'Eb');
      expect(kel.hasEscrowAt('out_of_order', 'Ex', 5n)).toBe(false);
      kel.removeEscrow('delegation', 'Ex', 0n, 'Ec');
      expect(kel.delegationsCiting('Ed', 3n)).toEqual([]);
      expect(kel.quiet).toBe(true);
      await kel.flush();
      await store.close();
    });

    it('finds pending receipts by sn and by the receipter they wait for, after reopening too', async () => {
      const pending = (said: string, receipter?: string): PendingReceiptsRecord => ({
        prefix: 'Ex',
        sn: 'a',
        said,
        witnessSignatures: [],
        receipts: [],
        transferableReceipts: receipter
          ? [{ prefix: receipter, sn: '2', said: 'Ereceipter', signature: 'AAsig' }]
          : [],
        receivedAt: 1,
      });
      let store = await factory.create();
      let kel = new KelStore(store);
      kel.putPendingReceipts(pending('Eone', 'Er'));
      kel.putPendingReceipts(pending('Etwo'));
      kel.putPendingReceipts(pending('Eone', 'Er')); // kept again: still one record
      await kel.flush();
      for (let round = 0; round < 2; round++) {
        expect(
          kel
            .pendingReceiptsAt('Ex', 10n)
            .map((r) => r.said)
            .sort(),
        ).toEqual(['Eone', 'Etwo']);
        expect(kel.pendingReceiptsAt('Ex', 9n)).toEqual([]);
        expect(kel.pendingReceiptsByReceipter('Er', 2n).map((r) => r.said)).toEqual(['Eone']);
        expect(kel.pendingReceiptsByReceipter('Er', 1n)).toEqual([]);
        if (!factory.reopen) break;
        store = await factory.reopen(store);
        kel = new KelStore(store);
      }
      kel.removePendingReceipts('Ex', 'Eone');
      expect(kel.pendingReceiptsByReceipter('Er', 2n)).toEqual([]);
      expect(kel.pendingReceiptsAt('Ex', 10n).map((r) => r.said)).toEqual(['Etwo']);
      kel.removePendingReceipts('Ex', 'Etwo');
      expect(kel.pendingReceiptsAt('Ex', 10n)).toEqual([]);
      expect(kel.quiet).toBe(true);
      await kel.flush();
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
