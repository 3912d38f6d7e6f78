/**
 * @module said
 * Self-addressing identifiers (SAIDs): a digest of a body computed with its SAID fields filled
 * with '#' (KERI spec, "SAID"; keripy `Serder._makify`/`_verify`).
 *
 * Building: fill each SAID field with as many '#' as the digest's qb64 is long, write the version
 * string with the real size, serialize, digest, then put the digest in every dummied field. A field
 * already holding a non-digest primitive (a basic prefix in `i`) is left alone.
 */
import { DIGEST_CODES, MATTER_SIZES, type MatterCode } from './codes/matter-codes.js';
import { CesrError } from './errors.js';
import { matterFromQb64, matterFromRaw, qb64Code, qb64MatchesRaw } from './primitives/matter.js';
import { type Sad, serialize } from './serialization/kinds.js';
import { type FieldSpan, scanCanonicalJson } from './serialization/python-json.js';
import { type Kind, type VersionInfo, versify } from './version.js';

/** Computes the raw digest of `data` for a digest code ('E' Blake3-256, 'I' SHA2-256, ...). */
export type Digester = (code: MatterCode, data: Uint8Array) => Uint8Array;

export const DUMMY = '#';

/** Full qb64 length of a digest code. */
function digestLength(code: MatterCode): number {
  const fs = MATTER_SIZES[code].fs;
  if (fs === null || !DIGEST_CODES.has(code))
    throw new CesrError('unknown_code', `'${code}' is not a digest code`);
  return fs;
}

/** The digest of `data` as a qb64 primitive. */
export function digestQb64(digest: Digester, code: MatterCode, data: Uint8Array): string {
  return matterFromRaw(code, digest(code, data)).qb64;
}

/** Code of the digest already in a field, or undefined when the field holds something else. */
function digestCodeIn(value: unknown): MatterCode | undefined {
  if (typeof value !== 'string') return undefined;
  const code = qb64Code(value);
  return code !== undefined && DIGEST_CODES.has(code) ? code : undefined;
}

export interface SaidifyOptions {
  readonly protocol: VersionInfo['protocol'];
  readonly major?: number;
  readonly minor?: number;
  readonly kind: Kind;
  /** SAID field labels with their default digest codes, e.g. { d: 'E', i: 'E' } for icp. */
  readonly labels: Readonly<Record<string, MatterCode>>;
}

/**
 * Fills the version string and SAID fields of `sad` (whose first field must be `v`) and returns the
 * completed field map with its serialization. A label whose value is already a non-digest
 * primitive (a basic prefix) is kept; an empty value or an existing digest is recomputed with the
 * label's (or the existing) digest code.
 */
export function saidify(
  sad: Sad,
  options: SaidifyOptions,
  digest: Digester,
): { sad: Sad; raw: Uint8Array } {
  const dummied: Sad = { ...sad };
  const codes: Array<[string, MatterCode]> = [];
  for (const [label, defaultCode] of Object.entries(options.labels)) {
    const value = sad[label];
    let code: MatterCode | undefined = defaultCode;
    if (typeof value === 'string' && value !== '') {
      code = digestCodeIn(value);
      if (code === undefined) {
        try {
          matterFromQb64(value); // a valid non-digest primitive (basic prefix) stays as it is
          continue;
        } catch {
          throw new CesrError(
            'bad_body',
            `Field '${label}' holds neither a digest nor a primitive`,
          );
        }
      }
    }
    dummied[label] = DUMMY.repeat(digestLength(code));
    codes.push([label, code]);
  }
  const version = {
    protocol: options.protocol,
    major: options.major ?? 1,
    minor: options.minor ?? 0,
    kind: options.kind,
  };
  dummied.v = versify({ ...version, size: 0 });
  const size = serialize(dummied, options.kind).length;
  dummied.v = versify({ ...version, size });
  const raw = serialize(dummied, options.kind);
  const done: Sad = { ...dummied };
  for (const [label, code] of codes) done[label] = digestQb64(digest, code, raw);
  const final = serialize(done, options.kind);
  if (final.length !== size)
    throw new CesrError('bad_size', 'Body size changed while computing its SAID');
  return { sad: done, raw: final };
}

