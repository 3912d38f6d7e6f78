/**
 * @module event/builders
 * Builders of KERI 1.0 messages that reproduce keripy's bytes (keripy `eventing.incept`, `rotate`,
 * `interact`, `receipt`, `delcept`, `deltate`): same defaults, same checks, same field order, same
 * SAID computation.
 */
import { type Digester, type Kind, type MatterCode, type Sad, saidify, toHex } from '@kestrel/cesr';
import { EventError, ThresholdError } from '../errors.js';
import {
  ample,
  parseThreshold,
  type SigningThreshold,
  thresholdSize,
  thresholdToSith,
} from '../threshold/index.js';
import { type Ilk, SAID_FIELDS } from './fields.js';
import type { Seal, Sith } from './wire.js';

/** A built message: its exact bytes and its field map. */
export interface BuiltMessage {
  readonly raw: Uint8Array;
  readonly sad: Sad;
  readonly said: string;
  readonly ilk: Ilk;
  readonly kind: Kind;
}

/** keripy renders integer thresholds as JSON numbers ("intive") only up to this value. */
const MAX_INT_THRESHOLD = 2 ** 32 - 1;

export interface InceptOptions {
  /** Current signing keys, qb64. */
  readonly keys: readonly string[];
  /** `kt`; default keripy's max(1, ceil(keys/2)). */
  readonly signingThreshold?: Sith;
  /** `n`: digests of the next (pre-rotated) keys. */
  readonly nextKeyDigests?: readonly string[];
  /** `nt`; default keripy's max(0, ceil(next/2)). */
  readonly nextThreshold?: Sith;
  /** `b`: witness prefixes. */
  readonly witnesses?: readonly string[];
  /** `bt` (TOAD); default keripy's `ample(witnesses)`. */
  readonly witnessThreshold?: number;
  /** `c`: configuration traits such as 'EO', 'DND'. */
  readonly config?: readonly string[];
  /** `a`: anchored seals. */
  readonly data?: readonly Seal[];
  /** `di`: makes this a delegated inception (`dip`). */
  readonly delegator?: string;
  /**
   * Prefix derivation: a digest code (self-addressing), or 'basic' for a prefix that is the single
   * key itself. Default as keripy's `incept(code=None)`: basic for a single key without a
   * delegator, whether transferable (D...) or not (B...); 'E' otherwise.
   */
  readonly code?: MatterCode | 'basic';
  /** Write thresholds as JSON integers instead of hex strings (keripy `intive`). */
  readonly intive?: boolean;
  readonly kind?: Kind;
}

/**
 * What a controller chooses for an inception besides its keys and next-key digests (those come
 * from a keystore, or from a group's members).
 */
export type InceptionChoices = Pick<
  InceptOptions,
  | 'signingThreshold'
  | 'nextThreshold'
  | 'witnesses'
  | 'witnessThreshold'
  | 'config'
  | 'data'
  | 'delegator'
>;

export interface RotateOptions {
  readonly prefix: string;
  readonly keys: readonly string[];
  /** `p`: SAID of the prior event. */
  readonly prior: string;
  readonly sn: bigint | number;
  readonly ilk?: 'rot' | 'drt';
  readonly signingThreshold?: Sith;
  readonly nextKeyDigests?: readonly string[];
  readonly nextThreshold?: Sith;
  /** The witnesses in force before this rotation (to check cuts and adds and default the TOAD). */
  readonly witnesses?: readonly string[];
  /** `br`: witnesses removed. */
  readonly cuts?: readonly string[];
  /** `ba`: witnesses added. */
  readonly adds?: readonly string[];
  readonly witnessThreshold?: number;
  readonly data?: readonly Seal[];
  readonly intive?: boolean;
  readonly kind?: Kind;
}

export interface InteractOptions {
  readonly prefix: string;
  readonly prior: string;
  readonly sn: bigint | number;
  readonly data?: readonly Seal[];
  readonly kind?: Kind;
}

export interface ReceiptOptions {
  readonly prefix: string;
  readonly sn: bigint | number;
  /** SAID of the receipted event. */
  readonly said: string;
  readonly kind?: Kind;
}

