/**
 * @module threshold/member-sets
 * Sets of members written as bit masks (bit i set = member i is in the set), the form the subset
 * analyses work in, and the one order every list of sets is reported in: by size, then
 * lexicographically on the ascending member indices ([0,1,3] before [0,2,3]). A fixed order keeps
 * the output of the analyses deterministic and lets a truncated list keep its smallest sets.
 */

/** Width of the masks the ordering handles; the analyses refuse more members than this. */
export const MASK_WIDTH = 24;

const WIDTH_MASK = 2 ** MASK_WIDTH - 1;

/** Number of members in a set. */
export function bitCount(mask: number): number {
  let count = 0;
  for (let rest = mask; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/** The members of a set, ascending. */
export function membersOf(mask: number): number[] {
  const members: number[] = [];
  for (let index = 0; mask >>> index !== 0; index++) if ((mask >>> index) & 1) members.push(index);
  return members;
}

/** Bit i moved to bit MASK_WIDTH - 1 - i. */
function reversed(mask: number): number {
  let result = 0;
  for (let index = 0; index < MASK_WIDTH; index++)
    if ((mask >>> index) & 1) result |= 1 << (MASK_WIDTH - 1 - index);
  return result >>> 0;
}

// Between two sets of equal size, the one holding the lowest member where they differ comes first
// lexicographically. Reversing the bits puts that member in the higher place, so the earlier set
// has the larger reversed mask; subtracting from WIDTH_MASK turns that into ascending order. The
// size goes above the 24 mask bits, so one numeric sort of a Uint32Array orders everything, which
// matters when a threshold over 24 members has millions of minimal sets.
function sortKey(mask: number): number {
  return bitCount(mask) * 2 ** MASK_WIDTH + (WIDTH_MASK - reversed(mask));
}

function maskOfKey(key: number): number {
  return reversed(WIDTH_MASK - (key % 2 ** MASK_WIDTH));
}

/** The sets in report order: by size, then lexicographically on their ascending members. */
export function sortMasks(masks: readonly number[]): Uint32Array {
  const keys = Uint32Array.from(masks, sortKey).sort();
  return keys.map(maskOfKey);
}
