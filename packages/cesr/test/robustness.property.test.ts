/**
 * Robustness of the stream parser on hostile input: random bytes, CESR-looking soup and damaged
 * corpus streams never make it throw or hang; every error is a `CesrError` at an offset inside the
 * input; every message it yields is a byte-exact slice of the input; chunking changes nothing; and
 * valid messages that follow a damaged region always come out intact.
 */

import {
  BASE64_ALPHABET,
  bytesToHex,
  CesrError,
  COUNTER_SIZES_V1,
  type CounterCode,
  concatBytes,
  counter,
  counterToQb2,
  equalBytes,
  findMessageStart,
  type Message,
  type ParseItem,
  parseStream,
  textToBytes,
} from '@kestrel/cesr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';
import {
  corpusStreams,
  parseChunks,
  splitAt,
  summarize,
  summarizeMessage,
} from './support/streams.js';

/** Per-input time budget: generous for slow CI, far below what a hang or blow-up would take. */
const BUDGET_MS = 2_000;

const { text, binary } = corpusStreams();
const streams = [...text, ...binary].filter((stream) => stream.bytes.length < 10_000);
const messagesOf = (bytes: Uint8Array) => parseStream(bytes).messages;
const corpusMessageSets = [...text, ...binary]
  .map((stream) => messagesOf(stream.bytes))
  .filter((set) => set.length > 0);

/** Parses `input` whole and in chunks, checking the invariants that hold for any input. */
function parseChecked(input: Uint8Array, cuts: readonly number[]): ParseItem[] {
  const started = performance.now();
  let items: ParseItem[];
  let chunked: ParseItem[];
  try {
    items = parseChunks([input]);
    chunked = parseChunks(splitAt(input, cuts));
  } catch (caught) {
    throw new Error(`the parser threw on ${bytesToHex(input).slice(0, 400)}`, { cause: caught });
  }
  expect(performance.now() - started).toBeLessThan(BUDGET_MS);
  let previousEnd = 0;
  for (const item of items) {
    if (item.type === 'error') {
      expect(item.error).toBeInstanceOf(CesrError);
      expect(Number.isInteger(item.error.offset)).toBe(true);
      expect(item.error.offset).toBeGreaterThanOrEqual(0);
      expect(item.error.offset).toBeLessThan(input.length);
      continue;
    }
    const { offset, raw, body } = item.message;
    expect(offset).toBeGreaterThanOrEqual(previousEnd);
    expect(equalBytes(raw, input.subarray(offset, offset + raw.length))).toBe(true);
    expect(equalBytes(body.raw, input.subarray(offset, offset + body.raw.length))).toBe(true);
    previousEnd = offset + raw.length;
  }
  expect(summarize(chunked)).toEqual(summarize(items));
  return items;
}

const cutsFor = (length: number) =>
  fc.array(fc.integer({ min: 0, max: length }), { maxLength: 12 });

/** Input plus random cut points for it. */
const withCuts = (input: fc.Arbitrary<Uint8Array>) =>
  input.chain((bytes) => fc.tuple(fc.constant(bytes), cutsFor(bytes.length)));

const counterCodes = Object.keys(COUNTER_SIZES_V1) as CounterCode[];
const anyCounter = fc
  .constantFrom(...counterCodes)
  .chain((code) =>
    fc.tuple(fc.constant(code), fc.integer({ min: 0, max: 64 ** COUNTER_SIZES_V1[code].ss - 1 })),
  )
  .map(([code, count]) => counter(code, count));

const base64Text = fc
  .array(fc.constantFrom(...BASE64_ALPHABET), { maxLength: 120 })
  .map((chars) => textToBytes(chars.join('')));

const corpusSlice = fc
  .tuple(fc.constantFrom(...streams), fc.nat(), fc.nat({ max: 600 }))
  .map(([stream, start, length]) => {
    const from = start % stream.bytes.length;
    return stream.bytes.slice(from, from + length);
  });

