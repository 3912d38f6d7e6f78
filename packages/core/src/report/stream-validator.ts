/**
 * @module report/stream-validator
 * Validating a whole CESR stream as a promiscuous remote validator and reporting the outcome in
 * the shape of the keripy conformance corpus (`expected.json`): the verdict, accepted key states
 * and KELs, where every other event ended, escrow counts, duplicity evidence, and throughput.
 */
import { type CesrError, type ParseItem, StreamParser } from '@kestrel/cesr';
import { isKeyEventIlk } from '../event/fields.js';
import { isEscrowed } from '../processor/escrow-records.js';
import type { EventProcessor } from '../processor/event-processor.js';
import type { Outcome } from '../processor/outcomes.js';
import { type KeyStateRecord, toKeyStateRecord } from '../state/key-state.js';
import { type EscrowKind, type FirstSeenEntry, KERIPY_ESCROW_NAMES } from '../store/records.js';
import { wholeNumber } from '../validation/key-event.js';
import { Lookahead } from './lookahead.js';

export type Fate =
  | 'out_of_order'
  | 'partially_signed'
  | 'partially_witnessed'
  | 'delegation'
  | 'likely_duplicitous'
  | 'dropped';

export interface EventSummary {
  readonly sn: number;
  readonly ilk: string;
  readonly said: string;
}

/** An event that was not accepted and where it ended (the corpus's `not_accepted` entries). */
export interface NotAccepted {
  readonly said: string;
  /** null when the sequence number could not be read (a truncated or malformed body). */
  readonly sn: number | null;
  readonly ilk: string;
  readonly why: Fate;
}

/** The same, with the prefix and the reason in words a person can act on. */
export interface NotAcceptedDetail extends NotAccepted {
  readonly prefix: string;
  readonly reason: string;
}

export interface DuplicitySummary {
  readonly prefix: string;
  readonly sn: string;
  readonly firstSeen: string;
  readonly conflicting: string;
  readonly signedBy: string;
  readonly detectedAt: string;
  readonly summary: string;
}

export interface VerifyReport {
  readonly verdict: 'accepted' | 'partial' | 'rejected';
  readonly accepted: Record<string, { state: Omit<KeyStateRecord, 'dt'>; kel: EventSummary[] }>;
  readonly not_accepted: NotAccepted[];
  readonly escrows: Record<string, number>;
  readonly errors: string[];
  readonly duplicity: DuplicitySummary[];
  readonly stats: { events: number; seconds: number; eventsPerSecond: number };
}

interface Seen {
  prefix: string;
  said: string;
  sn: bigint | null;
  ilk: string;
  /** Why it failed, when it failed before reaching a store (framing or form). */
  failure?: string;
}

/** See `StreamValidatorOptions.minimumBatchSize`. */
const MINIMUM_BATCH = 64;

const ESCROW_FATES: Record<EscrowKind, Fate> = {
  out_of_order: 'out_of_order',
  partially_signed: 'partially_signed',
  partially_witnessed: 'partially_witnessed',
  delegation: 'delegation',
  likely_duplicitous: 'likely_duplicitous',
};

export interface StreamValidatorOptions {
  /**
   * The most messages a batch holds (default 1000): when the previous batch is still being
   * committed by then, processing waits for it.
   */
  readonly batchSize?: number;
  /**
   * When a chunk arrives, what earlier ones left is handed to the store if the previous batch is
   * durable (the store says so on the event loop) and it holds at least this many messages
   * (default 64). When messages arrive in small chunks, as from a socket, this keeps batches as
   * small as the store's commit time allows; a large chunk processed in one go fills batches up to
   * `batchSize`. Nothing is handed over in the middle of a chunk below `batchSize`: no
   * durability notice can arrive before the chunk ends, and lmdb-js would not start the commit
   * before then either, so an early small batch only made the stream's end wait for two commits.
   */
  readonly minimumBatchSize?: number;
}

/** The most errors a report lists (the rest are counted in a last entry). */
const MAX_ERRORS = 1000;

