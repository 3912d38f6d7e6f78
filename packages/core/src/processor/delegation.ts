/**
 * @module processor/delegation
 * Validating a delegated event (dip, drt) against its delegator's KEL: the delegator must have
 * anchored the seal {i, s, d} of the event in an accepted event that is still the last at its sn
 * (an anchor in a superseded event approves nothing), must allow delegation, and a delegated
 * rotation that supersedes another must win by keripy's superseding rules
 * (`Kever.validateDelegation`: later delegating event, or later seal in the same event, or a
 * delegating rotation superseding a delegating interaction at the same sn; on any other tie at
 * the same sn, the same rules one level up the delegation chain).
 *
 * Where keripy 1.3.6 differs: it crashes on a typo (`bossn.Ilk`) whenever the superseding
 * rotation's delegating event is not later than the superseded one's, and so drops every rotation
 * that only the same-event, rotation-over-interaction or up-the-chain rules accept; we follow the
 * rules. It also climbs the chain in the first delegator's KEL only; we climb to the delegator's
 * delegator, where the delegating events of delegating events are.
 *
 * keripy searches the delegator's KEL for an anchor only in the retries of its partially signed,
 * partially witnessed and delegation escrows (`eager`), and forgets a couple that names an event
 * without the anchor, to search in its next delegation pass. A new arrival it escrows, to search
 * in the escrow pass right after it, where nothing can come first (its escrows were settled
 * after the message before): searched at once here. Otherwise (a retry of the out-of-order or
 * likely-duplicitous escrow, or a wrong couple on a retry) the event waits for the next
 * delegation retry, in the same sweep: events retried in between may take its sn first, as in
 * keripy.
 */
import { toHex } from '@kestrel/cesr';
import { type KeriError, ValidationError } from '../errors.js';
import type { Seal } from '../event/wire.js';
import type { KeyState } from '../state/key-state.js';
import type { EscrowKind } from '../store/records.js';
import type { KeyEvent } from '../validation/key-event.js';
import type { SourceSeal } from './attachments.js';
import type { ProcessorContext } from './context.js';
import { readStoredEvent } from './stored-events.js';

export type DelegationResult =
  | { readonly kind: 'valid'; readonly sourceSeal: SourceSeal | undefined }
  | {
      readonly kind: 'escrow';
      readonly waitingFor: string;
      /** Waits only for the next delegation retry, where the delegator's KEL is searched. */
      readonly searchOnRetry?: boolean;
      /** The event's source seal couple named an event without the anchor: keripy forgets it. */
      readonly forgetSourceSeal?: boolean;
    }
  | { readonly kind: 'reject'; readonly error: KeriError };

/** Whether an anchored seal is exactly an event seal {i, s, d} for the given event. */
export function isEventSeal(seal: Seal, prefix: string, snHex: string, said: string): boolean {
  const keys = Object.keys(seal);
  return (
    keys.length === 3 &&
    keys[0] === 'i' &&
    keys[1] === 's' &&
    keys[2] === 'd' &&
    seal.i === prefix &&
    seal.s === snHex &&
    seal.d === said
  );
}

interface DelegatingEvent {
  readonly prefix: string;
  readonly sn: bigint;
  readonly said: string;
  readonly ilk: string;
  readonly seals: readonly Seal[];
}

function delegatingEventAt(
  context: ProcessorContext,
  delegator: string,
  sn: bigint,
): DelegatingEvent | undefined {
  const record = context.store.lastEventAt(delegator, sn);
  if (!record) return undefined;
  const event = readStoredEvent(context, record);
  return { prefix: delegator, sn, said: event.said, ilk: event.ilk, seals: event.seals };
}

function delegatingEventBySaid(
  context: ProcessorContext,
  delegator: string,
  said: string,
  sn: bigint,
): DelegatingEvent | undefined {
  const record = context.store.event(delegator, said, sn);
  if (!record) return undefined;
  const event = readStoredEvent(context, record);
  return { prefix: delegator, sn: event.sn, said: event.said, ilk: event.ilk, seals: event.seals };
}

/** The delegating event recorded for an accepted delegated event (keripy `fetchDelegatingEvent`). */
function recordedDelegatingEvent(
  context: ProcessorContext,
  delegator: string,
  prefix: string,
  said: string,
  sn: bigint,
): DelegatingEvent | undefined {
  const record = context.store.event(prefix, said, sn);
  if (!record) return undefined;
  if (record.sourceSeal) {
    return delegatingEventBySaid(
      context,
      delegator,
      record.sourceSeal.said,
      BigInt(`0x${record.sourceSeal.sn}`),
    );
  }
  // No recorded source (accepted as our own, without the approval): find it as for a new event.
  return anchoringEvent(context, delegator, prefix, sn, said);
}

