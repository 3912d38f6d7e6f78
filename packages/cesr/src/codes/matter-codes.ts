/**
 * @module codes/matter-codes
 * The CESR 1.0 Matter code table (CESR spec, "Master code table"; keripy 1.3.6 `MatterCodex`).
 *
 * Each row: hs hard size, ss soft size, xs extra (pre-pad) size within the soft part, fs full size
 * in Base64 characters (null when variable), ls lead bytes prepended to the raw before encoding.
 */

export interface MatterSizes {
  readonly name: string;
  readonly hs: number;
  readonly ss: number;
  readonly xs: number;
  readonly fs: number | null;
  readonly ls: number;
}

export const MATTER_SIZES = {
  A: { name: 'Ed25519_Seed', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  B: { name: 'Ed25519N', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  C: { name: 'X25519', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  D: { name: 'Ed25519', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  E: { name: 'Blake3_256', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  F: { name: 'Blake2b_256', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  G: { name: 'Blake2s_256', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  H: { name: 'SHA3_256', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  I: { name: 'SHA2_256', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  J: { name: 'ECDSA_256k1_Seed', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  K: { name: 'Ed448_Seed', hs: 1, ss: 0, xs: 0, fs: 76, ls: 0 },
  L: { name: 'X448', hs: 1, ss: 0, xs: 0, fs: 76, ls: 0 },
  M: { name: 'Short', hs: 1, ss: 0, xs: 0, fs: 4, ls: 0 },
  N: { name: 'Big', hs: 1, ss: 0, xs: 0, fs: 12, ls: 0 },
  O: { name: 'X25519_Private', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  P: { name: 'X25519_Cipher_Seed', hs: 1, ss: 0, xs: 0, fs: 124, ls: 0 },
  Q: { name: 'ECDSA_256r1_Seed', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  R: { name: 'Tall', hs: 1, ss: 0, xs: 0, fs: 8, ls: 0 },
  S: { name: 'Large', hs: 1, ss: 0, xs: 0, fs: 16, ls: 0 },
  T: { name: 'Great', hs: 1, ss: 0, xs: 0, fs: 20, ls: 0 },
  U: { name: 'Vast', hs: 1, ss: 0, xs: 0, fs: 24, ls: 0 },
  V: { name: 'Label1', hs: 1, ss: 0, xs: 0, fs: 4, ls: 1 },
  W: { name: 'Label2', hs: 1, ss: 0, xs: 0, fs: 4, ls: 0 },
  X: { name: 'Tag3', hs: 1, ss: 3, xs: 0, fs: 4, ls: 0 },
  Y: { name: 'Tag7', hs: 1, ss: 7, xs: 0, fs: 8, ls: 0 },
  Z: { name: 'Blind', hs: 1, ss: 0, xs: 0, fs: 44, ls: 0 },
  '0A': { name: 'Salt_128', hs: 2, ss: 0, xs: 0, fs: 24, ls: 0 },
  '0B': { name: 'Ed25519_Sig', hs: 2, ss: 0, xs: 0, fs: 88, ls: 0 },
  '0C': { name: 'ECDSA_256k1_Sig', hs: 2, ss: 0, xs: 0, fs: 88, ls: 0 },
  '0D': { name: 'Blake3_512', hs: 2, ss: 0, xs: 0, fs: 88, ls: 0 },
  '0E': { name: 'Blake2b_512', hs: 2, ss: 0, xs: 0, fs: 88, ls: 0 },
  '0F': { name: 'SHA3_512', hs: 2, ss: 0, xs: 0, fs: 88, ls: 0 },
  '0G': { name: 'SHA2_512', hs: 2, ss: 0, xs: 0, fs: 88, ls: 0 },
  '0H': { name: 'Long', hs: 2, ss: 0, xs: 0, fs: 8, ls: 0 },
  '0I': { name: 'ECDSA_256r1_Sig', hs: 2, ss: 0, xs: 0, fs: 88, ls: 0 },
  '0J': { name: 'Tag1', hs: 2, ss: 2, xs: 1, fs: 4, ls: 0 },
  '0K': { name: 'Tag2', hs: 2, ss: 2, xs: 0, fs: 4, ls: 0 },
  '0L': { name: 'Tag5', hs: 2, ss: 6, xs: 1, fs: 8, ls: 0 },
  '0M': { name: 'Tag6', hs: 2, ss: 6, xs: 0, fs: 8, ls: 0 },
  '0N': { name: 'Tag9', hs: 2, ss: 10, xs: 1, fs: 12, ls: 0 },
  '0O': { name: 'Tag10', hs: 2, ss: 10, xs: 0, fs: 12, ls: 0 },
  '0P': { name: 'GramHeadNeck', hs: 2, ss: 22, xs: 0, fs: 32, ls: 0 },
  '0Q': { name: 'GramHead', hs: 2, ss: 22, xs: 0, fs: 28, ls: 0 },
  '0R': { name: 'GramHeadAIDNeck', hs: 2, ss: 22, xs: 0, fs: 76, ls: 0 },
  '0S': { name: 'GramHeadAID', hs: 2, ss: 22, xs: 0, fs: 72, ls: 0 },
  '1AAA': { name: 'ECDSA_256k1N', hs: 4, ss: 0, xs: 0, fs: 48, ls: 0 },
  '1AAB': { name: 'ECDSA_256k1', hs: 4, ss: 0, xs: 0, fs: 48, ls: 0 },
  '1AAC': { name: 'Ed448N', hs: 4, ss: 0, xs: 0, fs: 80, ls: 0 },
  '1AAD': { name: 'Ed448', hs: 4, ss: 0, xs: 0, fs: 80, ls: 0 },
  '1AAE': { name: 'Ed448_Sig', hs: 4, ss: 0, xs: 0, fs: 156, ls: 0 },
  '1AAF': { name: 'Tag4', hs: 4, ss: 4, xs: 0, fs: 8, ls: 0 },
  '1AAG': { name: 'DateTime', hs: 4, ss: 0, xs: 0, fs: 36, ls: 0 },
  '1AAH': { name: 'X25519_Cipher_Salt', hs: 4, ss: 0, xs: 0, fs: 100, ls: 0 },
  '1AAI': { name: 'ECDSA_256r1N', hs: 4, ss: 0, xs: 0, fs: 48, ls: 0 },
  '1AAJ': { name: 'ECDSA_256r1', hs: 4, ss: 0, xs: 0, fs: 48, ls: 0 },
  '1AAK': { name: 'Null', hs: 4, ss: 0, xs: 0, fs: 4, ls: 0 },
  '1AAL': { name: 'No', hs: 4, ss: 0, xs: 0, fs: 4, ls: 0 },
  '1AAM': { name: 'Yes', hs: 4, ss: 0, xs: 0, fs: 4, ls: 0 },
  '1AAN': { name: 'Tag8', hs: 4, ss: 8, xs: 0, fs: 12, ls: 0 },
  '1__-': { name: 'TBD0S', hs: 4, ss: 2, xs: 0, fs: 12, ls: 0 },
  '1___': { name: 'TBD0', hs: 4, ss: 0, xs: 0, fs: 8, ls: 0 },
  '2__-': { name: 'TBD1S', hs: 4, ss: 2, xs: 1, fs: 12, ls: 1 },
  '2___': { name: 'TBD1', hs: 4, ss: 0, xs: 0, fs: 8, ls: 1 },
  '3__-': { name: 'TBD2S', hs: 4, ss: 2, xs: 0, fs: 12, ls: 2 },
  '3___': { name: 'TBD2', hs: 4, ss: 0, xs: 0, fs: 8, ls: 2 },
  '4A': { name: 'StrB64_L0', hs: 2, ss: 2, xs: 0, fs: null, ls: 0 },
  '5A': { name: 'StrB64_L1', hs: 2, ss: 2, xs: 0, fs: null, ls: 1 },
  '6A': { name: 'StrB64_L2', hs: 2, ss: 2, xs: 0, fs: null, ls: 2 },
  '7AAA': { name: 'StrB64_Big_L0', hs: 4, ss: 4, xs: 0, fs: null, ls: 0 },
  '8AAA': { name: 'StrB64_Big_L1', hs: 4, ss: 4, xs: 0, fs: null, ls: 1 },
  '9AAA': { name: 'StrB64_Big_L2', hs: 4, ss: 4, xs: 0, fs: null, ls: 2 },
  '4B': { name: 'Bytes_L0', hs: 2, ss: 2, xs: 0, fs: null, ls: 0 },
  '5B': { name: 'Bytes_L1', hs: 2, ss: 2, xs: 0, fs: null, ls: 1 },
  '6B': { name: 'Bytes_L2', hs: 2, ss: 2, xs: 0, fs: null, ls: 2 },
  '7AAB': { name: 'Bytes_Big_L0', hs: 4, ss: 4, xs: 0, fs: null, ls: 0 },
  '8AAB': { name: 'Bytes_Big_L1', hs: 4, ss: 4, xs: 0, fs: null, ls: 1 },
  '9AAB': { name: 'Bytes_Big_L2', hs: 4, ss: 4, xs: 0, fs: null, ls: 2 },
  '4C': { name: 'X25519_Cipher_L0', hs: 2, ss: 2, xs: 0, fs: null, ls: 0 },
  '5C': { name: 'X25519_Cipher_L1', hs: 2, ss: 2, xs: 0, fs: null, ls: 1 },
  '6C': { name: 'X25519_Cipher_L2', hs: 2, ss: 2, xs: 0, fs: null, ls: 2 },
  '7AAC': { name: 'X25519_Cipher_Big_L0', hs: 4, ss: 4, xs: 0, fs: null, ls: 0 },
  '8AAC': { name: 'X25519_Cipher_Big_L1', hs: 4, ss: 4, xs: 0, fs: null, ls: 1 },
  '9AAC': { name: 'X25519_Cipher_Big_L2', hs: 4, ss: 4, xs: 0, fs: null, ls: 2 },
  '4D': { name: 'X25519_Cipher_QB64_L0', hs: 2, ss: 2, xs: 0, fs: null, ls: 0 },
  '5D': { name: 'X25519_Cipher_QB64_L1', hs: 2, ss: 2, xs: 0, fs: null, ls: 1 },
  '6D': { name: 'X25519_Cipher_QB64_L2', hs: 2, ss: 2, xs: 0, fs: null, ls: 2 },
  '7AAD': { name: 'X25519_Cipher_QB64_Big_L0', hs: 4, ss: 4, xs: 0, fs: null, ls: 0 },
  '8AAD': { name: 'X25519_Cipher_QB64_Big_L1', hs: 4, ss: 4, xs: 0, fs: null, ls: 1 },
  '9AAD': { name: 'X25519_Cipher_QB64_Big_L2', hs: 4, ss: 4, xs: 0, fs: null, ls: 2 },
  '4E': { name: 'X25519_Cipher_QB2_L0', hs: 2, ss: 2, xs: 0, fs: null, ls: 0 },
  '5E': { name: 'X25519_Cipher_QB2_L1', hs: 2, ss: 2, xs: 0, fs: null, ls: 1 },
  '6E': { name: 'X25519_Cipher_QB2_L2', hs: 2, ss: 2, xs: 0, fs: null, ls: 2 },
  '7AAE': { name: 'X25519_Cipher_QB2_Big_L0', hs: 4, ss: 4, xs: 0, fs: null, ls: 0 },
  '8AAE': { name: 'X25519_Cipher_QB2_Big_L1', hs: 4, ss: 4, xs: 0, fs: null, ls: 1 },
  '9AAE': { name: 'X25519_Cipher_QB2_Big_L2', hs: 4, ss: 4, xs: 0, fs: null, ls: 2 },
  '4F': { name: 'HPKEBase_Cipher_L0', hs: 2, ss: 2, xs: 0, fs: null, ls: 0 },
  '5F': { name: 'HPKEBase_Cipher_L1', hs: 2, ss: 2, xs: 0, fs: null, ls: 1 },
  '6F': { name: 'HPKEBase_Cipher_L2', hs: 2, ss: 2, xs: 0, fs: null, ls: 2 },
  '7AAF': { name: 'HPKEBase_Cipher_Big_L0', hs: 4, ss: 4, xs: 0, fs: null, ls: 0 },
  '8AAF': { name: 'HPKEBase_Cipher_Big_L1', hs: 4, ss: 4, xs: 0, fs: null, ls: 1 },
  '9AAF': { name: 'HPKEBase_Cipher_Big_L2', hs: 4, ss: 4, xs: 0, fs: null, ls: 2 },
  '4G': { name: 'HPKEAuth_Cipher_L0', hs: 2, ss: 2, xs: 0, fs: null, ls: 0 },
  '5G': { name: 'HPKEAuth_Cipher_L1', hs: 2, ss: 2, xs: 0, fs: null, ls: 1 },
  '6G': { name: 'HPKEAuth_Cipher_L2', hs: 2, ss: 2, xs: 0, fs: null, ls: 2 },
  '7AAG': { name: 'HPKEAuth_Cipher_Big_L0', hs: 4, ss: 4, xs: 0, fs: null, ls: 0 },
  '8AAG': { name: 'HPKEAuth_Cipher_Big_L1', hs: 4, ss: 4, xs: 0, fs: null, ls: 1 },
  '9AAG': { name: 'HPKEAuth_Cipher_Big_L2', hs: 4, ss: 4, xs: 0, fs: null, ls: 2 },
} as const satisfies Record<string, MatterSizes>;

export type MatterCode = keyof typeof MATTER_SIZES;

type MatterNames = { [C in MatterCode as (typeof MATTER_SIZES)[C]['name']]: C };

/** Codes by their keripy names, e.g. `MatterCodes.Blake3_256 === 'E'`. */
export const MatterCodes: MatterNames = Object.fromEntries(
  Object.entries(MATTER_SIZES).map(([code, row]) => [row.name, code]),
) as MatterNames;

/** Hard size by first character: A-Z a-z -> 1; 0 4 5 6 -> 2; 1 2 3 7 8 9 -> 4. */
export function matterHardSize(first: string): number | undefined {
  if ((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z')) return 1;
  if (first === '0' || first === '4' || first === '5' || first === '6') return 2;
  if (first === '1' || first === '2' || first === '3' || (first >= '7' && first <= '9')) return 4;
  return undefined;
}

/** Digest codes (keripy `DigDex`): may be SAIDs and self-addressing prefixes. */
export const DIGEST_CODES: ReadonlySet<string> = new Set([
  'E',
  'F',
  'G',
  'H',
  'I',
  '0D',
  '0E',
  '0F',
  '0G',
]);

/** Codes allowed as an identifier prefix (keripy `PreDex`). */
export const PREFIX_CODES: ReadonlySet<string> = new Set([
  'B',
  'D',
  'E',
  'F',
  'G',
  'H',
  'I',
  '0D',
  '0E',
  '0F',
  '0G',
  '1AAA',
  '1AAB',
  '1AAC',
  '1AAD',
  '1AAE',
  '1AAI',
  '1AAJ',
]);

/** Prefix codes that are public keys, not digests (keripy `PreNonDigDex`): basic prefixes. */
export const BASIC_PREFIX_CODES: ReadonlySet<string> = new Set([
  'B',
  'D',
  '1AAA',
  '1AAB',
  '1AAC',
  '1AAD',
  '1AAI',
  '1AAJ',
]);

/** Non-transferable prefix codes (keripy `NonTransDex`). */
export const NON_TRANSFERABLE_CODES: ReadonlySet<string> = new Set(['B', '1AAA', '1AAC', '1AAI']);

/** Number codes chosen automatically by size, smallest first (keripy `Number`); `0H` only on request. */
export const NUMBER_CODES_BY_SIZE = ['M', 'R', 'N', 'S', 'T', 'U'] as const;

/** All number codes (keripy `NumDex`), including `0H` (Long) and `0A` (Huge, as a Seqner). */
export const NUMBER_CODES: ReadonlySet<string> = new Set([
  'M',
  '0H',
  'R',
  'N',
  'S',
  'T',
  '0A',
  'U',
]);

/**
 * Codes of public signing keys, transferable or not, Ed448 included: what an event's `k` may list
 * as a matter of form. (Which of them keripy 1.3.6 can verify with is `VERIFIER_CODES`.)
 */
export const VERIFICATION_KEY_CODES: ReadonlySet<string> = new Set([
  'B',
  'D',
  '1AAA',
  '1AAB',
  '1AAC',
  '1AAD',
  '1AAI',
  '1AAJ',
]);

/**
 * Codes keripy 1.3.6 takes for a verifier (its `Verfer`): Ed25519, secp256k1 and secp256r1 keys,
 * transferable or not. Ed448 keys have codes but no verifier there.
 */
export const VERIFIER_CODES: ReadonlySet<string> = new Set([
  'B',
  'D',
  '1AAA',
  '1AAB',
  '1AAI',
  '1AAJ',
]);

/** The one code of a sequence number or first-seen ordinal in attachments (keripy `Seqner`). */
export const SEQUENCE_NUMBER_CODES: ReadonlySet<string> = new Set(['0A']);

/** The one code of a date-time in attachments (keripy `Dater`). */
export const DATETIME_CODES: ReadonlySet<string> = new Set(['1AAG']);
