/**
 * @module stream/read-message
 * Framing one message at a position of a buffer: a pure function that answers "here is a message",
 * "need more bytes", or "bad bytes here, resume there". The stream parser drives it.
 */
import { CesrError, type ErrorContext } from '../errors.js';
import { readCounter, readCounterBinary } from '../primitives/counter.js';
import { Shortage } from '../primitives/shortage.js';
import { deserialize, type Sad } from '../serialization/kinds.js';
import { latin1Text } from '../text.js';
import { SMELL_SIZE, smell, VERSION_1_SPAN } from '../version.js';
import { copyBody } from './body-slabs.js';
import {
  type AttachmentGroup,
  type Domain,
  encodeGroupsBinary,
  encodeGroupsText,
  GroupShortage,
  readAttachmentGroup,
} from './groups.js';
import type { Message } from './message.js';
import { sniff } from './sniff.js';

export type ReadResult =
  /** A whole message from `offset` to `end`. */
  | { readonly status: 'message'; readonly message: Message; readonly end: number }
  /** Bytes that carry no message (genus/version code, whitespace): resume at `end`. */
  | { readonly status: 'skip'; readonly end: number }
  /**
   * The input ends before the message does (only when the input is not final); `until`, when
   * known, is how long the input must be before reading again can succeed.
   */
  | { readonly status: 'shortage'; readonly until?: number }
  /** Malformed bytes at `error.offset`; look for the next message from `resume`. */
  | { readonly status: 'error'; readonly error: CesrError; readonly resume: number }
  /** Nothing left. */
  | { readonly status: 'empty' };

const WHITESPACE = new Set([0x09, 0x0a, 0x0d, 0x20]);

/**
 * Frames the message starting at `offset`. `final` says the input ends at `bytes.length`; without
 * it, a message that reaches the end of the input is not complete (more attachments may follow).
 * Error offsets are relative to the start of `bytes`; a message's `offset` is `base + offset`.
 */
export function readMessage(
  bytes: Uint8Array,
  offset: number,
  final: boolean,
  base = 0,
): ReadResult {
  if (offset >= bytes.length) return { status: 'empty' };
  const first = bytes[offset]!;
  if (WHITESPACE.has(first)) {
    let end = offset + 1;
    while (end < bytes.length && WHITESPACE.has(bytes[end]!)) end++;
    return { status: 'skip', end };
  }
  const cold = sniff(first);
  if (cold !== 'message')
    return readTopLevelCounter(bytes, offset, cold === 'binary' ? 'binary' : 'text', final);

  if (bytes.length - offset < SMELL_SIZE && !final) return { status: 'shortage' };
  let version: ReturnType<typeof smell>;
  try {
    version = smell(bytes, offset);
  } catch (caught) {
    return { status: 'error', error: rebase(caught, offset), resume: offset + 1 };
  }
  const bodyEnd = offset + version.size;
  if (bodyEnd > bytes.length) {
    if (!final) return { status: 'shortage', until: bodyEnd };
    const error = new CesrError(
      'truncated',
      `Stream ends inside a body of ${version.size} bytes`,
      offset,
      bodyHints(bytes, offset, bytes.length),
    );
    // The size may be a lie (junk that looks like a version string): messages can follow.
    return { status: 'error', error, resume: offset + 1 };
  }
  const raw = copyBody(bytes, offset, bodyEnd);
  let sad: ReturnType<typeof deserialize>;
  try {
    sad = deserialize(raw, version.kind);
  } catch (caught) {
    const error = rebase(caught, offset);
    const hinted = new CesrError(error.code, error.message, error.offset, {
      ...error.context,
      ...bodyHints(bytes, offset, bodyEnd),
    });
    return { status: 'error', error: hinted, resume: offset + 1 };
  }
  if (typeof sad.v !== 'string') {
    const error = new CesrError('bad_body', 'Body has no version string field v', offset);
    return { status: 'error', error, resume: offset + 1 };
  }

  const attachments: AttachmentGroup[] = [];
  let domain: Domain | undefined;
  let mixedDomains = false;
  let position = bodyEnd;
  for (;;) {
    if (position >= bytes.length) {
      if (!final) return { status: 'shortage' };
      break;
    }
    const next = sniff(bytes[position]!);
    if (next === 'message' || next === 'annotated' || WHITESPACE.has(bytes[position]!)) break;
    const groupDomain: Domain = next === 'binary' ? 'binary' : 'text';
    // Bytes that are not even a counter end the attachments; they are the next thing's problem.
    if (!startsCounter(bytes, position, groupDomain, final)) break;
    try {
      const read = readAttachmentGroup(bytes, position, groupDomain);
      const framed = read.group.counter.code === '-V';
      // keripy takes a -V frame as the message's attachments only as their first group, and then
      // as all of them: what follows the frame is not the message's.
      if (framed && attachments.length > 0) {
        throw new CesrError('unexpected_counter', "A '-V' group after other attachment groups");
      }
      attachments.push(read.group);
      if (domain !== undefined && domain !== groupDomain) mixedDomains = true;
      domain ??= groupDomain;
      position = read.end;
      if (framed) break;
    } catch (caught) {
      if (caught instanceof Shortage) {
        if (!final)
          return {
            status: 'shortage',
            ...(caught instanceof GroupShortage ? { until: caught.end } : {}),
          };
        // The counter may be junk claiming more than the stream holds: messages can follow it.
        return truncated(position, 'attachment group', position);
      }
      // The body was read: the error names its event, so a report can say which one was lost.
      const error = relocate(caught, position, messageHints(sad));
      return { status: 'error', error, resume: position };
    }
  }
  const message = framedMessage(
    base + offset,
    { raw, version, sad },
    attachments,
    domain,
    mixedDomains ? copyOf(bytes, offset, position) : undefined,
  );
  return { status: 'message', message, end: position };
}

