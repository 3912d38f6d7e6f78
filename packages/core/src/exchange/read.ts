/**
 * @module exchange/read
 * Reading a received `exn`: its form and SAIDs, who sent it and with which signatures, and its
 * embedded messages rebuilt with the attachments that travelled for them in `-L` groups.
 */
import {
  type AttachmentGroup,
  CesrError,
  concatBytes,
  type Digester,
  findInvalidSaid,
  isIndexedSignature,
  type Matter,
  type Message,
  pathOf,
  readAttachmentGroup,
  readMatter,
  type Sad,
  serialize,
  smell,
  textToBytes,
} from '@kestrel/cesr';
import { EventError } from '../errors.js';
import { fieldOrderProblem, SAID_FIELDS } from '../event/fields.js';
import { readAttachments, type TransferableSignatures } from '../processor/attachments.js';
import { blockSaidValid } from './said-block.js';

export interface ExchangeEmbed {
  /** The embedded message's body as sent (keripy re-serializes it from `e`; so do we). */
  readonly raw: Uint8Array;
  readonly sad: Sad;
  /** Its attachments (text), from the `-L` group with path `-e-<label>`; '' when none. */
  readonly attachments: string;
  /** Body and attachments together, ready to be processed as a stream. */
  readonly message: Uint8Array;
}

export interface ReceivedExchange {
  readonly said: string;
  readonly raw: Uint8Array;
  readonly sad: Sad;
  readonly sender: string;
  readonly route: string;
  readonly date: string;
  readonly recipient: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly embeds: ReadonlyMap<string, ExchangeEmbed>;
  /** The sender's indexed signatures with the establishment event they are by (`-F`). */
  readonly senderSignatures: readonly TransferableSignatures[];
}

/** The path and the attachment text of one pathed material group. */
function readPathed(group: AttachmentGroup): { path: string[]; attachments: string } {
  const text = group.opaque ?? '';
  let path: Matter;
  try {
    path = readMatter(text);
  } catch (caught) {
    throw new EventError(
      'bad_field',
      `A pathed group does not start with a path: ${(caught as Error).message}`,
    );
  }
  const rest = text.slice(path.qb64.length);
  // The rest must be whole attachment groups; reading them proves it.
  const bytes = textToBytes(rest);
  let position = 0;
  while (position < bytes.length) {
    try {
      position = readAttachmentGroup(bytes, position, 'text').end;
    } catch (caught) {
      throw new EventError(
        'bad_field',
        `Malformed attachments in pathed group ${JSON.stringify(pathOf(path))}: ${(caught as Error).message}`,
      );
    }
  }
  return { path: pathOf(path), attachments: rest };
}

function requireString(sad: Sad, label: string): string {
  const value = sad[label];
  if (typeof value !== 'string')
    throw new EventError('bad_field', `exn field '${label}' must be a string`);
  return value;
}

function requireObject(sad: Sad, label: string): Record<string, unknown> {
  const value = sad[label];
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new EventError('bad_field', `exn field '${label}' must be an object`);
  return value as Record<string, unknown>;
}

/** Reads an `exn` message; throws `EventError` (typed, with the reason) when it is malformed. */
export function readExchange(message: Message, digest: Digester): ReceivedExchange {
  const { sad, raw } = message.body;
  if (sad.t !== 'exn') throw new EventError('bad_field', `Not an exn but ${JSON.stringify(sad.t)}`);
  const order = fieldOrderProblem('exn', Object.keys(sad));
  if (order) throw new EventError('bad_field', `exn fields: ${order}`);
  const invalid = findInvalidSaid(raw, sad, message.body.version.kind, SAID_FIELDS.exn, digest);
  if (invalid) throw new EventError('bad_said', `exn SAID check failed (${invalid})`);
  const payload = requireObject(sad, 'a');
  const e = requireObject(sad, 'e');
  requireObject(sad, 'q');

  const pathed = new Map<string, string>();
  for (const group of message.attachments) {
    if (group.counter.code !== '-L' && group.counter.code !== '-0L') continue;
    const { path, attachments } = readPathed(group);
    if (path.length === 2 && path[0] === 'e')
      pathed.set(path[1]!, (pathed.get(path[1]!) ?? '') + attachments);
  }

  const embeds = new Map<string, ExchangeEmbed>();
  const labels = Object.keys(e).filter((label) => label !== 'd');
  if (labels.length > 0 && !blockSaidValid(e, digest))
    throw new EventError('bad_said', "The exn's embed block 'e' has a wrong SAID");
  for (const label of labels) {
    const embedded = e[label];
    if (embedded === null || typeof embedded !== 'object' || Array.isArray(embedded))
      throw new EventError('bad_field', `Embed '${label}' is not a message`);
    const embeddedSad = embedded as Sad;
    const body = serialize(embeddedSad, 'JSON');
    let declared: number;
    try {
      declared = smell(body).size;
    } catch (caught) {
      if (caught instanceof CesrError)
        throw new EventError('bad_field', `Embed '${label}' has no valid version string`);
      throw caught;
    }
    if (declared !== body.length)
      throw new EventError(
        'bad_field',
        `Embed '${label}' declares ${declared} bytes but has ${body.length}`,
      );
    const attachments = pathed.get(label) ?? '';
    embeds.set(label, {
      raw: body,
      sad: embeddedSad,
      attachments,
      message: concatBytes(body, textToBytes(attachments)),
    });
  }

  const attached = readAttachments(message.attachments.filter((g) => g.counter.code === '-F'));
  const senderSignatures = attached.transferableReceipts.map((group) => ({
    ...group,
    signatures: group.signatures.filter(isIndexedSignature),
  }));
  return {
    said: requireString(sad, 'd'),
    raw,
    sad,
    sender: requireString(sad, 'i'),
    route: requireString(sad, 'r'),
    date: requireString(sad, 'dt'),
    recipient: requireString(sad, 'rp'),
    payload,
    embeds,
    senderSignatures,
  };
}