/**
 * Feeds chunks of a stream through a parser and an event processor, and reports. Memory stays
 * flat however long the stream: accepted events live only in the store; only events that are not
 * (yet) accepted are tracked here.
 */
export class StreamValidator {
  private readonly parser = new StreamParser();
  /** Events not accepted (yet), in the order first seen. */
  private readonly open = new Map<string, Seen>();
  /** Prefixes with accepted events in this stream. */
  private readonly prefixes = new Set<string>();
  private readonly errors: string[] = [];
  /** Errors beyond `MAX_ERRORS`, counted only: hostile input must not grow memory without end. */
  private errorsLeftOut = 0;
  /** Prefixes of every key event and receipt in this stream: its report counts only their escrows. */
  private readonly streamPrefixes = new Set<string>();
  private sinceFlush = 0;
  private events = 0;
  /** The batch being committed, if any; settled batches leave it undefined. */
  private pendingFlush: Promise<void> | undefined;
  /** A failed commit, thrown to the caller at the next message or at the end. */
  private flushError: unknown;
  private readonly started = performance.now();
  private readonly lookahead: Lookahead | undefined;

  constructor(
    readonly processor: EventProcessor,
    private readonly options: StreamValidatorOptions = {},
  ) {
    const crypto = processor.context.crypto;
    if (crypto.expect)
      this.lookahead = new Lookahead(processor.context, (checks) => crypto.expect?.(checks));
  }

  /** Parses and processes a chunk; commits to the store every `batchSize` messages. */
  async push(chunk: Uint8Array): Promise<void> {
    // What earlier chunks left is handed over now if the batch before it is durable: not when
    // they ended, since the parser holds each chunk's last message back until it sees what
    // follows, and a stream that came in one chunk would then end with two commits, one after the
    // other, the second for that one message.
    if (
      this.pendingFlush === undefined &&
      this.flushError === undefined &&
      this.sinceFlush >= (this.options.minimumBatchSize ?? MINIMUM_BATCH)
    )
      this.startFlush();
    await this.takeAll(this.parser.push(chunk));
  }

  /** Ends the stream, retries escrows until nothing changes, commits, and reports. */
  async end(): Promise<VerifyReport> {
    await this.takeAll(this.parser.end());
    for (let pass = 0; pass < 10; pass++) {
      const outcomes = this.processor.retryAll();
      this.note(outcomes);
      if (!outcomes.some((outcome) => outcome.kind === 'accepted')) break;
    }
    // The report reads pending writes as the store will hold them, so it needs no commit first;
    // its timing is taken once everything is durable.
    let report: VerifyReport;
    try {
      report = this.report();
    } finally {
      // Committed even if the report throws; the last batch only after the one before is durable.
      await this.settled();
      await this.processor.flush();
    }
    return { ...report, stats: this.stats() };
  }

  /** Processes parsed items in order (through the lookahead when the crypto backend wants one). */
  private async takeAll(items: Iterable<ParseItem>): Promise<void> {
    for (const item of items) {
      const due = this.lookahead ? this.lookahead.admit(item) : item;
      const committing = due && this.take(due);
      if (committing) await committing;
    }
    for (const due of this.lookahead?.drain() ?? []) {
      const committing = this.take(due);
      if (committing) await committing;
    }
  }