/** Fragments that drive the parser deep: counters, Base64, headers, real message pieces. */
const soup = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      base64Text,
      anyCounter.map((value) => textToBytes(value.qb64)),
      anyCounter.map((value) => counterToQb2(value)),
      fc
        .constantFrom(
          '{"v":"KERI10JSON000159_"',
          '{"v":"',
          'KERI10JSON0000ff_',
          '--AAABAA',
          ' \n',
          '-VAA',
          '-0VAAAAA',
          '{}',
        )
        .map(textToBytes),
      corpusSlice,
    ),
    { maxLength: 12 },
  )
  .map((parts) => concatBytes(...parts));

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 400 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, change: Mutation): Uint8Array {
  if (bytes.length === 0) return bytes;
  const at = change.at % bytes.length;
  switch (change.kind) {
    case 'flip': {
      const out = new Uint8Array(bytes);
      out[at]! ^= change.mask;
      return out;
    }
    case 'insert':
      return concatBytes(bytes.subarray(0, at), change.bytes, bytes.subarray(at));
    case 'delete':
      return concatBytes(bytes.subarray(0, at), bytes.subarray(at + change.length));
    case 'duplicate': {
      const end = Math.min(bytes.length, at + change.length);
      return concatBytes(bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end));
    }
    case 'truncate':
      return bytes.subarray(0, at);
  }
}

const mutatedStream = fc
  .tuple(fc.constantFrom(...streams), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([stream, changes]) => changes.reduce(mutate, stream.bytes));

