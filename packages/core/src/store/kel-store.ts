/**
 * @module store/kel-store
 * The KEL and its escrows over a `KeyValueStore`, with an overlay of pending writes: the processor
 * reads its own uncommitted writes, and `flush()` commits them all in one atomic, durable batch (so
 * one fsync covers many events, and a crash never leaves half an event).
 */

import type { KeyEventIlk } from '../event/fields.js';
import {
  hexSnKey,
  joinKey,
  type KeyValueStore,
  SEPARATOR,
  type StoredValue,
  snKey,
  type TableName,
} from '../ports/key-value.js';
import type { KeyStateRecord } from '../state/key-state.js';
import { encodeEventRecord, storedEventRecord } from './event-record-codec.js';
import { decodeFirstSeenRun, FirstSeenRunWriter, isFirstSeenRun } from './first-seen-run-codec.js';
import { WriteOverlay } from './overlay.js';
import type {
  AnchorRecord,
  DuplicityRecord,
  EscrowKind,
  EscrowRecord,
  EventRecord,
  FirstSeenEntry,
  FirstSeenRunRecord,
  PendingReceiptsRecord,
} from './records.js';

/** A prefix's events first seen since the last flush, stored as one run of its first-seen log. */
interface Run {
  readonly key: string;
  readonly writer: FirstSeenRunWriter;
}

/** Escrows whose events wait for the event before them: indexed by (kind, prefix, sn) too. */
export const WAITING_AT_SN = [
  'out_of_order',
  'likely_duplicitous',
] as const satisfies readonly EscrowKind[];

export class KelStore {
  private readonly overlay: WriteOverlay;
  /** The first-seen run of each prefix in the current batch (appended to until the next flush). */
  private runs = new Map<string, Run>();
  /** Keys of escrowed events and pending receipts, so the hot path needs no lookups for the usual "none". */
  private escrowIndex: Set<string> | undefined;
  /**
   * Pending receipts by the receipter event they wait for: `receipter.sn` to the `prefix.said` keys
   * of pending records holding a transferable receipt that names it (keripy's `vres`). Loaded with
   * the index, kept with the records.
   */
  private readonly receipterWaits = new Map<string, Set<string>>();
  /** How many pending-receipt records there are at each `prefix.sn`, loaded with the index. */
  private readonly receiptsAt = new Map<string, number>();
  /** How many events wait in each escrow of `WAITING_AT_SN` at each `kind.prefix.sn`. */
  private readonly waitingAt = new Map<string, number>();
  /** How many delegation escrows' source seal couples name each `citing.delegator.sn`. */
  private readonly citing = new Map<string, number>();

  constructor(readonly backend: KeyValueStore) {
    this.overlay = new WriteOverlay(backend);
  }

  private get<T>(table: TableName, key: string): T | undefined {
    return this.overlay.get<T>(table, key);
  }

  private put(table: TableName, key: string, value: StoredValue): void {
    this.overlay.put(table, key, value);
  }

  private remove(table: TableName, key: string): void {
    this.overlay.remove(table, key);
  }

  private scan<T>(table: TableName, prefix: string): Iterable<[string, T]> {
    return this.overlay.scan<T>(table, prefix);
  }

  /** Number of writes waiting for `flush`. */
  get pendingWrites(): number {
    return this.overlay.pendingWrites;
  }

