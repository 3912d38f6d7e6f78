/**
 * @module stream/body-slabs
 * Copies of message bodies. A parsed body must not refer to the caller's buffer (which the caller
 * may reuse), but allocating an ArrayBuffer for each body costs about as much as parsing it. So
 * bodies are carved out of shared slabs, as Node pools small Buffers: one allocation serves dozens
 * of bodies. A slab lives as long as any body cut from it, so a body kept for long keeps at most
 * SLAB_SIZE bytes alive; bodies larger than a tenth of a slab get their own allocation.
 */

const SLAB_SIZE = 16 * 1024;

let slab = new Uint8Array(0);
let used = 0;

/** A copy of `bytes[start..end)` that shares no memory with `bytes`. */
export function copyBody(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const size = end - start;
  if (size * 10 > SLAB_SIZE) return Uint8Array.prototype.slice.call(bytes, start, end);
  if (used + size > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const copy = slab.subarray(used, used + size);
  copy.set(bytes.subarray(start, end));
  used += size;
  return copy;
}
