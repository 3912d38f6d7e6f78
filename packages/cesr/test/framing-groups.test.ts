/**
 * Which attachment groups a message may carry, and how a -V frame bounds them, as keripy 1.3.6's
 * parser reads them (`Parser.msgParsator`): a -V frame is the message's attachments only as their
 * first group and then all of them; a group keripy has no reading for drops its message; -J and -Z
 * hold what keripy's `_sadPathSigGroup` and `Texter` read. The messages around a dropped one are
 * kept, and a bad frame never leaves the parser waiting for bytes that cannot help.
 */
import { concatBytes, parseStream, StreamParser, textToBytes } from '@kestrel/cesr';
import { describe, expect, it } from 'vitest';
import { corpusStreams } from './support/streams.js';

const [first, second] = parseStream(
  corpusStreams().text.find((stream) => stream.name === 'single_sig')!.bytes,
).messages;
const body = first!.body.raw;
/** The first message's own -A group (one signature), as text. */
const signatures = new TextDecoder().decode(first!.raw.subarray(body.length));
const signature = signatures.slice(4);

/** The first message's body with these attachments, then the next message whole. */
function streamWith(attachments: string): Uint8Array {
  return concatBytes(body, textToBytes(attachments), second!.raw);
}

/** A -V counter for `text` (its length in quadlets, two Base64 digits). */
function frame(text: string): string {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const quadlets = text.length / 4;
  return `-V${digits[Math.floor(quadlets / 64)]}${digits[quadlets % 64]}${text}`;
}

const groupsOf = (bytes: Uint8Array) =>
  parseStream(bytes).messages.map((message) => message.attachments.map((g) => g.counter.code));

describe('a -V frame', () => {
  it('as the first group holds all of the message attachments', () => {
    const { messages, errors } = parseStream(streamWith(frame(signatures)));
    expect(errors).toEqual([]);
    expect(messages.map((m) => m.attachments.map((g) => g.counter.code))).toEqual([['-V'], ['-A']]);
  });

  it("ends the attachments: a group after it is not the message's", () => {
    // keripy reads only the frame for the message; the group after it starts nothing there.
    const { messages, errors } = parseStream(streamWith(frame(signatures) + signatures));
    expect(messages.map((m) => m.attachments.map((g) => g.counter.code))).toEqual([['-V'], ['-A']]);
    expect(errors.map((e) => e.code)).toEqual(['unexpected_counter']);
  });

  it('after another group drops the message', () => {
    const { messages, errors } = parseStream(streamWith(signatures + frame(signatures)));
    expect(messages.map((m) => m.raw)).toEqual([second!.raw]);
    expect(errors.map((e) => e.code)).toEqual(['unexpected_counter']);
  });

  it('inside another -V, or empty, drops the message', () => {
    for (const attachments of [frame(frame(signatures)), frame('')]) {
      const { messages, errors } = parseStream(streamWith(attachments));
      expect(messages.map((m) => m.raw)).toEqual([second!.raw]);
      expect(errors).toHaveLength(1);
    }
  });

  it('whose group reaches past its end drops the message at once, without waiting for bytes', () => {
    // -AAB counts one signature; the frame holds one quadlet. The frame is complete, so more
    // bytes cannot help: the parser reports it and goes on with the next message as it arrives.
    const parser = new StreamParser();
    const items = [...parser.push(streamWith(frame('-AAB')))];
    expect(items.map((item) => item.type)).toEqual(['error']);
    // The next message is out as soon as the one after it starts.
    const more = [...parser.push(second!.raw)];
    expect(more.map((item) => item.type)).toEqual(['message']);
    expect(parser.pending).toBe(second!.raw.length);
  });
});

describe('groups keripy does not read after a message', () => {
  const groups: Record<string, string> = {
    '-W': '-WABAAAA',
    '-0W': '-0WAAAAA',
    '-0Z': '-0ZAAAAA',
    '-0V': '-0VAAAAA',
    '--AAA (a genus and version)': '--AAABAA',
    '-_AAA': '-_AAABAA',
  };
  for (const [name, group] of Object.entries(groups)) {
    it(`${name} drops the message`, () => {
      const { messages, errors } = parseStream(streamWith(signatures + group));
      expect(messages.map((m) => m.raw)).toEqual([second!.raw]);
      expect(errors).toHaveLength(1);
    });
  }

  it('-L is read, as keripy reads pathed material', () => {
    expect(groupsOf(streamWith(`${signatures}-LABAAAA`))).toEqual([['-A', '-L'], ['-A']]);
  });
});

describe('-J and -Z', () => {
  const path = '4AAB-A-B'; // a Base64 text (Bexter) path
  it('-J: a path, then each item a -J counter, a subpath and one group of signatures', () => {
    const pathed = `-JAB${path}-JAB${path}${signatures}`;
    const { messages, errors } = parseStream(streamWith(signatures + pathed));
    expect(errors).toEqual([]);
    expect(messages[0]!.attachments.map((g) => g.counter.code)).toEqual(['-A', '-J']);
  });

  it('-J: items of another shape, or a path that is not Base64 text, drop the message', () => {
    const digest = `E${'A'.repeat(43)}`;
    for (const pathed of [
      `-JAB${path}${signatures}`, // an item that is not a -J
      `-JAB${path}-JAB${path}-GAB0A${'A'.repeat(22)}${digest}`, // a group that holds no signatures
      `-JAA${digest}`, // a digest as the path
    ]) {
      const { messages, errors } = parseStream(streamWith(signatures + pathed));
      expect(messages.map((m) => m.raw)).toEqual([second!.raw]);
      expect(errors.map((e) => e.code)).toEqual(['bad_group']);
    }
  });

  it('-Z holds byte texts only', () => {
    expect(groupsOf(streamWith(`${signatures}-ZAB4BAA`))).toEqual([['-A', '-Z'], ['-A']]);
    const { errors } = parseStream(streamWith(`${signatures}-ZABE${'A'.repeat(43)}`));
    expect(errors.map((e) => e.code)).toEqual(['bad_group']);
  });
});

it('the first message is the one the tests assume', () => {
  expect(signature.length).toBe(88);
  expect(signatures.startsWith('-AAB')).toBe(true);
});
