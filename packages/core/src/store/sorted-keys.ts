/**
 * @module store/sorted-keys
 * Binary search over keys kept in sorted order (the memory store's tables, the overlay's pending
 * writes once scanned).
 */

/** The index of the first key not before `key` in sorted `keys`. */
export function firstAtOrAfter(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Inserts `key` (not already there) into sorted `keys`, keeping them sorted. */
export function insertSorted(keys: string[], key: string): void {
  const at = firstAtOrAfter(keys, key);
  if (at === keys.length) keys.push(key);
  else keys.splice(at, 0, key);
}
