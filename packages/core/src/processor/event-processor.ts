/**
 * @module processor/event-processor
 * The event processor: takes framed messages, validates key events against key state, keeps what
 * cannot be decided yet in escrows keyed by what it waits for, retries exactly those events when
 * that arrives, records duplicity as evidence, and writes accepted events through the KEL store.
 *
 * `process` is synchronous; `flush` commits the accumulated writes in one atomic batch.
 */
import {
  type IndexedSignature,
  isoDateTime,
  type Message,
  parseHexNumber,
  toHex,
} from '@kestrel/cesr';
import { EventError, type KeriError, ValidationError } from '../errors.js';
import { isKeyEventIlk } from '../event/fields.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';
import type { Crypto } from '../ports/crypto.js';
import type { KeyValueStore } from '../ports/key-value.js';
import { firstSeenState } from '../state/key-state.js';
import { KelStore, WAITING_AT_SN } from '../store/kel-store.js';
import type { EscrowKind, EscrowRecord, EventRecord } from '../store/records.js';
import { type KeyEvent, readReceivedKeyEvent } from '../validation/key-event.js';
import { signaturesFromQb64, verifySignatures } from '../validation/signatures.js';
import { type MessageAttachments, readAttachments, type SourceSeal } from './attachments.js';
import { ProcessorContext, type ProcessorOptions } from './context.js';
import { isEventSeal, sourceSealStands } from './delegation.js';
import { judgeConflict } from './duplicity.js';
import {
  earlyWitnessSignatures,
  keptCouplesFilter,
  moveOntoEscrowed,
  moveReceipts,
  witnessedOnlyWith,
} from './early-receipts.js';
import {
  ESCROW_KINDS,
  expired,
  expiredOutcome,
  inArrivalOrder,
  isEscrowed,
  keepInEscrow,
  liveEscrows,
} from './escrow-records.js';
import { evaluateKeyEvent, type Material } from './evaluate.js';
import { type EventOutcome, type Outcome, RECEIPT_TIMEOUT } from './outcomes.js';
import { readReceiptBody } from './receipt-body.js';
import {
  applyReceipts,
  dropStaleReceipts,
  type IncomingReceipts,
  keepPendingReceipts,
  keepWaitingReceipts,
  pendingAsIncoming,
  releaseReceipterWaits,
  staleReceipt,
} from './receipts.js';
import { RetryQueue } from './retry-queue.js';
import { bodyOf, readStoredEvent } from './stored-events.js';

const NONE: readonly never[] = Object.freeze([]);