  /**
   * Commits every pending write atomically and durably. Processing may go on while the commit is
   * under way (its writes stay readable); the returned promise resolves when they are on disk.
   */
  flush(): Promise<void> {
    // Until now a pending run was its writer (reads decode what it holds); now its bytes.
    for (const { key, writer } of this.runs.values()) this.put('firstSeen', key, writer.finish());
    this.runs = new Map();
    return this.overlay.flush();
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

  /**
   * An accepted event. Events are keyed by prefix, sn and SAID, so give `sn` when known (every
   * hot path knows it); without it the prefix's events are scanned.
   */
  event(prefix: string, said: string, sn?: bigint): EventRecord | undefined {
    if (sn !== undefined) {
      const value = this.get('events', joinKey(prefix, snKey(sn), said));
      return value === undefined ? undefined : storedEventRecord(value);
    }
    for (const [key, value] of this.scan('events', prefix + SEPARATOR)) {
      if (key.endsWith(SEPARATOR + said)) return storedEventRecord(value);
    }
    return undefined;
  }

  /**
   * Stores a newly accepted event, keyed so that it is found in its KEL, and logs it in its
   * prefix's first-seen log. The log is written in runs, one per prefix per flush, so listing a KEL
   * in first-seen order reads a few records instead of every event.
   */
  putEvent(record: EventRecord): void {
    this.updateEvent(record);
    let run = this.runs.get(record.prefix);
    if (run === undefined) {
      const key = joinKey(record.prefix, ordinalKey(record.firstSeen));
      // A run starting at this ordinal exists only if the event was stored before: extend it.
      const stored = this.get('firstSeen', key);
      run = { key, writer: new FirstSeenRunWriter(stored === undefined ? [] : runEntries(stored)) };
      this.runs.set(record.prefix, run);
      this.put('firstSeen', key, run.writer);
    }
    run.writer.append(record.firstSeen, record.sn, record.ilk, record.said);
  }

  /** Replaces the record of a stored event (more verified signatures, receipts). */
  updateEvent(record: EventRecord): void {
    const key = joinKey(record.prefix, hexSnKey(record.sn), record.said);
    this.put('events', key, encodeEventRecord(record));
  }

  /** Events accepted at (prefix, sn), in the order they were accepted; the last is authoritative. */
  eventsAt(prefix: string, sn: bigint): EventRecord[] {
    const records: EventRecord[] = [];
    for (const [, value] of this.scan('events', joinKey(prefix, snKey(sn)) + SEPARATOR))
      records.push(storedEventRecord(value));
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

  /**
   * The SAID of the authoritative event at (prefix, sn). Keys end with the SAID, so the usual case,
   * one event there, decodes no record (every receipt asks this of the event it receipts).
   */
  lastSaidAt(prefix: string, sn: bigint): string | undefined {
    let found: string | undefined;
    for (const [key] of this.scan('events', joinKey(prefix, snKey(sn)) + SEPARATOR)) {
      if (found !== undefined) return this.lastEventAt(prefix, sn)?.said; // a fork: by first seen
      found = key;
    }
    return found?.slice(found.lastIndexOf(SEPARATOR) + 1);
  }

  /** A prefix's accepted events in first-seen order (superseded ones included). */
  firstSeenOrder(prefix: string): Array<{ sn: bigint; said: string; ilk: KeyEventIlk }> {
    return this.firstSeenEntries(prefix).map(([, sn, ilk, said]) => ({
      sn: BigInt(`0x${sn}`),
      said,
      ilk,
    }));
  }

  /** The same as stored: first-seen ordinal and sn in hex, type and SAID (no conversions). */
  firstSeenEntries(prefix: string): readonly FirstSeenEntry[] {
    const entries: FirstSeenEntry[] = [];
    for (const run of this.firstSeenRuns(prefix)) for (const entry of run) entries.push(entry);
    return strictlyIncreasing(entries) ? entries : ordered(entries);
  }

  /**
   * Hands `visit` the entries of a prefix's first-seen log in order, one stored run at a time,
   * without gathering them: a report of a long KEL then keeps only what it makes of each entry,
   * and the entries die young (gathering 100,000 of them cost as much as the rest of the report).
   * Stops and returns false at an entry out of order, which only an event stored twice makes;
   * `firstSeenEntries` puts such a log in order.
   */
  visitFirstSeen(prefix: string, visit: (entry: FirstSeenEntry) => void): boolean {
    let last: string | undefined;
    for (const run of this.firstSeenRuns(prefix)) {
      for (const entry of run) {
        if (last !== undefined && compareHex(last, entry[0]) >= 0) return false;
        last = entry[0];
        visit(entry);
      }
    }
    return true;
  }

  private *firstSeenRuns(prefix: string): Iterable<readonly FirstSeenEntry[]> {
    for (const [, run] of this.scan('firstSeen', prefix + SEPARATOR)) yield runEntries(run);
  }

  // ---- escrows ----------------------------------------------------------------------------------

  private escrowKey(kind: EscrowKind, prefix: string, sn: bigint, said: string): string {
    return joinKey(kind, prefix, snKey(sn), said);
  }

  /**
   * The index of escrow and pending-receipt keys, loaded once from the store (escrows are few),
   * with the counts by what they wait for. Kept exact, so that `quiet` holds again once every
   * escrowed event and pending receipt has left.
   */
  private index(): Set<string> {
    if (!this.escrowIndex) {
      const index = new Set<string>();
      this.escrowIndex = index;
      for (const [key, record] of this.scan<EscrowRecord>('escrows', '')) {
        index.add(key);
        this.countEscrow(key, record, 1);
      }
      for (const [, record] of this.scan<PendingReceiptsRecord>('receipts', ''))
        this.indexPendingReceipts(index, record);
    }
    return this.escrowIndex;
  }

  /** Counts an escrow record in (1) or out (-1) of the indexes of what it waits for. */
  private countEscrow(key: string, record: EscrowRecord, step: 1 | -1): void {
    if ((WAITING_AT_SN as readonly EscrowKind[]).includes(record.kind))
      count(this.waitingAt, key.slice(0, key.lastIndexOf(SEPARATOR)), step);
    const citing = citedSourceKey(record);
    if (citing !== undefined) count(this.citing, citing, step);
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
    if (this.index().has(key)) {
      const previous = this.get<EscrowRecord>('escrows', key);
      if (previous !== undefined) this.countEscrow(key, previous, -1);
    }
    this.index().add(key);
    this.countEscrow(key, record, 1);
    this.put('escrows', key, record);
  }

  removeEscrow(kind: EscrowKind, prefix: string, sn: bigint, said: string): void {
    const key = this.escrowKey(kind, prefix, sn, said);
    if (!this.index().has(key)) return;
    const record = this.get<EscrowRecord>('escrows', key);
    if (record !== undefined) this.countEscrow(key, record, -1);
    this.index().delete(key);
    this.remove('escrows', key);
  }

  /**
   * Delegated events escrowed with a source seal couple naming the delegator's event at `sn`: an
   * index lookup first, so accepting an event costs nothing when none waits for it.
   */
  delegationsCiting(delegator: string, sn: bigint): EscrowRecord[] {
    const key = joinKey('citing', delegator, snKey(sn));
    if (this.quiet || !this.citing.has(key)) return [];
    return [...this.escrows('delegation')].filter((record) => citedSourceKey(record) === key);
  }

  /**
   * Whether an event of an escrow that waits for the event before it (out of order, likely
   * duplicitous) is at (prefix, sn): an index lookup, no store read.
   */
  hasEscrowAt(kind: (typeof WAITING_AT_SN)[number], prefix: string, sn: bigint): boolean {
    return !this.quiet && this.waitingAt.has(joinKey(kind, prefix, snKey(sn)));
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
    this.indexPendingReceipts(this.index(), record);
    this.put('receipts', joinKey(record.prefix, record.said), record);
  }

  removePendingReceipts(prefix: string, said: string): void {
    if (this.quiet) return;
    const key = joinKey(prefix, said);
    if (!this.index().has(`receipts.${key}`)) return;
    const record = this.get<PendingReceiptsRecord>('receipts', key);
    this.index().delete(`receipts.${key}`);
    this.remove('receipts', key);
    if (record === undefined) return;
    count(this.receiptsAt, joinKey(prefix, hexSnKey(record.sn)), -1);
    for (const receipt of record.transferableReceipts) {
      const waitKey = joinKey(receipt.prefix, hexSnKey(receipt.sn));
      const waiting = this.receipterWaits.get(waitKey);
      if (waiting?.delete(key) && waiting.size === 0) this.receipterWaits.delete(waitKey);
    }
  }

  private indexPendingReceipts(index: Set<string>, record: PendingReceiptsRecord): void {
    const key = joinKey(record.prefix, record.said);
    if (!index.has(`receipts.${key}`)) {
      index.add(`receipts.${key}`);
      count(this.receiptsAt, joinKey(record.prefix, hexSnKey(record.sn)), 1);
    }
    for (const receipt of record.transferableReceipts) {
      const waitKey = joinKey(receipt.prefix, hexSnKey(receipt.sn));
      let waiting = this.receipterWaits.get(waitKey);
      if (waiting === undefined) this.receipterWaits.set(waitKey, (waiting = new Set()));
      waiting.add(key);
    }
  }

  /** Pending receipts of events at (prefix, sn), whatever their SAID. */
  pendingReceiptsAt(prefix: string, sn: bigint): PendingReceiptsRecord[] {
    if (this.quiet || !this.receiptsAt.has(joinKey(prefix, snKey(sn)))) return [];
    const records: PendingReceiptsRecord[] = [];
    for (const [, record] of this.scan<PendingReceiptsRecord>('receipts', prefix + SEPARATOR))
      if (hexSnKey(record.sn) === snKey(sn)) records.push(record);
    return records;
  }

  /**
   * Pending receipts holding a transferable receipt by `receipter` under its establishment event
   * at `sn`: they wait for that event to be verified (keripy's unverified transferable receipts).
   */
  pendingReceiptsByReceipter(receipter: string, sn: bigint): PendingReceiptsRecord[] {
    if (this.quiet) return [];
    const waiting = this.receipterWaits.get(joinKey(receipter, snKey(sn)));
    if (waiting === undefined) return [];
    const records: PendingReceiptsRecord[] = [];
    for (const key of waiting) {
      const record = this.get<PendingReceiptsRecord>('receipts', key);
      const names = record?.transferableReceipts.some(
        (receipt) => receipt.prefix === receipter && hexSnKey(receipt.sn) === snKey(sn),
      );
      if (record !== undefined && names) records.push(record);
    }
    return records;
  }

  *allPendingReceipts(): Iterable<PendingReceiptsRecord> {
    for (const [, record] of this.scan<PendingReceiptsRecord>('receipts', '')) yield record;
  }

  /**
   * The accepted events of `anchoringPrefix` that anchor the seal {i: sealPrefix, s: sealSn,
   * d: sealSaid}, lowest sn first. Superseded events are among them (a superseding event that
   * anchors the seal too replaces the record at its sn): callers that need an authoritative
   * anchor keep only those still last at their sn.
   */
  *anchoringEvents(
    sealPrefix: string,
    sealSn: bigint,
    sealSaid: string,
    anchoringPrefix: string,
  ): Iterable<AnchorRecord> {
    const keyPrefix = joinKey(sealPrefix, snKey(sealSn), sealSaid, anchoringPrefix) + SEPARATOR;
    for (const [, anchor] of this.scan<AnchorRecord>('anchors', keyPrefix)) yield anchor;
  }

  /**
   * The delegating event of the delegated event {i: prefix, s: sn, d: said} as found without a
   * source seal (keripy `fetchLastSealingEventByEventSeal`): the lowest-sn event of `delegator`
   * (by default the delegator in the prefix's key state) that anchors the seal and is still the
   * last event at its sn, so that an anchor in a superseded event authorises nothing.
   */
  anchor(
    prefix: string,
    sn: bigint,
    said: string,
    delegator: string | undefined = this.state(prefix)?.di,
  ): AnchorRecord | undefined {
    if (!delegator) return undefined;
    for (const anchor of this.anchoringEvents(prefix, sn, said, delegator))
      if (this.lastSaidAt(delegator, BigInt(`0x${anchor.sn}`)) === anchor.said) return anchor;
    return undefined;
  }

  /**
   * Records that `anchor` (an accepted event) anchors the seal {i: sealPrefix, s: sealSn,
   * d: sealSaid}. Keyed by the seal and then by the anchoring prefix and sn, so that every KEL
   * anchoring a seal keeps its own records (another KEL anchoring it cannot hide the delegator's)
   * and a KEL's records sort by sn. Stores written before this layout keyed a seal's single
   * record by the seal alone; such keys end where these continue, so no scan here reads them.
   */
  putAnchor(sealPrefix: string, sealSn: bigint, sealSaid: string, anchor: AnchorRecord): void {
    const key = joinKey(sealPrefix, snKey(sealSn), sealSaid, anchor.prefix, hexSnKey(anchor.sn));
    this.put('anchors', key, anchor);
  }

  putDuplicity(record: DuplicityRecord): void {
    this.put('duplicity', joinKey(record.prefix, hexSnKey(record.sn), record.second.said), record);
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

/**
 * A run's entries however it is held: its writer while its batch is pending, bytes once stored,
 * or a map as stores written before the run codec hold it.
 */
function runEntries(value: unknown): readonly FirstSeenEntry[] {
  if (value instanceof FirstSeenRunWriter) return value.entries();
  if (isFirstSeenRun(value)) return decodeFirstSeenRun(value);
  return (value as FirstSeenRunRecord).events;
}

function ordinalKey(hex: string): string {
  return hex.padStart(32, '0');
}

function strictlyIncreasing(entries: readonly FirstSeenEntry[]): boolean {
  for (let i = 1; i < entries.length; i++)
    if (compareHex(entries[i - 1]![0], entries[i]![0]) >= 0) return false;
  return true;
}

/** Entries by first-seen ordinal, once each (an event stored twice is logged twice). */
function ordered(entries: readonly FirstSeenEntry[]): FirstSeenEntry[] {
  const byOrdinal = new Map<string, FirstSeenEntry>();
  for (const entry of entries) byOrdinal.set(entry[0], entry);
  return [...byOrdinal.values()].sort((a, b) => compareHex(a[0], b[0]));
}

/** Compares lowercase hex numbers without leading zeros (first-seen ordinals). */
function compareHex(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The index key of the delegator's event a delegation escrow's source seal couple names, if any. */
function citedSourceKey(record: EscrowRecord): string | undefined {
  if (record.kind !== 'delegation' || !record.sourceSeal || !record.delegator) return undefined;
  return joinKey('citing', record.delegator, hexSnKey(record.sourceSeal.sn));
}

/** Adds `step` to a count, forgetting counts that reach zero. */
function count(counts: Map<string, number>, key: string, step: 1 | -1): void {
  const value = (counts.get(key) ?? 0) + step;
  if (value > 0) counts.set(key, value);
  else counts.delete(key);
}
