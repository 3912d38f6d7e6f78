/**
 * @module key-manager
 * Making and rotating the keys of identifiers (keripy `Manager`): salty, random, or in a hardware
 * token (see key-making). Next keys can be kept in another keystore (separated custody) so that
 * the current keystore, stolen with its passcode, exposes no next key; or in the token while the
 * current keys are software keys.
 *
 * Every check that can refuse (a key missing, a token not open or not holding a key) runs before
 * anything is made or recorded, so a refusal changes neither keystore nor token.
 */
import { type Crypto, nextKeyDigest, type StretchTier } from '@kestrel/core';
import { KeystoreError } from './errors.js';
import { destroyTokenKeys, makeKeys, type NewKeys, requireHardware } from './key-making.js';
import type { Keystore } from './keystore.js';
import type { KeyAlgorithm, KeyLot, KeySequence, NextKeys } from './records.js';
import { type HardwareKeys, type KeySigner, SoftwareSigner } from './signers.js';

export interface InceptKeysOptions {
  readonly currentCount?: number;
  readonly nextCount?: number;
  /** How the keys are made (default: the keystore's algorithm). */
  readonly algorithm?: KeyAlgorithm;
  /**
   * How the next keys are made, when not as the current ones (e.g. 'pkcs11' to keep software
   * current keys' successors in the token). With `nextStore`: the algorithm of that keystore.
   */
  readonly nextAlgorithm?: KeyAlgorithm;
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

export interface PreparedRotation {
  /** The exposed keys, in the order of the new `k`, with their position in the prior `n`. */
  readonly exposed: ReadonlyArray<{ publicKey: string; ondex: number }>;
  /** The new `n`: reserve digests, then digests of the new next keys. */
  readonly nextDigests: readonly string[];
  /** Records the rotation in the keystore(s), after the rotation event was accepted. */
  commit(prefix: string): Promise<void>;
  /** Undoes the new next keys, when the rotation event was never made (signing failed). */
  discard(): Promise<void>;
}

/** Where an identifier's keys are kept, as recorded (nothing is asked of the token). */
export type KeyPlace = 'keystore' | 'token' | 'mixed' | 'another keystore' | 'none';

export interface KeyStorage {
  readonly current: KeyPlace;
  readonly next: KeyPlace;
  /** Label of the keystore's token, when it has one. */
  readonly token?: string;
}

export class KeyManager {
  constructor(
    private readonly crypto: Crypto,
    private readonly store: Keystore,
    private readonly hardware?: HardwareKeys,
  ) {}

  private digests(publicKeys: readonly string[]): string[] {
    return publicKeys.map((key) => nextKeyDigest(this.crypto, key).qb64);
  }

