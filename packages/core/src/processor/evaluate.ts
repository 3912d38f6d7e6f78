/**
 * @module processor/evaluate
 * The decision for one key event given the key state: keripy's `Kevery.processEvent`, `Kever`
 * (`incept`, `update`, `rotate`, `deriveBacks`, `valSigsWigsDel`), as a function that returns a
 * decision instead of raising. The processor carries decisions out.
 */
import { type IndexedSignature, qb64Code, VERIFIER_CODES } from '@kestrel/cesr';
import { EventError, type KeriError, ValidationError } from '../errors.js';
import { TRAITS } from '../event/wire.js';
import { isTransferable, type KeyState, stateAfter } from '../state/key-state.js';
import type { EscrowKind } from '../store/records.js';
import {
  describeThreshold,
  type SigningThreshold,
  satisfies,
  thresholdSize,
} from '../threshold/index.js';
import type { KeyEvent } from '../validation/key-event.js';
import { exposedPriorNextIndices, verifySignatures } from '../validation/signatures.js';
import type { SourceSeal } from './attachments.js';
import type { ProcessorContext } from './context.js';
import { validateDelegation } from './delegation.js';

/** Signatures gathered for an event so far (not yet verified). */
export interface Material {
  readonly signatures: readonly IndexedSignature[];
  readonly witnessSignatures: readonly IndexedSignature[];
  readonly sourceSeal: SourceSeal | undefined;
  /** Processed as coming from this node (see `ProcessorOptions.localPrefixes`). */
  readonly local: boolean;
  /** The escrow the event is retried from; undefined for an arrival. */
  readonly retriedFrom?: EscrowKind | undefined;
}

export type Decision =
  | {
      readonly kind: 'accept';
      readonly state: KeyState;
      readonly signatures: readonly IndexedSignature[];
      readonly witnessSignatures: readonly IndexedSignature[];
      /** The witness list in force for this event. */
      readonly witnesses: readonly string[];
      readonly sourceSeal: SourceSeal | undefined;
      readonly recovery: boolean;
    }
  | { readonly kind: 'duplicate' }
  | {
      readonly kind: 'escrow';
      readonly escrow: EscrowKind;
      readonly waitingFor: string;
      /** Verified signatures to keep (all received ones for out-of-order events). */
      readonly signatures: readonly IndexedSignature[];
      readonly witnessSignatures: readonly IndexedSignature[];
      readonly sourceSeal: SourceSeal | undefined;
      /** To be retried in the next delegation sweep (where the delegator's KEL is searched). */
      readonly retrySoon?: boolean;
    }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'reject'; readonly error: KeriError };

const reject = (error: KeriError): Decision => ({ kind: 'reject', error });

/**
 * Threshold satisfaction as keripy's validator sees it: a weighted threshold is not met when a
 * verified signature comes from a key beyond its weights (keripy's `Tholder.satisfy` fails on such
 * an index). Numeric thresholds count distinct signing keys (keripy counts signatures, so one key
 * signing under two codes would count twice there; we do not allow that).
 */
export function thresholdMet(threshold: SigningThreshold, indices: readonly number[]): boolean {
  if (threshold.kind === 'weighted') {
    const size = thresholdSize(threshold);
    if (indices.some((index) => index >= size)) return false;
  }
  return satisfies(threshold, indices);
}

export function evaluateKeyEvent(
  context: ProcessorContext,
  event: KeyEvent,
  material: Material,
): Decision {
  const state = context.state(event.prefix);
  const inception = event.ilk === 'icp' || event.ilk === 'dip';
  if (state === undefined) {
    if (inception) return guard(() => incept(context, event, material));
    return {
      kind: 'escrow',
      escrow: 'out_of_order',
      waitingFor: `the inception of ${event.prefix}`,
      signatures: material.signatures,
      witnessSignatures: material.witnessSignatures,
      sourceSeal: material.sourceSeal,
    };
  }
  if (inception) {
    return context.store.lastSaidAt(event.prefix, 0n) === event.said
      ? { kind: 'duplicate' }
      : { kind: 'conflict' };
  }
  const next = state.sn + 1n;
  if (event.sn > next) {
    return {
      kind: 'escrow',
      escrow: 'out_of_order',
      waitingFor: `event at sn ${next} of ${event.prefix} (this one is at sn ${event.sn})`,
      signatures: material.signatures,
      witnessSignatures: material.witnessSignatures,
      sourceSeal: material.sourceSeal,
    };
  }
  const lastEstablishment = state.lastEstablishment.sn;
  if (
    event.sn === next ||
    (event.ilk === 'rot' && lastEstablishment < event.sn && event.sn <= next) ||
    (event.ilk === 'drt' && lastEstablishment <= event.sn && event.sn <= next)
  ) {
    return guard(() => update(context, state, event, material));
  }
  return context.store.lastSaidAt(event.prefix, event.sn) === event.said
    ? { kind: 'duplicate' }
    : { kind: 'conflict' };
}