function sithField(threshold: SigningThreshold, intive: boolean | undefined): Sith {
  if (intive && threshold.kind === 'numeric' && threshold.value <= MAX_INT_THRESHOLD)
    return threshold.value;
  return thresholdToSith(threshold) as Sith;
}

function thresholds(
  keys: readonly string[],
  signing: Sith | undefined,
  nextDigests: readonly string[],
  next: Sith | undefined,
): { current: SigningThreshold; next: SigningThreshold } {
  const current = parseThreshold(signing ?? Math.max(1, Math.ceil(keys.length / 2)));
  if (current.kind === 'numeric' && current.value < 1) {
    throw new ThresholdError(`Signing threshold ${current.value} is less than 1`);
  }
  if (thresholdSize(current) > keys.length) {
    throw new ThresholdError(
      `Signing threshold needs ${thresholdSize(current)} keys, only ${keys.length} given`,
    );
  }
  const nextThreshold = parseThreshold(next ?? Math.max(0, Math.ceil(nextDigests.length / 2)));
  if (thresholdSize(nextThreshold) > nextDigests.length) {
    throw new ThresholdError(
      `Next threshold needs ${thresholdSize(nextThreshold)} keys, only ${nextDigests.length} digests given`,
    );
  }
  return { current, next: nextThreshold };
}

function unique(list: readonly string[], what: string): void {
  if (new Set(list).size !== list.length)
    throw new EventError('bad_witnesses', `Duplicate ${what}: ${list.join(', ')}`);
}

function witnessThreshold(witnesses: readonly string[], toad: number | undefined): number {
  const value = toad ?? (witnesses.length === 0 ? 0 : ample(witnesses.length));
  if (witnesses.length > 0 ? value < 1 || value > witnesses.length : value !== 0) {
    throw new EventError(
      'bad_witnesses',
      `Invalid witness threshold ${value} for ${witnesses.length} witnesses`,
    );
  }
  return value;
}

function bt(value: number, intive: boolean | undefined): string | number {
  return intive && value <= MAX_INT_THRESHOLD ? value : toHex(value);
}

function build(
  digest: Digester,
  ilk: Ilk,
  sad: Sad,
  kind: Kind = 'JSON',
  labels = SAID_FIELDS[ilk],
): BuiltMessage {
  const result = saidify(sad, { protocol: 'KERI', kind, labels }, digest);
  return { raw: result.raw, sad: result.sad, said: result.sad.d as string, ilk, kind };
}

/** An inception (`icp`), or a delegated inception (`dip`) when `delegator` is given. */
export function incept(digest: Digester, options: InceptOptions): BuiltMessage {
  const keys = options.keys;
  const nextKeyDigests = options.nextKeyDigests ?? [];
  const { current, next } = thresholds(
    keys,
    options.signingThreshold,
    nextKeyDigests,
    options.nextThreshold,
  );
  const witnesses = options.witnesses ?? [];
  unique(witnesses, 'witnesses');
  const toad = witnessThreshold(witnesses, options.witnessThreshold);
  const ilk: Ilk = options.delegator === undefined ? 'icp' : 'dip';

  const basic =
    options.code === 'basic' ||
    (options.code === undefined && options.delegator === undefined && keys.length === 1);
  if (basic && (keys.length !== 1 || options.delegator !== undefined)) {
    throw new EventError('bad_prefix', 'A basic prefix needs exactly one key and no delegator');
  }
  const sad: Sad = {
    v: '',
    t: ilk,
    d: '',
    i: basic ? keys[0]! : '',
    s: '0',
    kt: sithField(current, options.intive),
    k: [...keys],
    nt: sithField(next, options.intive),
    n: [...nextKeyDigests],
    bt: bt(toad, options.intive),
    b: [...witnesses],
    c: [...(options.config ?? [])],
    a: [...(options.data ?? [])],
  };
  if (options.delegator !== undefined) sad.di = options.delegator;
  const code: MatterCode =
    options.code === undefined || options.code === 'basic' ? 'E' : options.code;
  return build(digest, ilk, sad, options.kind, { d: 'E', i: code });
}