/**
 * Verifies the SAID fields of a received body as keripy does. For JSON the raw bytes must already
 * be in keripy's canonical form and the digest is computed over them with the SAID values
 * overwritten by '#'; for CBOR/MGPK the parsed body is re-serialized. Returns why the body fails
 * (`not_canonical`, or the label of a wrong SAID), or undefined when every SAID verifies.
 */
export function findInvalidSaid(
  raw: Uint8Array,
  sad: Sad,
  kind: Kind,
  labels: Readonly<Record<string, MatterCode>>,
  digest: Digester,
): string | undefined {
  const checks: Array<[string, MatterCode, string]> = [];
  for (const [label, defaultCode] of Object.entries(labels)) {
    const value = sad[label];
    const code = digestCodeIn(value);
    if (code === undefined) {
      // Only the identifier prefix `i` may be a non-digest primitive (a basic prefix) instead of a
      // SAID. keripy exempts any label, so a `d` rewritten to a key or seed would pass unchecked.
      if (
        DIGEST_CODES.has(defaultCode) &&
        !(label === 'i' && typeof value === 'string' && isPrimitive(value))
      )
        return label;
      continue;
    }
    checks.push([label, code, value as string]);
  }
  let dummied: Uint8Array;
  if (kind === 'JSON') {
    const fields = canonicalFields(raw, checks);
    if (fields === undefined) return 'not_canonical';
    dummied = scratchCopy(raw);
    for (const [label] of checks) {
      const span = fields.find((field) => field.label === label);
      if (span === undefined) return 'not_canonical';
      dummied.fill(0x23, span.start + 1, span.end - 1); // keep the quotes, '#' inside
    }
  } else {
    const again = serialize(sad, kind);
    if (again.length !== raw.length || again.some((byte, i) => byte !== raw[i]))
      return 'not_canonical';
    const copy: Sad = { ...sad };
    for (const [label, , value] of checks) copy[label] = DUMMY.repeat(value.length);
    dummied = serialize(copy, kind);
  }
  let computedCode: MatterCode | undefined;
  let computed: Uint8Array | undefined;
  for (const [label, code, value] of checks) {
    // An inception's d and i are usually the same digest of the same bytes: computed once.
    if (computed === undefined || computedCode !== code) {
      computed = digest(code, dummied);
      computedCode = code;
    }
    if (!qb64MatchesRaw(code, computed, value)) return label;
  }
  return undefined;
}

/** Bodies up to this size are dummied in a reused buffer rather than a fresh copy. */
const SCRATCH_SIZE = 64 * 1024;
let scratch = new Uint8Array(0);

/**
 * A copy of `raw` to overwrite SAIDs in. Digesting is synchronous, so one buffer serves every
 * body: allocating a copy per event costs more than the copying.
 */
function scratchCopy(raw: Uint8Array): Uint8Array {
  if (raw.length > SCRATCH_SIZE) return Uint8Array.prototype.slice.call(raw);
  if (scratch.length < raw.length) scratch = new Uint8Array(Math.max(raw.length, 4096));
  const copy = scratch.subarray(0, raw.length);
  copy.set(raw);
  return copy;
}

/** The spans of the SAID fields of a JSON body, or undefined when it is not canonical. */
function canonicalFields(
  raw: Uint8Array,
  checks: ReadonlyArray<readonly [string, MatterCode, string]>,
): FieldSpan[] | undefined {
  const labels: string[] = [];
  for (const [label] of checks) labels.push(label);
  try {
    return scanCanonicalJson(raw, labels);
  } catch {
    return undefined;
  }
}

function isPrimitive(value: string): boolean {
  return qb64Code(value) !== undefined;
}
