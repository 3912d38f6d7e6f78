/**
 * @module stream/groups
 * The CESR 1.0 attachment groups that follow a message body, read and written in either domain
 * (keripy `Parser.msgParsator`). Each group is a counter and what it counts:
 *
 * | code | contents of each counted item                 |
 * |------|-----------------------------------------------|
 * | -A -B| indexed signature (controller / witness)       |
 * | -C   | non-transferable prefix + signature (receipt) |
 * | -D   | prefix + sn + digest + indexed signature      |
 * | -E   | first-seen ordinal + datetime                 |
 * | -F   | prefix + sn + digest + -A signatures          |
 * | -G   | sn + digest (seal source couple)              |
 * | -H   | prefix + -A signatures                        |
 * | -I   | prefix + sn + digest (seal source triple)     |
 * | -J   | a path, then count × (-J, subpath, -F/-A/-C)  |
 * | -V   | nested groups, counted in quadlets            |
 * | -L -0L| opaque material, counted in quadlets         |
 * | -Z   | variable-size texts (ESSR payload)            |
 *
 * These are the groups keripy 1.3.6's parser reads after a message; it drops a message with any
 * other counter among its attachments (`-W`, `-0W`, `-0Z`, `-0V`, the genus codes...), and so
 * does this reader. A `-V` frame holds the message's attachments when it is their first group (see
 * `readMessage`); never inside another group.
 */
import { decodeBase64Quadlets, encodeBase64Bytes } from '../base64.js';
import type { CounterCode } from '../codes/counter-codes.js';
import {
  DATETIME_CODES,
  DIGEST_CODES,
  PREFIX_CODES,
  SEQUENCE_NUMBER_CODES,
  VERIFIER_CODES,
} from '../codes/matter-codes.js';
import { CesrError } from '../errors.js';
import {
  type Counter,
  counter,
  counterSizes,
  readCounter,
  readCounterBinary,
} from '../primitives/counter.js';
import { type IndexedSignature, readIndexer, readIndexerBinary } from '../primitives/indexer.js';
import { type Matter, readMatter, readMatterBinary } from '../primitives/matter.js';
import { Shortage } from '../primitives/shortage.js';
import { latin1Text } from '../text.js';

export type Domain = 'text' | 'binary';

/** One item of a group: a primitive, an indexed signature, or a nested group. */
export type GroupItem = Matter | IndexedSignature | AttachmentGroup;

export interface AttachmentGroup {
  readonly counter: Counter;
  /** Items in stream order. For tuple groups (-C -D -E -F -G -H -I) the tuples are flattened. */
  readonly items: readonly GroupItem[];
  /** For opaque quadlet groups (-L -W): the material in text form (Base64). */
  readonly opaque?: string;
}

export function isGroup(item: GroupItem): item is AttachmentGroup {
  return 'counter' in item;
}

export function isIndexedSignature(item: GroupItem): item is IndexedSignature {
  return 'index' in item;
}

/**
 * What a primitive stands for at its place in a group, and the codes it may have there: keripy's
 * parser builds a `Verfer`, `Seqner`, `Dater`, `Prefixer` or `Saider` from it, each of which
 * refuses any other code, and the message is then dropped. (A receipt's signature, a `Cigar`,
 * takes any code: it fails at verification instead.)
 */
interface Role {
  readonly name: string;
  readonly codes: ReadonlySet<string>;
}

const ROLES = {
  verifier: { name: 'receipt signer key', codes: VERIFIER_CODES },
  prefix: { name: 'prefix', codes: PREFIX_CODES },
  sequenceNumber: { name: 'sequence number', codes: SEQUENCE_NUMBER_CODES },
  digest: { name: 'digest', codes: DIGEST_CODES },
  datetime: { name: 'date-time', codes: DATETIME_CODES },
  path: { name: 'path (Base64 text)', codes: new Set(['4A', '5A', '6A', '7AAA', '8AAA', '9AAA']) },
  text: { name: 'text (bytes)', codes: new Set(['4B', '5B', '6B', '7AAB', '8AAB', '9AAB']) },
} as const satisfies Record<string, Role>;

/** The input ends inside a group counted in quadlets, which ends at `end` (a position in the input). */
export class GroupShortage extends Shortage {
  constructor(readonly end: number) {
    super(end);
  }
}

