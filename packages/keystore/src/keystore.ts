/**
 * @module keystore
 * An encrypted keystore on disk (LMDB, directory mode 0700, files 0600), compatible with keripy's
 * encryption: a passcode of at least 21 characters is stretched (argon2id) into a non-transferable
 * key pair whose public key, the `aeid`, encrypts every secret as a sealed box. Only the aeid is
 * stored: a wrong passcode derives another aeid and is refused before anything changes.
 */
import { chmodSync, closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type Matter, matterFromQb64, matterFromRaw } from '@kestrel/cesr';
import {
  type Crypto,
  decryptSecret,
  encryptSecret,
  KeyError,
  type PasscodeIdentity,
  passcodeIdentityAsync,
  randomSalt,
  type StretchTier,
  saltFromQb64,
} from '@kestrel/core';
import type { Database, RootDatabase } from 'lmdb';
import { KeystoreError } from './errors.js';
import { openPrivateLmdb } from './private-lmdb.js';
import { type ProgressReporter, withProgress } from './progress.js';
import type {
  KeyAlgorithm,
  KeySequence,
  KeystoreMeta,
  SecretRecord,
  TokenLocation,
} from './records.js';
import { base32Decode, base32Encode } from './totp.js';

export interface CreateKeystoreOptions {
  /** At least 21 characters; omit for an unencrypted keystore (keripy `--nopasscode`). */
  readonly passcode?: string;
  /** Root salt qb64 ('0A...'); random when omitted. */
  readonly salt?: string;
  /** Stretching tier of new key sequences (keripy default: low). */
  readonly tier?: StretchTier;
  /** Tier of the passcode stretch (keripy: the Habery's tier, low by default). */
  readonly passcodeTier?: StretchTier;
  readonly algorithm?: KeyAlgorithm;
  /** The token that holds this keystore's 'pkcs11' keys (module path and label; never the PIN). */
  readonly token?: TokenLocation;
  /** Told when the passcode stretch starts and ends (slow at the med and high tiers). */
  readonly progress?: ProgressReporter;
}

export interface OpenKeystoreOptions {
  readonly passcode?: string;
  readonly progress?: ProgressReporter;
}

export class Keystore {
  private constructor(
    readonly path: string,
    private readonly crypto: Crypto,
    private readonly root: RootDatabase,
    private readonly meta: Database,
    private readonly sequences: Database,
    private readonly secrets: Database,
    private identity: PasscodeIdentity | undefined,
    private readonly progress: ProgressReporter | undefined,
  ) {}

  private static openDatabase(path: string) {
    const root = openPrivateLmdb(path);
    chmodSync(path, 0o700); // a directory that existed before too
    return {
      root,
      meta: root.openDB({ name: 'meta', encoding: 'msgpack' }),
      sequences: root.openDB({ name: 'sequences', encoding: 'msgpack' }),
      secrets: root.openDB({ name: 'secrets', encoding: 'msgpack' }),
    };
  }

  /** Whether a keystore exists at `path`. */
  static exists(path: string): boolean {
    return existsSync(join(path, 'data.mdb'));
  }

  /** Creates a keystore (refuses to overwrite one). */
  static async create(
    path: string,
    crypto: Crypto,
    options: CreateKeystoreOptions = {},
  ): Promise<Keystore> {
    if (Keystore.exists(path))
      throw new KeystoreError('exists', `A keystore already exists at ${path}`);
    const passcodeTier = options.passcodeTier ?? 'low';
    const identity =
      options.passcode === undefined
        ? undefined
        : await deriveIdentity(crypto, options.passcode, passcodeTier, options.progress);
    const salt = options.salt === undefined ? randomSalt(crypto) : checkedSalt(options.salt);
    const { root, meta, sequences, secrets } = Keystore.openDatabase(path);
    const keystore = new Keystore(
      path,
      crypto,
      root,
      meta,
      sequences,
      secrets,
      identity,
      options.progress,
    );
    const record: KeystoreMeta = {
      format: 1,
      aeid: identity?.aeid ?? '',
      passcodeTier,
      salt: keystore.seal(salt.qb64),
      tier: options.tier ?? 'low',
      algorithm: options.algorithm ?? 'salty',
      ...(options.token
        ? { token: { module: options.token.module, label: options.token.label } }
        : {}),
      nextPrefixIndex: 0,
      createdAt: new Date().toISOString(),
    };
    await root.transaction(() => meta.put('keystore', record));
    return keystore;
  }

