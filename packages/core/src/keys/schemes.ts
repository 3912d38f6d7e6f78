/**
 * @module keys/schemes
 * The signature schemes KERI keys use, as one table: which seed, public-key and signature codes
 * belong together (keripy `Signer`, `Verfer`, `Cigar`; CESR spec, "Master code table").
 */
import type { IndexerSizes, MatterCode } from '@kestrel/cesr';
import { KeyError } from '../errors.js';

export type SchemeName = IndexerSizes['scheme'];

export interface SignatureScheme {
  readonly name: SchemeName;
  /** Seed code, or undefined when keripy 1.3.6 cannot sign with the scheme (Ed448). */
  readonly seed: MatterCode | undefined;
  readonly transferableKey: MatterCode;
  readonly nonTransferableKey: MatterCode;
  /** Code of an unindexed signature (keripy `Cigar`). */
  readonly signature: MatterCode;
}

export const SIGNATURE_SCHEMES: Readonly<Record<SchemeName, SignatureScheme>> = {
  Ed25519: {
    name: 'Ed25519',
    seed: 'A',
    transferableKey: 'D',
    nonTransferableKey: 'B',
    signature: '0B',
  },
  ECDSA_256k1: {
    name: 'ECDSA_256k1',
    seed: 'J',
    transferableKey: '1AAB',
    nonTransferableKey: '1AAA',
    signature: '0C',
  },
  ECDSA_256r1: {
    name: 'ECDSA_256r1',
    seed: 'Q',
    transferableKey: '1AAJ',
    nonTransferableKey: '1AAI',
    signature: '0I',
  },
  Ed448: {
    name: 'Ed448',
    seed: undefined,
    transferableKey: '1AAD',
    nonTransferableKey: '1AAC',
    signature: '1AAE',
  },
};

const schemes = Object.values(SIGNATURE_SCHEMES);

/** Seed codes keripy's `Salter.signer` and `Signer` accept. */
export type SeedCode = 'A' | 'J' | 'Q';

/** The scheme of a seed code; KeyError('bad_key') for anything that is not a signing seed. */
export function schemeOfSeed(code: string): SignatureScheme & { readonly seed: SeedCode } {
  const scheme = schemes.find((candidate) => candidate.seed === code);
  if (!scheme) throw new KeyError('bad_key', `'${code}' is not a signing seed code`, { code });
  return scheme as SignatureScheme & { readonly seed: SeedCode };
}

/** The scheme of a public verification key code, or undefined when the code is not one. */
export function schemeOfPublicKey(code: string): SignatureScheme | undefined {
  return schemes.find(
    (scheme) => scheme.transferableKey === code || scheme.nonTransferableKey === code,
  );
}