/** A cursor over a byte region holding attachments in one domain. */
class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public position: number,
    readonly end: number,
    readonly domain: Domain,
  ) {}

  private view(): Uint8Array {
    return this.end === this.bytes.length ? this.bytes : this.bytes.subarray(0, this.end);
  }

  private advance<T extends { qb64: string }>(item: T): T {
    this.position += this.domain === 'text' ? item.qb64.length : (item.qb64.length * 3) / 4;
    return item;
  }

  counter(): Counter {
    const view = this.view();
    return this.advance(
      this.domain === 'text'
        ? readCounter(view, this.position)
        : readCounterBinary(view, this.position),
    );
  }

  /** A primitive; of `role`'s codes when given (see `ROLES`), else of any code. */
  matter(role?: Role): Matter {
    const view = this.view();
    const start = this.position;
    const item = this.advance(
      this.domain === 'text' ? readMatter(view, start) : readMatterBinary(view, start),
    );
    if (role && !role.codes.has(item.code)) {
      throw new CesrError(
        'bad_group',
        `A ${role.name} cannot have code '${item.code}' (${[...role.codes].join(', ')})`,
        start,
      );
    }
    return item;
  }

  signature(): IndexedSignature {
    const view = this.view();
    return this.advance(
      this.domain === 'text'
        ? readIndexer(view, this.position)
        : readIndexerBinary(view, this.position),
    );
  }

  /** Size in bytes of `quadlets` quadlets in this domain (triplets in binary). */
  quadletBytes(quadlets: number): number {
    return this.domain === 'text' ? quadlets * 4 : quadlets * 3;
  }
}

/** Reads a prefix, the sequence number of one of its events and that event's digest into `items`. */
function readSealSource(reader: Reader, items: GroupItem[]): void {
  items.push(
    reader.matter(ROLES.prefix),
    reader.matter(ROLES.sequenceNumber),
    reader.matter(ROLES.digest),
  );
}

function signatures(reader: Reader, expected: CounterCode): AttachmentGroup {
  const inner = reader.counter();
  if (inner.code !== expected) {
    throw new CesrError(
      'bad_group',
      `Expected a '${expected}' counter, found '${inner.code}'`,
      reader.position,
    );
  }
  const items: IndexedSignature[] = [];
  for (let i = 0; i < inner.count; i++) items.push(reader.signature());
  return { counter: inner, items };
}

function readGroupBody(reader: Reader, head: Counter, depth: number): AttachmentGroup {
  const items: GroupItem[] = [];
  const repeat = (read: () => void) => {
    for (let i = 0; i < head.count; i++) read();
  };
  switch (head.code) {
    case '-A':
    case '-B':
      repeat(() => items.push(reader.signature()));
      return { counter: head, items };
    case '-C':
      repeat(() => items.push(reader.matter(ROLES.verifier), reader.matter()));
      return { counter: head, items };
    case '-E':
      repeat(() => items.push(reader.matter(ROLES.sequenceNumber), reader.matter(ROLES.datetime)));
      return { counter: head, items };
    case '-G':
      repeat(() => items.push(reader.matter(ROLES.sequenceNumber), reader.matter(ROLES.digest)));
      return { counter: head, items };
    case '-I':
      repeat(() => readSealSource(reader, items));
      return { counter: head, items };
    case '-D':
      repeat(() => {
        readSealSource(reader, items);
        items.push(reader.signature());
      });
      return { counter: head, items };
    case '-F':
      repeat(() => {
        readSealSource(reader, items);
        items.push(signatures(reader, '-A'));
      });
      return { counter: head, items };
    case '-H':
      repeat(() => items.push(reader.matter(ROLES.prefix), signatures(reader, '-A')));
      return { counter: head, items };
    case '-J': {
      // keripy `_sadPathSigGroup`: after the root path, each item is a -J counter (its count is
      // not used), a subpath, and one group of signatures: -F, -A or -C.
      items.push(reader.matter(ROLES.path));
      repeat(() => items.push(readPathedSignatures(reader)));
      return { counter: head, items };
    }
    case '-Z':
      repeat(() => items.push(reader.matter(ROLES.text)));
      return { counter: head, items };
    case '-V': {
      if (depth > 0) throw new CesrError('unexpected_counter', "A '-V' group inside another group");
      const size = reader.quadletBytes(head.count);
      const end = reader.position + size;
      if (reader.end < end) throw new GroupShortage(end);
      const inner = new Reader(reader.bytes, reader.position, end, reader.domain);
      // The frame holds what it declares: a group reaching past its end is malformed, not short.
      try {
        do items.push(readGroup(inner, depth + 1));
        while (inner.position < end);
      } catch (caught) {
        if (!(caught instanceof Shortage)) throw caught;
        throw new CesrError('bad_group', `A group reaches past the end of its '-V' frame`);
      }
      reader.position = end;
      return { counter: head, items };
    }
    case '-L':
    case '-0L': {
      const size = reader.quadletBytes(head.count);
      if (reader.end - reader.position < size) throw new GroupShortage(reader.position + size);
      const region = reader.bytes.subarray(reader.position, reader.position + size);
      const opaque =
        reader.domain === 'text'
          ? latin1Text(region, 0, region.length)
          : new TextDecoder().decode(encodeBase64Bytes(region));
      reader.position += size;
      return { counter: head, items, opaque };
    }
    default:
      throw new CesrError('unexpected_counter', `Unsupported attachment group '${head.code}'`);
  }
}

