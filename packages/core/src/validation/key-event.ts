/**
 * @module validation/key-event
 * A key event read from a message body and checked for form as keripy's `SerderKERI` does before
 * any key state is consulted: exact field list, SAIDs, prefix derivation, sequence number. A body
 * that fails here is dropped, whatever its signatures.
 *
 * keripy reads an establishment event's keys, next key digests, thresholds and witness fields only
 * when it validates the event against the key state (`Kever.incept`, `Kever.rotate`), so a rotation
 * with a malformed key that arrives out of order waits in escrow there, and one that conflicts with
 * an accepted event is parked as likely duplicitous; it is dropped only when its turn comes. The
 * processor reads events with `readReceivedKeyEvent`, which keeps such a problem on the event
 * (`deferredError`) for the validation step to raise; `readKeyEvent` raises it at once.
 */
import {
  BASIC_PREFIX_CODES,
  type Body,
  DIGEST_CODES,
  type Digester,
  findInvalidSaid,
  type Kind,
  NON_TRANSFERABLE_CODES,
  PREFIX_CODES,
  parseKeripyNumber,
  qb64Code,
  type Sad,
  VERIFICATION_KEY_CODES,
  versify,
} from '@kestrel/cesr';
import { EventError, KeriError, ThresholdError } from '../errors.js';
import {
  fieldOrderProblem,
  isKeyEventIlk,
  type KeyEventIlk,
  SAID_FIELDS,
} from '../event/fields.js';
import type { Seal } from '../event/wire.js';
import { parseThreshold, type SigningThreshold } from '../threshold/index.js';

/** A well-formed key event (icp, rot, ixn, dip, drt). */
export interface KeyEvent {
  readonly raw: Uint8Array;
  readonly sad: Sad;
  readonly kind: Kind;
  readonly ilk: KeyEventIlk;
  readonly prefix: string;
  readonly said: string;
  readonly sn: bigint;
  /** `p`: SAID of the prior event (not on inceptions). */
  readonly prior: string | undefined;
  /** Establishment fields (empty for interactions). */
  readonly keys: readonly string[];
  readonly signingThreshold: SigningThreshold | undefined;
  readonly nextKeyDigests: readonly string[];
  readonly nextThreshold: SigningThreshold | undefined;
  readonly witnessThreshold: number;
  /** `b` of inceptions. */
  readonly witnesses: readonly string[];
  /** `br` and `ba` of rotations. */
  readonly cuts: readonly string[];
  readonly adds: readonly string[];
  readonly config: readonly string[];
  readonly seals: readonly Seal[];
  /** `di` of a delegated inception. */
  readonly delegator: string | undefined;
  /**
   * What is wrong with the establishment fields (`k`, `n`, `kt`, `nt`, `bt`, `b`, `br`, `ba`, `c`),
   * which are then empty: raised when the event is validated against the key state, as keripy
   * does. Only `readReceivedKeyEvent` returns events that have one.
   */
  readonly deferredError?: KeriError | undefined;
}

/** An establishment event's key and witness fields (empty for interactions). */
type EstablishmentFields = Pick<
  KeyEvent,
  | 'keys'
  | 'signingThreshold'
  | 'nextKeyDigests'
  | 'nextThreshold'
  | 'witnessThreshold'
  | 'witnesses'
  | 'cuts'
  | 'adds'
  | 'config'
>;

const NO_ESTABLISHMENT_FIELDS: EstablishmentFields = {
  keys: [],
  signingThreshold: undefined,
  nextKeyDigests: [],
  nextThreshold: undefined,
  witnessThreshold: 0,
  witnesses: [],
  cuts: [],
  adds: [],
  config: [],
};

function list(sad: Sad, label: string): readonly string[] {
  const value = sad[label];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new EventError('bad_field', `Field '${label}' must be a list of strings`, { label });
  }
  return value as string[];
}

function text(sad: Sad, label: string): string {
  const value = sad[label];
  if (typeof value !== 'string')
    throw new EventError('bad_field', `Field '${label}' must be a string`, { label });
  return value;
}

function codeOf(qb64: string, what: string): string {
  const code = qb64Code(qb64);
  if (code === undefined) throw new EventError('bad_field', `Invalid ${what} '${qb64}'`);
  return code;
}

/**
 * The largest sequence number keripy can encode (its `Number` primitive holds 17 bytes); it drops
 * an event with a larger one rather than waiting for the events before it.
 */
export const LARGEST_SEQUENCE_NUMBER = 256n ** 17n - 1n;

/** A number field as keripy's `Number(num=...)` reads it: an integer or a hex string. */
export function wholeNumber(value: unknown, label: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string') {
    try {
      return parseKeripyNumber(value);
    } catch {
      // fall through
    }
  }
  throw new EventError(
    'bad_field',
    `Field '${label}' is not a whole number: ${JSON.stringify(value)}`,
    { label },
  );
}