  /** Processes one parsed item; returns a promise to wait for when a batch must be committed. */
  private take(item: ParseItem): Promise<void> | undefined {
    if (item.type === 'error') {
      this.failedFrame(item.error);
      return undefined;
    }
    const message = item.message;
    const sad = message.body.sad;
    const keyEvent = isKeyEventIlk(sad.t);
    let sn = keyEvent ? snOf(sad.s) : null;
    // Before processing: an unreadable sn is inferred from the prior event as stored until now.
    if (keyEvent && sn === null) sn = this.snAfter(typeof sad.i === 'string' ? sad.i : '', sad.p);
    if (typeof sad.i === 'string') this.streamPrefixes.add(sad.i);
    const outcomes = this.processor.process(message);
    this.note(outcomes);
    if (keyEvent) {
      this.events++;
      const prefix = typeof sad.i === 'string' ? sad.i : '';
      const said = typeof sad.d === 'string' ? sad.d : '';
      const settled = outcomes.some(
        (o) =>
          (o.kind === 'accepted' || o.kind === 'duplicate') &&
          o.prefix === prefix &&
          o.said === said,
      );
      const key = settled ? undefined : `${prefix}.${said}`;
      if (key !== undefined && !this.open.has(key)) {
        const own: Seen = { prefix, said, sn, ilk: sad.t as string };
        const failure = outcomes.find((o) => o.kind === 'rejected' && o.said === said);
        this.open.set(
          key,
          failure?.kind === 'rejected' ? { ...own, failure: failure.error.message } : own,
        );
      }
    }
    this.sinceFlush++;
    if (this.pendingFlush === undefined) {
      // After a failed commit nothing more is handed over: later batches build on that one.
      if (this.flushError !== undefined) return this.settled();
      if (this.sinceFlush >= (this.options.batchSize ?? 1000)) this.startFlush();
      return undefined;
    }
    return this.sinceFlush >= (this.options.batchSize ?? 1000) ? this.commitBatch() : undefined;
  }

  /**
   * Group commit: one batch is committed at a time while the next one fills, and it is handed
   * over as soon as the previous one is durable, so what a slow stream sent is durable soon after
   * it arrived. A failed commit is kept and thrown to the caller at the next full batch or at
   * the end (never left as an unhandled rejection).
   */
  private startFlush(): void {
    this.sinceFlush = 0;
    const flush = this.processor.flush().then(
      () => {
        if (this.pendingFlush === flush) this.pendingFlush = undefined;
      },
      (error: unknown) => {
        this.flushError ??= error;
        if (this.pendingFlush === flush) this.pendingFlush = undefined;
      },
    );
    this.pendingFlush = flush;
  }

  /** A full batch waits for the previous one to be durable before it is handed over. */
  private async commitBatch(): Promise<void> {
    await this.settled();
    this.startFlush();
  }

  /** Waits for the batch being committed; throws if any commit failed. */
  private async settled(): Promise<void> {
    await this.pendingFlush;
    if (this.flushError !== undefined) throw this.flushError;
  }

  /** When `s` is unreadable, the event that names an accepted `p` as prior is the one after it. */
  private snAfter(prefix: string, prior: unknown): bigint | null {
    if (typeof prior !== 'string') return null;
    const event = this.processor.store.event(prefix, prior);
    return event ? BigInt(`0x${event.sn}`) + 1n : null;
  }

  private addError(text: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(text);
    else this.errorsLeftOut++;
  }

  private failedFrame(error: CesrError): void {
    this.addError(`@${error.offset} ${error.code}: ${error.message}`);
    const { ilk, said, prefix, sn } = error.context;
    if (typeof ilk === 'string' && isKeyEventIlk(ilk) && typeof said === 'string') {
      this.events++;
      const key = `${prefix ?? ''}.${said}`;
      if (!this.open.has(key)) {
        this.open.set(key, {
          prefix: typeof prefix === 'string' ? prefix : '',
          said,
          sn: typeof sn === 'string' ? snOf(sn) : null,
          ilk,
          failure: error.message,
        });
      }
    }
  }

  private note(outcomes: readonly Outcome[]): void {
    for (const outcome of outcomes) {
      if (outcome.kind === 'accepted' || outcome.kind === 'duplicate') {
        this.prefixes.add(outcome.prefix);
        if (this.open.size > 0) this.open.delete(`${outcome.prefix}.${outcome.said}`);
      } else if (outcome.kind === 'rejected') {
        const where = outcome.said ? ` ${outcome.ilk ?? 'event'} ${outcome.said}` : '';
        this.addError(`rejected${where}: ${outcome.error.message}`);
        const seen =
          outcome.said && outcome.prefix !== undefined
            ? this.open.get(`${outcome.prefix}.${outcome.said}`)
            : undefined;
        if (seen) seen.failure = outcome.error.message;
      } else if (outcome.kind === 'receipt' && outcome.result === 'rejected' && outcome.error) {
        this.addError(`receipt rejected: ${outcome.error.message}`);
      }
    }
  }