/**
 * The delegator's event that anchors the seal {i: prefix, s: sn, d: said}, found without a source
 * seal: the lowest-sn one still last at its sn (keripy walks the last event at each sn from 0).
 */
function anchoringEvent(
  context: ProcessorContext,
  delegator: string,
  prefix: string,
  sn: bigint,
  said: string,
): DelegatingEvent | undefined {
  const anchor = context.store.anchor(prefix, sn, said, delegator);
  return anchor
    ? delegatingEventBySaid(context, delegator, anchor.said, BigInt(`0x${anchor.sn}`))
    : undefined;
}

/**
 * Whether a delegated event's seal source couple still stands as keripy sees it: no event of the
 * delegator at its sn yet, or the event there anchors the delegated event. Otherwise keripy
 * forgets the couple and searches the delegator's KEL for the anchor instead.
 */
export function sourceSealStands(
  context: ProcessorContext,
  delegator: string,
  couple: { readonly sn: bigint },
  event: { readonly prefix: string; readonly snHex: string; readonly said: string },
): boolean {
  const named = delegatingEventAt(context, delegator, couple.sn);
  return named === undefined || sealPosition(named, event.prefix, event.snHex, event.said) >= 0;
}

function sealPosition(event: DelegatingEvent, prefix: string, snHex: string, said: string): number {
  const eventSeals = event.seals.filter((seal) => Object.keys(seal).join() === 'i,s,d');
  return eventSeals.findIndex((seal) => isEventSeal(seal, prefix, snHex, said));
}

