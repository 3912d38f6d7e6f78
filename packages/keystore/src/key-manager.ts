/**
 * @module key-manager
 * Making and rotating the keys of identifiers (keripy `Manager`): salty keys from the keystore's
 * salt and keripy's paths (`{stem}{ridx:x}{kidx:x}`), so the same salt and alias give the same keys
 * as kli; random keys; or keys inside a hardware token. Next keys can be kept in another keystore
 * (separated custody) so that the current keystore, stolen with its passcode, exposes no next key.
 */
import type { Matter } from '@kestrel/cesr';
import { matterFromRaw } from '@kestrel/cesr';
import {
  type Crypto,
  deriveSigner,
  nextKeyDigest,
  type StretchTier,
  signerFromSeed,
} from '@kestrel/core';
import { KeystoreError } from './errors.js';
import type { Keystore } from './keystore.js';
import type { KeyAlgorithm, KeyLot, KeySequence, NextKeys } from './records.js';
import { type HardwareKeys, type KeySigner, SoftwareSigner } from './signers.js';

export interface InceptKeysOptions {
  readonly currentCount?: number;
  readonly nextCount?: number;
  readonly algorithm?: KeyAlgorithm;
  readonly tier?: StretchTier;
  /** keripy path stem; kli uses the alias. */
  readonly stem?: string;
  /** A salt for this identifier instead of the keystore's root salt. */
  readonly salt?: string;
  readonly transferable?: boolean;
  /** Keep the next keys in this other keystore (separated custody). */
  readonly nextStore?: Keystore;
  readonly temp?: boolean;
}

export interface RotateKeysOptions {
  /** Positions in the committed next list (`n`) to expose as the new current keys (default: all). */
  readonly expose?: readonly number[];
  /** Positions in `n` to re-commit as reserve, ahead of the new next keys (default: none). */
  readonly reserve?: readonly number[];
  readonly nextCount?: number;
  /** The keystore holding the next keys, when they are kept apart. */
  readonly nextStore?: Keystore;
  readonly temp?: boolean;
}

/** New keys made but not yet recorded: the caller records them after the event is accepted. */
interface NewKeys {
  readonly lot: KeyLot;
  readonly seeds: ReadonlyArray<{ publicKey: string; seed: Matter }>;
}

export interface PreparedRotation {
  /** The exposed keys, in the order of the new `k`, with their position in the prior `n`. */
  readonly exposed: ReadonlyArray<{ publicKey: string; ondex: number }>;
  /** The new `n`: reserve digests, then digests of the new next keys. */
  readonly nextDigests: readonly string[];
  /** Records the rotation in the keystore(s), after the rotation event was accepted. */
  commit(prefix: string): Promise<void>;
}

export class KeyManager {
  constructor(
    private readonly crypto: Crypto,
    private readonly store: Keystore,
    private readonly hardware?: HardwareKeys,
  ) {}

  private now(): string {
    return new Date().toISOString();
  }

  private async makeKeys(
    store: Keystore,
    sequence: Pick<
      KeySequence,
      'algorithm' | 'stem' | 'tier' | 'salt' | 'prefixIndex' | 'transferable'
    >,
    rotationIndex: number,
    keyIndex: number,
    count: number,
    temp: boolean,
  ): Promise<NewKeys> {
    const seeds: Array<{ publicKey: string; seed: Matter }> = [];
    const publicKeys: string[] = [];
    if (sequence.algorithm === 'pkcs11') {
      if (!this.hardware) throw new KeystoreError('hsm', 'No hardware token is configured');
      publicKeys.push(
        ...(await this.hardware.generate(`${sequence.stem}/${rotationIndex}`, count)),
      );
    } else {
      const salt = sequence.salt ? store.unsealSecret(sequence.salt) : store.rootSalt().qb64;
      const stem = sequence.stem === '' ? sequence.prefixIndex.toString(16) : sequence.stem;
      for (let i = 0; i < count; i++) {
        const seed =
          sequence.algorithm === 'salty'
            ? deriveSigner(
                this.crypto,
                salt,
                `${stem}${rotationIndex.toString(16)}${(keyIndex + i).toString(16)}`,
                {
                  tier: temp ? 'temp' : sequence.tier,
                  transferable: sequence.transferable,
                },
              ).seed
            : matterFromRaw('A', this.crypto.randomBytes(32));
        const publicKey = signerFromSeed(this.crypto, seed, sequence.transferable).publicKey.qb64;
        seeds.push({ publicKey, seed });
        publicKeys.push(publicKey);
      }
    }
    return { lot: { publicKeys, rotationIndex, keyIndex, createdAt: this.now() }, seeds };
  }

