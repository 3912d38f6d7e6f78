/**
 * Split invariance of the stream parser: for every corpus stream (as keripy wrote it, and with its
 * attachments converted to the binary domain), feeding it in random chunks, one byte at a time, or
 * as Node `Buffer`s yields exactly what parsing it in one piece yields: the same messages (offsets,
 * bodies, attachment groups) and the same errors, in the same order.
 */

import { bytesToText, encodeGroupsText, parseStream, StreamParser } from '@kestrel/cesr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';
import { bytewise, corpusStreams, parseChunks, splitAt, summarize } from './support/streams.js';

const { text, binary } = corpusStreams();
const streams = [...text, ...binary];

/** Random cut points; repeated ones make empty chunks, which must be harmless too. */
const cutsFor = (length: number) =>
  fc.array(fc.integer({ min: 0, max: length }), { maxLength: 40 });

describe('binary conversion of the corpus', () => {
  it.each(text.map((stream, i) => [stream.name, stream, binary[i]!] as const))(
    '%s: same messages with the attachments in the binary domain',
    (_name, textStream, binaryStream) => {
      const before = parseStream(textStream.bytes);
      const after = parseStream(binaryStream.bytes);
      expect(after.messages.length).toBe(before.messages.length);
      after.messages.forEach((message, i) => {
        const original = before.messages[i]!;
        expect(message.body.raw).toEqual(original.body.raw);
        expect(bytesToText(encodeGroupsText(message.attachments))).toBe(
          bytesToText(encodeGroupsText(original.attachments)),
        );
        expect(message.domain).toBe(original.attachments.length > 0 ? 'binary' : undefined);
      });
      expect(after.errors.map((error) => error.code)).toEqual(
        before.errors.map((error) => error.code),
      );
    },
  );
});

describe.each(streams.map((stream) => [stream.name, stream] as const))('%s', (_name, stream) => {
  const whole = summarize(parseChunks([stream.bytes]));

  it('parses the same in random chunks', () => {
    expect(whole.filter((item) => item.type === 'message').length).toBeGreaterThan(0);
    fc.assert(
      fc.property(cutsFor(stream.bytes.length), (cuts) => {
        expect(summarize(parseChunks(splitAt(stream.bytes, cuts)))).toEqual(whole);
      }),
      { numRuns: propertyRuns(stream.bytes.length > 10_000 ? 5 : 15) },
    );
  });

  it('parses the same one byte at a time', () => {
    expect(summarize(parseChunks(bytewise(stream.bytes)))).toEqual(whole);
  });

  it('parses the same from Node Buffers, and keeps nothing that aliases them', () => {
    fc.assert(
      fc.property(cutsFor(stream.bytes.length), fc.boolean(), (cuts, pooled) => {
        // Buffer.from(bytes) copies into the shared pool (nonzero byteOffset, Buffer.slice shares
        // memory); Buffer.from(arrayBuffer, offset, length) is a view on the caller's memory.
        const backing = new Uint8Array(stream.bytes);
        const chunks = splitAt(backing, cuts).map((chunk) =>
          pooled
            ? Buffer.from(chunk)
            : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        );
        const parser = new StreamParser();
        const items = [];
        for (const chunk of chunks) items.push(...parser.push(chunk));
        items.push(...parser.end());
        // Overwrite every byte the parser was given: what it yielded must not change.
        for (const chunk of chunks) chunk.fill(0x41);
        backing.fill(0x41);
        expect(summarize(items)).toEqual(whole);
      }),
      { numRuns: propertyRuns(stream.bytes.length > 10_000 ? 3 : 8) },
    );
  });
});
