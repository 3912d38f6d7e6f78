/**
 * @module version
 * Version strings of field-map bodies (KERI spec, "Version string field"; keripy `versify`,
 * `deversify`, `smell`). v1: `KERI10JSON00012b_` = protocol, major and minor in hex, kind, size in
 * six hex digits, and '_'. The size is the length in bytes of the whole serialized body.
 */
import { CesrError } from './errors.js';
import { latin1Text } from './text.js';

export type Kind = 'JSON' | 'CBOR' | 'MGPK';
export type Protocol = 'KERI' | 'ACDC';

export interface VersionInfo {
  readonly protocol: Protocol;
  readonly major: number;
  readonly minor: number;
  readonly kind: Kind;
  /** Size in bytes of the whole serialized body. */
  readonly size: number;
}

export const VERSION_1_SPAN = 17;
/** The version string must start within this many bytes of the body's start (keripy MAXVSOFFSET). */
export const MAX_VERSION_OFFSET = 12;
/** Bytes needed to locate a version string at the front of a body. */
export const SMELL_SIZE = MAX_VERSION_OFFSET + VERSION_1_SPAN;

const KINDS: ReadonlySet<string> = new Set(['JSON', 'CBOR', 'MGPK']);
const PROTOCOLS: ReadonlySet<string> = new Set(['KERI', 'ACDC']);
const V1 = /([A-Z]{4})([0-9a-f])([0-9a-f])([A-Z]{4})([0-9a-f]{6})_/;
// A KERI/CESR 2.0 version string: recognised only to say clearly that it is not supported.
const V2 = /([A-Z]{4})([0-9A-Za-z_-])([0-9A-Za-z_-]{2})([A-Z]{4})([0-9A-Za-z_-]{4})\./;

/** Builds a v1 version string. */
export function versify(info: VersionInfo): string {
  if (info.size < 0 || info.size > 0xffffff)
    throw new CesrError('bad_size', `Body size ${info.size} out of range`);
  return `${info.protocol}${info.major.toString(16)}${info.minor.toString(16)}${info.kind}${info.size
    .toString(16)
    .padStart(6, '0')}_`;
}

function fromMatch(match: RegExpExecArray): VersionInfo {
  const [, protocol, major, minor, kind, size] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!PROTOCOLS.has(protocol))
    throw new CesrError('bad_version_string', `Unsupported protocol '${protocol}'`);
  if (!KINDS.has(kind))
    throw new CesrError('bad_version_string', `Unsupported serialization kind '${kind}'`);
  const majorVersion = Number.parseInt(major, 16);
  if (majorVersion > 1)
    throw new CesrError('bad_version_string', `Version ${majorVersion} in a v1 version string`);
  return {
    protocol: protocol as Protocol,
    major: majorVersion,
    minor: Number.parseInt(minor, 16),
    kind: kind as Kind,
    size: Number.parseInt(size, 16),
  };
}

const JSON_KERI_HEAD = [...'{"v":"KERI10JSON'].map((c) => c.charCodeAt(0));
const HEX_DIGIT: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) table['0123456789abcdef'.charCodeAt(i)] = i;
  return table;
})();

/** The common case, `{"v":"KERI10JSON######_"`, read without a regular expression. */
function smellKeriJson(bytes: Uint8Array, offset: number): VersionInfo | undefined {
  if (bytes.length - offset < JSON_KERI_HEAD.length + 7) return undefined;
  for (let i = 0; i < JSON_KERI_HEAD.length; i++)
    if (bytes[offset + i] !== JSON_KERI_HEAD[i]) return undefined;
  let size = 0;
  const start = offset + JSON_KERI_HEAD.length;
  for (let i = 0; i < 6; i++) {
    const digit = HEX_DIGIT[bytes[start + i]!]!;
    if (digit < 0) return undefined;
    size = size * 16 + digit;
  }
  if (bytes[start + 6] !== 0x5f) return undefined;
  return { protocol: 'KERI', major: 1, minor: 0, kind: 'JSON', size };
}

/** Parses a whole v1 version string. */
export function deversify(text: string): VersionInfo {
  const match = V1.exec(text);
  if (match?.index !== 0 || text.length !== VERSION_1_SPAN) {
    throw new CesrError('bad_version_string', `Invalid version string '${text}'`);
  }
  return fromMatch(match);
}

/**
 * Finds the version string near the start of a body (within MAX_VERSION_OFFSET bytes), as keripy's
 * `smell` does. `bytes` must hold at least SMELL_SIZE bytes from `offset` unless the input ended.
 */
export function smell(bytes: Uint8Array, offset = 0): VersionInfo {
  const fast = smellKeriJson(bytes, offset);
  if (fast) return fast;
  const end = Math.min(bytes.length, offset + SMELL_SIZE);
  const head = latin1Text(bytes, offset, end);
  const v1 = V1.exec(head);
  if (v1 && v1.index <= MAX_VERSION_OFFSET) return fromMatch(v1);
  const v2 = V2.exec(head);
  if (v2 && v2.index <= MAX_VERSION_OFFSET) {
    throw new CesrError(
      'bad_version_string',
      'KERI/CESR 2.0 bodies are not supported (CESR 1.0 only)',
    );
  }
  throw new CesrError('bad_version_string', 'No version string at the start of the body');
}
