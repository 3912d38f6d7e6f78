/**
 * @module test/support/streams
 * Helpers shared by the CESR stream property tests: feeding a parser in chunks, a comparable
 * summary of what it yields, and corpus streams converted to binary-domain attachments.
 */
import {
  bytesToHex,
  bytesToText,
  type CesrError,
  concatBytes,
  encodeGroupsBinary,
  encodeGroupsText,
  type Message,
  type ParseItem,
  parseStream,
  StreamParser,
} from '@kestrel/cesr';
import { allCases } from '../../../../test/support/vectors.js';

/** One corpus stream, in the text domain as keripy wrote it or converted to binary attachments. */
export interface CorpusStream {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Parses `chunks` in order with one parser; every generator is drained as it is returned. */
export function parseChunks(chunks: readonly Uint8Array[]): ParseItem[] {
  const parser = new StreamParser();
  const items: ParseItem[] = [];
  for (const chunk of chunks) items.push(...parser.push(chunk));
  items.push(...parser.end());
  return items;
}

/** Splits `bytes` at the given cut points (any order, duplicates give empty chunks). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const sorted = [...cuts]
    .map((cut) => Math.min(Math.max(cut, 0), bytes.length))
    .sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of sorted) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** One chunk per byte. */
export function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

export interface MessageSummary {
  readonly offset: number;
  readonly body: string;
  readonly sad: unknown;
  readonly domain: string | undefined;
  /** The attachment groups re-encoded in the text domain. */
  readonly groups: string;
  readonly raw: string;
}

export function summarizeMessage(message: Message): MessageSummary {
  return {
    offset: message.offset,
    body: bytesToHex(message.body.raw),
    sad: message.body.sad,
    domain: message.domain,
    groups: bytesToText(encodeGroupsText(message.attachments)),
    raw: bytesToHex(message.raw),
  };
}

export function summarizeError(error: CesrError) {
  return {
    code: error.code,
    offset: error.offset,
    message: error.message,
    context: { ...error.context },
  };
}

/** What a parser yielded, in order, as plain data that `toEqual` compares deeply. */
export function summarize(items: readonly ParseItem[]) {
  return items.map((item) =>
    item.type === 'message'
      ? { type: 'message', ...summarizeMessage(item.message) }
      : { type: 'error', ...summarizeError(item.error) },
  );
}

/**
 * The same stream with every message's attachments re-encoded in the binary domain. Bytes between
 * messages (garbage, whitespace, a truncated tail) are kept as they are.
 */
export function toBinaryAttachments(bytes: Uint8Array): Uint8Array {
  const { messages } = parseStream(bytes);
  const parts: Uint8Array[] = [];
  let position = 0;
  for (const message of messages) {
    parts.push(bytes.subarray(position, message.offset));
    parts.push(message.body.raw, encodeGroupsBinary(message.attachments));
    position = message.offset + message.raw.length;
  }
  parts.push(bytes.subarray(position));
  return concatBytes(...parts);
}

let cached: { text: CorpusStream[]; binary: CorpusStream[] } | undefined;

/** Every corpus stream, in the text domain and converted to binary attachments. */
export function corpusStreams(): { text: CorpusStream[]; binary: CorpusStream[] } {
  cached ??= (() => {
    const text = allCases().map((loaded) => ({ name: loaded.name, bytes: loaded.stream }));
    const binary = text.map((stream) => ({
      name: `${stream.name} (binary)`,
      bytes: toBinaryAttachments(stream.bytes),
    }));
    return { text, binary };
  })();
  return cached;
}

/** Every message of every corpus stream that parses cleanly, each as its own stream. */
export function corpusMessages(): Message[] {
  return corpusStreams().text.flatMap((stream) => parseStream(stream.bytes).messages);
}