  private make(
    store: Keystore,
    algorithm: KeyAlgorithm,
    sequence: KeySequence,
    at: { rotationIndex: number; keyIndex: number; count: number; temp: boolean },
  ): Promise<NewKeys> {
    return makeKeys(this.crypto, this.hardware, store, { algorithm, sequence, ...at });
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
    const algorithm = options.algorithm ?? defaults.algorithm;
    const currentCount = options.currentCount ?? 1;
    const nextCount = transferable ? (options.nextCount ?? currentCount) : 0;
    const nextStore = nextCount > 0 ? options.nextStore : undefined;
    const nextAlgorithm = nextStore
      ? (options.nextAlgorithm ??
        (algorithm === 'pkcs11' ? nextStore.defaults.algorithm : algorithm))
      : (options.nextAlgorithm ?? algorithm);
    if (nextStore && nextAlgorithm === 'pkcs11') {
      throw new KeystoreError(
        'bad_algorithm',
        'A separate next-key keystore keeps software keys (salty or randy); to keep next keys in the token, make them here with the pkcs11 algorithm',
      );
    }
    const usesToken =
      (algorithm === 'pkcs11' && currentCount > 0) ||
      (!nextStore && nextAlgorithm === 'pkcs11' && nextCount > 0);
    if (usesToken) requireHardware(this.hardware, this.store, `The keys of '${alias}' are made in`);
    const prefixIndex = this.store.peekPrefixIndex();
    const sequence: KeySequence = {
      alias,
      prefix: undefined,
      algorithm,
      ...(!nextStore && nextAlgorithm !== algorithm ? { nextAlgorithm } : {}),
      ...(options.salt ? { salt: this.store.sealSecret(options.salt) } : {}),
      stem: options.stem ?? alias,
      tier: options.tier ?? defaults.tier,
      prefixIndex,
      transferable,
      next: { custody: 'none' },
    };
    const temp = options.temp ?? false;
    const made: NewKeys[] = [];
    try {
      const current = await this.make(this.store, algorithm, sequence, {
        rotationIndex: 0,
        keyIndex: 0,
        count: currentCount,
        temp,
      });
      made.push(current);
      const secrets = [...current.seeds];
      let next: NextKeys = { custody: 'none' };
      let nextDigests: string[] = [];
      const nextAt = { rotationIndex: 1, keyIndex: currentCount, count: nextCount, temp };
      if (nextStore) {
        // Kept apart: derived from the other keystore's own salt, so this keystore cannot make them.
        const { salt: _ownSalt, ...shared } = sequence;
        const held: KeySequence = { ...shared, algorithm: nextAlgorithm };
        const keys = await this.make(nextStore, nextAlgorithm, held, nextAt);
        nextDigests = this.digests(keys.lot.publicKeys);
        await nextStore.update({
          sequence: { ...held, next: { custody: 'here', lot: keys.lot, reserve: [] } },
          addSecrets: keys.seeds,
        });
        next = { custody: 'elsewhere', digests: nextDigests, storeHint: nextStore.path };
      } else if (nextCount > 0) {
        const keys = await this.make(this.store, nextAlgorithm, sequence, nextAt);
        made.push(keys);
        nextDigests = this.digests(keys.lot.publicKeys);
        secrets.push(...keys.seeds);
        next = { custody: 'here', lot: keys.lot, reserve: [] };
      }
      await this.store.update({
        sequence: { ...sequence, current: current.lot, next },
        addSecrets: secrets,
        claimPrefixIndex: prefixIndex,
      });
      return { currentKeys: [...current.lot.publicKeys], nextDigests };
    } catch (error) {
      destroyTokenKeys(this.hardware, made);
      throw error;
    }
  }

  /** Records the prefix of an identifier once its inception is accepted. */
  async setPrefix(alias: string, prefix: string, nextStore?: Keystore): Promise<void> {
    const sequence = this.require(alias);
    await this.store.update({ sequence: { ...sequence, prefix } });
    const elsewhere = nextStore?.sequence(alias);
    if (nextStore && elsewhere) await nextStore.update({ sequence: { ...elsewhere, prefix } });
  }

