/**
 * @module stream/body-slabs
 * Copies of message bodies. A parsed body must not refer to the caller's buffer (which the caller
 * may reuse), but allocating an ArrayBuffer for each body costs about as much as parsing it, so
 * bodies are cut from shared 16 KiB slabs; bodies larger than a tenth of a slab get their own.
 */
import { Slabs } from '../slabs.js';

const SLAB_SIZE = 16 * 1024;
const slabs = new Slabs(SLAB_SIZE, Math.floor(SLAB_SIZE / 10));

/** A copy of `bytes[start..end)` that shares no memory with `bytes`. */
export function copyBody(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const copy = slabs.take(end - start);
  copy.set(bytes.subarray(start, end));
  return copy;
}
