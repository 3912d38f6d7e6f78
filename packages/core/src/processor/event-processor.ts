/**
 * @module processor/event-processor
 * The event processor: takes framed messages, validates key events against key state, keeps what
 * cannot be decided yet in escrows keyed by what it waits for, retries exactly those events when
 * that arrives, records duplicity as evidence, and writes accepted events through the KEL store.
 *
 * `process` is synchronous; `flush` commits the accumulated writes in one atomic batch.
 */
import { type IndexedSignature, type Message, parseHexNumber, toHex } from '@kestrel/cesr';
import { EventError, type KeriError, ValidationError } from '../errors.js';
import { isKeyEventIlk } from '../event/fields.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';
import type { Crypto } from '../ports/crypto.js';
import type { KeyValueStore } from '../ports/key-value.js';
import { firstSeenState } from '../state/key-state.js';
import { KelStore } from '../store/kel-store.js';
import type { EscrowKind, EscrowRecord, EventRecord } from '../store/records.js';
import { type KeyEvent, readReceivedKeyEvent } from '../validation/key-event.js';
import { signaturesFromQb64, verifySignatures } from '../validation/signatures.js';
import { type MessageAttachments, readAttachments, type SourceSeal } from './attachments.js';
import { ProcessorContext, type ProcessorOptions } from './context.js';
import { isEventSeal } from './delegation.js';
import { judgeConflict } from './duplicity.js';
import { deriveWitnesses, evaluateKeyEvent, type Material } from './evaluate.js';
import { ESCROW_TIMEOUTS, type EventOutcome, type Outcome, RECEIPT_TIMEOUT } from './outcomes.js';
import {
  applyReceipts,
  coupleAsWitnessSignature,
  type IncomingReceipts,
  keepPendingReceipts,
  pendingAsIncoming,
  staleReceipt,
} from './receipts.js';
import { bodyOf, readStoredEvent } from './stored-events.js';

const NONE: readonly never[] = Object.freeze([]);

const ESCROW_KINDS: readonly EscrowKind[] = [
  'out_of_order',
  'partially_signed',
  'partially_witnessed',
  'delegation',
];

interface RetryJob {
  readonly kind: EscrowKind;
  readonly prefix: string;
  readonly sn: bigint;
  readonly said: string;
}

export interface EventProcessorConfig {
  /** A KEL store, or a raw key-value store to wrap in one. */
  readonly store: KelStore | KeyValueStore;
  readonly crypto: Crypto;
  readonly clock?: Clock;
  readonly options?: ProcessorOptions;
}

function uniqueSignatures(
  ...lists: ReadonlyArray<readonly IndexedSignature[]>
): IndexedSignature[] {
  const seen = new Map<string, IndexedSignature>();
  for (const list of lists)
    for (const signature of list)
      if (!seen.has(signature.qb64)) seen.set(signature.qb64, signature);
  return [...seen.values()];
}

export class EventProcessor {
  readonly context: ProcessorContext;
  readonly store: KelStore;
  private readonly queue: RetryJob[] = [];

  constructor(config: EventProcessorConfig) {
    this.store = config.store instanceof KelStore ? config.store : new KelStore(config.store);
    this.context = new ProcessorContext(
      this.store,
      config.crypto,
      config.clock ?? systemClock,
      config.options,
    );
  }

  /** Processes one framed message; returns what happened to it and to any escrowed event it released. */
  process(message: Message, options: { local?: boolean } = {}): Outcome[] {
    const outcomes: Outcome[] = [];
    const ilk = message.body.sad.t;
    let attachments: MessageAttachments;
    try {
      attachments = readAttachments(message.attachments);
    } catch (caught) {
      outcomes.push({
        kind: 'rejected',
        error: new EventError('bad_field', `Malformed attachments: ${(caught as Error).message}`),
      });
      return outcomes;
    }
    if (isKeyEventIlk(ilk))
      this.processKeyEvent(message, attachments, options.local ?? false, outcomes);
    else if (ilk === 'rct') this.processReceiptMessage(message, attachments, outcomes);
    else outcomes.push({ kind: 'ignored', ilk: String(ilk), reason: 'not a key event or receipt' });
    this.drainQueue(outcomes);
    return outcomes;
  }

  /**
   * Commits every write since the last flush in one atomic, durable batch. Processing may continue
   * while it is under way; the promise resolves once the batch is on disk.
   */
  flush(): Promise<void> {
    this.context.writeStates();
    return this.store.flush();
  }