  /** Opens a keystore; a wrong passcode is refused with nothing changed. */
  static async open(
    path: string,
    crypto: Crypto,
    options: OpenKeystoreOptions = {},
  ): Promise<Keystore> {
    if (!Keystore.exists(path)) throw new KeystoreError('not_found', `No keystore at ${path}`);
    if (!looksLikeLmdb(join(path, 'data.mdb'))) {
      throw new KeystoreError(
        'corrupt',
        `The keystore at ${path} is damaged or not a Kestrel keystore`,
      );
    }
    let opened: ReturnType<typeof Keystore.openDatabase>;
    try {
      opened = Keystore.openDatabase(path);
    } catch (cause) {
      throw new KeystoreError('corrupt', `The keystore at ${path} cannot be opened`, {}, { cause });
    }
    const { root, meta, sequences, secrets } = opened;
    let record: KeystoreMeta | undefined;
    try {
      record = meta.get('keystore') as KeystoreMeta | undefined;
    } catch (cause) {
      await root.close();
      throw new KeystoreError('corrupt', `The keystore at ${path} is damaged`, {}, { cause });
    }
    if (record?.format !== 1 || typeof record.aeid !== 'string') {
      await root.close();
      throw new KeystoreError(
        'corrupt',
        `The keystore at ${path} is damaged or not a Kestrel keystore`,
      );
    }
    let identity: PasscodeIdentity | undefined;
    if (record.aeid !== '') {
      if (options.passcode === undefined) {
        await root.close();
        throw new KeystoreError(
          'passcode_required',
          `The keystore at ${path} is encrypted: give its passcode`,
        );
      }
      identity = await deriveIdentity(
        crypto,
        options.passcode,
        record.passcodeTier,
        options.progress,
      );
      if (identity.aeid !== record.aeid) {
        await root.close();
        throw new KeystoreError('wrong_passcode', 'Wrong passcode for this keystore');
      }
    }
    return new Keystore(path, crypto, root, meta, sequences, secrets, identity, options.progress);
  }

  /** The keystore's encryption identity (undefined without a passcode). */
  get aeid(): string | undefined {
    return this.identity?.aeid;
  }

  private record(): KeystoreMeta {
    return this.meta.get('keystore') as KeystoreMeta;
  }

  get defaults(): { tier: StretchTier; algorithm: KeyAlgorithm } {
    const record = this.record();
    return { tier: record.tier, algorithm: record.algorithm };
  }

  /** The token holding this keystore's hardware keys, if it has one. */
  get token(): TokenLocation | undefined {
    return this.record().token;
  }

  /** Where slow work is reported (the key manager reports key derivation there too). */
  get progressReporter(): ProgressReporter | undefined {
    return this.progress;
  }

  /** Encrypts a secret's qb64 for storage (or keeps it as is without a passcode). */
  private seal(qb64: string): string {
    return this.identity ? encryptSecret(this.crypto, this.identity.aeid, qb64).qb64 : qb64;
  }

  private unseal(stored: string): string {
    if (!this.identity) return stored;
    try {
      return decryptSecret(this.crypto, this.identity.seed, stored);
    } catch (cause) {
      if (cause instanceof KeyError)
        throw new KeystoreError('corrupt', 'A stored secret does not decrypt', {}, { cause });
      throw cause;
    }
  }

  /** The root salt. Secret: use it, never print it. */
  rootSalt(): Matter {
    return saltFromQb64(this.unseal(this.record().salt));
  }

  /** Encrypts an arbitrary secret qb64 (salts of sequences, TOTP secrets as qb64 text). */
  sealSecret(qb64: string): string {
    return this.seal(qb64);
  }

  unsealSecret(stored: string): string {
    return this.unseal(stored);
  }

  /** Encrypts a TOTP secret (Base32) for storage, as a qb64 bytes primitive. */
  sealTotp(secret: string): string {
    return this.seal(matterFromRaw('4B', base32Decode(secret)).qb64);
  }

  unsealTotp(stored: string): string {
    return base32Encode(matterFromQb64(this.unseal(stored)).raw);
  }

  /**
   * The next prefix index (keripy `pidx`), not yet taken: `update({ claimPrefixIndex })` takes it
   * together with the keys made with it, so a failed inception leaves the counter as it was.
   */
  peekPrefixIndex(): number {
    return this.record().nextPrefixIndex;
  }

  // ---- key sequences and secrets ---------------------------------------------------------

  sequence(alias: string): KeySequence | undefined {
    return this.sequences.get(alias) as KeySequence | undefined;
  }

  aliases(): string[] {
    return [...this.sequences.getKeys()].map(String);
  }

  hasSecret(publicKey: string): boolean {
    return this.secrets.doesExist(publicKey);
  }

  /** The seed of a public key held here. Secret: use it, never print it. */
  seed(publicKey: string): Matter {
    const record = this.secrets.get(publicKey) as SecretRecord | undefined;
    if (!record)
      throw new KeystoreError(
        'missing_secret',
        `This keystore holds no private key for ${publicKey}`,
      );
    return matterFromQb64(this.unseal(record.seed));
  }