  private digests(publicKeys: readonly string[]): string[] {
    return publicKeys.map((key) => nextKeyDigest(this.crypto, key).qb64);
  }

  /** Makes and records the current and next keys of a new identifier. */
  async incept(
    alias: string,
    options: InceptKeysOptions = {},
  ): Promise<{ currentKeys: string[]; nextDigests: string[] }> {
    if (this.store.sequence(alias))
      throw new KeystoreError('alias_exists', `Alias '${alias}' is already in use`);
    const defaults = this.store.defaults;
    const transferable = options.transferable ?? true;
    const sequence: KeySequence = {
      alias,
      prefix: undefined,
      algorithm: options.algorithm ?? defaults.algorithm,
      ...(options.salt ? { salt: this.store.sealSecret(options.salt) } : {}),
      stem: options.stem ?? alias,
      tier: options.tier ?? defaults.tier,
      prefixIndex: await this.store.takePrefixIndex(),
      transferable,
      next: { custody: 'none' },
    };
    const currentCount = options.currentCount ?? 1;
    const nextCount = transferable ? (options.nextCount ?? currentCount) : 0;
    const temp = options.temp ?? false;
    const current = await this.makeKeys(this.store, sequence, 0, 0, currentCount, temp);
    const secrets = [...current.seeds];
    let next: NextKeys = { custody: 'none' };
    let nextDigests: string[] = [];
    if (nextCount > 0 && options.nextStore) {
      // Kept apart: derived from the other keystore's own salt, so this keystore cannot make them.
      const { salt: _ownSalt, ...nextSequence } = sequence;
      const made = await this.makeKeys(
        options.nextStore,
        nextSequence,
        1,
        currentCount,
        nextCount,
        temp,
      );
      nextDigests = this.digests(made.lot.publicKeys);
      await options.nextStore.update({
        sequence: { ...nextSequence, next: { custody: 'here', lot: made.lot, reserve: [] } },
        addSecrets: made.seeds,
      });
      next = { custody: 'elsewhere', digests: nextDigests, storeHint: options.nextStore.path };
    } else if (nextCount > 0) {
      const made = await this.makeKeys(this.store, sequence, 1, currentCount, nextCount, temp);
      nextDigests = this.digests(made.lot.publicKeys);
      secrets.push(...made.seeds);
      next = { custody: 'here', lot: made.lot, reserve: [] };
    }
    await this.store.update({
      sequence: { ...sequence, current: current.lot, next },
      addSecrets: secrets,
    });
    return { currentKeys: [...current.lot.publicKeys], nextDigests };
  }

  /** Records the prefix of an identifier once its inception is accepted. */
  async setPrefix(alias: string, prefix: string, nextStore?: Keystore): Promise<void> {
    const sequence = this.require(alias);
    await this.store.update({ sequence: { ...sequence, prefix } });
    const elsewhere = nextStore?.sequence(alias);
    if (nextStore && elsewhere) await nextStore.update({ sequence: { ...elsewhere, prefix } });
  }

  private require(alias: string): KeySequence {
    const sequence = this.store.sequence(alias);
    if (!sequence)
      throw new KeystoreError('unknown_alias', `No identifier '${alias}' in this keystore`);
    return sequence;
  }

  /** The committed next keys in `n` order, from the keystore that holds them. */
  private nextList(
    sequence: KeySequence,
    nextStore: Keystore | undefined,
  ): { holder: Keystore; keys: string[]; lot: KeyLot } {
    if (sequence.next.custody === 'none') {
      throw new KeystoreError(
        'not_transferable',
        `'${sequence.alias}' has no next keys: it cannot rotate`,
      );
    }
    if (sequence.next.custody === 'elsewhere') {
      if (!nextStore) {
        throw new KeystoreError(
          'missing_next_store',
          `The next keys of '${sequence.alias}' are in another keystore (${sequence.next.storeHint}): open it to rotate`,
        );
      }
      const held = nextStore.sequence(sequence.alias);
      if (held?.next.custody !== 'here') {
        throw new KeystoreError(
          'missing_next_store',
          `The keystore at ${nextStore.path} does not hold the next keys of '${sequence.alias}'`,
        );
      }
      return {
        holder: nextStore,
        keys: [...held.next.reserve, ...held.next.lot.publicKeys],
        lot: held.next.lot,
      };
    }
    return {
      holder: this.store,
      keys: [...sequence.next.reserve, ...sequence.next.lot.publicKeys],
      lot: sequence.next.lot,
    };
  }