  /** Drops escrowed events and receipts that waited longer than their timeout. */
  expireEscrows(): Outcome[] {
    const outcomes: Outcome[] = [];
    const now = this.context.clock.now();
    for (const kind of ESCROW_KINDS) {
      for (const record of [...this.store.escrows(kind)]) {
        if (this.expired(record, now)) {
          this.store.removeEscrow(kind, record.prefix, BigInt(`0x${record.sn}`), record.said);
          outcomes.push(this.expiredOutcome(record));
        }
      }
    }
    const receiptTimeout = (this.context.options.timeouts?.receipts ?? RECEIPT_TIMEOUT) * 1000;
    for (const record of [...this.store.allPendingReceipts()]) {
      if (now - record.receivedAt > receiptTimeout)
        this.store.removePendingReceipts(record.prefix, record.said);
    }
    return outcomes;
  }

  /** Every escrowed event, by kind. */
  listEscrows(): EscrowRecord[] {
    return ESCROW_KINDS.flatMap((kind) => [...this.store.escrows(kind)]);
  }

  // ---- key events ---------------------------------------------------------------------------

  private processKeyEvent(
    message: Message,
    attachments: MessageAttachments,
    local: boolean,
    outcomes: Outcome[],
  ): void {
    let event: KeyEvent;
    try {
      event = readReceivedKeyEvent(message.body, this.context.digest);
    } catch (caught) {
      outcomes.push(rejection(caught, identityGuess(message)));
      return;
    }
    if (attachments.controllerSignatures.length === 0) {
      outcomes.push({
        kind: 'rejected',
        ...identityOf(event),
        error: new ValidationError(
          'no_signatures',
          `Event ${event.said} carries no controller signatures`,
        ),
      });
      return;
    }
    this.handle(
      event,
      {
        signatures: attachments.controllerSignatures,
        witnessSignatures: attachments.witnessSignatures,
        sourceSeal: attachments.sourceSeals.at(-1),
        local,
      },
      undefined,
      outcomes,
    );
    const couples = attachments.receiptCouples;
    const transferable = attachments.transferableReceipts;
    if (couples.length > 0 || transferable.length > 0) {
      const receipts: IncomingReceipts = { witnessSignatures: [], couples, transferable };
      this.receive(event.prefix, event.sn, event.said, receipts, outcomes, false);
    }
  }

  /** The witness list an event would have, to recognise witness receipt couples. */
  private witnessesFor(event: KeyEvent): readonly string[] {
    if (event.ilk === 'icp' || event.ilk === 'dip') return event.witnesses;
    const state = this.context.state(event.prefix);
    if (!state) return [];
    if (event.ilk === 'ixn') return state.witnesses;
    try {
      return deriveWitnesses(state.witnesses, event.cuts, event.adds).witnesses;
    } catch {
      return state.witnesses;
    }
  }

