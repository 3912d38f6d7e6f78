/**
 * @module serialization/kinds
 * Serializing field maps as JSON, CBOR or MGPK, byte for byte as keripy does (Python `json`,
 * `cbor2`, `msgpack`). JSON goes through `JSON.stringify`, whose output for the value types of KERI
 * bodies (strings, integers, lists, maps, booleans, null) equals Python's compact dump with
 * `ensure_ascii=False`. CBOR and MGPK use cbor-x and msgpackr configured to write the smallest
 * headers, as cbor2 and msgpack do (checked against vectors produced by those libraries).
 *
 * Known limits, shared by any JavaScript reading of these bodies: integer-like map keys ("1") are
 * reordered by JavaScript objects, floats that are whole numbers serialize without ".0", and
 * integers of 2^53 and above lose precision. KERI bodies have none of these.
 */
import { Decoder as CborDecoder, Encoder as CborEncoder } from 'cbor-x';
import { Packr } from 'msgpackr';
import { CesrError } from '../errors.js';
import type { Kind } from '../version.js';

/** A parsed field map (self-addressing data). */
export type Sad = Record<string, unknown>;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

const cborEncoder = new CborEncoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  variableMapSize: true,
});
const cborDecoder = new CborDecoder({ useRecords: false, mapsAsObjects: true });
const msgpack = new Packr({
  useRecords: false,
  moreTypes: false,
  variableMapSize: true,
  mapsAsObjects: true,
});

export function serialize(sad: unknown, kind: Kind): Uint8Array {
  switch (kind) {
    case 'JSON':
      return utf8Encoder.encode(JSON.stringify(sad));
    case 'CBOR':
      return new Uint8Array(cborEncoder.encode(sad));
    case 'MGPK':
      return new Uint8Array(msgpack.pack(sad));
  }
}

export function deserialize(raw: Uint8Array, kind: Kind): Sad {
  let value: unknown;
  try {
    switch (kind) {
      case 'JSON':
        value = JSON.parse(utf8Decoder.decode(raw));
        break;
      case 'CBOR':
        value = cborDecoder.decode(raw);
        break;
      case 'MGPK':
        value = msgpack.unpack(raw);
        break;
    }
  } catch (cause) {
    throw new CesrError('bad_body', `Cannot deserialize ${kind} body: ${(cause as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CesrError('bad_body', `${kind} body is not a field map`);
  }
  return value as Sad;
}
