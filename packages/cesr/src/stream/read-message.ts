/**
 * @module stream/read-message
 * Framing one message at a position of a buffer: a pure function that answers "here is a message",
 * "need more bytes", or "bad bytes here, resume there". The stream parser drives it.
 */
import { CesrError } from '../errors.js';
import { Shortage } from '../primitives/shortage.js';
import { readCounter, readCounterBinary } from '../primitives/counter.js';
import { deserialize } from '../serialization/kinds.js';
import { SMELL_SIZE, smell } from '../version.js';
import { type AttachmentGroup, type Domain, readAttachmentGroup } from './groups.js';
import type { Message } from './message.js';
import { sniff } from './sniff.js';

export type ReadResult =
  /** A whole message from `offset` to `end`. */
  | { readonly status: 'message'; readonly message: Message; readonly end: number }
  /** Bytes that carry no message (genus/version code, whitespace): resume at `end`. */
  | { readonly status: 'skip'; readonly end: number }
  /** The input ends before the message does (only when the input is not final). */
  | { readonly status: 'shortage' }
  /** Malformed bytes at `error.offset`; look for the next message from `resume`. */
  | { readonly status: 'error'; readonly error: CesrError; readonly resume: number }
  /** Nothing left. */
  | { readonly status: 'empty' };

const WHITESPACE = new Set([0x09, 0x0a, 0x0d, 0x20]);

/**
 * Frames the message starting at `offset`. `final` says the input ends at `bytes.length`; without
 * it, a message that reaches the end of the input is not complete (more attachments may follow).
 * Error offsets are relative to the start of `bytes`.
 */
export function readMessage(bytes: Uint8Array, offset: number, final: boolean): ReadResult {
  if (offset >= bytes.length) return { status: 'empty' };
  const first = bytes[offset]!;
  if (WHITESPACE.has(first)) {
    let end = offset + 1;
    while (end < bytes.length && WHITESPACE.has(bytes[end]!)) end++;
    return { status: 'skip', end };
  }
  const cold = sniff(first);
  if (cold !== 'message') return readTopLevelCounter(bytes, offset, cold === 'binary' ? 'binary' : 'text', final);

  if (bytes.length - offset < SMELL_SIZE && !final) return { status: 'shortage' };
  let version: ReturnType<typeof smell>;
  try {
    version = smell(bytes, offset);
  } catch (caught) {
    return { status: 'error', error: rebase(caught, offset), resume: offset + 1 };
  }
  const bodyEnd = offset + version.size;
  if (bodyEnd > bytes.length) {
    if (!final) return { status: 'shortage' };
    return truncated(offset, `body of ${version.size} bytes`, bytes.length);
  }
  const raw = bytes.slice(offset, bodyEnd);
  let sad: ReturnType<typeof deserialize>;
  try {
    sad = deserialize(raw, version.kind);
  } catch (caught) {
    return { status: 'error', error: rebase(caught, offset), resume: offset + 1 };
  }
  if (typeof sad.v !== 'string') {
    const error = new CesrError('bad_body', 'Body has no version string field v', offset);
    return { status: 'error', error, resume: offset + 1 };
  }

  const attachments: AttachmentGroup[] = [];
  let domain: Domain | undefined;
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
      attachments.push(read.group);
      domain ??= groupDomain;
      position = read.end;
    } catch (caught) {
      if (caught instanceof Shortage) {
        if (!final) return { status: 'shortage' };
        return truncated(position, 'attachment group', bytes.length);
      }
      return { status: 'error', error: relocate(caught, position), resume: position };
    }
  }
  const message: Message = {
    offset,
    body: { raw, version, sad },
    attachments,
    domain,
    raw: bytes.slice(offset, position),
  };
  return { status: 'message', message, end: position };
}

/** True when a valid counter code (of any table row) starts at `position`. */
function startsCounter(bytes: Uint8Array, position: number, domain: Domain, final: boolean): boolean {
  try {
    if (domain === 'text') readCounter(bytes, position);
    else readCounterBinary(bytes, position);
    return true;
  } catch (caught) {
    return caught instanceof Shortage && !final;
  }
}

function readTopLevelCounter(bytes: Uint8Array, offset: number, domain: Domain, final: boolean): ReadResult {
  try {
    const counter = domain === 'text' ? readCounter(bytes, offset) : readCounterBinary(bytes, offset);
    if (counter.code === '--AAA' || counter.code === '-_AAA') {
      const size = domain === 'text' ? counter.qb64.length : (counter.qb64.length * 3) / 4;
      return { status: 'skip', end: offset + size };
    }
    const error = new CesrError('unexpected_counter', `Counter '${counter.code}' where a message should start`, offset);
    return { status: 'error', error, resume: offset + 1 };
  } catch (caught) {
    if (caught instanceof Shortage && !final) return { status: 'shortage' };
    const what = caught instanceof CesrError ? caught.message : 'bytes';
    const error = new CesrError('unexpected_bytes', `Not a message: ${what}`, offset);
    return { status: 'error', error, resume: offset + 1 };
  }
}

function truncated(offset: number, what: string, end: number): ReadResult {
  const error = new CesrError('truncated', `Stream ends inside a ${what}`, offset);
  return { status: 'error', error, resume: end };
}

function rebase(caught: unknown, offset: number): CesrError {
  if (caught instanceof CesrError) return caught.at(offset);
  if (caught instanceof Shortage) return new CesrError('truncated', 'Stream ends inside a primitive', offset);
  throw caught;
}

/** The error, reported at the start of the group it was found in. */
function relocate(caught: unknown, offset: number): CesrError {
  if (caught instanceof CesrError) return new CesrError(caught.code, caught.message, offset, caught.context);
  throw caught;
}

/**
 * Finds the next position at or after `from` where a message plausibly starts: a body start byte
 * followed by a version string within the allowed offset. Returns -1 when there is none, or the
 * first position that cannot be decided yet (when the input is not final).
 */
export function findMessageStart(bytes: Uint8Array, from: number, final: boolean): { position: number; decided: boolean } {
  for (let position = from; position < bytes.length; position++) {
    if (sniff(bytes[position]!) !== 'message') continue;
    if (bytes.length - position < SMELL_SIZE && !final) return { position, decided: false };
    try {
      smell(bytes, position);
      return { position, decided: true };
    } catch {
      // not a body start
    }
  }
  return { position: -1, decided: true };
}