/** Body fields that name an event in an error's context, and their names there. */
const HINTED_FIELDS = [
  ['t', 'ilk'],
  ['d', 'said'],
  ['i', 'prefix'],
  ['s', 'sn'],
] as const;

/**
 * What can still be read of a body that failed to parse (its type, SAID, prefix and sequence
 * number fields, when present), so reports can say which event was lost.
 */
function bodyHints(bytes: Uint8Array, start: number, end: number): Record<string, string> {
  const text = latin1Text(bytes, start, Math.min(end, start + 4096));
  const hints: Record<string, string> = {};
  for (const [label, name] of HINTED_FIELDS) {
    const match = new RegExp(`"${label}":"([^"]*)"`).exec(text);
    if (match) hints[name] = match[1]!;
  }
  return hints;
}

/**
 * A message whose `raw` (body plus attachments) is rebuilt from its parts only when asked for:
 * most consumers use the body and the parsed attachments, and copying every message is a
 * measurable cost. Attachments re-encode to exactly the bytes they were read from (a property
 * the tests check on the corpus), so nothing refers back to the caller's buffer.
 */
function framedMessage(
  offset: number,
  body: Message['body'],
  attachments: readonly AttachmentGroup[],
  domain: Domain | undefined,
  copied: Uint8Array | undefined,
): Message {
  return new FramedMessage(offset, body, attachments, domain, copied);
}

class FramedMessage implements Message {
  constructor(
    readonly offset: number,
    readonly body: Message['body'],
    readonly attachments: readonly AttachmentGroup[],
    readonly domain: Domain | undefined,
    private rawBytes: Uint8Array | undefined,
  ) {}

  get raw(): Uint8Array {
    if (this.rawBytes === undefined) {
      const encoded =
        this.domain === 'binary'
          ? encodeGroupsBinary(this.attachments)
          : encodeGroupsText(this.attachments);
      const raw = new Uint8Array(this.body.raw.length + encoded.length);
      raw.set(this.body.raw, 0);
      raw.set(encoded, this.body.raw.length);
      this.rawBytes = raw;
    }
    return this.rawBytes;
  }
}

/** A copy of a byte range (never a view: Node's Buffer.slice shares memory). */
function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes.slice(start, end)
    : Uint8Array.prototype.slice.call(bytes, start, end);
}

/** True when a valid counter code (of any table row) starts at `position`. */
function startsCounter(
  bytes: Uint8Array,
  position: number,
  domain: Domain,
  final: boolean,
): boolean {
  try {
    if (domain === 'text') readCounter(bytes, position);
    else readCounterBinary(bytes, position);
    return true;
  } catch (caught) {
    return caught instanceof Shortage && !final;
  }
}

