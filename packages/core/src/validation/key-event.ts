/**
 * @module validation/key-event
 * A key event read from a message body and checked for form as keripy's `SerderKERI` does before
 * any key state is consulted: exact field list, SAIDs, prefix derivation, sequence number, keys,
 * digests and thresholds. A body that fails here is dropped, whatever its signatures.
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
  parseHexNumber,
  qb64Code,
  type Sad,
  VERIFICATION_KEY_CODES,
  versify,
} from '@kestrel/cesr';
import { EventError } from '../errors.js';
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
}

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

/** A number field as keripy's `Number(num=...)` reads it: an integer or a hex string. */
export function wholeNumber(value: unknown, label: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string') {
    try {
      return parseHexNumber(value);
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

/** Reads and checks a key event from a body; throws `EventError` when it is malformed. */
export function readKeyEvent(body: Body, digest: Digester): KeyEvent {
  const sad = body.sad;
  const ilk = sad.t;
  if (!isKeyEventIlk(ilk))
    throw new EventError('bad_field', `Not a key event type: ${JSON.stringify(ilk)}`);
  if (body.version.protocol !== 'KERI')
    throw new EventError('bad_field', `Protocol ${body.version.protocol} is not KERI`);
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
    sn = parseHexNumber(text(sad, 's'));
  } catch {
    throw new EventError('bad_sequence_number', `Not a whole number: sn ${JSON.stringify(sad.s)}`);
  }

  const establishment = ilk !== 'ixn';
  const keys = establishment ? list(sad, 'k') : [];
  for (const key of keys) {
    // Ed448 keys pass here: keripy judges them only when it validates against the key state.
    if (!VERIFICATION_KEY_CODES.has(codeOf(key, 'key')))
      throw new EventError('bad_keys', `Not a verification key: '${key}'`);
  }
  const nextKeyDigests = establishment ? list(sad, 'n') : [];
  for (const digest of nextKeyDigests) {
    if (!DIGEST_CODES.has(codeOf(digest, 'next key digest'))) {
      throw new EventError('bad_keys', `Not a digest: '${digest}'`);
    }
  }
  const signingThreshold = establishment ? parseThreshold(sad.kt) : undefined;
  const nextThreshold = establishment ? parseThreshold(sad.nt) : undefined;
  const witnessThreshold = establishment ? Number(wholeNumber(sad.bt, 'bt')) : 0;
  const inception = ilk === 'icp' || ilk === 'dip';
  const witnesses = inception ? list(sad, 'b') : [];
  const cuts = establishment && !inception ? list(sad, 'br') : [];
  const adds = establishment && !inception ? list(sad, 'ba') : [];
  const config = inception ? list(sad, 'c') : [];
  const seals = sad.a;
  if (!Array.isArray(seals)) throw new EventError('bad_field', "Field 'a' must be a list");

  if (inception && BASIC_PREFIX_CODES.has(prefixCode)) {
    if (keys.length !== 1 || prefix !== keys[0]) {
      throw new EventError('bad_prefix', 'A basic prefix must be the single signing key');
    }
    if (signingThreshold?.kind !== 'numeric' || signingThreshold.value !== 1) {
      throw new EventError('bad_prefix', "A basic prefix needs signing threshold '1'");
    }
  }
  if (establishment && NON_TRANSFERABLE_CODES.has(prefixCode)) {
    if (nextKeyDigests.length > 0 || witnesses.length > 0 || seals.length > 0) {
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
    keys,
    signingThreshold,
    nextKeyDigests,
    nextThreshold,
    witnessThreshold,
    witnesses,
    cuts,
    adds,
    config,
    seals: seals as Seal[],
    delegator,
  };
}