  report(): VerifyReport {
    const { report } = this.evaluate();
    return report;
  }

  /** Every event that was not accepted, with its prefix and the reason. */
  details(): NotAcceptedDetail[] {
    return this.evaluate().details;
  }

  private evaluate(): { report: VerifyReport; details: NotAcceptedDetail[] } {
    const store = this.processor.store;
    const notAccepted: NotAccepted[] = [];
    const details: NotAcceptedDetail[] = [];
    const prefixes = new Set(this.prefixes);
    for (const seen of this.open.values()) {
      if (seen.sn !== null && store.event(seen.prefix, seen.said, seen.sn)) {
        prefixes.add(seen.prefix);
        continue;
      }
      // A damaged copy that names an accepted event's SAID (under a damaged prefix, say) is that
      // event as far as the report goes: keripy lists events by SAID.
      if (seen.sn !== null && [...this.prefixes].some((p) => store.event(p, seen.said, seen.sn!)))
        continue;
      let why: Fate = 'dropped';
      let reason = seen.failure;
      if (seen.sn !== null) {
        for (const kind of Object.keys(ESCROW_FATES) as EscrowKind[]) {
          const record = store.escrow(kind, seen.prefix, seen.sn, seen.said);
          if (record) {
            why = ESCROW_FATES[kind];
            reason = `waiting for ${record.waitingFor}`;
            break;
          }
        }
        if (why === 'dropped') {
          const evidence = store.duplicity(seen.prefix, seen.sn, seen.said);
          if (evidence && evidence.droppedAt === undefined) {
            why = 'likely_duplicitous';
            reason = evidence.summary;
          }
        }
      }
      const entry: NotAccepted = {
        said: seen.said,
        sn: seen.sn === null ? null : Number(seen.sn),
        ilk: seen.ilk,
        why,
      };
      notAccepted.push(entry);
      details.push({ ...entry, prefix: seen.prefix, reason: reason ?? describeFate(why) });
    }
    // A damaged copy (its prefix changed, say) names the SAID of an event that waits in an
    // escrow: keripy lists events by SAID, so the one that waits stands for both.
    dropDroppedTwins(notAccepted, details);

    const accepted: VerifyReport['accepted'] = {};
    for (const prefix of prefixes) {
      const state = this.processor.context.state(prefix);
      if (!state) continue;
      const { dt: _omitted, ...record } = toKeyStateRecord(state);
      const kel: EventSummary[] = [];
      // The report's sn is a JSON number: read from hex directly, without a bigint per event.
      const summarize = ([, sn, ilk, said]: FirstSeenEntry) => {
        kel.push({ sn: Number.parseInt(sn, 16), ilk, said });
      };
      if (!store.visitFirstSeen(prefix, summarize)) {
        kel.length = 0;
        for (const entry of store.firstSeenEntries(prefix)) summarize(entry);
      }
      accepted[prefix] = { state: record, kel };
    }

    const escrows: Record<string, number> = {};
    const count = (name: string, n = 1) => {
      escrows[name] = (escrows[name] ?? 0) + n;
    };
    // A store kept across runs (`--store`) may hold escrows of other streams: not this one's.
    const withSourceSeal = new Set<string>();
    for (const record of this.processor.listEscrows()) {
      if (!this.streamPrefixes.has(record.prefix)) continue;
      count(KERIPY_ESCROW_NAMES[record.kind]);
      // keripy keeps the -G couple of most events it escrows in `udes`.
      if (this.processor.keepsSourceSeal(record))
        withSourceSeal.add(`${record.prefix}.${record.said}`);
    }
    if (withSourceSeal.size > 0) count('udes', withSourceSeal.size);
    const duplicity: DuplicitySummary[] = [];
    for (const prefix of new Set([...prefixes, ...[...this.open.values()].map((s) => s.prefix)])) {
      for (const record of store.duplicities(prefix)) {
        // keripy holds the conflicting event in its likely-duplicitous escrow until it is accepted
        // (after a recovery), finds it out of order (below a recovery) or drops it (judged in
        // order just above a recovery); counted once when it also waits in one of ours, not at
        // all once it stands accepted at its sn or was dropped. (A superseded event that comes
        // again is parked there too.)
        const sn = BigInt(`0x${record.sn}`);
        const conflicting = record.second.said;
        if (
          record.droppedAt === undefined &&
          !isEscrowed(store, prefix, sn, conflicting) &&
          store.lastSaidAt(prefix, sn) !== conflicting
        )
          count(KERIPY_ESCROW_NAMES.duplicitous);
        duplicity.push({
          prefix: record.prefix,
          sn: record.sn,
          firstSeen: record.first.said,
          conflicting: record.second.said,
          signedBy: record.signedBy,
          detectedAt: record.detectedAt,
          summary: record.summary,
        });
      }
    }
    for (const pending of store.allPendingReceipts()) {
      if (!this.streamPrefixes.has(pending.prefix)) continue;
      // Receipts of a partially witnessed event: keripy's escrow pass moves them onto the event
      // (or drops those that fail), except couples from receipters that are not its witnesses,
      // which it keeps (see keptCouplesFilter).
      const partial = store.escrow(
        'partially_witnessed',
        pending.prefix,
        BigInt(`0x${pending.sn}`),
        pending.said,
      );
      const kept = partial && this.processor.keptCouplesFilter(partial);
      const wigs = kept ? 0 : pending.witnessSignatures.length;
      const couples = kept
        ? pending.receipts.filter((couple) => kept(couple.prefix)).length
        : pending.receipts.length;
      if (wigs) count('uwes', wigs);
      if (couples) count('ures', couples);
      if (pending.transferableReceipts.length) count('vres', pending.transferableReceipts.length);
    }

    const anyAccepted = prefixes.size > 0;
    const verdict =
      notAccepted.length === 0
        ? anyAccepted
          ? 'accepted'
          : 'rejected'
        : anyAccepted
          ? 'partial'
          : 'rejected';
    const report: VerifyReport = {
      verdict,
      accepted,
      not_accepted: notAccepted,
      escrows,
      errors:
        this.errorsLeftOut === 0
          ? this.errors
          : [...this.errors, `... and ${this.errorsLeftOut} more errors`],
      duplicity,
      stats: this.stats(),
    };
    return { report, details };
  }

