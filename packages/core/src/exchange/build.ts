/**
 * @module exchange/build
 * Peer-to-peer exchange messages (`exn`) as keripy 1.3.6 writes them (`exchanging.exchange`):
 * `{v, t:"exn", d, i, rp, p, dt, r, q, a, e}`. Embedded messages go in `e` by label, the block
 * gets its own SAID `e.d`, and each embedded message's attachments travel after the exn as a
 * pathed material group (`-L`) whose path (`-e-<label>`) says which embed they belong to.
 */
import {
  type AttachmentGroup,
  bytesToText,
  counter,
  type Digester,
  type Message,
  parseStream,
  pather,
  type Sad,
} from '@kestrel/cesr';
import { EventError } from '../errors.js';
import { type BuiltMessage, buildFromFields } from '../event/builders.js';
import { saidifyBlock } from './said-block.js';

export interface ExchangeOptions {
  /** `r`: the route, e.g. '/multisig/icp'. */
  readonly route: string;
  /** `i`: the sender's prefix. */
  readonly sender: string;
  /** `a`: the payload fields. */
  readonly payload?: Readonly<Record<string, unknown>>;
  /** `rp`, and `a.i` ahead of the payload, when the message has one recipient. */
  readonly recipient?: string;
  /** `dt`: ISO 8601 with microseconds, as keripy's `nowIso8601`. */
  readonly date: string;
  /** `p`: SAID of the exn this one answers. */
  readonly prior?: string;
  /** `q`: modifiers (a query string's equivalent). */
  readonly modifiers?: Readonly<Record<string, unknown>>;
  /** Embedded messages by label: each a complete message (body and attachments). */
  readonly embeds?: Readonly<Record<string, Uint8Array>>;
}

export interface BuiltExchange {
  readonly message: BuiltMessage;
  /** One `-L` group per embed with attachments, to append after the sender's signatures. */
  readonly pathedGroups: readonly AttachmentGroup[];
}

/** The first message of `bytes`, which must hold exactly one. */
function singleMessage(bytes: Uint8Array, label: string): Message {
  const { messages, errors } = parseStream(bytes);
  if (errors.length > 0 || messages.length !== 1) {
    throw new EventError(
      'bad_field',
      `Embed '${label}' is not one well-formed message${errors[0] ? `: ${errors[0].message}` : ''}`,
    );
  }
  return messages[0]!;
}

/** Builds an `exn`. */
export function exchange(digest: Digester, options: ExchangeOptions): BuiltExchange {
  const embedded: Sad = {};
  const pathedGroups: AttachmentGroup[] = [];
  for (const [label, bytes] of Object.entries(options.embeds ?? {})) {
    if (label === 'd') throw new EventError('bad_field', "An embed cannot be labelled 'd'");
    const message = singleMessage(bytes, label);
    embedded[label] = message.body.sad;
    const attachments = bytesToText(bytes.subarray(message.body.raw.length));
    if (attachments === '') continue;
    const path = pather(['e', label]).qb64;
    pathedGroups.push(pathedGroup(path + attachments));
  }
  const e = Object.keys(embedded).length > 0 ? saidifyBlock({ ...embedded, d: '' }, digest) : {};
  const payload: Sad = {
    ...(options.recipient !== undefined ? { i: options.recipient } : {}),
    ...(options.payload ?? {}),
  };
  const sad: Sad = {
    v: '',
    t: 'exn',
    d: '',
    i: options.sender,
    rp: options.recipient ?? '',
    p: options.prior ?? '',
    dt: options.date,
    r: options.route,
    q: { ...(options.modifiers ?? {}) },
    a: payload,
    e,
  };
  return { message: buildFromFields(digest, sad), pathedGroups };
}

/** A `-L` group (or `-0L` when big) around text material whose length is a multiple of 4. */
export function pathedGroup(text: string): AttachmentGroup {
  if (text.length % 4 !== 0)
    throw new EventError('bad_field', 'Pathed material is not a whole number of quadlets');
  const quadlets = text.length / 4;
  return {
    counter: counter(quadlets < 64 ** 2 ? '-L' : '-0L', quadlets),
    items: [],
    opaque: text,
  };
}