  /** Gathers what is known of an event (escrowed signatures, pending receipts), decides, and carries it out. */
  private handle(
    event: KeyEvent,
    incoming: Material,
    retriedFrom: EscrowKind | undefined,
    outcomes: Outcome[],
  ): void {
    const quiet = this.store.quiet; // nothing escrowed, no receipts pending: skip the lookups
    const escrowed: readonly EscrowRecord[] = quiet
      ? NONE
      : ESCROW_KINDS.map((kind) =>
          this.store.escrow(kind, event.prefix, event.sn, event.said),
        ).filter((record): record is EscrowRecord => record !== undefined);
    const now = this.context.clock.now();
    if (retriedFrom !== undefined) {
      const record = escrowed.find((r) => r.kind === retriedFrom);
      if (record && this.expired(record, now)) {
        this.store.removeEscrow(record.kind, event.prefix, event.sn, event.said);
        outcomes.push(this.expiredOutcome(record));
        return;
      }
    }
    const pending = pendingAsIncoming(
      quiet ? undefined : this.store.pendingReceipts(event.prefix, event.said),
    );
    const witnesses = pending.couples.length > 0 ? this.witnessesFor(event) : [];
    const coupleSignatures = pending.couples
      .map((couple) => coupleAsWitnessSignature(couple, witnesses))
      .filter((signature): signature is IndexedSignature => signature !== undefined);
    let sourceSeal: SourceSeal | undefined = incoming.sourceSeal;
    for (const record of escrowed) {
      if (!sourceSeal && record.sourceSeal) {
        sourceSeal = { sn: BigInt(`0x${record.sourceSeal.sn}`), said: record.sourceSeal.said };
      }
    }
    const material: Material =
      escrowed.length === 0 &&
      pending.witnessSignatures.length === 0 &&
      coupleSignatures.length === 0
        ? sourceSeal === incoming.sourceSeal
          ? incoming
          : { ...incoming, sourceSeal }
        : {
            signatures: uniqueSignatures(
              incoming.signatures,
              ...escrowed.map((r) => signaturesFromQb64(r.signatures)),
            ),
            witnessSignatures: uniqueSignatures(
              incoming.witnessSignatures,
              ...escrowed.map((r) => signaturesFromQb64(r.witnessSignatures)),
              pending.witnessSignatures,
              coupleSignatures,
            ),
            sourceSeal,
            local: incoming.local,
          };

    const decision = evaluateKeyEvent(this.context, event, material);
    const removeEscrows = (except?: EscrowKind) => {
      for (const record of escrowed) {
        if (record.kind !== except)
          this.store.removeEscrow(record.kind, event.prefix, event.sn, event.said);
      }
    };
    switch (decision.kind) {
      case 'accept': {
        removeEscrows();
        this.accept(event, decision, pending, outcomes);
        return;
      }
      case 'escrow': {
        removeEscrows(decision.escrow);
        const previous = escrowed.find((r) => r.kind === decision.escrow);
        const seal = decision.sourceSeal;
        this.store.putEscrow({
          kind: decision.escrow,
          prefix: event.prefix,
          sn: toHex(event.sn),
          said: event.said,
          ilk: event.ilk,
          raw: event.raw,
          signatures: decision.signatures.map((s) => s.qb64),
          witnessSignatures: decision.witnessSignatures.map((s) => s.qb64),
          receipts: [],
          ...(seal ? { sourceSeal: { sn: toHex(seal.sn), said: seal.said } } : {}),
          escrowedAt: previous?.escrowedAt ?? now,
          waitingFor: decision.waitingFor,
        });
        outcomes.push({
          kind: 'escrowed',
          ...identityOf(event),
          escrow: decision.escrow,
          waitingFor: decision.waitingFor,
        });
        return;
      }
      case 'duplicate': {
        removeEscrows();
        outcomes.push({
          kind: 'duplicate',
          ...identityOf(event),
          added: this.logDuplicate(event, material),
        });
        return;
      }
      case 'conflict': {
        removeEscrows();
        const existing = this.store.duplicity(event.prefix, event.sn, event.said);
        if (existing) {
          outcomes.push({ kind: 'duplicitous', ...identityOf(event), evidence: existing });
          return;
        }
        const judgement = guardJudgement(() =>
          judgeConflict(this.context, event, material.signatures, material.witnessSignatures),
        );
        if (judgement.kind === 'duplicitous') {
          this.store.putDuplicity(judgement.record);
          outcomes.push({ kind: 'duplicitous', ...identityOf(event), evidence: judgement.record });
        } else {
          outcomes.push({ kind: 'rejected', ...identityOf(event), error: judgement.error });
        }
        return;
      }
      case 'reject':
        removeEscrows();
        outcomes.push({ kind: 'rejected', ...identityOf(event), error: decision.error });
        return;
    }
  }