/**
 * The seals of an event's `a` field: its maps. keripy 1.3.6 does not check the field's type; it
 * reads it only to find event seals ({i, s, d} maps) among its items and, for a non-transferable
 * prefix, to see that it is empty. So an event whose `a` is not a list, or lists other values
 * besides maps, is valid there and anchors only the maps it lists.
 */
function sealsOf(anchors: unknown): readonly Seal[] {
  if (!Array.isArray(anchors)) return [];
  return anchors.every(isMap) ? (anchors as Seal[]) : (anchors.filter(isMap) as Seal[]);
}

function isMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's truth value of a JSON value, as keripy tests a non-transferable prefix's `a`. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value) || typeof value === 'string') return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Reads and checks a key event from a body; throws `EventError` when it is malformed. */
export function readKeyEvent(body: Body, digest: Digester): KeyEvent {
  const event = readReceivedKeyEvent(body, digest);
  if (event.deferredError) throw event.deferredError;
  return event;
}

/** Establishment fields that may be written as JSON numbers (keripy refuses a float in each). */
const NUMBER_FIELDS = ['kt', 'nt', 'bt'] as const;

/**
 * Whether a top-level number field is written as a float in a JSON body (`2.0`, `2e0`), which
 * JSON.parse reads as the integer 2. keripy refuses a float threshold. Only asked when the field
 * is a number, which thresholds almost never are. The first `"label":` in the text is the
 * top-level field: `kt`, `nt` and `bt` come before any nested map in the field order, and a quote
 * inside a string is escaped.
 */
function writtenAsFloat(raw: Uint8Array, kind: string, label: string): boolean {
  if (kind !== 'JSON') return false;
  const text = new TextDecoder().decode(raw);
  let at = text.indexOf(`"${label}":`);
  if (at < 0) return false;
  for (at += label.length + 3; at < text.length; at++) {
    const character = text[at]!;
    if (character === '.' || character === 'e' || character === 'E') return true;
    if (character === ',' || character === '}') return false;
  }
  return false;
}

/** `n`, a list of digests. */
function nextKeyDigestsOf(sad: Sad): readonly string[] {
  const nextKeyDigests = list(sad, 'n');
  for (const digest of nextKeyDigests) {
    if (!DIGEST_CODES.has(codeOf(digest, 'next key digest'))) {
      throw new EventError('bad_keys', `Not a digest: '${digest}'`);
    }
  }
  return nextKeyDigests;
}

function readEstablishmentFields(
  sad: Sad,
  ilk: KeyEventIlk,
  raw: Uint8Array,
  kind: string,
): EstablishmentFields {
  if (ilk === 'ixn') return NO_ESTABLISHMENT_FIELDS;
  for (const label of NUMBER_FIELDS) {
    if (typeof sad[label] !== 'number' || !writtenAsFloat(raw, kind, label)) continue;
    if (label === 'bt')
      throw new EventError('bad_field', "Field 'bt' is not a whole number: a float", { label });
    throw new ThresholdError(`Invalid threshold '${label}': a float`, { label });
  }
  const keys = list(sad, 'k');
  for (const key of keys) {
    // Ed448 keys pass here: keripy 1.3.6 has no verifier for them, which the validation step checks.
    if (!VERIFICATION_KEY_CODES.has(codeOf(key, 'key')))
      throw new EventError('bad_keys', `Not a verification key: '${key}'`);
  }
  const nextKeyDigests = nextKeyDigestsOf(sad);
  const inception = ilk === 'icp' || ilk === 'dip';
  return {
    keys,
    signingThreshold: parseThreshold(sad.kt),
    nextKeyDigests,
    nextThreshold: parseThreshold(sad.nt),
    witnessThreshold: Number(wholeNumber(sad.bt, 'bt')),
    witnesses: inception ? list(sad, 'b') : [],
    cuts: inception ? [] : list(sad, 'br'),
    adds: inception ? [] : list(sad, 'ba'),
    config: inception ? list(sad, 'c') : [],
  };
}

/**
 * Reads a key event as the processor receives it: checked for form as keripy's `SerderKERI` checks
 * it (throws `EventError` otherwise), with a problem in the establishment fields kept on the event
 * as `deferredError` rather than thrown, except where keripy's form checks read those fields (a
 * basic prefix's inception, a non-transferable prefix's establishment events).
 */
