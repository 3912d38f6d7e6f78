/**
 * @module stream/parser
 * The incremental stream parser: push chunks of any size, take out messages and errors in stream
 * order. It never throws on malformed input: a bad region becomes one `CesrError` (with its absolute
 * byte offset) and parsing resumes at the next message start, so the valid messages around a bad
 * one are kept. "Need more bytes" is not an error: the parser simply holds what it has.
 */
import type { CesrError } from '../errors.js';
import type { Message } from './message.js';
import { findMessageStart, readMessage } from './read-message.js';

export type ParseItem =
  | { readonly type: 'message'; readonly message: Message }
  | { readonly type: 'error'; readonly error: CesrError };

export class StreamParser {
  /** Backing bytes: `[0, length)` are the bytes held; an array of our own may have room after. */
  private store: Uint8Array = new Uint8Array(0);
  private length = 0;
  /** Whether `store` is an array of our own (the caller's chunks are never written to). */
  private owned = false;
  /** Position in the held bytes of the first unconsumed byte. */
  private position = 0;
  /** Absolute stream offset of the held bytes' first byte. */
  private base = 0;
  /**
   * How many bytes must be held before framing is worth trying again: a message waiting for a
   * large body or group is not re-read on every chunk (which cost time in the square of its size).
   */
  private waitUntil = 0;
  /** Skipping bad bytes until the next message start (the error was already reported). */
  private resyncing = false;
  private ended = false;

  /** Bytes received but not yet turned into messages or errors. */
  get pending(): number {
    return this.length - this.position;
  }

  /** Adds a chunk and yields every message and error it completes. */
  *push(chunk: Uint8Array): Generator<ParseItem> {
    if (this.ended) throw new Error('StreamParser: push after end');
    this.append(chunk);
    if (this.length < this.waitUntil) return;
    yield* this.drain(false);
  }

  /** Ends the stream: yields the last message, or an error for a truncated one. */
  *end(): Generator<ParseItem> {
    this.ended = true;
    yield* this.drain(true);
    this.store = new Uint8Array(0);
    this.length = 0;
    this.position = 0;
  }

  private append(input: Uint8Array): void {
    // A plain view: Node Buffers make every subarray a costly Buffer object, and slice() a view.
    const chunk =
      input.constructor === Uint8Array
        ? input
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (this.position === this.length) {
      this.base += this.length;
      this.waitUntil = Math.max(0, this.waitUntil - this.length);
      this.store = chunk;
      this.length = chunk.length;
      this.owned = false;
      this.position = 0;
      return;
    }
    if (this.owned && this.length + chunk.length <= this.store.length) {
      // Room after the held bytes (nothing parsed refers to bytes there).
      this.store.set(chunk, this.length);
      this.length += chunk.length;
      return;
    }
    // A new array, at least twice what is pending, so a long message is copied a few times only.
    const rest = this.length - this.position;
    const next = new Uint8Array(Math.max(rest + chunk.length, 2 * rest));
    next.set(this.store.subarray(this.position, this.length), 0);
    next.set(chunk, rest);
    this.base += this.position;
    this.waitUntil = Math.max(0, this.waitUntil - this.position);
    this.store = next;
    this.length = rest + chunk.length;
    this.owned = true;
    this.position = 0;
  }

  private *drain(final: boolean): Generator<ParseItem> {
    const bytes =
      this.length === this.store.length ? this.store : this.store.subarray(0, this.length);
    this.waitUntil = 0;
    for (;;) {
      if (this.resyncing) {
        const found = findMessageStart(bytes, this.position, final);
        if (found.position < 0) {
          this.position = bytes.length;
          return;
        }
        this.position = found.position;
        if (!found.decided) return;
        this.resyncing = false;
      }
      const result = readMessage(bytes, this.position, final, this.base);
      switch (result.status) {
        case 'empty':
          return;
        case 'shortage':
          this.waitUntil = result.until ?? 0;
          return;
        case 'skip':
          this.position = result.end;
          break;
        case 'message':
          this.position = result.end;
          yield { type: 'message', message: result.message };
          break;
        case 'error':
          yield { type: 'error', error: result.error.at(this.base) };
          this.position = result.resume;
          this.resyncing = true;
          break;
      }
    }
  }
}

/** Parses a whole input at once. */
export function parseStream(bytes: Uint8Array): { messages: Message[]; errors: CesrError[] } {
  const parser = new StreamParser();
  const messages: Message[] = [];
  const errors: CesrError[] = [];
  for (const item of [...parser.push(bytes), ...parser.end()]) {
    if (item.type === 'message') messages.push(item.message);
    else errors.push(item.error);
  }
  return { messages, errors };
}