function readTopLevelCounter(
  bytes: Uint8Array,
  offset: number,
  domain: Domain,
  final: boolean,
): ReadResult {
  try {
    const counter =
      domain === 'text' ? readCounter(bytes, offset) : readCounterBinary(bytes, offset);
    if (counter.code === '--AAA' || counter.code === '-_AAA') {
      const size = domain === 'text' ? counter.qb64.length : (counter.qb64.length * 3) / 4;
      return { status: 'skip', end: offset + size };
    }
    const error = new CesrError(
      'unexpected_counter',
      `Counter '${counter.code}' where a message should start`,
      offset,
    );
    return { status: 'error', error, resume: offset + 1 };
  } catch (caught) {
    if (caught instanceof Shortage && !final) return { status: 'shortage' };
    const what = caught instanceof CesrError ? caught.message : 'bytes';
    const error = new CesrError('unexpected_bytes', `Not a message: ${what}`, offset);
    return { status: 'error', error, resume: offset + 1 };
  }
}

function truncated(offset: number, what: string, resume: number): ReadResult {
  const error = new CesrError('truncated', `Stream ends inside a ${what}`, offset);
  return { status: 'error', error, resume };
}

function rebase(caught: unknown, offset: number): CesrError {
  if (caught instanceof CesrError) return caught.at(offset);
  if (caught instanceof Shortage)
    return new CesrError('truncated', 'Stream ends inside a primitive', offset);
  throw caught;
}

/** The error, reported at the start of the group it was found in. */
function relocate(caught: unknown, offset: number, hints: ErrorContext = {}): CesrError {
  if (caught instanceof CesrError)
    return new CesrError(caught.code, caught.message, offset, { ...hints, ...caught.context });
  throw caught;
}

/** The fields of a parsed body that `bodyHints` would find in its text. */
function messageHints(sad: Sad): Record<string, string> {
  const hints: Record<string, string> = {};
  for (const [label, name] of HINTED_FIELDS) {
    const value = sad[label];
    if (typeof value === 'string') hints[name] = value;
  }
  return hints;
}

/**
 * Finds the next position at or after `from` where a message body starts. Stricter than the cold
 * start of `readMessage` (which, like keripy, accepts a version string anywhere in the first 12
 * bytes): after bad bytes we only resume where a field map opens with its `v` field, so junk that
 * happens to precede a version string is not mistaken for a body. Returns -1 when there is none,
 * or, with `decided: false`, a position that needs more input before it can be judged.
 */
export function findMessageStart(
  bytes: Uint8Array,
  from: number,
  final: boolean,
): { position: number; decided: boolean } {
  for (let position = from; position < bytes.length; position++) {
    const head = bodyHeaderSize(bytes, position);
    if (head === 0) continue;
    if (head < 0 || bytes.length - position < head + VERSION_1_SPAN) {
      if (final) continue;
      return { position, decided: false };
    }
    try {
      smell(bytes.subarray(position + head, position + head + VERSION_1_SPAN));
      return { position, decided: true };
    } catch {
      // not a body start
    }
  }
  return { position: -1, decided: true };
}

const JSON_HEAD = [0x7b, 0x22, 0x76, 0x22, 0x3a, 0x22]; // {"v":"

/**
 * Length of the field-map header before the version string when a body that opens with its `v`
 * field starts at `position` (JSON `{"v":"`, CBOR map + text "v" + text(17), MGPK map + str "v" +
 * str(17)); 0 when it does not; -1 when more bytes are needed to tell.
 */
function bodyHeaderSize(bytes: Uint8Array, position: number): number {
  const first = bytes[position]!;
  let head: number[];
  let mapHeader = 1;
  if (first === 0x7b) head = JSON_HEAD;
  else if (first >= 0xa0 && first <= 0xbb) {
    // CBOR map: small count, or 1/2/4 count bytes after 0xb8/0xb9/0xba
    mapHeader = first <= 0xb7 ? 1 : 1 + 2 ** (first - 0xb8);
    head = [0x61, 0x76, 0x71];
  } else if ((first >= 0x80 && first <= 0x8f) || first === 0xde || first === 0xdf) {
    mapHeader = first <= 0x8f ? 1 : first === 0xde ? 3 : 5;
    head = [0xa1, 0x76, 0xb1];
  } else return 0;
  const prefix = first === 0x7b ? 0 : mapHeader;
  for (let i = 0; i < head.length; i++) {
    const byte = bytes[position + prefix + i];
    if (byte === undefined) return -1;
    if (byte !== head[i]) return 0;
  }
  return prefix + head.length;
}