  /**
   * Prepares a rotation: which pre-committed keys become current (with their position in the prior
   * `n`, for dual-indexed signatures), and the new next keys. Nothing is recorded until `commit`.
   */
  async prepareRotation(alias: string, options: RotateKeysOptions = {}): Promise<PreparedRotation> {
    const sequence = this.require(alias);
    const { holder, keys, lot } = this.nextList(sequence, options.nextStore);
    const expose = options.expose ?? keys.map((_, i) => i);
    const reserve = options.reserve ?? [];
    for (const position of [...expose, ...reserve]) {
      if (!Number.isInteger(position) || position < 0 || position >= keys.length) {
        throw new KeystoreError(
          'not_committed',
          `Position ${position} is not among the ${keys.length} committed next keys`,
        );
      }
    }
    if (new Set(expose).size !== expose.length || expose.some((p) => reserve.includes(p))) {
      throw new KeystoreError(
        'not_committed',
        'A next key can be exposed or reserved once, not both',
      );
    }
    const exposed = expose.map((ondex) => ({ publicKey: keys[ondex]!, ondex }));
    const reserveKeys = reserve.map((position) => keys[position]!);
    const nextCount = options.nextCount ?? exposed.length;
    const holderSequence = holder.sequence(alias)!;
    const made =
      nextCount > 0
        ? await this.makeKeys(
            holder,
            holderSequence,
            lot.rotationIndex + 1,
            lot.keyIndex + exposed.length,
            nextCount,
            options.temp ?? false,
          )
        : undefined;
    const nextDigests = [
      ...this.digests(reserveKeys),
      ...(made ? this.digests(made.lot.publicKeys) : []),
    ];
    // Exposed seeds must be copied into the current keystore when the next keys are kept apart.
    const exposedSeeds =
      holder === this.store || sequence.algorithm === 'pkcs11'
        ? []
        : exposed.map(({ publicKey }) => ({ publicKey, seed: holder.seed(publicKey) }));
    // New secrets are written first (additive): a crash before the event is accepted loses nothing.
    if (made) await holder.update({ addSecrets: made.seeds });
    const dropped = keys.filter((_key, i) => !expose.includes(i) && !reserve.includes(i));
    const store = this.store;
    return {
      exposed,
      nextDigests,
      async commit(prefix: string) {
        const currentLot: KeyLot = {
          publicKeys: exposed.map((e) => e.publicKey),
          rotationIndex: lot.rotationIndex,
          keyIndex: lot.keyIndex,
          createdAt: new Date().toISOString(),
        };
        const nextKeys: NextKeys = made
          ? { custody: 'here', lot: made.lot, reserve: reserveKeys }
          : reserveKeys.length > 0
            ? { custody: 'here', lot: { ...lot, publicKeys: [] }, reserve: reserveKeys }
            : { custody: 'none' };
        const erase = [...(sequence.previous?.publicKeys ?? []), ...dropped];
        if (holder === store) {
          await store.update({
            sequence: {
              ...sequence,
              prefix,
              previous: sequence.current!,
              current: currentLot,
              next: nextKeys,
            },
            removeSecrets: erase.filter((key) => !currentLot.publicKeys.includes(key)),
          });
          return;
        }
        await store.update({
          sequence: {
            ...sequence,
            prefix,
            ...(sequence.current ? { previous: sequence.current } : {}),
            current: currentLot,
            next:
              nextKeys.custody === 'none'
                ? nextKeys
                : { custody: 'elsewhere', digests: nextDigests, storeHint: holder.path },
          },
          addSecrets: exposedSeeds,
          removeSecrets: sequence.previous?.publicKeys ?? [],
        });
        await holder.update({
          sequence: { ...holderSequence, prefix, next: nextKeys },
          removeSecrets: [...exposed.map((e) => e.publicKey), ...dropped],
        });
      },
    };
  }

  /** Whether a key can sign here: its seed is in the keystore, or it lives in the hardware token. */
  canSign(publicKey: string, from: Keystore = this.store): boolean {
    return from.hasSecret(publicKey) || (this.hardware?.holds(publicKey) ?? false);
  }

  /** A signer for one of this identifier's keys (software seed here, or the hardware token). */
  signer(publicKey: string, from: Keystore = this.store): KeySigner {
    if (from.hasSecret(publicKey))
      return new SoftwareSigner(publicKey, this.crypto, from.seed(publicKey));
    if (this.hardware) return this.hardware.signer(publicKey);
    throw new KeystoreError('missing_secret', `No private key for ${publicKey} in ${from.path}`);
  }
}
