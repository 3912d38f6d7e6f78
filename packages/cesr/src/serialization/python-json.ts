/**
 * @module serialization/python-json
 * JSON exactly as keripy writes it: `json.dumps(sad, separators=(",", ":"), ensure_ascii=False)`.
 *
 * keripy accepts a body only if re-serializing its parsed value gives back the same bytes. We check
 * that without re-serializing: `scanCanonicalJson` walks the raw text once and verifies that every
 * token is already in the form Python would write (no whitespace, Python's string escapes and
 * number forms, no duplicate keys). The same walk yields where each top-level value lies, so a SAID
 * can be verified by splicing the raw bytes (no re-serialization, no key-order hazards).
 */
import { CesrError } from '../errors.js';
import { latin1Text } from '../text.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SHORT_ESCAPES = new Set([0x22, 0x5c, 0x62, 0x66, 0x6e, 0x72, 0x74]); // " \ b f n r t
// Control characters Python escapes with a short form; all others below 0x20 use \u00XX.
const SHORT_ESCAPED_CONTROLS = new Set([0x08, 0x0c, 0x0a, 0x0d, 0x09]);

/** Top-level field of a JSON body: label and the byte span of its value. */
export interface FieldSpan {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A quoted JSON key as a string; plain ASCII keys (all KERI labels) skip the general decoder. */
function decodeKey(quoted: Uint8Array): string {
  let ascii = true;
  for (let i = 1; i < quoted.length - 1; i++) {
    const byte = quoted[i]!;
    if (byte >= 0x80 || byte === BACKSLASH) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1Text(quoted, 1, quoted.length - 1);
  return JSON.parse(utf8.decode(quoted)) as string;
}

/**
 * Keys past this many in one object are checked for repeats through a set of decoded keys; below,
 * by comparing bytes with each earlier key (objects have a handful of keys, and decoding them would
 * cost more). Bytes compare as keys do: the scanner accepts one canonical form per string.
 */
const SMALL_OBJECT = 16;

class Scanner {
  position = 0;
  /** Byte spans (start, end) of the keys of the objects being scanned, the innermost last. */
  private readonly keys: number[] = [];

  constructor(readonly bytes: Uint8Array) {}

  fail(reason: string): never {
    throw new CesrError('bad_body', `Body is not canonical JSON: ${reason}`, this.position);
  }

  peek(): number {
    return this.bytes[this.position] ?? -1;
  }

  expect(byte: number): void {
    if (this.bytes[this.position] !== byte) this.fail(`expected '${String.fromCharCode(byte)}'`);
    this.position++;
  }

  value(): void {
    const byte = this.peek();
    if (byte === 0x7b) this.object();
    else if (byte === 0x5b) this.array();
    else if (byte === QUOTE) this.string();
    else if (byte === 0x74) this.literal('true');
    else if (byte === 0x66) this.literal('false');
    else if (byte === 0x6e) this.literal('null');
    else this.number();
  }

  literal(word: string): void {
    for (let i = 0; i < word.length; i++) this.expect(word.charCodeAt(i));
  }

  object(fields?: FieldSpan[], labels?: readonly string[]): void {
    this.expect(0x7b);
    if (this.peek() === 0x7d) {
      this.position++;
      return;
    }
    const first = this.keys.length; // this object's keys start here
    let large: Set<string> | undefined;
    for (;;) {
      const keyStart = this.position;
      this.string();
      const keyEnd = this.position;
      if (large === undefined && this.keys.length - first < 2 * SMALL_OBJECT) {
        if (this.repeats(first, keyStart, keyEnd)) this.repeatedKey(keyStart, keyEnd);
        this.keys.push(keyStart, keyEnd);
      } else {
        large ??= this.decodedKeys(first);
        const key = latin1Text(this.bytes, keyStart, keyEnd);
        if (large.has(key)) this.repeatedKey(keyStart, keyEnd);
        large.add(key);
      }
      this.expect(0x3a);
      const start = this.position;
      this.value();
      if (fields) {
        const label = this.label(keyStart, keyEnd, labels);
        if (label !== undefined) fields.push({ label, start, end: this.position });
      }
      const next = this.peek();
      if (next === 0x2c) {
        this.position++;
        continue;
      }
      this.expect(0x7d);
      this.keys.length = first;
      return;
    }
  }

  /** Whether the key at [start, end) has the bytes of a key of this object, listed from `first`. */
  repeats(first: number, start: number, end: number): boolean {
    const bytes = this.bytes;
    for (let k = first; k < this.keys.length; k += 2) {
      const other = this.keys[k]!;
      if (this.keys[k + 1]! - other !== end - start) continue;
      let same = true;
      for (let i = 0; same && i < end - start; i++) same = bytes[other + i] === bytes[start + i];
      if (same) return true;
    }
    return false;
  }

  /** The keys of this object so far (listed from `first`), as one string per key's bytes. */
  decodedKeys(first: number): Set<string> {
    const keys = new Set<string>();
    for (let k = first; k < this.keys.length; k += 2)
      keys.add(latin1Text(this.bytes, this.keys[k]!, this.keys[k + 1]!));
    return keys;
  }

  repeatedKey(start: number, end: number): never {
    this.fail(`duplicate key '${decodeKey(this.bytes.subarray(start, end))}'`);
  }

  /** The key at [start, end) decoded, or with `labels` the one it is (if any). */
  label(start: number, end: number, labels: readonly string[] | undefined): string | undefined {
    if (labels === undefined) return decodeKey(this.bytes.subarray(start, end));
    for (let i = 0; i < labels.length; i++)
      if (this.isKey(start, end, labels[i]!)) return labels[i];
    return undefined;
  }

  /** Whether the quoted key at [start, end) is the ASCII label `label`. */
  isKey(start: number, end: number, label: string): boolean {
    if (end - start !== label.length + 2) return false;
    for (let i = 0; i < label.length; i++)
      if (this.bytes[start + 1 + i] !== label.charCodeAt(i)) return false;
    return true;
  }

  array(): void {
    this.expect(0x5b);
    if (this.peek() === 0x5d) {
      this.position++;
      return;
    }
    for (;;) {
      this.value();
      if (this.peek() === 0x2c) {
        this.position++;
        continue;
      }
      this.expect(0x5d);
      return;
    }
  }

  string(): void {
    const bytes = this.bytes;
    const start = this.position;
    this.expect(QUOTE);
    let position = this.position;
    let ascii = true;
    for (;;) {
      const byte = bytes[position];
      if (byte === QUOTE) break;
      if (byte === undefined || byte < 0x20) {
        this.position = position;
        this.fail(byte === undefined ? 'unterminated string' : 'raw control character in string');
      }
      if (byte === BACKSLASH) {
        position = this.escape(position);
        continue;
      }
      if (byte >= 0x80) ascii = false;
      position++;
    }
    this.position = position + 1;
    // Python writes UTF-8 and cannot load anything else (json.loads would raise).
    if (!ascii && !isUtf8(bytes.subarray(start, this.position)))
      this.fail('invalid UTF-8 in string');
  }

  /** Checks the escape at `position` (a backslash); returns the position after it. */
  escape(position: number): number {
    const bytes = this.bytes;
    const escaped = bytes[position + 1] ?? -1;
    if (SHORT_ESCAPES.has(escaped)) return position + 2;
    // \u00XX is canonical only for control characters without a short escape, lowercase hex.
    const hex = String.fromCharCode(...bytes.subarray(position + 2, position + 6));
    const code = /^00[01][0-9a-f]$/.test(hex) ? Number.parseInt(hex, 16) : -1;
    if (escaped !== 0x75 || code < 0 || SHORT_ESCAPED_CONTROLS.has(code)) {
      this.position = position;
      this.fail('escape Python would not write');
    }
    return position + 6;
  }

  number(): void {
    const start = this.position;
    const bytes = this.bytes;
    while (this.position < bytes.length) {
      const byte = bytes[this.position]!;
      // digits, sign, decimal point, exponent
      if (
        (byte >= 0x30 && byte <= 0x39) ||
        byte === 0x2d ||
        byte === 0x2b ||
        byte === 0x2e ||
        byte === 0x65 ||
        byte === 0x45
      ) {
        this.position++;
      } else break;
    }
    const text = String.fromCharCode(...bytes.subarray(start, this.position));
    if (/^-?(0|[1-9][0-9]*)$/.test(text)) {
      if (text === '-0') this.fail('negative zero');
      return;
    }
    const value = Number(text);
    if (
      !/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text) ||
      pythonFloatRepr(value) !== text
    ) {
      this.fail(`number '${text}' is not as Python writes it`);
    }
  }
}

/**
 * Verifies that `bytes` is one JSON object written exactly as keripy writes it and returns the
 * spans of its top-level values (with `labels`, of those ASCII labels only: the other keys are
 * then not decoded). Throws `CesrError('bad_body')` otherwise.
 */
export function scanCanonicalJson(bytes: Uint8Array, labels?: readonly string[]): FieldSpan[] {
  const scanner = new Scanner(bytes);
  const fields: FieldSpan[] = [];
  if (scanner.peek() !== 0x7b) scanner.fail('not an object');
  scanner.object(fields, labels);
  if (scanner.position !== bytes.length) scanner.fail('trailing bytes');
  return fields;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = Math.abs(exponent).toString().padStart(2, '0');
    return `${sign}${head}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integer = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1) || '0';
  return `${sign}${integer}.${fraction}`;
}
