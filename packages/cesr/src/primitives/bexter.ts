/**
 * @module primitives/bexter
 * Base64 text carried as a variable-size primitive (StrB64 codes 4A/5A/6A and the big forms), as
 * keripy's `Bexter`, and SAD paths built from it (`Pather`): `["e", "icp"]` is the text `-e-icp`.
 *
 * The text is left-padded with 'A' (zero sextets) to a whole quadlet, decoded, and its leading
 * zero bytes beyond the lead size dropped, so `matterFromRaw` picks the lead size back. Decoding
 * reverses that. Text whose first character is 'A' and whose length is a multiple of 4 cannot be
 * told from its padded form (keripy has the same ambiguity); paths start with '-', so never.
 */
import { decodeWithPrepad, encodeBase64, isBase64 } from '../base64.js';
import { MATTER_SIZES, type MatterCode } from '../codes/matter-codes.js';
import { CesrError } from '../errors.js';
import { type Matter, matterFromRaw } from './matter.js';

const STRING_CODES: ReadonlySet<string> = new Set(['4A', '5A', '6A', '7AAA', '8AAA', '9AAA']);

/** A Base64 text as a StrB64 primitive. */
export function bexter(text: string): Matter {
  if (!isBase64(text)) throw new CesrError('bad_base64', `Not Base64 text: '${text}'`);
  const textSize = text.length % 4;
  const wad = (4 - textSize) % 4;
  const lead = (3 - textSize) % 3;
  const decoded = decodeWithPrepad(text, 0, text.length, wad);
  return matterFromRaw('4A', decoded.subarray(lead));
}

/** The Base64 text of a StrB64 primitive. */
export function bextOf(matter: Matter): string {
  if (!STRING_CODES.has(matter.code))
    throw new CesrError('unknown_code', `'${matter.code}' is not a Base64 string code`);
  const lead = MATTER_SIZES[matter.code as MatterCode].ls;
  const padded = new Uint8Array(lead + matter.raw.length);
  padded.set(matter.raw, lead);
  const text = encodeBase64(padded);
  const strip = lead === 0 ? (text.startsWith('A') ? 1 : 0) : (lead + 1) % 4;
  return text.slice(strip);
}

/** A SAD path (`["e", "icp"]`) as a primitive: the text `-e-icp`. */
export function pather(path: readonly (string | number)[]): Matter {
  for (const part of path) {
    const text = String(part);
    if (text === '' || text.includes('-') || !isBase64(text))
      throw new CesrError('bad_body', `Path part '${text}' is not Base64 without '-'`);
  }
  return bexter(`-${path.join('-')}`);
}

/** The parts of a SAD path primitive. */
export function pathOf(matter: Matter): string[] {
  const text = bextOf(matter);
  if (!text.startsWith('-')) throw new CesrError('bad_body', `'${text}' is not a SAD path`);
  const parts = text.replace(/^-+|-+$/g, '').split('-');
  return parts[0] === '' ? [] : parts;
}
