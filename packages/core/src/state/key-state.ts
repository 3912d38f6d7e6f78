/**
 * @module state/key-state
 * The key state of an identifier after its latest accepted event (keripy `Kever` attributes), and
 * its record form: keripy's key state notice fields (`KeyStateRecord`), which is also how a store
 * keeps it and how `keri kel verify` reports it.
 */
import { NON_TRANSFERABLE_CODES, qb64Code, toHex } from '@kestrel/cesr';
import type { KeyEventIlk } from '../event/fields.js';
import type { Sith } from '../event/wire.js';
import { parseThreshold, type SigningThreshold, thresholdToSith } from '../threshold/index.js';

export interface EstablishmentLocation {
  readonly sn: bigint;
  readonly said: string;
}

export interface KeyState {
  readonly prefix: string;
  /** Sequence number of the latest accepted event. */
  readonly sn: bigint;
  /** SAID of the latest accepted event. */
  readonly said: string;
  /** Its prior SAID (empty for an inception). */
  readonly prior: string;
  /** Its type. */
  readonly ilk: KeyEventIlk;
  /** Its first-seen ordinal in this store. */
  readonly firstSeen: bigint;
  /** When it was first seen (ISO-8601). */
  readonly datetime: string;
  readonly signingThreshold: SigningThreshold;
  readonly keys: readonly string[];
  readonly nextThreshold: SigningThreshold;
  readonly nextKeyDigests: readonly string[];
  readonly witnessThreshold: number;
  readonly witnesses: readonly string[];
  /** Witnesses cut and added by the latest establishment event. */
  readonly cuts: readonly string[];
  readonly adds: readonly string[];
  readonly lastEstablishment: EstablishmentLocation;
  readonly establishmentOnly: boolean;
  readonly doNotDelegate: boolean;
  readonly delegator: string | undefined;
}

/**
 * `state` after an event: its latest-event fields replaced, and for establishment events its keys,
 * thresholds and witnesses. Built field by field: on the hot path (two states per accepted event)
 * an object spread with overrides costs about as much as the rest of accepting the event.
 */
export function stateAfter(
  state: KeyState,
  latest: Pick<KeyState, 'sn' | 'said' | 'prior' | 'ilk'>,
  establishment?: Pick<
    KeyState,
    | 'signingThreshold'
    | 'keys'
    | 'nextThreshold'
    | 'nextKeyDigests'
    | 'witnessThreshold'
    | 'witnesses'
    | 'cuts'
    | 'adds'
    | 'lastEstablishment'
  >,
): KeyState {
  const kept = establishment ?? state;
  return {
    prefix: state.prefix,
    sn: latest.sn,
    said: latest.said,
    prior: latest.prior,
    ilk: latest.ilk,
    firstSeen: state.firstSeen,
    datetime: state.datetime,
    signingThreshold: kept.signingThreshold,
    keys: kept.keys,
    nextThreshold: kept.nextThreshold,
    nextKeyDigests: kept.nextKeyDigests,
    witnessThreshold: kept.witnessThreshold,
    witnesses: kept.witnesses,
    cuts: kept.cuts,
    adds: kept.adds,
    lastEstablishment: kept.lastEstablishment,
    establishmentOnly: state.establishmentOnly,
    doNotDelegate: state.doNotDelegate,
    delegator: state.delegator,
  };
}

/** `state` as accepted: with its first-seen ordinal and datetime (field by field, as above). */
export function firstSeenState(state: KeyState, firstSeen: bigint, datetime: string): KeyState {
  return {
    prefix: state.prefix,
    sn: state.sn,
    said: state.said,
    prior: state.prior,
    ilk: state.ilk,
    firstSeen,
    datetime,
    signingThreshold: state.signingThreshold,
    keys: state.keys,
    nextThreshold: state.nextThreshold,
    nextKeyDigests: state.nextKeyDigests,
    witnessThreshold: state.witnessThreshold,
    witnesses: state.witnesses,
    cuts: state.cuts,
    adds: state.adds,
    lastEstablishment: state.lastEstablishment,
    establishmentOnly: state.establishmentOnly,
    doNotDelegate: state.doNotDelegate,
    delegator: state.delegator,
  };
}

/** Further events are possible only while next keys are committed (else: abandoned or non-transferable). */
export function isTransferable(state: KeyState): boolean {
  if (state.nextKeyDigests.length === 0) return false;
  // The prefix was checked when the KEL was incepted: reading its code is enough (no decoding).
  const code = qb64Code(state.prefix);
  return code !== undefined && !NON_TRANSFERABLE_CODES.has(code);
}

/** keripy's key state record (`KeyStateRecord`), the wire and storage form of a key state. */
export interface KeyStateRecord {
  readonly vn: readonly [number, number];
  readonly i: string;
  readonly s: string;
  readonly p: string;
  readonly d: string;
  readonly f: string;
  readonly dt: string;
  readonly et: string;
  readonly kt: Sith;
  readonly k: readonly string[];
  readonly nt: Sith;
  readonly n: readonly string[];
  readonly bt: string;
  readonly b: readonly string[];
  readonly c: readonly string[];
  readonly ee: {
    readonly s: string;
    readonly d: string;
    readonly br: readonly string[];
    readonly ba: readonly string[];
  };
  readonly di: string;
}

export function toKeyStateRecord(state: KeyState): KeyStateRecord {
  const traits: string[] = [];
  if (state.establishmentOnly) traits.push('EO');
  if (state.doNotDelegate) traits.push('DND');
  return {
    vn: [1, 0],
    i: state.prefix,
    s: toHex(state.sn),
    p: state.prior,
    d: state.said,
    f: toHex(state.firstSeen),
    dt: state.datetime,
    et: state.ilk,
    kt: thresholdToSith(state.signingThreshold) as Sith,
    k: [...state.keys],
    nt: thresholdToSith(state.nextThreshold) as Sith,
    n: [...state.nextKeyDigests],
    bt: toHex(state.witnessThreshold),
    b: [...state.witnesses],
    c: traits,
    ee: {
      s: toHex(state.lastEstablishment.sn),
      d: state.lastEstablishment.said,
      br: [...state.cuts],
      ba: [...state.adds],
    },
    di: state.delegator ?? '',
  };
}

export function fromKeyStateRecord(record: KeyStateRecord): KeyState {
  return {
    prefix: record.i,
    sn: BigInt(`0x${record.s}`),
    said: record.d,
    prior: record.p,
    ilk: record.et as KeyEventIlk,
    firstSeen: BigInt(`0x${record.f}`),
    datetime: record.dt,
    signingThreshold: parseThreshold(record.kt),
    keys: record.k,
    nextThreshold: parseThreshold(record.nt),
    nextKeyDigests: record.n,
    witnessThreshold: Number(BigInt(`0x${record.bt}`)),
    witnesses: record.b,
    cuts: record.ee.br,
    adds: record.ee.ba,
    lastEstablishment: { sn: BigInt(`0x${record.ee.s}`), said: record.ee.d },
    establishmentOnly: record.c.includes('EO'),
    doNotDelegate: record.c.includes('DND'),
    delegator: record.di === '' ? undefined : record.di,
  };
}
