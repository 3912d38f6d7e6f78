/**
 * @module store/byte-formats
 * What the store's byte formats (event records, first-seen runs) share: their first byte, and
 * writing the ASCII text (qb64, hex, types, datetimes) that makes up most of them.
 */

/**
 * The first byte of every stored byte format, then the format's number: 0xc1 begins no msgpack
 * value (the format reserves it as "never used"), so a store that holds msgpack values beside
 * these can tell them apart by their first byte and keep them as they are, without a tag or a
 * copy of its own (`@kestrel/store-lmdb` does).
 */
export const FORMAT_MARKER = 0xc1;

/** From this length on, text is written by `TextEncoder.encodeInto` (see `writeAscii`). */
const NATIVE_FROM = 64;

const utf8 = new TextEncoder();

/**
 * Writes `text` at `at`, one byte per code unit, when it is all ASCII, and returns where it ends;
 * returns -1 otherwise (what was written after `at` is then to be overwritten). `bytes` must have
 * room for `text.length` bytes at `at`. Short text is copied code unit by code unit; long text
 * (signatures, 88 characters) by the native UTF-8 encoder, in 40% of the time, which fills exactly
 * that room only when the text is all ASCII.
 */
export function writeAscii(bytes: Uint8Array, at: number, text: string): number {
  const length = text.length;
  if (length >= NATIVE_FROM) {
    const { read, written } = utf8.encodeInto(text, bytes.subarray(at, at + length));
    return read === length && written === length ? at + length : -1;
  }
  let offset = at;
  for (let index = 0; index < length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0x80) return -1;
    bytes[offset++] = unit;
  }
  return offset;
}
