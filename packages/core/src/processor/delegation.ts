/**
 * @module processor/delegation
 * Validating a delegated event (dip, drt) against its delegator's KEL: the delegator must have
 * anchored the seal {i, s, d} of the event in one of its accepted events, must allow delegation,
 * and a delegated rotation that supersedes another must win by keripy's superseding rules
 * (`Kever.validateDelegation`: later delegating event, or later seal in the same event, or a
 * delegating rotation superseding a delegating interaction; recursively up the chain).
 */
import { toHex } from '@kestrel/cesr';
import { type KeriError, ValidationError } from '../errors.js';
import type { Seal } from '../event/wire.js';
import type { KeyState } from '../state/key-state.js';
import type { KeyEvent } from '../validation/key-event.js';
import type { SourceSeal } from './attachments.js';
import type { ProcessorContext } from './context.js';
import { readStoredEvent } from './stored-events.js';

export type DelegationResult =
  | { readonly kind: 'valid'; readonly sourceSeal: SourceSeal | undefined }
  | { readonly kind: 'escrow'; readonly waitingFor: string }
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
  // No recorded source: look the seal up among the anchors.
  const anchor = context.store.anchor(prefix, sn, said);
  return anchor && anchor.prefix === delegator
    ? delegatingEventBySaid(context, delegator, anchor.said, BigInt(`0x${anchor.sn}`))
    : undefined;
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
): DelegationResult {
  if (delegator === undefined || local) return { kind: 'valid', sourceSeal: undefined };
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
    const candidate = delegatingEventAt(context, delegator, sourceSeal.sn);
    if (candidate?.seals.some((seal) => isEventSeal(seal, event.prefix, snHex, event.said)))
      delegating = candidate;
  }
  if (!delegating) {
    // No (usable) source couple: find the delegator's event that anchors the seal.
    const anchor = context.store.anchor(event.prefix, event.sn, event.said);
    if (anchor && anchor.prefix === delegator)
      delegating = delegatingEventBySaid(context, delegator, anchor.said, BigInt(`0x${anchor.sn}`));
  }
  if (!delegating) {
    return {
      kind: 'escrow',
      waitingFor: `delegator ${delegator} to anchor the seal of ${event.ilk} ${snHex} (${event.said})`,
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

  // A delegated rotation superseding the accepted delegated rotation at the same sn.
  let originalEvent = { prefix: prior.prefix, sn: prior.sn, said: prior.said };
  let originalBoss = recordedDelegatingEvent(
    context,
    delegator,
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
        waitingFor: `the delegating events of ${delegator} needed to judge a superseding rotation`,
      };
    }
    if (newBoss.sn > originalBoss.sn || (newBoss.ilk === 'drt' && originalBoss.ilk === 'ixn')) {
      return { kind: 'valid', sourceSeal: found };
    }
    if (newBoss.said === originalBoss.said) {
      const newIndex = sealPosition(newBoss, newEvent.prefix, toHex(newEvent.sn), newEvent.said);
      const oldIndex = sealPosition(
        originalBoss,
        originalEvent.prefix,
        toHex(originalEvent.sn),
        originalEvent.said,
      );
      if (newIndex > oldIndex) return { kind: 'valid', sourceSeal: found };
      return {
        kind: 'reject',
        error: new ValidationError(
          'bad_delegation',
          `Delegated rotation ${event.said} does not supersede ${prior.said}`,
        ),
      };
    }
    // Walk one level up the delegation chain (keripy rule C).
    newEvent = { prefix: newBoss.prefix, sn: newBoss.sn, said: newBoss.said };
    newBoss = recordedDelegatingEvent(context, delegator, newBoss.prefix, newBoss.said, newBoss.sn);
    originalEvent = { prefix: originalBoss.prefix, sn: originalBoss.sn, said: originalBoss.said };
    originalBoss = recordedDelegatingEvent(
      context,
      delegator,
      originalBoss.prefix,
      originalBoss.said,
      originalBoss.sn,
    );
  }
  return {
    kind: 'reject',
    error: new ValidationError(
      'bad_delegation',
      'Delegation chain too deep to judge a superseding rotation',
    ),
  };
}