  private accept(
    event: KeyEvent,
    decision: Extract<ReturnType<typeof evaluateKeyEvent>, { kind: 'accept' }>,
    pending: IncomingReceipts,
    outcomes: Outcome[],
  ): void {
    const previous = this.context.state(event.prefix);
    const firstSeen = previous === undefined ? 0n : previous.firstSeen + 1n;
    const datetime = this.context.datetime();
    const seal = decision.sourceSeal;
    let record: EventRecord = {
      prefix: event.prefix,
      sn: toHex(event.sn),
      said: event.said,
      ilk: event.ilk,
      raw: event.raw,
      signatures: decision.signatures.map((s) => s.qb64),
      witnessSignatures: decision.witnessSignatures.map((s) => s.qb64),
      receipts: [],
      transferableReceipts: [],
      witnesses: decision.witnesses,
      firstSeen: toHex(firstSeen),
      datetime,
      ...(seal ? { sourceSeal: { sn: toHex(seal.sn), said: seal.said } } : {}),
    };
    if (pending.couples.length > 0 || pending.transferable.length > 0) {
      record = applyReceipts(this.context, record, {
        witnessSignatures: [],
        couples: pending.couples,
        transferable: pending.transferable,
      }).record;
    }
    this.store.removePendingReceipts(event.prefix, event.said);
    this.store.putEvent(record);
    this.context.setState(firstSeenState(decision.state, firstSeen, datetime));
    outcomes.push({
      kind: 'accepted',
      prefix: event.prefix,
      sn: event.sn,
      said: event.said,
      ilk: event.ilk,
      firstSeen,
      recovery: decision.recovery,
    });

    for (const anchored of event.seals) {
      const { i, s, d } = anchored as { i?: unknown; s?: unknown; d?: unknown };
      if (
        typeof i !== 'string' ||
        typeof s !== 'string' ||
        typeof d !== 'string' ||
        !isEventSeal(anchored, i, s, d)
      )
        continue;
      let sealSn: bigint;
      try {
        sealSn = parseHexNumber(s);
      } catch {
        continue;
      }
      this.store.putAnchor(i, sealSn, d, {
        prefix: event.prefix,
        sn: toHex(event.sn),
        said: event.said,
      });
      if (this.store.escrow('delegation', i, sealSn, d))
        this.queue.push({ kind: 'delegation', prefix: i, sn: sealSn, said: d });
    }
    if (this.store.hasOutOfOrderAt(event.prefix, event.sn + 1n)) {
      for (const waiting of this.store.escrows('out_of_order', event.prefix, event.sn + 1n)) {
        this.queue.push({
          kind: 'out_of_order',
          prefix: waiting.prefix,
          sn: event.sn + 1n,
          said: waiting.said,
        });
      }
    }
  }

  /** An already accepted event arrived again: keep any new verified signatures (late receipts). */
  private logDuplicate(event: KeyEvent, material: Material): number {
    const record = this.store.event(event.prefix, event.said, event.sn);
    if (!record) return 0;
    let keys: readonly string[] = event.keys;
    if (event.ilk === 'ixn') {
      for (let at = event.sn - 1n; at >= 0n; at--) {
        const before = this.store.lastEventAt(event.prefix, at);
        if (!before) break;
        if (before.ilk !== 'ixn') {
          keys = readStoredEvent(this.context, before).keys;
          break;
        }
      }
    }
    const known = new Set(record.signatures);
    let fresh: IndexedSignature[] = [];
    try {
      fresh = verifySignatures(
        this.context.crypto,
        record.raw,
        material.signatures,
        keys,
      ).signatures.filter((signature) => !known.has(signature.qb64));
    } catch {
      fresh = [];
    }
    const inRange = material.witnessSignatures.filter(
      (signature) => signature.index < record.witnesses.length,
    );
    const applied = applyReceipts(this.context, record, {
      witnessSignatures: inRange,
      couples: [],
      transferable: [],
    });
    if (fresh.length === 0 && applied.added === 0) return 0;
    this.store.updateEvent({
      ...applied.record,
      signatures: [...record.signatures, ...fresh.map((s) => s.qb64)],
    });
    return fresh.length + applied.added;
  }

  // ---- receipts -----------------------------------------------------------------------------

  private processReceiptMessage(
    message: Message,
    attachments: MessageAttachments,
    outcomes: Outcome[],
  ): void {
    const sad = message.body.sad;
    const prefix = typeof sad.i === 'string' ? sad.i : '';
    const said = typeof sad.d === 'string' ? sad.d : '';
    let sn: bigint;
    try {
      sn = parseHexNumber(String(sad.s));
    } catch {
      outcomes.push({
        kind: 'rejected',
        error: new EventError(
          'bad_sequence_number',
          `Receipt with invalid sn ${JSON.stringify(sad.s)}`,
        ),
      });
      return;
    }
    const incoming: IncomingReceipts = {
      witnessSignatures: attachments.witnessSignatures,
      couples: attachments.receiptCouples,
      transferable: attachments.transferableReceipts,
    };
    if (
      incoming.witnessSignatures.length + incoming.couples.length + incoming.transferable.length ===
      0
    ) {
      outcomes.push({
        kind: 'receipt',
        prefix,
        sn,
        said,
        result: 'rejected',
        count: 0,
        error: new ValidationError('bad_receipt', `Receipt of ${said} carries no signatures`),
      });
      return;
    }
    this.receive(prefix, sn, said, incoming, outcomes, true);
  }

