/**
 * @module store/kel-store
 * The KEL and its escrows over a `KeyValueStore`, with an overlay of pending writes: the processor
 * reads its own uncommitted writes, and `flush()` commits them all in one atomic, durable batch (so
 * one fsync covers many events, and a crash never leaves half an event).
 */
import { type KeyStateRecord } from '../state/key-state.js';
import { joinKey, type KeyValueStore, type StoredValue, snKey, type TableName, type Write } from '../ports/key-value.js';
import type {
  AnchorRecord,
  DuplicityRecord,
  EscrowKind,
  EscrowRecord,
  EventRecord,
  PendingReceiptsRecord,
} from './records.js';

const DELETED = Symbol('deleted');

export class KelStore {
  private pending = new Map<TableName, Map<string, StoredValue | typeof DELETED>>();
  private pendingCount = 0;

  constructor(readonly backend: KeyValueStore) {}

  // ---- generic overlay --------------------------------------------------------------------

  private get<T>(table: TableName, key: string): T | undefined {
    const overlay = this.pending.get(table)?.get(key);
    if (overlay === DELETED) return undefined;
    if (overlay !== undefined) return overlay as T;
    return this.backend.get(table, key) as T | undefined;
  }

  private put(table: TableName, key: string, value: StoredValue): void {
    let overlay = this.pending.get(table);
    if (!overlay) {
      overlay = new Map();
      this.pending.set(table, overlay);
    }
    overlay.set(key, value);
    this.pendingCount++;
  }

  private remove(table: TableName, key: string): void {
    this.put(table, key, DELETED);
  }

  private *scan<T>(table: TableName, prefix: string, reverse = false): Iterable<[string, T]> {
    const overlay = this.pending.get(table);
    const merged = new Map<string, StoredValue | typeof DELETED>();
    for (const [key, value] of this.backend.scan(table, { prefix })) merged.set(key, value);
    if (overlay) {
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
    return this.pendingCount;
  }

  /** Commits every pending write atomically and durably. */
  async flush(): Promise<void> {
    if (this.pendingCount === 0) return;
    const writes: Write[] = [];
    for (const [table, overlay] of this.pending) {
      for (const [key, value] of overlay) {
        writes.push(value === DELETED ? { table, key, delete: true } : { table, key, value });
      }
    }
    this.pending = new Map();
    this.pendingCount = 0;
    await this.backend.commit(writes);
  }

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

  event(prefix: string, said: string): EventRecord | undefined {
    return this.get<EventRecord>('events', joinKey(prefix, said));
  }

  putEvent(record: EventRecord): void {
    this.put('events', joinKey(record.prefix, record.said), record);
  }

  /** SAIDs accepted at (prefix, sn), oldest first; the last is authoritative. */
  saidsAt(prefix: string, sn: bigint): readonly string[] {
    return this.get<string[]>('kel', joinKey(prefix, snKey(sn))) ?? [];
  }

  /** The authoritative SAID at (prefix, sn) (keripy `getKeLast`). */
  lastSaidAt(prefix: string, sn: bigint): string | undefined {
    return this.saidsAt(prefix, sn).at(-1);
  }

  /** The authoritative event at (prefix, sn). */
  lastEventAt(prefix: string, sn: bigint): EventRecord | undefined {
    const said = this.lastSaidAt(prefix, sn);
    return said === undefined ? undefined : this.event(prefix, said);
  }

  appendKel(prefix: string, sn: bigint, said: string): void {
    const saids = this.saidsAt(prefix, sn);
    if (!saids.includes(said)) this.put('kel', joinKey(prefix, snKey(sn)), [...saids, said]);
  }

  appendFirstSeen(prefix: string, ordinal: bigint, said: string): void {
    this.put('firstSeen', joinKey(prefix, snKey(ordinal)), said);
  }

  /** SAIDs of a prefix's accepted events in first-seen order. */
  *firstSeenSaids(prefix: string): Iterable<string> {
    for (const [, said] of this.scan<string>('firstSeen', prefix + '.')) yield said;
  }

  // ---- escrows ----------------------------------------------------------------------------------

  private escrowKey(kind: EscrowKind, prefix: string, sn: bigint, said: string): string {
    return joinKey(kind, prefix, snKey(sn), said);
  }

  escrow(kind: EscrowKind, prefix: string, sn: bigint, said: string): EscrowRecord | undefined {
    return this.get<EscrowRecord>('escrows', this.escrowKey(kind, prefix, sn, said));
  }

  putEscrow(record: EscrowRecord): void {
    this.put('escrows', this.escrowKey(record.kind, record.prefix, BigInt(`0x${record.sn}`), record.said), record);
  }

  removeEscrow(kind: EscrowKind, prefix: string, sn: bigint, said: string): void {
    if (this.escrow(kind, prefix, sn, said)) this.remove('escrows', this.escrowKey(kind, prefix, sn, said));
  }

  /** Escrowed events of one kind, optionally only those of a prefix and sn. */
  *escrows(kind: EscrowKind, prefix?: string, sn?: bigint): Iterable<EscrowRecord> {
    const parts: string[] = [kind];
    if (prefix !== undefined) parts.push(prefix);
    if (prefix !== undefined && sn !== undefined) parts.push(snKey(sn));
    for (const [, record] of this.scan<EscrowRecord>('escrows', joinKey(...parts) + '.')) yield record;
  }

  // ---- receipts, anchors, duplicity --------------------------------------------------------

  pendingReceipts(prefix: string, said: string): PendingReceiptsRecord | undefined {
    return this.get<PendingReceiptsRecord>('receipts', joinKey(prefix, said));
  }

  putPendingReceipts(record: PendingReceiptsRecord): void {
    this.put('receipts', joinKey(record.prefix, record.said), record);
  }

  removePendingReceipts(prefix: string, said: string): void {
    if (this.pendingReceipts(prefix, said)) this.remove('receipts', joinKey(prefix, said));
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
    this.put('duplicity', joinKey(record.prefix, snKey(BigInt(`0x${record.sn}`)), record.second.said), record);
  }

  duplicity(prefix: string, sn: bigint, said: string): DuplicityRecord | undefined {
    return this.get<DuplicityRecord>('duplicity', joinKey(prefix, snKey(sn), said));
  }

  /** Duplicity evidence, for one prefix or all. */
  *duplicities(prefix?: string): Iterable<DuplicityRecord> {
    for (const [, record] of this.scan<DuplicityRecord>('duplicity', prefix === undefined ? '' : prefix + '.')) {
      yield record;
    }
  }
}