/** A rotation (`rot`), or a delegated rotation (`drt`). */
export function rotate(digest: Digester, options: RotateOptions): BuiltMessage {
  const ilk = options.ilk ?? 'rot';
  const sn = BigInt(options.sn);
  if (sn < 1n) throw new EventError('bad_sequence_number', `A rotation needs sn >= 1, got ${sn}`);
  const nextKeyDigests = options.nextKeyDigests ?? [];
  const { current, next } = thresholds(
    options.keys,
    options.signingThreshold,
    nextKeyDigests,
    options.nextThreshold,
  );
  const witnesses = options.witnesses ?? [];
  const cuts = options.cuts ?? [];
  const adds = options.adds ?? [];
  unique(witnesses, 'witnesses');
  unique(cuts, 'cuts');
  unique(adds, 'adds');
  if (cuts.some((cut) => !witnesses.includes(cut)))
    throw new EventError('bad_witnesses', 'A cut witness is not a witness');
  if (adds.some((add) => witnesses.includes(add)))
    throw new EventError('bad_witnesses', 'An added witness is already a witness');
  if (adds.some((add) => cuts.includes(add)))
    throw new EventError('bad_witnesses', 'A witness is both cut and added');
  const after = [...witnesses.filter((w) => !cuts.includes(w)), ...adds];
  const toad = witnessThreshold(after, options.witnessThreshold);
  // A set on the wire, but keripy refuses cuts in another order than the witness list's.
  const orderedCuts = witnesses.filter((w) => cuts.includes(w));
  const sad: Sad = {
    v: '',
    t: ilk,
    d: '',
    i: options.prefix,
    s: toHex(sn),
    p: options.prior,
    kt: sithField(current, options.intive),
    k: [...options.keys],
    nt: sithField(next, options.intive),
    n: [...nextKeyDigests],
    bt: bt(toad, options.intive),
    br: orderedCuts,
    ba: [...adds],
    a: [...(options.data ?? [])],
  };
  return build(digest, ilk, sad, options.kind);
}

/**
 * A message from a complete field map, with its version string and SAIDs computed (keripy
 * `SerderKERI(sad=..., makify=True)`): for messages the other builders do not make, or make
 * differently on purpose (tests of what validators do with unusual but well-formed events).
 */
export function buildFromFields(digest: Digester, sad: Sad, kind: Kind = 'JSON'): BuiltMessage {
  const ilk = sad.t;
  if (typeof ilk !== 'string' || !Object.hasOwn(SAID_FIELDS, ilk)) {
    throw new EventError('bad_field', `Unknown message type ${JSON.stringify(ilk)}`);
  }
  const built = build(digest, ilk as Ilk, { ...sad, v: '' }, kind);
  return ilk === 'rct' ? { ...built, said: sad.d as string } : built;
}

/** An interaction (`ixn`). */
export function interact(digest: Digester, options: InteractOptions): BuiltMessage {
  const sn = BigInt(options.sn);
  if (sn < 1n)
    throw new EventError('bad_sequence_number', `An interaction needs sn >= 1, got ${sn}`);
  const sad: Sad = {
    v: '',
    t: 'ixn',
    d: '',
    i: options.prefix,
    s: toHex(sn),
    p: options.prior,
    a: [...(options.data ?? [])],
  };
  return build(digest, 'ixn', sad, options.kind);
}

/** A receipt (`rct`) of the event `said` at (`prefix`, `sn`); its `d` is the receipted SAID. */
export function receipt(digest: Digester, options: ReceiptOptions): BuiltMessage {
  const sn = BigInt(options.sn);
  if (sn < 0n) throw new EventError('bad_sequence_number', `Invalid sn ${sn}`);
  const sad: Sad = { v: '', t: 'rct', d: options.said, i: options.prefix, s: toHex(sn) };
  const built = build(digest, 'rct', sad, options.kind);
  return { ...built, said: options.said };
}