/** Runs a rule check, turning a thrown rule error into a rejection. */
function guard(check: () => Decision): Decision {
  try {
    return check();
  } catch (caught) {
    if (caught instanceof ValidationError || caught instanceof EventError) return reject(caught);
    if (caught instanceof Error && 'code' in caught) return reject(caught as KeriError);
    throw caught;
  }
}

function checkWitnessThreshold(witnesses: readonly string[], threshold: number): void {
  if (witnesses.length > 0 ? threshold < 1 || threshold > witnesses.length : threshold !== 0) {
    throw new ValidationError(
      'bad_witnesses',
      `Witness threshold ${threshold} is invalid for ${witnesses.length} witnesses`,
    );
  }
}

/**
 * keripy 1.3.6 makes a verifier (`Verfer`) of every signing key and every witness when it checks
 * an event's signatures against the key state, and has none for Ed448 keys or for what is not a
 * key: it drops the event there. So does Kestrel, at the same step (an event waiting out of order
 * is judged on this only when its turn comes, as in keripy).
 */
function checkVerifiers(keys: readonly string[], witnesses: readonly string[]): void {
  for (const key of keys) {
    if (!VERIFIER_CODES.has(qb64Code(key) ?? ''))
      throw new EventError('bad_keys', `keripy 1.3.6 cannot verify with the key '${key}'`);
  }
  for (const witness of witnesses) {
    if (!VERIFIER_CODES.has(qb64Code(witness) ?? ''))
      throw new ValidationError(
        'bad_witnesses',
        `Witness '${witness}' is not a key keripy 1.3.6 can verify receipts with`,
      );
  }
}

function checkKeysCover(threshold: SigningThreshold, keys: readonly string[]): void {
  if (keys.length < thresholdSize(threshold)) {
    throw new EventError(
      'bad_keys',
      `Threshold needs ${thresholdSize(threshold)} keys, the event has ${keys.length}`,
    );
  }
}

function incept(context: ProcessorContext, event: KeyEvent, material: Material): Decision {
  if (event.deferredError) throw event.deferredError;
  const signingThreshold = event.signingThreshold!;
  checkKeysCover(signingThreshold, event.keys);
  if (new Set(event.witnesses).size !== event.witnesses.length) {
    throw new ValidationError('bad_witnesses', 'Duplicate witnesses');
  }
  checkWitnessThreshold(event.witnesses, event.witnessThreshold);
  const state: KeyState = {
    prefix: event.prefix,
    sn: 0n,
    said: event.said,
    prior: '',
    ilk: event.ilk,
    firstSeen: 0n,
    datetime: '',
    signingThreshold,
    keys: event.keys,
    nextThreshold: event.nextThreshold!,
    nextKeyDigests: event.nextKeyDigests,
    witnessThreshold: event.witnessThreshold,
    witnesses: event.witnesses,
    cuts: [],
    adds: [],
    lastEstablishment: { sn: 0n, said: event.said },
    establishmentOnly: event.config.includes(TRAITS.EstablishmentOnly),
    doNotDelegate: event.config.includes(TRAITS.DoNotDelegate),
    delegator: event.delegator,
  };
  const decision = validateSignatures(context, event, material, {
    keys: event.keys,
    signingThreshold,
    witnesses: event.witnesses,
    witnessThreshold: event.witnessThreshold,
    prior: undefined,
    delegator: event.delegator,
    newState: state,
    recovery: false,
  });
  // keripy checks this only when it writes the new key state, after accepting the inception; the
  // check fails there and its KEL never starts. (A rotation's failing check leaves its state
  // unwritten, but the rotation in force: not refused here either.)
  if (
    decision.kind === 'accept' &&
    thresholdSize(state.nextThreshold) > state.nextKeyDigests.length
  ) {
    throw new ValidationError(
      'bad_threshold',
      `Next threshold needs ${thresholdSize(state.nextThreshold)} next keys, the event commits to ${state.nextKeyDigests.length}`,
    );
  }
  return decision;
}