  /** Removes an alias whose inception was never accepted, with its keys (in the token too). */
  async forget(alias: string, nextStore?: Keystore): Promise<void> {
    for (const store of [this.store, ...(nextStore ? [nextStore] : [])]) {
      const sequence = store.sequence(alias);
      if (!sequence || sequence.prefix) continue;
      const keys = [
        ...(sequence.current?.publicKeys ?? []),
        ...(sequence.next.custody === 'here'
          ? [...sequence.next.lot.publicKeys, ...sequence.next.reserve]
          : []),
      ];
      const inToken = keys.filter((key) => !store.hasSecret(key));
      await store.forget(alias, keys);
      this.destroyQuietly(inToken);
    }
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
   * Refuses, before anything changes, a key this keystore cannot sign with: its seed is not in
   * `holder`, and the token (where it must then be) is not open or does not hold it.
   */
  private requireSignable(publicKey: string, holder: Keystore, alias: string): void {
    if (holder.hasSecret(publicKey)) return;
    if (!this.hardware && !this.store.token) {
      throw new KeystoreError(
        'missing_secret',
        `No private key for ${publicKey} in ${holder.path}`,
      );
    }
    const token = requireHardware(
      this.hardware,
      this.store,
      `The key ${publicKey} of '${alias}' is in`,
    );
    if (!token.holds(publicKey)) {
      throw new KeystoreError(
        'hsm_key_not_found',
        `Token '${token.tokenLabel}' does not hold the key ${publicKey} of '${alias}', which this keystore records there`,
        { publicKey, tokenLabel: token.tokenLabel },
      );
    }
  }

  /** Removes rotated-out or unused keys from the token; best effort, as erasing secrets is. */
  private destroyQuietly(publicKeys: readonly string[]): void {
    if (!this.hardware || publicKeys.length === 0) return;
    try {
      this.hardware.destroy(publicKeys);
    } catch {
      // The keys no longer sign anything a validator accepts; leaving them is not a failure.
    }
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
    for (const { publicKey } of exposed) this.requireSignable(publicKey, holder, alias);
    const reserveKeys = reserve.map((position) => keys[position]!);
    const nextCount = options.nextCount ?? exposed.length;
    const holderSequence = holder.sequence(alias)!;
    const made =
      nextCount > 0
        ? await this.make(
            holder,
            holderSequence.nextAlgorithm ?? holderSequence.algorithm,
            holderSequence,
            {
              rotationIndex: lot.rotationIndex + 1,
              keyIndex: lot.keyIndex + exposed.length,
              count: nextCount,
              temp: options.temp ?? false,
            },
          )
        : undefined;
    const nextDigests = [
      ...this.digests(reserveKeys),
      ...(made ? this.digests(made.lot.publicKeys) : []),
    ];
    // Exposed seeds must be copied into the current keystore when the next keys are kept apart.
    const exposedSeeds =
      holder === this.store
        ? []
        : exposed
            .filter(({ publicKey }) => holder.hasSecret(publicKey))
            .map(({ publicKey }) => ({ publicKey, seed: holder.seed(publicKey) }));
    // New secrets are written first (additive): a crash before the event is accepted loses nothing.
    if (made && made.seeds.length > 0) await holder.update({ addSecrets: made.seeds });
    const dropped = keys.filter((_key, i) => !expose.includes(i) && !reserve.includes(i));
    const store = this.store;
    const currentKeys = exposed.map((e) => e.publicKey);
    const erase = [...(sequence.previous?.publicKeys ?? []), ...dropped].filter(
      (key) => !currentKeys.includes(key),
    );
    // Keys with no seed in either keystore are in the token: erased there once the rotation holds.
    const eraseInToken = erase.filter((key) => !store.hasSecret(key) && !holder.hasSecret(key));
    return {
      exposed,
      nextDigests,
      discard: async () => {
        if (!made) return;
        if (made.seeds.length > 0) await holder.update({ removeSecrets: made.lot.publicKeys });
        destroyTokenKeys(this.hardware, [made]);
      },
      commit: async (prefix: string) => {
        const currentLot: KeyLot = {
          publicKeys: currentKeys,
          rotationIndex: lot.rotationIndex,
          keyIndex: lot.keyIndex,
          createdAt: new Date().toISOString(),
        };
        const nextKeys: NextKeys = made
          ? { custody: 'here', lot: made.lot, reserve: reserveKeys }
          : reserveKeys.length > 0
            ? { custody: 'here', lot: { ...lot, publicKeys: [] }, reserve: reserveKeys }
            : { custody: 'none' };
        if (holder === store) {
          await store.update({
            sequence: {
              ...sequence,
              prefix,
              previous: sequence.current!,
              current: currentLot,
              next: nextKeys,
            },
            removeSecrets: erase,
          });
        } else {
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
            removeSecrets: [...currentKeys, ...dropped],
          });
        }
        this.destroyQuietly(eraseInToken);
      },
    };
  }

  /**
   * The keys among an identifier's current keys (`k`, in order) that this keystore signs with:
   * seeds here, and keys it records as its own kept in the token, which must then be open and hold
   * them (refused otherwise, before anything is signed). Other keys (co-signers') are skipped.
   */
  signingKeys(
    alias: string,
    publicKeys: readonly string[],
  ): Array<{ publicKey: string; index: number }> {
    const own = new Set(this.require(alias).current?.publicKeys ?? []);
    return publicKeys.flatMap((publicKey, index) => {
      if (this.store.hasSecret(publicKey)) return [{ publicKey, index }];
      if (!own.has(publicKey)) return [];
      this.requireSignable(publicKey, this.store, alias);
      return [{ publicKey, index }];
    });
  }

  /** Where an identifier's current and next keys are kept, from the records alone. */
  storage(alias: string): KeyStorage {
    const sequence = this.require(alias);
    const place = (keys: readonly string[]): KeyPlace => {
      if (keys.length === 0) return 'none';
      const here = keys.filter((key) => this.store.hasSecret(key)).length;
      return here === keys.length ? 'keystore' : here === 0 ? 'token' : 'mixed';
    };
    const next = sequence.next;
    const token = this.store.token?.label ?? this.hardware?.tokenLabel;
    return {
      current: place(sequence.current?.publicKeys ?? []),
      next:
        next.custody === 'here'
          ? place([...next.reserve, ...next.lot.publicKeys])
          : next.custody === 'elsewhere'
            ? 'another keystore'
            : 'none',
      ...(token !== undefined ? { token } : {}),
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
    if (this.store.token) requireHardware(undefined, this.store, `The key ${publicKey} is in`);
    throw new KeystoreError('missing_secret', `No private key for ${publicKey} in ${from.path}`);
  }
}
