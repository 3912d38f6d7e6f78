/**
 * @module store/kel-store
 * The KEL and its escrows over a `KeyValueStore`, with an overlay of pending writes: the processor
 * reads its own uncommitted writes, and `flush()` commits them all in one atomic, durable batch (so
 * one fsync covers many events, and a crash never leaves half an event).
 */

import {
  joinKey,
  type KeyValueStore,
  SEPARATOR,
  type StoredValue,
  snKey,
  type TableName,
  type Write,
} from '../ports/key-value.js';
import type { KeyStateRecord } from '../state/key-state.js';
import type {
  AnchorRecord,
  DuplicityRecord,
  EscrowKind,
  EscrowRecord,
  EventRecord,
  PendingReceiptsRecord,
} from './records.js';

const DELETED = Symbol('deleted');

type Layer = Map<TableName, Map<string, StoredValue | typeof DELETED>>;

export class KelStore {
  /** Writes not yet handed to the backend. */
  private current: Layer = new Map();
  private currentCount = 0;
  /** Layers being committed, newest first: still read until their commit is durable. */
  private committing: Layer[] = [];
  /** Keys of escrowed events and pending receipts, so the hot path needs no lookups for the usual "none". */
  private escrowIndex: Set<string> | undefined;

  constructor(readonly backend: KeyValueStore) {}

  // ---- generic overlay --------------------------------------------------------------------

  private get<T>(table: TableName, key: string): T | undefined {
    const value = this.current.get(table)?.get(key);
    if (value !== undefined) return value === DELETED ? undefined : (value as T);
    for (const layer of this.committing) {
      const committed = layer.get(table)?.get(key);
      if (committed !== undefined) return committed === DELETED ? undefined : (committed as T);
    }
    return this.backend.get(table, key) as T | undefined;
  }

  private put(table: TableName, key: string, value: StoredValue): void {
    let overlay = this.current.get(table);
    if (!overlay) {
      overlay = new Map();
      this.current.set(table, overlay);
    }
    overlay.set(key, value);
    this.currentCount++;
  }

  private remove(table: TableName, key: string): void {
    this.put(table, key, DELETED);
  }