  /**
   * Writes a key sequence with new secrets and removed secrets, atomically: a crash leaves either
   * the old sequence with its keys or the new one with its keys.
   */
  async update(change: {
    readonly sequence?: KeySequence;
    readonly addSecrets?: ReadonlyArray<{ publicKey: string; seed: Matter }>;
    readonly removeSecrets?: readonly string[];
    /** A prefix index from `peekPrefixIndex()` now used: the counter moves past it. */
    readonly claimPrefixIndex?: number;
  }): Promise<void> {
    const sealed = (change.addSecrets ?? []).map(
      ({ publicKey, seed }) => [publicKey, { seed: this.seal(seed.qb64) }] as const,
    );
    await this.root.transaction(() => {
      if (change.claimPrefixIndex !== undefined) {
        const record = this.record();
        const next = Math.max(record.nextPrefixIndex, change.claimPrefixIndex + 1);
        this.meta.put('keystore', { ...record, nextPrefixIndex: next });
      }
      for (const [publicKey, record] of sealed) this.secrets.put(publicKey, record);
      for (const publicKey of change.removeSecrets ?? []) this.secrets.remove(publicKey);
      if (change.sequence) this.sequences.put(change.sequence.alias, change.sequence);
    });
  }

  /** Removes an alias that was never used (a failed inception) and its keys. */
  async forget(alias: string, publicKeys: readonly string[]): Promise<void> {
    await this.root.transaction(() => {
      this.sequences.remove(alias);
      for (const publicKey of publicKeys) this.secrets.remove(publicKey);
    });
  }

  /**
   * Changes the passcode: every secret is re-encrypted to the new aeid in one transaction, after
   * checking the old ones all decrypt. Without a new passcode the keystore becomes unencrypted.
   */
  async changePasscode(newPasscode: string | undefined): Promise<void> {
    const record = this.record();
    const next =
      newPasscode === undefined
        ? undefined
        : await deriveIdentity(this.crypto, newPasscode, record.passcodeTier, this.progress);
    const reseal = (stored: string) => {
      const plain = this.unseal(stored);
      return next ? encryptSecret(this.crypto, next.aeid, plain).qb64 : plain;
    };
    const secrets = [...this.secrets.getRange()].map(
      ({ key, value }) => [String(key), { seed: reseal((value as SecretRecord).seed) }] as const,
    );
    const sequences = [...this.sequences.getRange()].map(({ value }) => {
      const sequence = value as KeySequence;
      return {
        ...sequence,
        ...(sequence.salt ? { salt: reseal(sequence.salt) } : {}),
        ...(sequence.totp ? { totp: reseal(sequence.totp) } : {}),
      } as KeySequence;
    });
    const salt = reseal(record.salt);
    await this.root.transaction(() => {
      for (const [key, value] of secrets) this.secrets.put(key, value);
      for (const sequence of sequences) this.sequences.put(sequence.alias, sequence);
      this.meta.put('keystore', { ...record, aeid: next?.aeid ?? '', salt });
    });
    this.identity = next;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

/**
 * Whether a file starts like an LMDB data file (its first meta page carries LMDB's magic number).
 * Opening a damaged file with LMDB can abort the process, so a keystore checks before it opens.
 */
function looksLikeLmdb(file: string): boolean {
  try {
    const header = Buffer.alloc(32);
    const descriptor = openSync(file, 'r');
    try {
      if (readSync(descriptor, header, 0, 32, 0) < 32) return false;
    } finally {
      closeSync(descriptor);
    }
    return header.readUInt32LE(16) === LMDB_MAGIC || header.readUInt32LE(24) === LMDB_MAGIC;
  } catch {
    return false;
  }
}

const LMDB_MAGIC = 0xbeefc0de;

async function deriveIdentity(
  crypto: Crypto,
  passcode: string,
  tier: StretchTier,
  progress: ProgressReporter | undefined,
): Promise<PasscodeIdentity> {
  try {
    return await withProgress(progress, { kind: 'passcode', tier }, () =>
      passcodeIdentityAsync(crypto, passcode, tier),
    );
  } catch (cause) {
    if (cause instanceof KeyError)
      throw new KeystoreError('bad_passcode', cause.message, {}, { cause });
    throw cause;
  }
}

function checkedSalt(qb64: string): Matter {
  try {
    return saltFromQb64(qb64);
  } catch (cause) {
    throw new KeystoreError(
      'bad_salt',
      "The salt must be a qb64 '0A' salt of 24 characters",
      {},
      { cause },
    );
  }
}
