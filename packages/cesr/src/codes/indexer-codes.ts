/**
 * @module codes/indexer-codes
 * The CESR 1.0 indexed-signature code table (keripy 1.3.6 `IndexerCodex`).
 *
 * Each row: hs hard size, ss soft size (index + ondex digits), os the ondex ("other index") digits
 * within ss, fs full size in Base64 characters, ls lead bytes. `both` codes may carry an ondex (an
 * index into the prior next-key digests); `current` codes name a key in the current list only.
 */

export interface IndexerSizes {
  readonly name: string;
  readonly hs: number;
  readonly ss: number;
  readonly os: number;
  readonly fs: number;
  readonly ls: number;
  /** Which key lists the signature's indices refer to. */
  readonly lists: 'both' | 'current';
  /** The signature scheme of the raw bytes. */
  readonly scheme: 'Ed25519' | 'ECDSA_256k1' | 'ECDSA_256r1' | 'Ed448';
}

export const INDEXER_SIZES = {
  A: { name: 'Ed25519_Sig', hs: 1, ss: 1, os: 0, fs: 88, ls: 0, lists: 'both', scheme: 'Ed25519' },
  B: {
    name: 'Ed25519_Crt_Sig',
    hs: 1,
    ss: 1,
    os: 0,
    fs: 88,
    ls: 0,
    lists: 'current',
    scheme: 'Ed25519',
  },
  C: {
    name: 'ECDSA_256k1_Sig',
    hs: 1,
    ss: 1,
    os: 0,
    fs: 88,
    ls: 0,
    lists: 'both',
    scheme: 'ECDSA_256k1',
  },
  D: {
    name: 'ECDSA_256k1_Crt_Sig',
    hs: 1,
    ss: 1,
    os: 0,
    fs: 88,
    ls: 0,
    lists: 'current',
    scheme: 'ECDSA_256k1',
  },
  E: {
    name: 'ECDSA_256r1_Sig',
    hs: 1,
    ss: 1,
    os: 0,
    fs: 88,
    ls: 0,
    lists: 'both',
    scheme: 'ECDSA_256r1',
  },
  F: {
    name: 'ECDSA_256r1_Crt_Sig',
    hs: 1,
    ss: 1,
    os: 0,
    fs: 88,
    ls: 0,
    lists: 'current',
    scheme: 'ECDSA_256r1',
  },
  '0A': { name: 'Ed448_Sig', hs: 2, ss: 2, os: 1, fs: 156, ls: 0, lists: 'both', scheme: 'Ed448' },
  '0B': {
    name: 'Ed448_Crt_Sig',
    hs: 2,
    ss: 2,
    os: 1,
    fs: 156,
    ls: 0,
    lists: 'current',
    scheme: 'Ed448',
  },
  '2A': {
    name: 'Ed25519_Big_Sig',
    hs: 2,
    ss: 4,
    os: 2,
    fs: 92,
    ls: 0,
    lists: 'both',
    scheme: 'Ed25519',
  },
  '2B': {
    name: 'Ed25519_Big_Crt_Sig',
    hs: 2,
    ss: 4,
    os: 2,
    fs: 92,
    ls: 0,
    lists: 'current',
    scheme: 'Ed25519',
  },
  '2C': {
    name: 'ECDSA_256k1_Big_Sig',
    hs: 2,
    ss: 4,
    os: 2,
    fs: 92,
    ls: 0,
    lists: 'both',
    scheme: 'ECDSA_256k1',
  },
  '2D': {
    name: 'ECDSA_256k1_Big_Crt_Sig',
    hs: 2,
    ss: 4,
    os: 2,
    fs: 92,
    ls: 0,
    lists: 'current',
    scheme: 'ECDSA_256k1',
  },
  '2E': {
    name: 'ECDSA_256r1_Big_Sig',
    hs: 2,
    ss: 4,
    os: 2,
    fs: 92,
    ls: 0,
    lists: 'both',
    scheme: 'ECDSA_256r1',
  },
  '2F': {
    name: 'ECDSA_256r1_Big_Crt_Sig',
    hs: 2,
    ss: 4,
    os: 2,
    fs: 92,
    ls: 0,
    lists: 'current',
    scheme: 'ECDSA_256r1',
  },
  '3A': {
    name: 'Ed448_Big_Sig',
    hs: 2,
    ss: 6,
    os: 3,
    fs: 160,
    ls: 0,
    lists: 'both',
    scheme: 'Ed448',
  },
  '3B': {
    name: 'Ed448_Big_Crt_Sig',
    hs: 2,
    ss: 6,
    os: 3,
    fs: 160,
    ls: 0,
    lists: 'current',
    scheme: 'Ed448',
  },
} as const satisfies Record<string, IndexerSizes>;

export type IndexerCode = keyof typeof INDEXER_SIZES;

type IndexerNames = { [C in IndexerCode as (typeof INDEXER_SIZES)[C]['name']]: C };

/** Codes by their keripy names, e.g. `IndexerCodes.Ed25519_Big_Sig === '2A'`. */
export const IndexerCodes: IndexerNames = Object.fromEntries(
  Object.entries(INDEXER_SIZES).map(([code, row]) => [row.name, code]),
) as IndexerNames;

/** Hard size by first character: A-Z a-z -> 1; 0-4 -> 2. */
export function indexerHardSize(first: string): number | undefined {
  if ((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z')) return 1;
  if (first >= '0' && first <= '4') return 2;
  return undefined;
}

/** The small and big code of each scheme, for each key-list kind. */
export const INDEXER_CODE_FOR = {
  Ed25519: { both: ['A', '2A'], current: ['B', '2B'] },
  ECDSA_256k1: { both: ['C', '2C'], current: ['D', '2D'] },
  ECDSA_256r1: { both: ['E', '2E'], current: ['F', '2F'] },
  Ed448: { both: ['0A', '3A'], current: ['0B', '3B'] },
} as const;
