/**
 * @module text
 * Strings of one character per byte, the form CESR text takes in a stream. Spreading a byte view
 * into `String.fromCharCode` costs about as much as parsing what it decodes, so short runs are
 * built character by character and longer ASCII runs go through the native UTF-8 decoder, which
 * maps ASCII one to one.
 */

const utf8 = new TextDecoder();

/** Below this length, building the string one character at a time is the fastest way. */
const SHORT_RUN = 16;

/** The string whose character codes are `bytes[start..end)` (Latin-1 decoding). */
export function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_RUN) {
    let text = '';
    for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
    return text;
  }
  const run = bytes.subarray(start, end);
  for (let i = 0; i < run.length; i++) {
    if (run[i]! >= 0x80) return String.fromCharCode.apply(null, run as unknown as number[]);
  }
  return utf8.decode(run);
}
