import { type IndexedSignature, indexerFromQb64 } from '@kestrel/cesr';

/** Signatures as a store keeps them (qb64), back to indexed signatures. */
export function signaturesFromStore(list: readonly string[]): IndexedSignature[] {
  return list.map((qb64) => indexerFromQb64(qb64));
}