/** Escrows of events judged against the key state, retried when the state passes their sn. */
const RE_JUDGED = [
  'partially_signed',
  'partially_witnessed',
  'delegation',
] as const satisfies readonly EscrowKind[];

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
  private readonly queue = new RetryQueue(
    (job) => this.store.escrow(job.kind, job.prefix, job.sn, job.said)?.arrival,
  );
  /** Where events were accepted while receipts or escrows were kept: settled after the retries. */
  private readonly acceptedWhileBusy: { prefix: string; sn: bigint }[] = [];

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
        if (expired(this.context, record, now)) {
          this.store.removeEscrow(kind, record.prefix, BigInt(`0x${record.sn}`), record.said);
          outcomes.push(expiredOutcome(record));
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

  /**
   * Whether keripy 1.3.6 would still hold the seal source couple of an escrowed event in its
   * `udes` table: it keeps the couple of every event it escrows, except on a delegated event
   * whose couple names a delegator event that does not anchor it (keripy forgets that couple and
   * searches the delegator's KEL instead).
   */
  keepsSourceSeal(record: EscrowRecord): boolean {
    const seal = record.sourceSeal;
    if (!seal || record.kind === 'likely_duplicitous') return false;
    if (record.kind !== 'delegation') return true;
    let delegator = record.delegator;
    if (delegator === undefined) {
      const event = this.escrowedEvent(record);
      if (event === undefined) return true;
      delegator = event.delegator ?? this.context.state(event.prefix)?.delegator;
    }
    if (delegator === undefined) return true;
    return sourceSealStands(
      this.context,
      delegator,
      { sn: BigInt(`0x${seal.sn}`) },
      { prefix: record.prefix, snHex: record.sn, said: record.said },
    );
  }

  /** See `keptCouplesFilter` in `early-receipts.ts`: for the report's receipt-escrow counts. */
  keptCouplesFilter(record: EscrowRecord): ((receipter: string) => boolean) | undefined {
    const event = this.escrowedEvent(record);
    return event && keptCouplesFilter(this.context, event);
  }

  /** The key event an escrow record holds, or undefined when it cannot be read. */
  private escrowedEvent(record: EscrowRecord): KeyEvent | undefined {
    try {
      return readReceivedKeyEvent(bodyOf(record.raw), this.context.digest);
    } catch {
      return undefined;
    }
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
    const before = outcomes.length;
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
    const transferable = attachments.receiptQuadruples;
    // Receipts attached to an event count only once the event is in the KEL (accepted now, or
    // before): keripy applies them after the event is processed and discards them when it is
    // escrowed or dropped, so they never help an event to its witness threshold.
    if ((couples.length > 0 || transferable.length > 0) && inKel(outcomes, before, event.said)) {
      const receipts: IncomingReceipts = { witnessSignatures: [], couples, transferable };
      this.receive(event.prefix, event.sn, event.said, receipts, outcomes, false);
    }
  }

  /**
   * Gathers what is known of an event (escrowed signatures, pending receipts), decides, and
   * carries it out. A copy that arrives is judged with everything kept for the event, and also on
   * its own when that does not accept it: keripy judges an arriving copy on its own attachments and
   * merges what it kept only when it retries the escrow, so a copy enough on its own is accepted,
   * and a copy that is bad on its own (a signature index beyond the keys) is dropped without
   * touching what was kept.
   */
  private handle(
    event: KeyEvent,
    incoming: Material,
    retriedFrom: EscrowKind | undefined,
    outcomes: Outcome[],
  ): void {
    const quiet = this.store.quiet; // nothing escrowed, no receipts pending: skip the lookups
    const now = this.context.clock.now();
    const escrowed: readonly EscrowRecord[] = quiet
      ? NONE
      : liveEscrows(this.context, event, now, outcomes);
    if (retriedFrom !== undefined && !escrowed.some((record) => record.kind === retriedFrom))
      return;
    const pendingRecord = quiet ? undefined : this.store.pendingReceipts(event.prefix, event.said);
    const pending = pendingAsIncoming(pendingRecord);
    // keripy retries an escrowed event with what was kept with it, and moves receipts that came
    // before it onto it only once it waits for witnesses, later in the same escrow pass: so a
    // retried event waits for witnesses first, and other events waiting at the same sn are
    // retried in between (which of two conflicting events is accepted depends on it). A new
    // arrival takes them at once: keripy's next pass, right after it, gives the same end.
    const foldsReceipts = retriedFrom === undefined || retriedFrom === 'partially_witnessed';
    const pendingWitnessSignatures = foldsReceipts
      ? earlyWitnessSignatures(this.context, event, pending)
      : NONE;
    let keptSourceSeal: SourceSeal | undefined;
    for (const record of escrowed) {
      if (!keptSourceSeal && record.sourceSeal) {
        keptSourceSeal = {
          sn: BigInt(`0x${record.sourceSeal.sn}`),
          said: record.sourceSeal.said,
        };
      }
    }
    // keripy judges an arriving copy, and retries an out-of-order event, with the copy's own -G
    // couple only, not the one it kept: without one, the delegation is looked for in the
    // delegator's KEL. If the event then waits for its delegation, the kept couple is replaced by
    // the copy's, or forgotten when the copy has none; if it waits for anything else, the couple
    // kept first stays (keripy pins the couple of its delegation escrow and adds it elsewhere).
    const ownCoupleOnly = retriedFrom === undefined || retriedFrom === 'out_of_order';
    const sourceSeal = incoming.sourceSeal ?? (ownCoupleOnly ? undefined : keptSourceSeal);
    const own: Material =
      sourceSeal === incoming.sourceSeal && retriedFrom === incoming.retriedFrom
        ? incoming
        : { ...incoming, sourceSeal, retriedFrom };
    const merging = escrowed.length > 0 || pendingWitnessSignatures.length > 0;
    const material: Material = merging
      ? {
          signatures: uniqueSignatures(
            incoming.signatures,
            ...escrowed.map((r) => signaturesFromQb64(r.signatures)),
          ),
          witnessSignatures: uniqueSignatures(
            incoming.witnessSignatures,
            ...escrowed.map((r) => signaturesFromQb64(r.witnessSignatures)),
            pendingWitnessSignatures,
          ),
          sourceSeal,
          local: incoming.local,
          retriedFrom,
        }
      : own;

    let decision = evaluateKeyEvent(this.context, event, material);
    if (
      merging &&
      retriedFrom === undefined &&
      (decision.kind === 'escrow' || decision.kind === 'reject')
    ) {
      const alone = evaluateKeyEvent(this.context, event, own);
      if (alone.kind === 'accept' || (decision.kind === 'reject' && alone.kind !== 'reject')) {
        decision = alone;
      } else if (decision.kind === 'reject') {
        outcomes.push({ kind: 'rejected', ...identityOf(event), error: decision.error });
        return;
      }
    }
    const removeEscrows = (except?: EscrowKind) => {
      for (const record of escrowed) {
        if (record.kind !== except)
          this.store.removeEscrow(record.kind, event.prefix, event.sn, event.said);
      }
    };
    switch (decision.kind) {
      case 'accept': {
        removeEscrows();
        this.accept(event, decision, pending, pendingRecord?.receivedAt, outcomes);
        return;
      }
      case 'escrow': {
        removeEscrows(decision.escrow);
        const keeps =
          ownCoupleOnly &&
          decision.escrow !== 'delegation' &&
          keptSourceSeal !== undefined &&
          (retriedFrom === undefined || decision.sourceSeal === undefined);
        // Receipts that came before an event now waiting for witnesses become its own witness
        // signatures (those that verify), as keripy's next receipt-escrow pass moves them onto it,
        // before any delegation is retried: judged again later against a witness list that no
        // longer reaches their index, they make it fail, as in keripy. (Judged with them already
        // when they were folded in: moved all the same, so that they no longer count as kept.)
        const moved =
          decision.escrow === 'partially_witnessed' ||
          (decision.escrow === 'delegation' &&
            pendingWitnessSignatures.length > 0 &&
            witnessedOnlyWith(decision.witnessSignatures, incoming, escrowed, event))
            ? moveReceipts(this.context, event, pendingRecord)
            : NONE;
        // keripy's delegation pass forgets the couple of an event it moves to another escrow (it
        // clears `udes` when the retry raises anything but "still waiting for the delegation").
        const forgetsCouple = retriedFrom === 'delegation' && decision.escrow !== 'delegation';
        const kept = {
          ...decision,
          witnessSignatures:
            moved.length === 0
              ? decision.witnessSignatures
              : uniqueSignatures(decision.witnessSignatures, moved),
          sourceSeal: keeps ? keptSourceSeal : forgetsCouple ? undefined : decision.sourceSeal,
        };
        keepInEscrow(this.context, event, kept, {
          escrowed,
          pendingSince: pendingRecord?.receivedAt,
          local: incoming.local,
          now,
          outcomes,
        });
        // Waiting only for the delegator's KEL to be searched: keripy's next delegation pass.
        if (decision.retrySoon) {
          this.queue.push({
            kind: 'delegation',
            prefix: event.prefix,
            sn: event.sn,
            said: event.said,
          });
        }
        const unjudged = (signature: IndexedSignature) =>
          !decision.witnessSignatures.some((judged) => judged.qb64 === signature.qb64);
        if (moved.length > 0 && (!foldsReceipts || moved.some(unjudged))) {
          // Whether they are enough is judged after the retries already queued.
          const { prefix, sn, said } = event;
          this.queue.push({ kind: 'partially_witnessed', prefix, sn, said });
        }
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
        const elsewhere = this.continuesAnotherBranch(event);
        let evidence = this.store.duplicity(event.prefix, event.sn, event.said);
        let why: string;
        if (evidence) {
          why = evidence.summary;
        } else {
          const judgement = guardJudgement(() =>
            judgeConflict(this.context, event, material.signatures, material.witnessSignatures),
          );
          if (judgement.kind === 'duplicitous') {
            evidence = judgement.record;
            this.store.putDuplicity(evidence);
            why = evidence.summary;
          } else {
            why = judgement.error.message;
            if (!elsewhere) {
              outcomes.push({ kind: 'rejected', ...identityOf(event), error: judgement.error });
              return;
            }
          }
        }
        if (evidence) outcomes.push({ kind: 'duplicitous', ...identityOf(event), evidence });
        if (!elsewhere) return;
        // It follows an event this KEL does not have: it may belong after a recovery rotation still
        // on its way (keripy's likely-duplicitous escrow), so it waits for that and is retried when
        // the event before it changes, validly signed here or not (a key may be in both key lists).
        // keripy keeps the controller signatures of a copy it escrows so, not its witness
        // signatures: only those kept from an earlier escrow of the event are there on a retry.
        keepInEscrow(
          this.context,
          event,
          {
            escrow: 'likely_duplicitous',
            waitingFor: `its prior event ${event.prior}, which this KEL does not have at sn ${event.sn - 1n} (${why})`,
            signatures: material.signatures,
            witnessSignatures: uniqueSignatures(
              ...escrowed.map((record) => signaturesFromQb64(record.witnessSignatures)),
            ),
            sourceSeal: material.sourceSeal,
          },
          {
            escrowed,
            pendingSince: pendingRecord?.receivedAt,
            local: incoming.local,
            now,
            outcomes,
          },
        );
        return;
      }
      case 'reject':
        removeEscrows();
        // Duplicity evidence judged again and failing for good: keripy drops it from its
        // likely-duplicitous escrow then (a copy that fails on arrival leaves the first in place).
        if (retriedFrom !== undefined) this.dropEvidence(event);
        outcomes.push({ kind: 'rejected', ...identityOf(event), error: decision.error });
        return;
    }
  }

  /** Marks the evidence record of a conflicting event as no longer held as likely duplicitous. */
  private dropEvidence(event: KeyEvent): void {
    const record = this.store.duplicity(event.prefix, event.sn, event.said);
    if (record === undefined || record.droppedAt !== undefined) return;
    const droppedAt = isoDateTime(new Date(this.context.clock.now()));
    this.store.putDuplicity({ ...record, droppedAt });
  }

  /** A non-inception event whose prior is not the accepted event before it (read well enough to judge). */
  private continuesAnotherBranch(event: KeyEvent): boolean {
    if (event.prior === undefined || event.deferredError !== undefined) return false;
    return this.store.lastSaidAt(event.prefix, event.sn - 1n) !== event.prior;
  }

  private accept(
    event: KeyEvent,
    decision: Extract<ReturnType<typeof evaluateKeyEvent>, { kind: 'accept' }>,
    pending: IncomingReceipts,
    pendingSince: number | undefined,
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
    let waiting: IncomingReceipts['transferable'] = [];
    if (
      pending.witnessSignatures.length > 0 ||
      pending.couples.length > 0 ||
      pending.transferable.length > 0
    ) {
      // Those the decision counted are already on the record and are not verified again.
      ({ record, waiting } = applyReceipts(this.context, record, pending, true));
    }
    this.store.removePendingReceipts(event.prefix, event.said);
    if (!this.store.quiet) this.acceptedWhileBusy.push({ prefix: event.prefix, sn: event.sn });
    this.store.putEvent(record);
    this.context.setState(firstSeenState(decision.state, firstSeen, datetime));
    keepWaitingReceipts(this.context, event.prefix, event.sn, event.said, waiting, pendingSince);
    outcomes.push({
      kind: 'accepted',
      prefix: event.prefix,
      sn: event.sn,
      said: event.said,
      ilk: event.ilk,
      firstSeen,
      recovery: decision.recovery,
    });
    this.indexAnchors(event);
    const superseding = previous !== undefined && previous.sn >= event.sn;
    if (!this.store.quiet)
      this.retryWhatWaitsFor(event, previous?.lastEstablishment.sn ?? 0n, superseding, outcomes);
    if (superseding) this.escrowEvidenceAbove(event, outcomes);
  }

  /** Records the delegation seals an accepted event anchors, and retries the events they approve. */
  private indexAnchors(event: KeyEvent): void {
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
      // A delegated event's seal carries its sn as canonical hex (keripy compares the strings):
      // "00" or "0x0" names no event, so it approves nothing and is not indexed.
      if (s !== toHex(sealSn)) continue;
      this.store.putAnchor(i, sealSn, d, {
        prefix: event.prefix,
        sn: toHex(event.sn),
        said: event.said,
      });
      if (this.store.escrow('delegation', i, sealSn, d))
        this.queue.push({ kind: 'delegation', prefix: i, sn: sealSn, said: d });
    }
  }

  /**
   * What waited for the event just accepted: receipts, delegations, the events after it; and the
   * events waiting for signatures, witnesses or a delegation that it changes the judgement of.
   */
  private retryWhatWaitsFor(
    event: KeyEvent,
    lastEstablishmentBefore: bigint,
    superseding: boolean,
    outcomes: Outcome[],
  ): void {
    outcomes.push(...releaseReceipterWaits(this.context, event.prefix, event.sn));
    // Delegated events whose source seal couple names this event: its seals decide them now.
    for (const record of this.store.delegationsCiting(event.prefix, event.sn))
      this.queue.push({
        kind: 'delegation',
        prefix: record.prefix,
        sn: BigInt(`0x${record.sn}`),
        said: record.said,
      });
    for (const kind of WAITING_AT_SN) {
      if (!this.store.hasEscrowAt(kind, event.prefix, event.sn + 1n)) continue;
      const waiting = inArrivalOrder([...this.store.escrows(kind, event.prefix, event.sn + 1n)]);
      for (const record of waiting) {
        this.queue.push({ kind, prefix: record.prefix, sn: event.sn + 1n, said: record.said });
      }
    }
    // keripy judges every escrowed event again on its next pass. An event waiting at this sn now
    // meets another accepted there (a conflict, or a recovery attempt judged against the state
    // it would recover), and after an establishment event a rotation waiting at any sn since the
    // previous one can no longer supersede: judged now, as keripy would, not only when what it
    // waits for arrives (a recovery rotation refused now stays refused when the state moves on).
    // And after a recovery rotation, every event escrowed above its sn: the key state went back
    // below them, and keripy's next pass finds them out of order (or, just after it, in order
    // against the new state).
    const from = event.ilk === 'ixn' ? event.sn : lastEstablishmentBefore + 1n;
    for (const kind of RE_JUDGED) {
      for (const record of this.store.escrows(kind, event.prefix)) {
        const sn = BigInt(`0x${record.sn}`);
        const passed = sn >= from && sn <= event.sn && record.said !== event.said;
        if (passed || (superseding && sn > event.sn))
          this.queue.push({ kind, prefix: record.prefix, sn, said: record.said });
      }
    }
    // Likely-duplicitous events above it too (those just after it were queued above, with what
    // waits at that sn).
    if (superseding) {
      for (const record of this.store.escrows('likely_duplicitous', event.prefix)) {
        const sn = BigInt(`0x${record.sn}`);
        if (sn > event.sn + 1n)
          this.queue.push({
            kind: 'likely_duplicitous',
            prefix: record.prefix,
            sn,
            said: record.said,
          });
      }
    }
  }

  /**
   * keripy parks a conflicting event in its likely-duplicitous escrow and judges it again on every
   * pass: once a recovery rotation takes the key state back below it, the event is out of order
   * there, or, just above the recovery, in order against the recovered state. Kestrel holds it as
   * duplicity evidence (kept as it is), and now judges it as keripy does: escrowed out of order,
   * or judged in order, where it fails unless it follows the recovery, and keripy drops it.
   */
  private escrowEvidenceAbove(recovery: KeyEvent, outcomes: Outcome[]): void {
    const { prefix } = recovery;
    for (const record of [...this.store.duplicities(prefix)]) {
      const sn = BigInt(`0x${record.sn}`);
      const { said, raw, signatures } = record.second;
      if (sn <= recovery.sn || record.droppedAt !== undefined) continue;
      const held = () =>
        this.store.lastSaidAt(prefix, sn) === said || isEscrowed(this.store, prefix, sn, said);
      if (held()) continue;
      let conflicting: KeyEvent;
      try {
        conflicting = readReceivedKeyEvent(bodyOf(raw), this.context.digest);
      } catch {
        continue;
      }
      // Judged again with its controller signatures only, as keripy retries its likely-duplicitous
      // escrow (which keeps no witness signatures).
      this.handle(
        conflicting,
        {
          signatures: signaturesFromQb64(signatures),
          witnessSignatures: [],
          sourceSeal: undefined,
          local: false,
        },
        undefined,
        outcomes,
      );
      if (!held()) this.dropEvidence(conflicting);
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
    // A copy with a signature index beyond the keys or the witnesses adds nothing (keripy's
    // verification of the copy fails before it logs anything).
    if (material.witnessSignatures.some((signature) => signature.index >= record.witnesses.length))
      return 0;
    const known = new Set(record.signatures);
    let fresh: IndexedSignature[];
    try {
      fresh = verifySignatures(
        this.context.crypto,
        record.raw,
        material.signatures,
        keys,
      ).signatures.filter((signature) => !known.has(signature.qb64));
    } catch {
      return 0;
    }
    const applied = applyReceipts(this.context, record, {
      witnessSignatures: material.witnessSignatures,
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
    const body = readReceiptBody(message.body);
    if (body instanceof EventError) {
      outcomes.push({ kind: 'rejected', error: body });
      return;
    }
    const { prefix, sn, said } = body;
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
      const applied = applyReceipts(this.context, record, incoming, true);
      if (applied.added > 0) this.store.updateEvent(applied.record);
      // Transferable receipts whose receipter's establishment event is not known yet wait for it.
      const kept = keepWaitingReceipts(this.context, prefix, sn, said, applied.waiting);
      if (report)
        outcomes.push(
          applied.added === 0 && kept > 0
            ? { kind: 'receipt', prefix, sn, said, result: 'escrowed', count: kept }
            : { kind: 'receipt', prefix, sn, said, result: 'applied', count: applied.added },
        );
      return;
    }
    const count = keepPendingReceipts(this.context, prefix, sn, said, incoming);
    if (report) outcomes.push({ kind: 'receipt', prefix, sn, said, result: 'escrowed', count });
    for (const kind of ['partially_witnessed', 'partially_signed', 'delegation'] as const) {
      const waiting = this.store.escrow(kind, prefix, sn, said);
      if (!waiting) continue;
      // keripy's next receipt-escrow pass moves receipts onto an event waiting for witnesses.
      const event = kind === 'partially_witnessed' ? this.escrowedEvent(waiting) : undefined;
      if (event) moveOntoEscrowed(this.context, waiting, event);
      this.queue.push({ kind, prefix, sn, said });
    }
  }

  // ---- escrow retries -----------------------------------------------------------------------

  private drainQueue(outcomes: Outcome[]): void {
    this.retryQueued(outcomes);
    // Then keripy's receipt-escrow pass over the sns that changed hands.
    for (const { prefix, sn } of this.acceptedWhileBusy.splice(0))
      dropStaleReceipts(this.context, prefix, sn);
  }

  private retryQueued(outcomes: Outcome[]): void {
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
          local: record.local === true,
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
}

/** Whether the outcomes since `from` say the event is in the KEL (accepted now, or already). */
function inKel(outcomes: readonly Outcome[], from: number, said: string): boolean {
  for (let at = from; at < outcomes.length; at++) {
    const outcome = outcomes[at]!;
    if ((outcome.kind === 'accepted' || outcome.kind === 'duplicate') && outcome.said === said)
      return true;
  }
  return false;
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
