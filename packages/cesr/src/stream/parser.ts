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
  private buffer: Uint8Array = new Uint8Array(0);
  /** Position in `buffer` of the first unconsumed byte. */
  private position = 0;
  /** Absolute stream offset of `buffer[0]`. */
  private base = 0;
  /** Skipping bad bytes until the next message start (the error was already reported). */
  private resyncing = false;
  private ended = false;

  /** Bytes received but not yet turned into messages or errors. */
  get pending(): number {
    return this.buffer.length - this.position;
  }

  /** Adds a chunk and yields every message and error it completes. */
  *push(chunk: Uint8Array): Generator<ParseItem> {
    if (this.ended) throw new Error('StreamParser: push after end');
    this.append(chunk);
    yield* this.drain(false);
  }

  /** Ends the stream: yields the last message, or an error for a truncated one. */
  *end(): Generator<ParseItem> {
    this.ended = true;
    yield* this.drain(true);
    this.buffer = new Uint8Array(0);
    this.position = 0;
  }

  private append(input: Uint8Array): void {
    // A plain view: Node Buffers make every subarray a costly Buffer object, and slice() a view.
    const chunk =
      input.constructor === Uint8Array
        ? input
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (this.position === this.buffer.length) {
      this.base += this.buffer.length;
      this.buffer = chunk;
      this.position = 0;
      return;
    }
    const rest = this.buffer.subarray(this.position);
    const joined = new Uint8Array(rest.length + chunk.length);
    joined.set(rest, 0);
    joined.set(chunk, rest.length);
    this.base += this.position;
    this.buffer = joined;
    this.position = 0;
  }

  private *drain(final: boolean): Generator<ParseItem> {
    for (;;) {
      if (this.resyncing) {
        const found = findMessageStart(this.buffer, this.position, final);
        if (found.position < 0) {
          this.position = this.buffer.length;
          return;
        }
        this.position = found.position;
        if (!found.decided) return;
        this.resyncing = false;
      }
      const result = readMessage(this.buffer, this.position, final, this.base);
      switch (result.status) {
        case 'empty':
        case 'shortage':
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