export function validateDelegation(
  context: ProcessorContext,
  event: KeyEvent,
  prior: KeyState | undefined,
  delegator: string | undefined,
  sourceSeal: SourceSeal | undefined,
  local: boolean,
  retriedFrom: EscrowKind | undefined,
): DelegationResult {
  if (delegator === undefined || local) return { kind: 'valid', sourceSeal: undefined };
  const arrival = retriedFrom === undefined;
  const eager =
    arrival ||
    retriedFrom === 'partially_signed' ||
    retriedFrom === 'partially_witnessed' ||
    retriedFrom === 'delegation';
  const delegatorState = context.state(delegator);
  if (!delegatorState) return { kind: 'escrow', waitingFor: `the KEL of delegator ${delegator}` };
  if (delegatorState.doNotDelegate) {
    return {
      kind: 'reject',
      error: new ValidationError(
        'do_not_delegate',
        `Delegator ${delegator} does not allow delegation (DND)`,
      ),
    };
  }
  const snHex = toHex(event.sn);
  let delegating: DelegatingEvent | undefined;
  if (sourceSeal) {
    if (sourceSeal.sn === 0n) {
      // Sn 0 of the delegator's KEL is its inception, which can anchor nothing.
      return {
        kind: 'reject',
        error: new ValidationError(
          'bad_delegation',
          `The source seal of ${event.ilk} at sn ${event.sn} (${event.said}) names sn 0 of delegator ${delegator}: an inception is never a delegating event`,
        ),
      };
    }
    const candidate = delegatingEventAt(context, delegator, sourceSeal.sn);
    if (!candidate) {
      // The couple may be right and the delegator's KEL behind: wait for that event, keeping the
      // couple (searching the KEL instead would let an earlier anchor decide for the couple).
      return {
        kind: 'escrow',
        waitingFor: `event at sn ${sourceSeal.sn} of delegator ${delegator} (${sourceSeal.said}), the source seal of ${event.ilk} at sn ${event.sn} (${event.said})`,
      };
    }
    if (candidate.seals.some((seal) => isEventSeal(seal, event.prefix, snHex, event.said))) {
      delegating = candidate;
    } else if (!arrival) {
      // The couple is wrong (or its event superseded): forgotten, and the KEL searched on retry.
      return {
        kind: 'escrow',
        waitingFor: `a search of delegator ${delegator}'s KEL for the seal of ${event.ilk} at sn ${event.sn} (${event.said}), which the event at sn ${sourceSeal.sn} does not anchor`,
        searchOnRetry: true,
        forgetSourceSeal: true,
      };
    }
  } else if (!eager) {
    return {
      kind: 'escrow',
      waitingFor: `a search of delegator ${delegator}'s KEL for the seal of ${event.ilk} at sn ${event.sn} (${event.said})`,
      searchOnRetry: true,
    };
  }
  delegating ??= anchoringEvent(context, delegator, event.prefix, event.sn, event.said);
  if (!delegating) {
    return {
      kind: 'escrow',
      waitingFor: `delegator ${delegator} to anchor the seal of ${event.ilk} at sn ${event.sn} (${event.said})`,
      forgetSourceSeal: sourceSeal !== undefined,
    };
  }
  const found: SourceSeal = { sn: delegating.sn, said: delegating.said };

  // Not superseding anything: inception, next in order, or a drt superseding an interaction.
  if (
    event.ilk === 'dip' ||
    prior === undefined ||
    event.sn === prior.sn + 1n ||
    (event.sn === prior.sn && prior.ilk === 'ixn' && event.ilk === 'drt')
  ) {
    return { kind: 'valid', sourceSeal: found };
  }
  const doesNotSupersede = (reason: string): DelegationResult => ({
    kind: 'reject',
    error: new ValidationError(
      'bad_delegation',
      `Delegated rotation ${event.said} does not supersede ${prior.said}: ${reason}`,
    ),
  });
  if (prior.ilk !== 'dip' && prior.ilk !== 'drt') {
    // Superseding interactions back from the tip: keripy finds no delegation of the tip (an
    // interaction) to compare with, and drops the rotation.
    return doesNotSupersede(
      `the rotation at sn ${event.sn} would supersede interactions up to sn ${prior.sn}`,
    );
  }

  // A delegated rotation superseding the accepted delegated rotation at the same sn. Each round
  // compares the delegating events of the superseding and of the superseded event, both in the
  // KEL of `chainDelegator`.
  let chainDelegator = delegator;
  let originalEvent = { prefix: prior.prefix, sn: prior.sn, said: prior.said };
  let originalBoss = recordedDelegatingEvent(
    context,
    chainDelegator,
    prior.prefix,
    prior.said,
    prior.sn,
  );
  let newEvent = { prefix: event.prefix, sn: event.sn, said: event.said };
  let newBoss: DelegatingEvent | undefined = delegating;
  for (let depth = 0; depth < 64; depth++) {
    if (!originalBoss || !newBoss) {
      return {
        kind: 'escrow',
        waitingFor: `the delegating events of ${chainDelegator} needed to judge a superseding rotation`,
      };
    }
    // Rule B1: approved later in the delegator's KEL.
    if (newBoss.sn > originalBoss.sn) return { kind: 'valid', sourceSeal: found };
    if (newBoss.sn < originalBoss.sn) {
      return doesNotSupersede(
        `its delegating event at sn ${newBoss.sn} of ${newBoss.prefix} precedes the one at sn ${originalBoss.sn}`,
      );
    }
    if (newBoss.said === originalBoss.said) {
      // Rule B2: approved by the same event, by a later seal.
      const newIndex = sealPosition(newBoss, newEvent.prefix, toHex(newEvent.sn), newEvent.said);
      const oldIndex = sealPosition(
        originalBoss,
        originalEvent.prefix,
        toHex(originalEvent.sn),
        originalEvent.said,
      );
      if (newIndex > oldIndex) return { kind: 'valid', sourceSeal: found };
      return doesNotSupersede(
        `its seal does not follow the superseded one's in ${newBoss.said} of ${newBoss.prefix}`,
      );
    }
    // Rule B3: a tie at the same sn won by a delegating rotation over a delegating interaction
    // (the delegator recovered: a rot, or a drt when it is delegated itself).
    if ((newBoss.ilk === 'drt' || newBoss.ilk === 'rot') && originalBoss.ilk === 'ixn')
      return { kind: 'valid', sourceSeal: found };
    // Rule C: any other tie (one delegating rotation superseding another) is decided one level
    // up, by the delegating events of the two delegating events, in the delegator's delegator.
    const upper = context.state(chainDelegator)?.delegator;
    newEvent = { prefix: newBoss.prefix, sn: newBoss.sn, said: newBoss.said };
    originalEvent = { prefix: originalBoss.prefix, sn: originalBoss.sn, said: originalBoss.said };
    if (upper === undefined) {
      // No level up (the delegator is not delegated): no rule lets the new rotation win the tie.
      return doesNotSupersede(
        `its delegating event ${newBoss.said} of ${newBoss.prefix} does not supersede ${originalBoss.said}`,
      );
    }
    newBoss = recordedDelegatingEvent(context, upper, newEvent.prefix, newEvent.said, newEvent.sn);
    originalBoss = recordedDelegatingEvent(
      context,
      upper,
      originalEvent.prefix,
      originalEvent.said,
      originalEvent.sn,
    );
    chainDelegator = upper;
  }
  return {
    kind: 'reject',
    error: new ValidationError(
      'bad_delegation',
      'Delegation chain too deep to judge a superseding rotation',
    ),
  };
}
