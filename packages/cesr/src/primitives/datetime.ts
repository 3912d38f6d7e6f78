/**
 * @module primitives/datetime
 * ISO-8601 datetimes as CESR `1AAG` primitives (keripy `Dater`): the 32-character datetime with
 * ':' '.' '+' replaced by 'c' 'd' 'p' so it is Base64, decoded to 24 raw bytes.
 */

import { decodeBase64Quadlets } from '../base64.js';
import { MatterCodes } from '../codes/matter-codes.js';
import { CesrError } from '../errors.js';
import { type Matter, matterFromRaw } from './matter.js';

const TO_BASE64: Record<string, string> = { ':': 'c', '.': 'd', '+': 'p' };
const FROM_BASE64: Record<string, string> = { c: ':', d: '.', p: '+' };

/** keripy's datetime format: `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (32 characters). */
export function isoDateTime(date: Date): string {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 23)}000+00:00`;
}

/** A `1AAG` datetime primitive from a 32-character ISO-8601 datetime. */
export function datetimePrimitive(datetime: string): Matter {
  if (datetime.length !== 32) {
    throw new CesrError('bad_size', `Datetime must be 32 characters, got '${datetime}'`);
  }
  const text = datetime.replace(/[:.+]/g, (c) => TO_BASE64[c]!);
  return matterFromRaw(MatterCodes.DateTime, decodeBase64Quadlets(text));
}

/** The ISO-8601 datetime in a `1AAG` primitive. */
export function datetimeValue(matter: Matter): string {
  if (matter.code !== MatterCodes.DateTime) {
    throw new CesrError('unknown_code', `Expected a '1AAG' datetime, got '${matter.code}'`);
  }
  return matter.qb64.slice(4).replace(/[cdp]/g, (c) => FROM_BASE64[c]!);
}