/** One item of a -J group: a -J counter, a subpath and a group of signatures (-F, -A or -C). */
function readPathedSignatures(reader: Reader): AttachmentGroup {
  const head = reader.counter();
  if (head.code !== '-J') {
    throw new CesrError('bad_group', `Expected a '-J' counter, found '${head.code}'`);
  }
  const subpath = reader.matter(ROLES.path);
  const inner = reader.counter();
  if (inner.code !== '-F' && inner.code !== '-A' && inner.code !== '-C') {
    throw new CesrError(
      'bad_group',
      `A pathed signature group holds -F, -A or -C, not '${inner.code}'`,
    );
  }
  return { counter: head, items: [subpath, readGroupBody(reader, inner, 1)] };
}

/** Deeper nesting than any real attachment has (-V > -J > -A is 3); bounds the recursion. */
const MAX_GROUP_DEPTH = 64;

function readGroup(reader: Reader, depth = 0): AttachmentGroup {
  const start = reader.position;
  if (depth > MAX_GROUP_DEPTH) {
    throw new CesrError(
      'bad_group',
      `Attachment groups nested more than ${MAX_GROUP_DEPTH} deep`,
      start,
    );
  }
  const head = reader.counter();
  try {
    return readGroupBody(reader, head, depth);
  } catch (caught) {
    if (caught instanceof CesrError && caught.context.group === undefined) {
      throw new CesrError(caught.code, caught.message, caught.offset, {
        ...caught.context,
        group: head.code,
        start,
      });
    }
    throw caught;
  }
}

/**
 * Reads one attachment group at `position` of `bytes` (up to `end`). Signals `Shortage` when the
 * group is incomplete; throws `CesrError` when malformed. Returns the group and where it ended.
 */
export function readAttachmentGroup(
  bytes: Uint8Array,
  position: number,
  domain: Domain,
  end = bytes.length,
): { group: AttachmentGroup; end: number } {
  const reader = new Reader(bytes, position, end, domain);
  const group = readGroup(reader);
  return { group, end: reader.position };
}

function itemText(item: GroupItem): string {
  if (isGroup(item)) return groupText(item);
  return item.qb64;
}

/** The text of what a group counts, without its counter. */
function groupBodyText(group: AttachmentGroup): string {
  return group.opaque ?? group.items.map(itemText).join('');
}

/** The group's counter, with quadlet counts re-derived from its (possibly rebuilt) contents. */
function groupCounter(group: AttachmentGroup, bodyText: string): Counter {
  const code = group.counter.code;
  return counterSizes(code).unit === 'quadlets'
    ? counter(code, bodyText.length / 4)
    : group.counter;
}

/** The text-domain encoding of a group. */
export function groupText(group: AttachmentGroup): string {
  const body = groupBodyText(group);
  return groupCounter(group, body).qb64 + body;
}

/**
 * Encodes groups in the text domain as bytes, one byte per character: opaque material read from
 * the text domain (which keripy does not check is Base64) comes back as the very bytes it was.
 */
export function encodeGroupsText(groups: readonly AttachmentGroup[]): Uint8Array {
  const text = groups.map(groupText).join('');
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * Encodes groups in the binary domain. Every counter and primitive is a whole number of 24-bit
 * quanta, so its binary form is the Base64 decoding of its text form.
 */
export function encodeGroupsBinary(groups: readonly AttachmentGroup[]): Uint8Array {
  return decodeBase64Quadlets(groups.map(groupText).join(''));
}
