/**
 * @module processor/context
 * What the parts of the event processor share: the store, crypto, clock, options, and a cache of
 * parsed key states (parsing thresholds for every event would cost more than it should).
 */

import { isoDateTime } from '@kestrel/cesr';
import type { Clock } from '../ports/clock.js';
import type { Crypto } from '../ports/crypto.js';
import { fromKeyStateRecord, type KeyState, toKeyStateRecord } from '../state/key-state.js';
import type { KelStore } from '../store/kel-store.js';
import type { EscrowKind } from '../store/records.js';

export interface ProcessorOptions {
  /**
   * Prefixes this node controls or witnesses. Their events, when processed as local, are accepted
   * before they are fully witnessed and without the delegator's anchor (keripy: owners and
   * witnesses accept first, then gather receipts).
   */
  readonly localPrefixes?: ReadonlySet<string>;
  /**
   * Whether this node alone controls a prefix (holds its current and its next keys). A new event
   * of such a prefix that does not come from this node is refused: keripy's misfit check, so that
   * a thief of the current keys cannot write into the node's own KEL through an OOBI or a mailbox.
   * Prefixes shared with others (multisig groups, custodial arrangements) answer false.
   */
  readonly exclusivelyControlled?: (prefix: string) => boolean;
  /** Escrow timeouts in seconds, overriding keripy's defaults per kind. */
  readonly timeouts?: Partial<Record<EscrowKind | 'receipts', number>>;
}

export class ProcessorContext {
  private readonly states = new Map<string, KeyState>();
  /** States changed since the last flush: written to the store once per batch, not per event. */
  private readonly dirty = new Set<string>();

  constructor(
    readonly store: KelStore,
    readonly crypto: Crypto,
    readonly clock: Clock,
    readonly options: ProcessorOptions = {},
  ) {}

  private datetimeOf = { now: Number.NaN, datetime: '' };

  /** The clock's time as keripy writes datetimes, formatted once per tick (events share ticks). */
  datetime(): string {
    const now = this.clock.now();
    if (now !== this.datetimeOf.now)
      this.datetimeOf = { now, datetime: isoDateTime(new Date(now)) };
    return this.datetimeOf.datetime;
  }

  readonly digest = (code: Parameters<Crypto['digest']>[0], data: Uint8Array): Uint8Array =>
    this.crypto.digest(code, data);

  state(prefix: string): KeyState | undefined {
    let state = this.states.get(prefix);
    if (state === undefined) {
      const record = this.store.state(prefix);
      if (record === undefined) return undefined;
      state = fromKeyStateRecord(record);
      if (this.states.size > 50_000) this.evictClean();
      this.states.set(prefix, state);
    }
    return state;
  }

  setState(state: KeyState): void {
    this.states.set(state.prefix, state);
    this.dirty.add(state.prefix);
  }

  /** Writes the changed key states into the store's pending batch. */
  writeStates(): void {
    for (const prefix of this.dirty)
      this.store.putState(toKeyStateRecord(this.states.get(prefix)!));
    this.dirty.clear();
  }

  private evictClean(): void {
    for (const prefix of this.states.keys())
      if (!this.dirty.has(prefix)) this.states.delete(prefix);
  }

  /**
   * Whether a new event of `prefix` that did not come from this node must be refused (see
   * `exclusivelyControlled`). keripy also refuses, from elsewhere, events its local prefixes
   * witness or delegate; here those arrive through the paths that receive them.
   */
  isMisfit(prefix: string, local: boolean): boolean {
    return !local && this.options.exclusivelyControlled?.(prefix) === true;
  }

  /** Whether events of `prefix` (or witnessed by a local prefix) get local treatment. */
  isLocal(prefix: string, witnesses: readonly string[], local: boolean): boolean {
    const mine = this.options.localPrefixes;
    if (!local || !mine || mine.size === 0) return false;
    return mine.has(prefix) || witnesses.some((witness) => mine.has(witness));
  }
}