  /** Events seen and the time since the validator was made. */
  private stats(): VerifyReport['stats'] {
    const seconds = (performance.now() - this.started) / 1000;
    return {
      events: this.events,
      seconds,
      eventsPerSecond: seconds > 0 ? Math.round(this.events / seconds) : 0,
    };
  }
}

function describeFate(why: Fate): string {
  switch (why) {
    case 'out_of_order':
      return 'waiting for earlier events of its KEL';
    case 'partially_signed':
      return 'waiting for more signatures';
    case 'partially_witnessed':
      return 'waiting for more witness receipts';
    case 'delegation':
      return "waiting for the delegator's approval";
    case 'likely_duplicitous':
      return 'conflicts with the first-seen event at its sequence number';
    case 'dropped':
      return 'invalid; dropped';
  }
}

/**
 * An event's sn as keripy's `Number` reads `s` (a hex string as Python's `int(s, 16)` reads it, or
 * a JSON number, which Kestrel refuses in an event but can still name), or null.
 */
function snOf(value: unknown): bigint | null {
  try {
    return wholeNumber(value, 's');
  } catch {
    return null;
  }
}

/** Removes, in place, a dropped entry whose SAID another entry that is not dropped also names. */
function dropDroppedTwins(notAccepted: NotAccepted[], details: NotAcceptedDetail[]): void {
  const waiting = new Set(notAccepted.filter((e) => e.why !== 'dropped').map((e) => e.said));
  if (waiting.size === 0) return;
  for (let at = notAccepted.length - 1; at >= 0; at--) {
    const entry = notAccepted[at]!;
    if (entry.why === 'dropped' && waiting.has(entry.said)) {
      notAccepted.splice(at, 1);
      details.splice(at, 1);
    }
  }
}