  /** Applies receipts to the accepted event, or keeps them until the event is accepted. */
  private receive(
    prefix: string,
    sn: bigint,
    said: string,
    incoming: IncomingReceipts,
    outcomes: Outcome[],
    report: boolean,
  ): void {
    const accepted = this.store.lastSaidAt(prefix, sn);
    if (accepted !== undefined) {
      if (accepted !== said) {
        if (report)
          outcomes.push({
            kind: 'receipt',
            prefix,
            sn,
            said,
            result: 'rejected',
            count: 0,
            error: staleReceipt(prefix, sn, said, accepted),
          });
        return;
      }
      const record = this.store.event(prefix, said, sn)!;
      const { record: updated, added } = applyReceipts(this.context, record, incoming);
      if (added > 0) this.store.updateEvent(updated);
      if (report)
        outcomes.push({ kind: 'receipt', prefix, sn, said, result: 'applied', count: added });
      return;
    }
    const count = keepPendingReceipts(this.context, prefix, sn, said, incoming);
    if (report) outcomes.push({ kind: 'receipt', prefix, sn, said, result: 'escrowed', count });
    for (const kind of ['partially_witnessed', 'partially_signed', 'delegation'] as const) {
      if (this.store.escrow(kind, prefix, sn, said)) this.queue.push({ kind, prefix, sn, said });
    }
  }

  // ---- escrow retries -----------------------------------------------------------------------

  private drainQueue(outcomes: Outcome[]): void {
    while (this.queue.length > 0) {
      const job = this.queue.shift()!;
      const record = this.store.escrow(job.kind, job.prefix, job.sn, job.said);
      if (!record) continue;
      let event: KeyEvent;
      try {
        event = readReceivedKeyEvent(bodyOf(record.raw), this.context.digest);
      } catch (caught) {
        this.store.removeEscrow(job.kind, job.prefix, job.sn, job.said);
        outcomes.push(rejection(caught, { prefix: job.prefix, sn: job.sn, said: job.said }));
        continue;
      }
      this.handle(
        event,
        {
          signatures: signaturesFromQb64(record.signatures),
          witnessSignatures: signaturesFromQb64(record.witnessSignatures),
          sourceSeal: undefined,
          local: false,
        },
        job.kind,
        outcomes,
      );
    }
  }

  /** Retries every escrowed event once (for callers that want keripy's sweep; not needed for triggers). */
  retryAll(): Outcome[] {
    const outcomes: Outcome[] = [];
    for (const record of this.listEscrows()) {
      this.queue.push({
        kind: record.kind,
        prefix: record.prefix,
        sn: BigInt(`0x${record.sn}`),
        said: record.said,
      });
    }
    this.drainQueue(outcomes);
    return outcomes;
  }

  private expired(record: EscrowRecord, now: number): boolean {
    const seconds = this.context.options.timeouts?.[record.kind] ?? ESCROW_TIMEOUTS[record.kind];
    return now - record.escrowedAt > seconds * 1000;
  }

  private expiredOutcome(record: EscrowRecord): EventOutcome {
    return {
      kind: 'rejected',
      prefix: record.prefix,
      sn: BigInt(`0x${record.sn}`),
      said: record.said,
      ilk: record.ilk,
      error: new ValidationError(
        'expired',
        `Escrow timed out while waiting for ${record.waitingFor}`,
      ),
    };
  }
}

function identityOf(event: KeyEvent) {
  return { prefix: event.prefix, sn: event.sn, said: event.said, ilk: event.ilk };
}

/** What can be told of a body that failed validation. */
function identityGuess(message: Message): {
  prefix?: string;
  said?: string;
  ilk?: KeyEvent['ilk'];
} {
  const sad = message.body.sad;
  const guess: { prefix?: string; said?: string; ilk?: KeyEvent['ilk'] } = {};
  if (typeof sad.i === 'string') guess.prefix = sad.i;
  if (typeof sad.d === 'string') guess.said = sad.d;
  if (isKeyEventIlk(sad.t)) guess.ilk = sad.t;
  return guess;
}

function rejection(caught: unknown, identity: object): EventOutcome {
  if (caught instanceof Error && 'code' in caught && 'context' in caught) {
    return { kind: 'rejected', ...identity, error: caught as KeriError };
  }
  throw caught;
}

function guardJudgement(
  judge: () => ReturnType<typeof judgeConflict>,
): ReturnType<typeof judgeConflict> {
  try {
    return judge();
  } catch (caught) {
    if (caught instanceof EventError || caught instanceof ValidationError)
      return { kind: 'reject', error: caught as ValidationError };
    throw caught;
  }
}
