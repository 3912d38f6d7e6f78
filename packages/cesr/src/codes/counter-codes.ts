/**
 * @module codes/counter-codes
 * The CESR 1.0 counter (count code) table (keripy 1.3.6 `CounterCodex_1_0`, `Counter.Sizes[1][0]`).
 *
 * Counters frame groups of attachments: `-A##` is two Base64 count digits, the big forms `-0X#####`
 * five, and the genus/version code `--AAA###` three. CESR 1.0 has no big form of -A..-K.
 */

export interface CounterSizes {
  readonly name: string;
  readonly hs: number;
  readonly ss: number;
  readonly fs: number;
  /** How the count is measured: items (primitives or tuples) or quadlets/triplets of the group. */
  readonly unit: 'items' | 'quadlets' | 'version';
}

export const COUNTER_SIZES_V1 = {
  '-A': { name: 'ControllerIdxSigs', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-B': { name: 'WitnessIdxSigs', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-C': { name: 'NonTransReceiptCouples', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-D': { name: 'TransReceiptQuadruples', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-E': { name: 'FirstSeenReplayCouples', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-F': { name: 'TransIdxSigGroups', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-G': { name: 'SealSourceCouples', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-H': { name: 'TransLastIdxSigGroups', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-I': { name: 'SealSourceTriples', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-J': { name: 'SadPathSigGroups', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-K': { name: 'RootSadPathSigGroups', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-L': { name: 'PathedMaterialGroup', hs: 2, ss: 2, fs: 4, unit: 'quadlets' },
  '-0L': { name: 'BigPathedMaterialGroup', hs: 3, ss: 5, fs: 8, unit: 'quadlets' },
  '-V': { name: 'AttachmentGroup', hs: 2, ss: 2, fs: 4, unit: 'quadlets' },
  '-0V': { name: 'BigAttachmentGroup', hs: 3, ss: 5, fs: 8, unit: 'quadlets' },
  '-W': { name: 'GenericGroup', hs: 2, ss: 2, fs: 4, unit: 'quadlets' },
  '-0W': { name: 'BigGenericGroup', hs: 3, ss: 5, fs: 8, unit: 'quadlets' },
  '-Z': { name: 'ESSRPayloadGroup', hs: 2, ss: 2, fs: 4, unit: 'items' },
  '-0Z': { name: 'BigESSRPayloadGroup', hs: 3, ss: 5, fs: 8, unit: 'items' },
  // keripy 1.3.6 writes the genus/version code as '--AAA'; the CESR spec text writes '-_AAA'.
  // Both parse; '--AAA' is what Kestrel writes.
  '-_AAA': { name: 'KERIACDCGenusVersion', hs: 5, ss: 3, fs: 8, unit: 'version' },
  '--AAA': { name: 'KERIACDCGenusVersion', hs: 5, ss: 3, fs: 8, unit: 'version' },
} as const satisfies Record<string, CounterSizes>;

export type CounterCode = keyof typeof COUNTER_SIZES_V1;

type CounterNames = { [C in CounterCode as (typeof COUNTER_SIZES_V1)[C]['name']]: C };

/** Codes by their keripy names, e.g. `CounterCodes.ControllerIdxSigs === '-A'`. */
export const CounterCodes: CounterNames = Object.fromEntries(
  Object.entries(COUNTER_SIZES_V1).map(([code, row]) => [row.name, code]),
) as CounterNames;

/** The genus/version counter announcing CESR 1.0 with the KERI/ACDC genus. */
export const GENUS_VERSION_1_0 = '--AAABAA';

/** Hard size of a v1 counter from its first two characters: `-X` -> 2, `-0` -> 3, `--`/`-_` -> 5. */
export function counterHardSize(firstTwo: string): number | undefined {
  if (firstTwo.length < 2 || firstTwo[0] !== '-') return undefined;
  const second = firstTwo[1]!;
  if ((second >= 'A' && second <= 'Z') || (second >= 'a' && second <= 'z')) return 2;
  if (second === '0') return 3;
  if (second === '-' || second === '_') return 5;
  return undefined;
}