describe('the parser never throws, never hangs, and reports errors inside the input', () => {
  it('on random bytes', () => {
    fc.assert(
      fc.property(withCuts(fc.uint8Array({ maxLength: 2_000 })), ([input, cuts]) => {
        parseChecked(input, cuts);
      }),
      { numRuns: propertyRuns(150) },
    );
  });

  it('on CESR-looking soup (counters, Base64, version strings, corpus fragments)', () => {
    fc.assert(
      fc.property(withCuts(soup), ([input, cuts]) => {
        parseChecked(input, cuts);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('on damaged corpus streams (bytes flipped, junk inserted, ranges deleted or duplicated, truncated)', () => {
    fc.assert(
      fc.property(withCuts(mutatedStream), ([input, cuts]) => {
        parseChecked(input, cuts);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('on attachment groups nested thousands deep', () => {
    const body = messagesOf(text[0]!.bytes)[0]!.body.raw;
    for (const depth of [10, 100, 5_000]) {
      let nested = '-VAA';
      for (let i = 0; i < depth; i++) nested = counter('-V', nested.length / 4).qb64 + nested;
      let jNested = '-JAA4AAA'; // sad path group: a path, then its nested groups
      for (let i = 0; i < Math.min(depth, 2_000); i++) jNested = `-JAB4AAA${jNested}`;
      for (const attachments of [nested, jNested]) {
        const input = concatBytes(body, textToBytes(attachments), body);
        const items = parseChecked(input, [body.length + 7, input.length - 20]);
        // the message after the nested groups is never lost
        const last = items.at(-1);
        expect(last?.type).toBe('message');
        expect(last?.type === 'message' && last.message.offset).toBe(
          body.length + attachments.length,
        );
      }
    }
  });
});

// ---- [valid messages A] + [junk] + [valid messages B] ---------------------------------------

const V1_ANYWHERE = /[A-Z]{4}[0-9a-f]{2}[A-Z]{4}[0-9a-f]{6}_/;
const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/**
 * Junk that holds no message start: no body header with a version string (where the parser resyncs)
 * and no version string at all (a cold start accepts one within 12 bytes of any body-like byte).
 */
function holdsNoMessageStart(junk: Uint8Array): boolean {
  return findMessageStart(junk, 0, true).position < 0 && !V1_ANYWHERE.test(latin1(junk));
}

/** A byte that can start a counter right after attachments: '-' (text) or a binary '-' sextet. */
const startsLikeCounter = (byte: number) => byte === 0x2d || (byte >= 0xf8 && byte <= 0xfb);

const junkBody = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 300 }), soup);

/** Junk that does not begin with a counter, so it cannot be read as A's attachments. */
const plainJunk = junkBody.filter(
  (junk) => junk.length > 0 && !startsLikeCounter(junk[0]!) && holdsNoMessageStart(junk),
);

// The opaque groups keripy reads after a message (it refuses -W and -0W there, and so do we).
const OPAQUE_GROUPS: ReadonlySet<string> = new Set(['-L', '-0L']);

/**
 * Junk that begins with a well-formed counter (text or binary) followed by anything, with the
 * number of bytes from the junk's start that the counter claims when it is an opaque group (whose
 * content is not parsed, so it takes whatever bytes follow, in either domain, as keripy does).
 */
const counterJunk = fc
  .tuple(anyCounter, fc.boolean(), fc.uint8Array({ maxLength: 200 }))
  .map(([value, inBinary, rest]) => {
    const head = inBinary ? counterToQb2(value) : textToBytes(value.qb64);
    const claim = OPAQUE_GROUPS.has(value.code)
      ? head.length + value.count * (inBinary ? 3 : 4)
      : 0;
    return { junk: concatBytes(head, rest), claim };
  })
  .filter(({ junk }) => holdsNoMessageStart(junk));

/** A run of whole messages from one corpus stream (its attachments in the text or binary domain). */
const messageRun = (minLength: number) =>
  fc
    .constantFrom(...corpusMessageSets)
    .chain((set) => fc.subarray(set, { minLength: Math.min(minLength, set.length) }));

const rawOf = (messages: readonly Message[]) =>
  concatBytes(...messages.map((message) => message.raw));

function expectedMessages(messages: readonly Message[], base: number) {
  let offset = base;
  return messages.map((message) => {
    const summary = { ...summarizeMessage(message), offset };
    offset += message.raw.length;
    return summary;
  });
}

function messagesIn(items: readonly ParseItem[]) {
  return items.flatMap((item) => (item.type === 'message' ? [summarizeMessage(item.message)] : []));
}

describe('valid messages after a damaged region are never lost', () => {
  it('A + junk + B yields all of A and all of B intact, and errors only inside the junk', () => {
    fc.assert(
      fc.property(
        messageRun(0),
        plainJunk,
        messageRun(1),
        fc.array(fc.nat(), { maxLength: 8 }),
        (a, junk, b, cutSeeds) => {
          const before = rawOf(a);
          const after = rawOf(b);
          const input = concatBytes(before, junk, after);
          const items = parseChecked(
            input,
            cutSeeds.map((seed) => seed % (input.length + 1)),
          );
          expect(messagesIn(items)).toEqual([
            ...expectedMessages(a, 0),
            ...expectedMessages(b, before.length + junk.length),
          ]);
          for (const item of items) {
            if (item.type === 'error') {
              expect(item.error.offset).toBeGreaterThanOrEqual(before.length);
              expect(item.error.offset).toBeLessThan(before.length + junk.length);
            }
          }
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });

  it('junk that begins with a counter may cost the last message of A, and of B only what an opaque group claims', () => {
    fc.assert(
      fc.property(
        messageRun(1),
        counterJunk,
        messageRun(1),
        fc.array(fc.nat(), { maxLength: 8 }),
        (a, { junk, claim }, b, cutSeeds) => {
          const before = rawOf(a);
          const input = concatBytes(before, junk, rawOf(b));
          const items = parseChecked(
            input,
            cutSeeds.map((seed) => seed % (input.length + 1)),
          );
          const found = messagesIn(items);
          // The junk's counter reads as one more attachment group of A's last message (unless a -V
          // frame holds all of that message's attachments): that message
          // comes out with the junk's groups appended, or in error when what they count is not
          // there. The other messages of A are untouched. So is B, except where a group begun in
          // the junk takes B's bytes as what it counts: an opaque group (-L) whatever they are
          // (when its claim overruns the stream, the group is reported truncated and nothing of B
          // is lost), any other group when they read as its items, which in the binary domain text
          // bytes can (found by fuzzing: a binary -C couple read a seed code from the junk's zeros
          // and B's first 31 bytes as its raw, then B's next bytes as a signature). The messages of
          // B that start inside what was taken are lost, and no others.
          const lastOfA = found.filter((message) => message.offset < before.length).at(-1);
          const readEnd = lastOfA === undefined ? 0 : lastOfA.offset + lastOfA.raw.length / 2;
          if (lastOfA !== undefined && readEnd > before.length) {
            // What it took is exactly the input's bytes, not a misplaced reading of them.
            expect(lastOfA.raw).toBe(bytesToHex(input.subarray(lastOfA.offset, readEnd)));
          }
          // After a -V frame, the junk's counter is not the message's: it takes nothing of B.
          const framedA = expectedMessages(a, 0).at(-1)?.groups.startsWith('-V') === true;
          const claimEnd = before.length + (framedA ? 0 : claim);
          const lostBefore = Math.max(claimEnd > input.length ? 0 : claimEnd, readEnd);
          const expectedB = expectedMessages(b, before.length + junk.length).filter(
            (message) => message.offset >= lostBefore,
          );
          expect(found.slice(found.length - expectedB.length)).toEqual(expectedB);
          const survivorsOfB = found.filter(
            (message) => message.offset >= before.length + junk.length,
          );
          expect(survivorsOfB).toEqual(expectedB);
          const foundA = found.filter((message) => message.offset < before.length);
          const expectedA = expectedMessages(a, 0);
          expect(foundA.slice(0, expectedA.length - 1)).toEqual(expectedA.slice(0, -1));
          expect([expectedA.length, expectedA.length - 1]).toContain(foundA.length);
          if (foundA.length === expectedA.length) {
            const [last, original] = [foundA.at(-1)!, expectedA.at(-1)!];
            expect([last.offset, last.body]).toEqual([original.offset, original.body]);
            if (original.groups.startsWith('-V')) {
              // A -V frame is all of a message's attachments: the junk after it is not its.
              expect(last.groups).toBe(original.groups);
            } else {
              expect(last.groups.startsWith(original.groups)).toBe(true);
              expect(last.groups.length).toBeGreaterThan(original.groups.length);
            }
          }
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });

  it('examples: counters claiming more than the stream holds', () => {
    const [first, second] = messagesOf(text.find((stream) => stream.name === 'single_sig')!.bytes);
    for (const junk of ['-VZZ', '-LZZxyz', '-0VAAAZZ', '-ZAB7AAB_AAA', '-AAB', '-AAZ0AAA']) {
      const input = concatBytes(first!.raw, textToBytes(junk), second!.raw);
      const { messages, errors } = parseStream(input);
      expect(messages.map((message) => message.offset)).toContain(first!.raw.length + junk.length);
      expect(messages.at(-1)!.body.raw).toEqual(second!.body.raw);
      expect(errors.length).toBe(1);
      expect(errors[0]!.offset).toBe(first!.raw.length);
    }
  });

  it('example: a binary receipt-couple counter after a text message cannot read the next body as its items', () => {
    // Found by `npm run fuzz`: '-CAB' in binary, two zero bytes, then an inception in text. The
    // couple's prefix reads as a 33-byte primitive of code A (the zeros and the body's first 31
    // bytes), which no receipt signer can have: keripy's Verfer refuses it and drops the message,
    // and so does Kestrel. The parser then resynchronises where the group began, so the inception
    // it would have eaten and the message after it are intact.
    const [inception, second, third] = messagesOf(
      text.find((stream) => stream.name === 'single_sig')!.bytes,
    );
    const junk = Uint8Array.from([0xf8, 0x20, 0x01, 0x00, 0x00]);
    const input = concatBytes(second!.raw, junk, inception!.raw, third!.raw);
    const { messages, errors } = parseStream(input);
    expect(messages.map((message) => message.raw)).toEqual([inception!.raw, third!.raw]);
    expect(messages[0]!.offset).toBe(second!.raw.length + junk.length);
    expect(errors.map((error) => [error.code, error.offset])).toEqual([
      ['bad_group', second!.raw.length],
    ]);
    expect(errors[0]!.message).toMatch(/receipt signer .* code 'A'/);
  });

  it('examples: a body whose version string claims more than the stream holds', () => {
    const [first, second] = messagesOf(text.find((stream) => stream.name === 'single_sig')!.bytes);
    const fake = textToBytes('{"v":"KERI10JSON0fffff_","t":"icp"');
    const input = concatBytes(first!.raw, fake, second!.raw);
    const { messages, errors } = parseStream(input);
    expect(messages.map((message) => message.offset)).toEqual([0, first!.raw.length + fake.length]);
    expect(errors.map((error) => [error.code, error.offset])).toEqual([
      ['truncated', first!.raw.length],
    ]);
  });
});