function update(
  context: ProcessorContext,
  state: KeyState,
  event: KeyEvent,
  material: Material,
): Decision {
  if (!isTransferable(state)) {
    throw new ValidationError(
      'not_transferable',
      `${event.prefix} is non-transferable or abandoned: no further events`,
    );
  }
  if (event.ilk === 'ixn') {
    if (state.establishmentOnly) {
      throw new ValidationError(
        'establishment_only',
        `${event.prefix} is establishment-only: interactions are not allowed`,
      );
    }
    if (event.sn !== state.sn + 1n)
      throw new ValidationError('stale_event', `Interaction sn ${event.sn} is not next`);
    if (event.prior !== state.said) {
      throw new ValidationError(
        'bad_prior',
        `Prior ${event.prior} is not the SAID of the event at sn ${state.sn} (${state.said})`,
      );
    }
    return validateSignatures(context, event, material, {
      keys: state.keys,
      signingThreshold: state.signingThreshold,
      witnesses: state.witnesses,
      witnessThreshold: state.witnessThreshold,
      prior: undefined,
      delegator: undefined,
      newState: stateAfter(state, {
        sn: event.sn,
        said: event.said,
        prior: event.prior!,
        ilk: 'ixn',
      }),
      recovery: false,
    });
  }

  if (state.delegator !== undefined && event.ilk !== 'drt') {
    throw new ValidationError(
      'delegated_rotation_required',
      `${event.prefix} is delegated: it rotates with 'drt'`,
    );
  }
  let recovery = false;
  if (event.sn <= state.sn) {
    const stale =
      event.ilk === 'rot'
        ? event.sn <= state.lastEstablishment.sn
        : event.sn < state.lastEstablishment.sn;
    if (stale) throw new ValidationError('stale_event', `Stale rotation at sn ${event.sn}`);
    if (event.ilk === 'rot' && state.ilk !== 'ixn') {
      throw new ValidationError(
        'bad_recovery',
        'A recovery rotation may only supersede interaction events',
      );
    }
    const priorSaid = context.store.lastSaidAt(event.prefix, event.sn - 1n);
    if (priorSaid === undefined || priorSaid !== event.prior) {
      throw new ValidationError(
        'bad_recovery',
        `Recovery rotation's prior ${event.prior} is not the event at sn ${event.sn - 1n}`,
      );
    }
    recovery = true;
  } else if (event.prior !== state.said) {
    throw new ValidationError(
      'bad_prior',
      `Prior ${event.prior} is not the SAID of the event at sn ${state.sn} (${state.said})`,
    );
  }
  // Where keripy's `Kever.rotate` first reads the event's keys and thresholds.
  if (event.deferredError) throw event.deferredError;
  const signingThreshold = event.signingThreshold!;
  checkKeysCover(signingThreshold, event.keys);
  const { witnesses, cuts, adds } = recovery
    ? { witnesses: state.witnesses, cuts: state.cuts, adds: state.adds } // keripy keeps the current witnesses on recovery
    : deriveWitnesses(state.witnesses, event.cuts, event.adds);
  checkWitnessThreshold(witnesses, event.witnessThreshold);
  return validateSignatures(context, event, material, {
    keys: event.keys,
    signingThreshold,
    witnesses,
    witnessThreshold: event.witnessThreshold,
    prior: state,
    delegator: event.ilk === 'drt' ? state.delegator : undefined,
    newState: stateAfter(
      state,
      { sn: event.sn, said: event.said, prior: event.prior!, ilk: event.ilk },
      {
        signingThreshold,
        keys: event.keys,
        nextThreshold: event.nextThreshold!,
        nextKeyDigests: event.nextKeyDigests,
        witnessThreshold: event.witnessThreshold,
        witnesses,
        cuts,
        adds,
        lastEstablishment: { sn: event.sn, said: event.said },
      },
    ),
    recovery,
  });
}

/** Witnesses after a rotation's cuts and adds, with keripy's checks (`Kever.deriveBacks`). */
export function deriveWitnesses(
  current: readonly string[],
  cuts: readonly string[],
  adds: readonly string[],
): { witnesses: readonly string[]; cuts: readonly string[]; adds: readonly string[] } {
  if (new Set(cuts).size !== cuts.length)
    throw new ValidationError('bad_witnesses', 'Duplicate witness cuts');
  if (cuts.some((cut) => !current.includes(cut)))
    throw new ValidationError('bad_witnesses', 'A cut witness is not a witness');
  // keripy compares the cuts with the witnesses they remove as ordered sets, and ordered sets are
  // equal only in the same order: cuts listed otherwise than the witness list are refused.
  const inListOrder = current.filter((witness) => cuts.includes(witness));
  if (inListOrder.some((witness, i) => witness !== cuts[i]))
    throw new ValidationError(
      'bad_witnesses',
      'Witness cuts must be listed in the order of the witness list',
    );
  if (new Set(adds).size !== adds.length)
    throw new ValidationError('bad_witnesses', 'Duplicate witness adds');
  if (adds.some((add) => cuts.includes(add)))
    throw new ValidationError('bad_witnesses', 'A witness is both cut and added');
  if (adds.some((add) => current.includes(add)))
    throw new ValidationError('bad_witnesses', 'An added witness is already a witness');
  return { witnesses: [...current.filter((w) => !cuts.includes(w)), ...adds], cuts, adds };
}