export function readReceivedKeyEvent(body: Body, digest: Digester): KeyEvent {
  const sad = body.sad;
  const ilk = sad.t;
  if (!isKeyEventIlk(ilk))
    throw new EventError('bad_field', `Not a key event type: ${JSON.stringify(ilk)}`);
  if (body.version.protocol !== 'KERI')
    throw new EventError('bad_field', `Protocol ${body.version.protocol} is not KERI`);
  // keripy knows the fields of versions 1.0 and 2.0 only, and reads 1.0 events here.
  if (body.version.major !== 1 || body.version.minor !== 0)
    throw new EventError(
      'bad_field',
      `Version ${body.version.major}.${body.version.minor} is not KERI 1.0`,
    );
  const order = fieldOrderProblem(ilk, Object.keys(sad));
  if (order) throw new EventError('missing_field', order);
  if (sad.v !== versify(body.version))
    throw new EventError('bad_field', 'Version string field does not match the body');
  const invalid = findInvalidSaid(body.raw, sad, body.version.kind, SAID_FIELDS[ilk], digest);
  if (invalid !== undefined) {
    throw new EventError(
      'bad_said',
      invalid === 'not_canonical'
        ? 'Body is not serialized canonically'
        : `Invalid SAID in field '${invalid}'`,
    );
  }

  const prefix = text(sad, 'i');
  const prefixCode = codeOf(prefix, 'identifier prefix');
  const delegated = ilk === 'dip' || ilk === 'drt';
  if (delegated ? !DIGEST_CODES.has(prefixCode) : !PREFIX_CODES.has(prefixCode)) {
    throw new EventError('bad_prefix', `Invalid prefix code '${prefixCode}' for '${ilk}'`);
  }
  let sn: bigint;
  try {
    sn = parseKeripyNumber(text(sad, 's'));
  } catch {
    throw new EventError('bad_sequence_number', `Not a whole number: sn ${JSON.stringify(sad.s)}`);
  }
  if (sn > LARGEST_SEQUENCE_NUMBER)
    throw new EventError('bad_sequence_number', `Sequence number too large: ${sad.s}`);

  const inception = ilk === 'icp' || ilk === 'dip';
  const basic = inception && BASIC_PREFIX_CODES.has(prefixCode);
  const nonTransferable = ilk !== 'ixn' && NON_TRANSFERABLE_CODES.has(prefixCode);
  let fields = NO_ESTABLISHMENT_FIELDS;
  let deferredError: KeriError | undefined;
  try {
    fields = readEstablishmentFields(sad, ilk, body.raw, body.version.kind);
  } catch (caught) {
    // keripy's form checks read a basic prefix's inception fields, so a problem there is one of
    // form; of a non-transferable prefix's rotation they read only the next key digests.
    if (!(caught instanceof KeriError) || basic) throw caught;
    if (nonTransferable) nextKeyDigestsOf(sad);
    deferredError = caught;
  }
  const seals = sealsOf(sad.a);

  if (basic) {
    if (fields.keys.length !== 1 || prefix !== fields.keys[0]) {
      throw new EventError('bad_prefix', 'A basic prefix must be the single signing key');
    }
    const threshold = fields.signingThreshold;
    if (threshold?.kind !== 'numeric' || threshold.value !== 1) {
      throw new EventError('bad_prefix', "A basic prefix needs signing threshold '1'");
    }
  }
  if (nonTransferable) {
    if (list(sad, 'n').length > 0 || fields.witnesses.length > 0 || truthy(sad.a)) {
      throw new EventError(
        'bad_prefix',
        'A non-transferable prefix has no next keys, witnesses or seals',
      );
    }
  }
  let delegator: string | undefined;
  if (ilk === 'dip') {
    delegator = text(sad, 'di');
    if (!PREFIX_CODES.has(codeOf(delegator, 'delegator prefix'))) {
      throw new EventError('bad_prefix', `Invalid delegator prefix '${delegator}'`);
    }
  }
  if (inception && sn !== 0n)
    throw new EventError('bad_sequence_number', `Inception with sn ${sn}`);
  if (!inception && sn < 1n) throw new EventError('bad_sequence_number', `'${ilk}' with sn 0`);

  return {
    raw: body.raw,
    sad,
    kind: body.version.kind,
    ilk,
    prefix,
    said: text(sad, 'd'),
    sn,
    prior: inception ? undefined : text(sad, 'p'),
    // Field by field, not spread: one object shape for every event read on the hot path.
    keys: fields.keys,
    signingThreshold: fields.signingThreshold,
    nextKeyDigests: fields.nextKeyDigests,
    nextThreshold: fields.nextThreshold,
    witnessThreshold: fields.witnessThreshold,
    witnesses: fields.witnesses,
    cuts: fields.cuts,
    adds: fields.adds,
    config: fields.config,
    seals,
    delegator,
    deferredError,
  };
}
