/**
 * The primitives of an attachment group must have the codes of what they stand for there, as
 * keripy's parser requires when it builds a Verfer, Prefixer, Seqner, Saider or Dater from them: a
 * group with any other code drops its message, and the messages after it are kept.
 */
import { concatBytes, parseStream, textToBytes } from '@kestrel/cesr';
import { describe, expect, it } from 'vitest';
import { corpusStreams } from './support/streams.js';

const VERIFIER = `B${'A'.repeat(43)}`;
const SIGNATURE = `0B${'A'.repeat(86)}`;
const PREFIX = `D${'A'.repeat(43)}`;
const SEQUENCE_NUMBER = `0A${'A'.repeat(22)}`;
const DIGEST = `E${'A'.repeat(43)}`;
const DATETIME = `1AAG${'A'.repeat(32)}`;
const INDEXED_SIGNATURES = `-AAB${'AA'}${'A'.repeat(86)}`;

/** Each tuple group with valid items, then with one item of a code its role cannot have. */
const CASES: readonly {
  group: string;
  valid: readonly string[];
  wrong: readonly string[];
  role: RegExp;
}[] = [
  {
    group: '-C',
    valid: [VERIFIER, SIGNATURE],
    wrong: [DIGEST, SIGNATURE],
    role: /receipt signer/,
  },
  {
    group: '-E',
    valid: [SEQUENCE_NUMBER, DATETIME],
    wrong: [SEQUENCE_NUMBER, DIGEST],
    role: /date-time/,
  },
  { group: '-E', valid: [SEQUENCE_NUMBER, DATETIME], wrong: ['MAAA', DATETIME], role: /sequence/ },
  {
    group: '-G',
    valid: [SEQUENCE_NUMBER, DIGEST],
    wrong: [SEQUENCE_NUMBER, PREFIX],
    role: /digest/,
  },
  {
    group: '-I',
    valid: [PREFIX, SEQUENCE_NUMBER, DIGEST],
    wrong: [SIGNATURE, SEQUENCE_NUMBER, DIGEST],
    role: /prefix/,
  },
  {
    group: '-D',
    valid: [PREFIX, SEQUENCE_NUMBER, DIGEST, `AA${'A'.repeat(86)}`],
    wrong: [PREFIX, DIGEST, DIGEST, `AA${'A'.repeat(86)}`],
    role: /sequence number/,
  },
  {
    group: '-F',
    valid: [PREFIX, SEQUENCE_NUMBER, DIGEST, INDEXED_SIGNATURES],
    wrong: [PREFIX, SEQUENCE_NUMBER, VERIFIER, INDEXED_SIGNATURES],
    role: /digest/,
  },
  {
    group: '-H',
    valid: [PREFIX, INDEXED_SIGNATURES],
    wrong: [SEQUENCE_NUMBER, INDEXED_SIGNATURES],
    role: /prefix/,
  },
];

const [first, second] = parseStream(
  corpusStreams().text.find((stream) => stream.name === 'single_sig')!.bytes,
).messages;

/** The first message's body with one group of one tuple, then the next message whole. */
function streamWith(group: string, items: readonly string[]): Uint8Array {
  return concatBytes(first!.body.raw, textToBytes(`${group}AB${items.join('')}`), second!.raw);
}

describe('attachment group items', () => {
  for (const { group, valid, wrong, role } of CASES) {
    it(`${group}: reads items of the right codes, drops a message with ${role.source}`, () => {
      const kept = parseStream(streamWith(group, valid));
      expect(kept.errors).toEqual([]);
      expect(kept.messages.map((message) => message.attachments[0]?.counter.code)).toEqual([
        group,
        '-A',
      ]);

      const { messages, errors } = parseStream(streamWith(group, wrong));
      expect(messages.map((message) => message.raw)).toEqual([second!.raw]);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.code).toBe('bad_group');
      expect(errors[0]!.offset).toBe(first!.body.raw.length);
      expect(errors[0]!.message).toMatch(role);
      // The error says which event was dropped, so a report can name it.
      expect(errors[0]!.context.said).toBe(first!.body.sad.d);
    });
  }
});