interface SignatureRules {
  readonly keys: readonly string[];
  readonly signingThreshold: SigningThreshold;
  readonly witnesses: readonly string[];
  readonly witnessThreshold: number;
  /** The state before a rotation: its next keys must be exposed per its next threshold. */
  readonly prior: KeyState | undefined;
  readonly delegator: string | undefined;
  readonly newState: KeyState;
  readonly recovery: boolean;
}

/** keripy `Kever.valSigsWigsDel`: signatures, prior next threshold, witnesses, delegation. */
function validateSignatures(
  context: ProcessorContext,
  event: KeyEvent,
  material: Material,
  rules: SignatureRules,
): Decision {
  checkKeysCover(rules.signingThreshold, rules.keys);
  // An interaction's keys and witnesses are the state's, checked when they were established.
  if (event.ilk !== 'ixn') checkVerifiers(rules.keys, rules.witnesses);
  const verified = verifySignatures(context.crypto, event.raw, material.signatures, rules.keys);
  if (verified.indices.length === 0) {
    throw new ValidationError(
      'no_signatures',
      'No attached signature verifies against the signing keys',
    );
  }
  if (context.isMisfit(event.prefix, material.local)) {
    return reject(
      new ValidationError(
        'misfit_source',
        `Event ${event.said} of ${event.prefix}, an identifier only this node controls, did not come from this node`,
      ),
    );
  }
  const witnessed = verifySignatures(
    context.crypto,
    event.raw,
    material.witnessSignatures,
    rules.witnesses,
  );
  const escrow = (kind: EscrowKind, waitingFor: string): Extract<Decision, { kind: 'escrow' }> => ({
    kind: 'escrow',
    escrow: kind,
    waitingFor,
    signatures: verified.signatures,
    witnessSignatures: witnessed.signatures,
    sourceSeal: material.sourceSeal,
  });
  if (!thresholdMet(rules.signingThreshold, verified.indices)) {
    return escrow(
      'partially_signed',
      `signatures satisfying ${describeThreshold(rules.signingThreshold)} (${new Set(verified.indices).size} of ${rules.keys.length} keys have signed)`,
    );
  }
  if (rules.prior !== undefined) {
    const exposed = exposedPriorNextIndices(
      context.crypto,
      verified.signatures,
      rules.keys,
      rules.prior.nextKeyDigests,
    );
    if (!thresholdMet(rules.prior.nextThreshold, exposed)) {
      return escrow(
        'partially_signed',
        `signatures of pre-rotated keys satisfying the prior next threshold ${describeThreshold(rules.prior.nextThreshold)} (${exposed.length} exposed)`,
      );
    }
  }
  const local = context.isLocal(event.prefix, rules.witnesses, material.local);
  if (rules.witnesses.length === 0) {
    if (rules.witnessThreshold !== 0)
      throw new ValidationError('bad_witnesses', 'Witness threshold without witnesses');
  } else if (!local) {
    checkWitnessThreshold(rules.witnesses, rules.witnessThreshold);
    const receipted = new Set(witnessed.indices).size;
    if (receipted < rules.witnessThreshold) {
      return escrow(
        'partially_witnessed',
        `${rules.witnessThreshold - receipted} more witness receipt(s) (${receipted} of the ${rules.witnessThreshold} required)`,
      );
    }
  }
  const delegation = validateDelegation(
    context,
    event,
    rules.prior,
    rules.delegator,
    material.sourceSeal,
    local,
    material.retriedFrom,
  );
  if (delegation.kind === 'escrow') {
    const escrowed = escrow('delegation', delegation.waitingFor);
    // A couple that named an event without the anchor is forgotten, as keripy forgets it.
    return {
      ...escrowed,
      sourceSeal: delegation.forgetSourceSeal ? undefined : escrowed.sourceSeal,
      ...(delegation.searchOnRetry ? { retrySoon: true } : {}),
    };
  }
  if (delegation.kind === 'reject') return reject(delegation.error);
  return {
    kind: 'accept',
    state: rules.newState,
    signatures: verified.signatures,
    witnessSignatures: witnessed.signatures,
    witnesses: rules.witnesses,
    sourceSeal: delegation.sourceSeal,
    recovery: rules.recovery,
  };
}