  private *scan<T>(table: TableName, prefix: string, reverse = false): Iterable<[string, T]> {
    const merged = new Map<string, StoredValue | typeof DELETED>();
    for (const [key, value] of this.backend.scan(table, { prefix })) merged.set(key, value);
    for (const layer of [...this.committing].reverse().concat([this.current])) {
      const overlay = layer.get(table);
      if (!overlay) continue;
      for (const [key, value] of overlay) if (key.startsWith(prefix)) merged.set(key, value);
    }
    const keys = [...merged.keys()].sort();
    if (reverse) keys.reverse();
    for (const key of keys) {
      const value = merged.get(key);
      if (value !== DELETED) yield [key, value as T];
    }
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
    for (const [table, overlay] of layer) {
      for (const [key, value] of overlay) {
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

  private readonly inFlight = new Set<Promise<void>>();

  // ---- key states and accepted events -------------------------------------------------------

  state(prefix: string): KeyStateRecord | undefined {
    return this.get<KeyStateRecord>('states', prefix);
  }

  putState(record: KeyStateRecord): void {
    this.put('states', record.i, record);
  }

  /** Every prefix with a key state. */
  *prefixes(): Iterable<string> {
    for (const [key] of this.scan('states', '')) yield key;
  }

  /**
   * An accepted event. Events are keyed by prefix, sn and SAID, so give `sn` when known (every
   * hot path knows it); without it the prefix's events are scanned.
   */
  event(prefix: string, said: string, sn?: bigint): EventRecord | undefined {
    if (sn !== undefined) return this.get<EventRecord>('events', joinKey(prefix, snKey(sn), said));
    for (const [key, record] of this.scan<EventRecord>('events', prefix + SEPARATOR)) {
      if (key.endsWith(SEPARATOR + said)) return record;
    }
    return undefined;
  }

  /** Stores an accepted event: one write that also places it in its KEL and first-seen order. */
  putEvent(record: EventRecord): void {
    this.put(
      'events',
      joinKey(record.prefix, snKey(BigInt(`0x${record.sn}`)), record.said),
      record,
    );
  }

  /** Events accepted at (prefix, sn), in the order they were accepted; the last is authoritative. */
  eventsAt(prefix: string, sn: bigint): EventRecord[] {
    const records: EventRecord[] = [];
    for (const [, record] of this.scan<EventRecord>(
      'events',
      joinKey(prefix, snKey(sn)) + SEPARATOR,
    ))
      records.push(record);
    if (records.length > 1) records.sort((a, b) => compareHex(a.firstSeen, b.firstSeen));
    return records;
  }

  /** SAIDs accepted at (prefix, sn), oldest first. */
  saidsAt(prefix: string, sn: bigint): readonly string[] {
    return this.eventsAt(prefix, sn).map((record) => record.said);
  }

  /** The authoritative event at (prefix, sn) (keripy `getKeLast`): the last one accepted there. */
  lastEventAt(prefix: string, sn: bigint): EventRecord | undefined {
    return this.eventsAt(prefix, sn).at(-1);
  }

  lastSaidAt(prefix: string, sn: bigint): string | undefined {
    return this.lastEventAt(prefix, sn)?.said;
  }

  /** A prefix's accepted events in first-seen order (superseded ones included). */
  firstSeenOrder(prefix: string): Array<{ sn: bigint; said: string; ilk: string }> {
    const events: Array<{ sn: bigint; said: string; ilk: string; firstSeen: string }> = [];
    for (const [, record] of this.scan<EventRecord>('events', prefix + SEPARATOR)) {
      events.push({
        sn: BigInt(`0x${record.sn}`),
        said: record.said,
        ilk: record.ilk,
        firstSeen: record.firstSeen,
      });
    }
    events.sort((a, b) => compareHex(a.firstSeen, b.firstSeen));
    return events.map(({ sn, said, ilk }) => ({ sn, said, ilk }));
  }

  // ---- escrows ----------------------------------------------------------------------------------

  private escrowKey(kind: EscrowKind, prefix: string, sn: bigint, said: string): string {
    return joinKey(kind, prefix, snKey(sn), said);
  }

  /** The index of escrow and pending-receipt keys, loaded once from the store (escrows are few). */
  private index(): Set<string> {
    if (!this.escrowIndex) {
      this.escrowIndex = new Set();
      for (const [key] of this.scan('escrows', '')) this.escrowIndex.add(key);
      for (const [key] of this.scan('receipts', '')) this.escrowIndex.add(`receipts.${key}`);
      for (const [key] of this.scan('escrows', 'out_of_order.'))
        this.escrowIndex.add(key.split('.').slice(0, 3).join('.'));
    }
    return this.escrowIndex;
  }

  /** True when no event is escrowed and no receipt is pending (the usual case on the hot path). */
  get quiet(): boolean {
    return this.index().size === 0;
  }

  escrow(kind: EscrowKind, prefix: string, sn: bigint, said: string): EscrowRecord | undefined {
    const key = this.escrowKey(kind, prefix, sn, said);
    return this.index().has(key) ? this.get<EscrowRecord>('escrows', key) : undefined;
  }

  putEscrow(record: EscrowRecord): void {
    const key = this.escrowKey(record.kind, record.prefix, BigInt(`0x${record.sn}`), record.said);
    this.index().add(key);
    if (record.kind === 'out_of_order') this.index().add(key.split('.').slice(0, 3).join('.'));
    this.put('escrows', key, record);
  }

  removeEscrow(kind: EscrowKind, prefix: string, sn: bigint, said: string): void {
    const key = this.escrowKey(kind, prefix, sn, said);
    if (!this.index().delete(key)) return;
    this.remove('escrows', key);
  }

  /** Whether any out-of-order event waits at (prefix, sn) (an index lookup, no store read). */
  hasOutOfOrderAt(prefix: string, sn: bigint): boolean {
    const key = joinKey('out_of_order', prefix, snKey(sn));
    if (!this.index().has(key)) return false;
    for (const _ of this.escrows('out_of_order', prefix, sn)) return true;
    this.index().delete(key); // every event there has left the escrow
    return false;
  }

  /** Escrowed events of one kind, optionally only those of a prefix and sn. */
  *escrows(kind: EscrowKind, prefix?: string, sn?: bigint): Iterable<EscrowRecord> {
    const parts: string[] = [kind];
    if (prefix !== undefined) parts.push(prefix);
    if (prefix !== undefined && sn !== undefined) parts.push(snKey(sn));
    for (const [, record] of this.scan<EscrowRecord>('escrows', joinKey(...parts) + '.'))
      yield record;
  }

  // ---- receipts, anchors, duplicity --------------------------------------------------------

  pendingReceipts(prefix: string, said: string): PendingReceiptsRecord | undefined {
    const key = joinKey(prefix, said);
    return this.index().has(`receipts.${key}`)
      ? this.get<PendingReceiptsRecord>('receipts', key)
      : undefined;
  }

  putPendingReceipts(record: PendingReceiptsRecord): void {
    const key = joinKey(record.prefix, record.said);
    this.index().add(`receipts.${key}`);
    this.put('receipts', key, record);
  }

  removePendingReceipts(prefix: string, said: string): void {
    const key = joinKey(prefix, said);
    if (this.index().delete(`receipts.${key}`)) this.remove('receipts', key);
  }

  *allPendingReceipts(): Iterable<PendingReceiptsRecord> {
    for (const [, record] of this.scan<PendingReceiptsRecord>('receipts', '')) yield record;
  }

  /** The event that anchors the seal {i: prefix, s: sn, d: said}, if one was accepted. */
  anchor(prefix: string, sn: bigint, said: string): AnchorRecord | undefined {
    return this.get<AnchorRecord>('anchors', joinKey(prefix, snKey(sn), said));
  }

  putAnchor(sealPrefix: string, sealSn: bigint, sealSaid: string, anchor: AnchorRecord): void {
    this.put('anchors', joinKey(sealPrefix, snKey(sealSn), sealSaid), anchor);
  }

  putDuplicity(record: DuplicityRecord): void {
    this.put(
      'duplicity',
      joinKey(record.prefix, snKey(BigInt(`0x${record.sn}`)), record.second.said),
      record,
    );
  }

  duplicity(prefix: string, sn: bigint, said: string): DuplicityRecord | undefined {
    return this.get<DuplicityRecord>('duplicity', joinKey(prefix, snKey(sn), said));
  }

  /** Duplicity evidence, for one prefix or all. */
  *duplicities(prefix?: string): Iterable<DuplicityRecord> {
    for (const [, record] of this.scan<DuplicityRecord>(
      'duplicity',
      prefix === undefined ? '' : prefix + '.',
    )) {
      yield record;
    }
  }
}

/** Compares lowercase hex numbers without leading zeros (first-seen ordinals). */
function compareHex(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
