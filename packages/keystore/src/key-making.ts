/**
 * @module key-making
 * Making a lot of keys for a key sequence: salty keys from a salt and keripy's paths
 * (`{stem}{ridx:x}{kidx:x}`, so the same salt and alias give the same keys as kli), random keys, or
 * key pairs generated inside a hardware token. Nothing is recorded here: the key manager records
 * the keys once the event that uses them is accepted.
 */
import { type Matter, matterFromRaw } from '@kestrel/cesr';
import { type Crypto, deriveSignerAsync, type StretchTier, signerFromSeed } from '@kestrel/core';
import { KeystoreError } from './errors.js';
import type { Keystore } from './keystore.js';
import { withProgress } from './progress.js';
import type { KeyAlgorithm, KeyLot, KeySequence } from './records.js';
import type { HardwareKeys } from './signers.js';

/** New keys made but not yet recorded, with the seeds of software keys (none for a token). */
export interface NewKeys {
  readonly lot: KeyLot;
  readonly seeds: ReadonlyArray<{ publicKey: string; seed: Matter }>;
  /** Whether the keys were generated in the token (so undoing them means destroying them there). */
  readonly inToken: boolean;
}

export interface KeyPlan {
  readonly algorithm: KeyAlgorithm;
  readonly sequence: Pick<
    KeySequence,
    'alias' | 'stem' | 'tier' | 'salt' | 'prefixIndex' | 'transferable'
  >;
  readonly rotationIndex: number;
  readonly keyIndex: number;
  readonly count: number;
  /** Use the temp stretching tier (tests only). */
  readonly temp: boolean;
}

/**
 * The token, or the error saying why there is none: the keystore records a token whose PIN was
 * not given (so it was not opened), or the keystore has no token at all.
 */
export function requireHardware(
  hardware: HardwareKeys | undefined,
  store: Keystore,
  why: string,
): HardwareKeys {
  if (hardware) return hardware;
  const token = store.token;
  if (token) {
    throw new KeystoreError(
      'hsm_pin_required',
      `${why} token '${token.label}', which is not open: give its user PIN`,
      { tokenLabel: token.label },
    );
  }
  throw new KeystoreError(
    'hsm',
    `${why} a hardware token, and the keystore at ${store.path} has none (create it with a token)`,
  );
}

export async function makeKeys(
  crypto: Crypto,
  hardware: HardwareKeys | undefined,
  store: Keystore,
  plan: KeyPlan,
): Promise<NewKeys> {
  const { sequence, rotationIndex, keyIndex, count } = plan;
  const createdAt = new Date().toISOString();
  const progress = store.progressReporter;
  if (plan.algorithm === 'pkcs11') {
    const token = requireHardware(hardware, store, `The keys of '${sequence.alias}' are made in`);
    const publicKeys =
      count === 0
        ? []
        : await withProgress(
            progress,
            { kind: 'generate', tokenLabel: token.tokenLabel, count },
            () => token.generate(`${sequence.stem}/${rotationIndex}`, count),
          );
    return { lot: { publicKeys, rotationIndex, keyIndex, createdAt }, seeds: [], inToken: true };
  }
  const seeds: Array<{ publicKey: string; seed: Matter }> = [];
  if (plan.algorithm === 'salty') {
    const salt = sequence.salt ? store.unsealSecret(sequence.salt) : store.rootSalt().qb64;
    const stem = sequence.stem === '' ? sequence.prefixIndex.toString(16) : sequence.stem;
    const tier: StretchTier = plan.temp ? 'temp' : sequence.tier;
    // Off the main thread: at the high tier each key takes seconds, and progress must still draw.
    const derive = async () => {
      for (let i = 0; i < count; i++) {
        const path = `${stem}${rotationIndex.toString(16)}${(keyIndex + i).toString(16)}`;
        const signer = await deriveSignerAsync(crypto, salt, path, {
          tier,
          transferable: sequence.transferable,
        });
        seeds.push({ publicKey: signer.publicKey.qb64, seed: signer.seed });
      }
    };
    if (count > 0) await withProgress(progress, { kind: 'derive', tier, count }, derive);
  } else {
    for (let i = 0; i < count; i++) {
      const seed = matterFromRaw('A', crypto.randomBytes(32));
      const { publicKey } = signerFromSeed(crypto, seed, sequence.transferable);
      seeds.push({ publicKey: publicKey.qb64, seed });
    }
  }
  const publicKeys = seeds.map(({ publicKey }) => publicKey);
  return { lot: { publicKeys, rotationIndex, keyIndex, createdAt }, seeds, inToken: false };
}

/** Undoes keys that were made for an event that was never accepted (best effort: nothing used them). */
export function destroyTokenKeys(
  hardware: HardwareKeys | undefined,
  made: readonly NewKeys[],
): void {
  const inToken = made.filter((keys) => keys.inToken).flatMap((keys) => keys.lot.publicKeys);
  if (!hardware || inToken.length === 0) return;
  try {
    hardware.destroy(inToken);
  } catch {
    // The original failure is the one to report; unused keys left in the token harm nobody.
  }
}
