/**
 * @module controller
 * A controller: the holder of an identifier's private keys. It makes keys (keystore), builds and
 * signs events, accepts them into its own KEL through the same validator a remote party uses (as
 * the local owner: accepted before witnesses receipt them), and exports the KEL for peers.
 */
import { mkdirSync } from 'node:fs';
import {
  type AttachmentGroup,
  concatBytes,
  type IndexedSignature,
  indexedSignatureFor,
  type Message,
  matterFromQb64,
  parseStream,
} from '@kestrel/cesr';
import {
  type BuiltMessage,
  type Clock,
  type Crypto,
  cloneMessage,
  controllerSignatures,
  EventProcessor,
  type InceptionChoices,
  incept,
  interact,
  KelStore,
  type KeyState,
  messagize,
  nextKeyDigest,
  type Outcome,
  type RotateOptions,
  rotate,
  type Seal,
  StreamValidator,
  satisfies,
  systemClock,
  transferableSignatureGroups,
  type VerifyReport,
} from '@kestrel/core';
import {
  type HardwareKeys,
  type KeyAlgorithm,
  KeyManager,
  type KeySequence,
  type KeyStorage,
  Keystore,
  newTotpSecret,
  type ProgressReporter,
  totpUri,
  verifyTotp,
} from '@kestrel/keystore';
import { LmdbStore } from '@kestrel/store-lmdb';
import { ControllerError } from './errors.js';
import { type ControllerLocation, controllerPaths } from './paths.js';
import { ControllerRecords } from './records/controller-records.js';
import { openToken, recordedToken, type TokenAccess } from './token.js';

export interface OpenControllerOptions extends ControllerLocation {
  readonly crypto: Crypto;
  readonly passcode?: string;
  readonly clock?: Clock;
  /** Keys in a token opened by the caller (the controller does not close it). */
  readonly hardware?: HardwareKeys;
  /**
   * User PIN of the token the keystore records: the controller opens the token with it when an
   * operation first needs a token key (refusing a wrong PIN before anything changes), and closes
   * it on `close()`. Without it only operations that need none of the token's keys work.
   */
  readonly tokenPin?: string;
  /** Told when slow work (argon2id at the slow tiers, token key generation) starts and ends. */
  readonly progress?: ProgressReporter;
}

export interface InitControllerOptions extends Omit<OpenControllerOptions, 'tokenPin'> {
  readonly salt?: string;
  readonly tier?: 'temp' | 'low' | 'med' | 'high';
  /** Default algorithm of the keystore's identifiers ('pkcs11' needs `token` or `hardware`). */
  readonly algorithm?: KeyAlgorithm;
  /**
   * A PKCS#11 token for the keystore's hardware keys: opened (and its PIN checked) before the
   * keystore is made, then recorded in it, without the PIN, for later opens.
   */
  readonly token?: TokenAccess;
}

export interface InceptIdentifierOptions extends InceptionChoices {
  readonly currentCount?: number;
  readonly nextCount?: number;
  readonly transferable?: boolean;
  readonly algorithm?: KeyAlgorithm;
  /** How the next keys are made, when not as the current ones (e.g. current software, next in the token). */
  readonly nextAlgorithm?: KeyAlgorithm;
  /** Keep the next keys in this other keystore (separated custody). */
  readonly nextStore?: Keystore;
  /** Commit to next keys someone else holds (custodial: the owner gives the digests). */
  readonly nextDigests?: readonly string[];
  /** Require a TOTP code before every later establishment event; the secret is returned once. */
  readonly requireTotp?: boolean;
  /** Use the temp stretching tier (tests only). */
  readonly temp?: boolean;
}

export interface RotateIdentifierOptions
  extends Pick<
    RotateOptions,
    'signingThreshold' | 'nextThreshold' | 'cuts' | 'adds' | 'witnessThreshold' | 'data'
  > {
  /** Positions in the prior `n` to expose (default: all of them). */
  readonly expose?: readonly number[];
  /** Positions in the prior `n` to re-commit as reserve keys. */
  readonly reserve?: readonly number[];
  readonly nextCount?: number;
  /** Keys added to `k` that were not pre-committed (custodial rotation: new custodian keys). */
  readonly addKeys?: readonly string[];
  /** Abandon the identifier: no next keys, no further events. */
  readonly abandon?: boolean;
  readonly nextStore?: Keystore;
  /** Recovery: a rotation at this sn, superseding the interaction events from there on. */
  readonly recoverAt?: bigint;
  readonly totp?: string;
  readonly temp?: boolean;
}

export interface IdentifierStatus {
  readonly alias: string;
  readonly prefix: string;
  readonly state: KeyState | undefined;
  readonly custody: KeySequence['next']['custody'];
  /** Where the current and next keys are kept (keystore, token, another keystore). */
  readonly storage: KeyStorage;
}

/** The controller of the identifiers in one keystore, with their KEL store. */
export class Controller {
  readonly processor: EventProcessor;
  readonly manager: KeyManager;
  private readonly localPrefixes: Set<string>;

  private constructor(
    readonly keystore: Keystore,
    readonly kelBackend: LmdbStore,
    readonly records: ControllerRecords,
    readonly crypto: Crypto,
    readonly clock: Clock,
    hardware: HardwareKeys | undefined,
    /** A token this controller opened, and so closes. */
    private readonly ownedToken?: { close(): void },
  ) {
    // Our own identifiers and the groups we are a member of get the owner's treatment.
    this.localPrefixes = new Set([
      ...keystore
        .aliases()
        .map((alias) => keystore.sequence(alias)?.prefix)
        .filter((prefix): prefix is string => prefix !== undefined),
      ...records.allGroups().map((group) => group.prefix),
    ]);
    this.processor = new EventProcessor({
      store: new KelStore(kelBackend),
      crypto,
      clock,
      options: {
        localPrefixes: this.localPrefixes,
        exclusivelyControlled: (prefix) => this.exclusivelyControlled(prefix),
      },
    });
    this.manager = new KeyManager(crypto, keystore, hardware);
  }

  /** Creates a controller (keystore and KEL store) at `<base>/<name>`. */
  static async init(options: InitControllerOptions): Promise<Controller> {
    if (options.algorithm === 'pkcs11' && !options.token && !options.hardware) {
      throw new ControllerError(
        'bad_input',
        "The 'pkcs11' algorithm needs a token: give its module, label and user PIN",
      );
    }
    const paths = controllerPaths(options);
    // Opened first: a wrong module, label or PIN is refused before any file is made.
    const token = options.token ? openToken(options.token) : undefined;
    try {
      mkdirSync(paths.root, { recursive: true, mode: 0o700 });
      const keystore = await Keystore.create(paths.keystore, options.crypto, {
        ...(options.passcode !== undefined ? { passcode: options.passcode } : {}),
        ...(options.salt !== undefined ? { salt: options.salt } : {}),
        ...(options.tier !== undefined ? { tier: options.tier } : {}),
        ...(options.algorithm !== undefined ? { algorithm: options.algorithm } : {}),
        ...(options.token
          ? { token: { module: options.token.module, label: options.token.label } }
          : {}),
        ...(options.progress ? { progress: options.progress } : {}),
      });
      return Controller.assemble(keystore, options, token);
    } catch (error) {
      token?.close();
      throw error;
    }
  }

  /** Opens an existing controller; a wrong passcode is refused and changes nothing. */
  static async open(options: OpenControllerOptions): Promise<Controller> {
    const paths = controllerPaths(options);
    const keystore = await Keystore.open(paths.keystore, options.crypto, {
      ...(options.passcode !== undefined ? { passcode: options.passcode } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
    });
    const token = options.hardware ? undefined : recordedToken(keystore, options.tokenPin);
    return Controller.assemble(keystore, options, token);
  }

  /** A controller over an open keystore: its KEL store and records opened beside it. */
  private static assemble(
    keystore: Keystore,
    options: OpenControllerOptions | InitControllerOptions,
    token: (HardwareKeys & { close(): void }) | undefined,
  ): Controller {
    const paths = controllerPaths(options);
    return new Controller(
      keystore,
      LmdbStore.open(paths.kel),
      ControllerRecords.open(paths.records),
      options.crypto,
      options.clock ?? systemClock,
      options.hardware ?? token,
      token,
    );
  }

  get store(): KelStore {
    return this.processor.store;
  }

  private digest = (code: Parameters<Crypto['digest']>[0], data: Uint8Array) =>
    this.crypto.digest(code, data);

  private sequence(alias: string): KeySequence {
    const sequence = this.keystore.sequence(alias);
    if (!sequence) throw new ControllerError('unknown_alias', `No identifier '${alias}' here`);
    return sequence;
  }

  /** The prefix of an alias: recorded at inception, or found by the next keys it is committed to. */
  prefixOf(alias: string): string {
    const sequence = this.sequence(alias);
    if (sequence.prefix) return sequence.prefix;
    if (sequence.next.custody === 'here') {
      const ours = [...sequence.next.reserve, ...sequence.next.lot.publicKeys];
      for (const prefix of this.store.prefixes()) {
        const state = this.processor.context.state(prefix)!;
        if (ours.some((key) => state.nextKeyDigests.includes(this.nextDigest(key)))) return prefix;
      }
    }
    throw new ControllerError(
      'unknown_alias',
      `'${alias}' has no KEL here yet (import it with 'keri kel import')`,
    );
  }

  private nextDigest(key: string): string {
    return nextKeyDigest(this.crypto, key).qb64;
  }

  state(alias: string): KeyState {
    const prefix = this.prefixOf(alias);
    const state = this.processor.context.state(prefix);
    if (!state) throw new ControllerError('unknown_alias', `No key state for ${prefix}`);
    return state;
  }

  /** Processes our own signed event as its local owner and requires it to be accepted. */
  private async accept(
    built: BuiltMessage,
    signatures: readonly IndexedSignature[],
  ): Promise<Uint8Array> {
    const message = messagize(built.raw, [controllerSignatures(signatures)]);
    const framed = parseStream(message).messages[0] as Message;
    const outcomes = this.processor.process(framed, { local: true });
    await this.processor.flush();
    const own = outcomes.find(
      (o): o is Extract<Outcome, { said?: string }> => 'said' in o && o.said === built.said,
    );
    if (own?.kind !== 'accepted') {
      const why =
        own?.kind === 'escrowed'
          ? `held: waiting for ${own.waitingFor}`
          : own?.kind === 'rejected'
            ? own.error.message
            : (own?.kind ?? 'no outcome');
      throw new ControllerError('not_accepted', `The ${built.ilk} was not accepted: ${why}`, {
        said: built.said,
      });
    }
    return message;
  }

  private async signWith(
    raw: Uint8Array,
    signers: ReadonlyArray<{
      publicKey: string;
      index: number;
      ondex?: number;
      currentOnly?: boolean;
    }>,
    stores: readonly Keystore[],
  ): Promise<IndexedSignature[]> {
    const signatures: IndexedSignature[] = [];
    for (const { publicKey, index, ondex, currentOnly } of signers) {
      const holder = stores.find((store) => store.hasSecret(publicKey)) ?? this.keystore;
      const signature = await this.manager.signer(publicKey, holder).sign(raw);
      signatures.push(
        indexedSignatureFor(
          'Ed25519',
          signature,
          index,
          currentOnly ? { currentOnly: true } : ondex === undefined ? {} : { ondex },
        ),
      );
    }
    return signatures;
  }

  private checkTotp(sequence: KeySequence, code: string | undefined): void {
    if (!sequence.totp) return;
    if (code === undefined) {
      throw new ControllerError(
        'totp_required',
        `'${sequence.alias}' requires a TOTP code for establishment events`,
      );
    }
    const secret = this.keystore.unsealTotp(sequence.totp);
    if (!verifyTotp(secret, code, this.clock.now()))
      throw new ControllerError('totp_invalid', 'Wrong TOTP code');
  }

  /** Makes a new identifier: keys, inception event (icp or dip), signatures, acceptance. */
  async incept(
    alias: string,
    options: InceptIdentifierOptions = {},
  ): Promise<{ prefix: string; message: Uint8Array; totp?: { secret: string; uri: string } }> {
    if (this.keystore.sequence(alias))
      throw new ControllerError('exists', `Alias '${alias}' is already in use`);
    const transferable = options.transferable ?? true;
    const external = options.nextDigests !== undefined;
    const keys = await this.manager.incept(alias, {
      ...(options.currentCount !== undefined ? { currentCount: options.currentCount } : {}),
      nextCount: external ? 0 : (options.nextCount ?? options.currentCount ?? 1),
      transferable,
      ...(options.algorithm ? { algorithm: options.algorithm } : {}),
      ...(options.nextAlgorithm ? { nextAlgorithm: options.nextAlgorithm } : {}),
      ...(options.nextStore ? { nextStore: options.nextStore } : {}),
      ...(options.temp ? { temp: true } : {}),
    });
    try {
      const nextKeyDigests = external ? [...options.nextDigests!] : keys.nextDigests;
      const built = incept(this.digest, {
        keys: keys.currentKeys,
        nextKeyDigests,
        ...(options.signingThreshold !== undefined
          ? { signingThreshold: options.signingThreshold }
          : {}),
        ...(options.nextThreshold !== undefined ? { nextThreshold: options.nextThreshold } : {}),
        witnesses: options.witnesses ?? [],
        ...(options.witnessThreshold !== undefined
          ? { witnessThreshold: options.witnessThreshold }
          : {}),
        config: options.config ?? [],
        data: options.data ?? [],
        ...(options.delegator !== undefined ? { delegator: options.delegator } : {}),
        code: transferable ? 'E' : 'basic',
      });
      const prefix = built.sad.i as string;
      this.localPrefixes.add(prefix);
      const signatures = await this.signWith(
        built.raw,
        keys.currentKeys.map((publicKey, index) => ({ publicKey, index })),
        [this.keystore],
      );
      const message = await this.accept(built, signatures);
      let sequence = this.keystore.sequence(alias)!;
      if (external) {
        sequence = {
          ...sequence,
          next: { custody: 'elsewhere', digests: nextKeyDigests, storeHint: 'the key owner' },
        };
      }
      let totp: { secret: string; uri: string } | undefined;
      if (options.requireTotp) {
        const secret = newTotpSecret();
        sequence = { ...sequence, totp: this.keystore.sealTotp(secret) };
        totp = { secret, uri: totpUri(secret, `${alias} ${prefix}`) };
      }
      await this.keystore.update({ sequence: { ...sequence, prefix } });
      if (options.nextStore) await this.manager.setPrefix(alias, prefix, options.nextStore);
      return { prefix, message, ...(totp ? { totp } : {}) };
    } catch (error) {
      // The keys were never used: forget them, in the keystores and the token.
      await this.manager.forget(alias, options.nextStore);
      throw error;
    }
  }

  /** An interaction anchoring `data`, signed by the current keys held here. */
  async interact(alias: string, data: readonly Seal[] = []): Promise<Uint8Array> {
    const state = this.state(alias);
    const built = interact(this.digest, {
      prefix: state.prefix,
      prior: state.said,
      sn: state.sn + 1n,
      data,
    });
    const signers = this.manager.signingKeys(alias, state.keys);
    if (signers.length === 0)
      throw new ControllerError(
        'bad_plan',
        `This keystore holds none of the current keys of '${alias}'`,
      );
    return this.accept(built, await this.signWith(built.raw, signers, [this.keystore]));
  }

  /**
   * A rotation: plain, reserve (expose some pre-committed keys, re-commit others), custodial (add
   * keys that were not pre-committed), recovery (supersede interactions), or abandonment.
   */
  async rotate(alias: string, options: RotateIdentifierOptions = {}): Promise<Uint8Array> {
    const sequence = this.sequence(alias);
    this.checkTotp(sequence, options.totp);
    const state = this.state(alias);
    const prepared = await this.manager.prepareRotation(alias, {
      ...(options.expose ? { expose: options.expose } : {}),
      ...(options.reserve ? { reserve: options.reserve } : {}),
      nextCount: options.abandon
        ? 0
        : (options.nextCount ?? options.expose?.length ?? state.nextKeyDigests.length),
      ...(options.nextStore ? { nextStore: options.nextStore } : {}),
      ...(options.temp ? { temp: true } : {}),
    });
    if (options.abandon && prepared.nextDigests.length > 0) {
      throw new ControllerError(
        'bad_plan',
        'An abandonment rotation re-commits no keys (no reserve)',
      );
    }
    const keys = [...prepared.exposed.map((e) => e.publicKey), ...(options.addKeys ?? [])];
    let sn = state.sn + 1n;
    let prior = state.said;
    if (options.recoverAt !== undefined) {
      if (options.recoverAt <= state.lastEstablishment.sn || options.recoverAt > state.sn + 1n) {
        throw new ControllerError(
          'bad_plan',
          `A recovery rotation goes after the last establishment event (sn ${state.lastEstablishment.sn}) and at most at sn ${state.sn + 1n}`,
        );
      }
      sn = options.recoverAt;
      prior = this.store.lastSaidAt(state.prefix, sn - 1n)!;
    }
    const built = rotate(this.digest, {
      ilk: state.delegator === undefined ? 'rot' : 'drt',
      prefix: state.prefix,
      prior,
      sn,
      keys,
      nextKeyDigests: prepared.nextDigests,
      ...(options.signingThreshold !== undefined
        ? { signingThreshold: options.signingThreshold }
        : {}),
      ...(options.abandon
        ? { nextThreshold: '0' }
        : options.nextThreshold !== undefined
          ? { nextThreshold: options.nextThreshold }
          : {}),
      witnesses: state.witnesses,
      cuts: options.cuts ?? [],
      adds: options.adds ?? [],
      ...(options.witnessThreshold !== undefined
        ? { witnessThreshold: options.witnessThreshold }
        : { witnessThreshold: state.witnessThreshold }),
      data: options.data ?? [],
    });
    const stores = [this.keystore, ...(options.nextStore ? [options.nextStore] : [])];
    const signers = [
      ...prepared.exposed.map((e, index) => ({ publicKey: e.publicKey, index, ondex: e.ondex })),
      ...(options.addKeys ?? [])
        .map((publicKey, i) => ({
          publicKey,
          index: prepared.exposed.length + i,
          currentOnly: true,
        }))
        .filter(({ publicKey }) => stores.some((store) => store.hasSecret(publicKey))),
    ];
    let signatures: IndexedSignature[];
    try {
      signatures = await this.signWith(built.raw, signers, stores);
    } catch (error) {
      // No event was made: the new next keys will never be committed to.
      await prepared.discard();
      throw error;
    }
    const message = await this.accept(built, signatures);
    await prepared.commit(state.prefix);
    return message;
  }

  /** Signatures of arbitrary data by the current keys held here (indexed into `k`). */
  async sign(alias: string, data: Uint8Array): Promise<{ prefix: string; signatures: string[] }> {
    const state = this.state(alias);
    const signers = this.manager.signingKeys(alias, state.keys);
    const signatures: string[] = [];
    for (const { publicKey, index } of signers) {
      const raw = await this.manager.signer(publicKey).sign(data);
      signatures.push(indexedSignatureFor('Ed25519', raw, index).qb64);
    }
    return { prefix: state.prefix, signatures };
  }

  /** Whether indexed signatures of `data` satisfy the current signing threshold of `prefix`. */
  verify(
    prefix: string,
    data: Uint8Array,
    signatures: readonly IndexedSignature[],
  ): { valid: boolean; verified: number[] } {
    const state = this.processor.context.state(prefix);
    if (!state)
      throw new ControllerError('unknown_alias', `No KEL for ${prefix} here (import it first)`);
    return verifyAgainstState(this.crypto, state, data, signatures);
  }

  status(alias: string): IdentifierStatus {
    const sequence = this.sequence(alias);
    let prefix = '';
    try {
      prefix = this.prefixOf(alias);
    } catch {
      // no KEL yet
    }
    return {
      alias,
      prefix,
      state: prefix ? this.processor.context.state(prefix) : undefined,
      custody: sequence.next.custody,
      storage: this.manager.storage(alias),
    };
  }

  list(): IdentifierStatus[] {
    return this.keystore.aliases().map((alias) => this.status(alias));
  }

  /** The KEL of an alias, a group alias or any known prefix, as keripy replays it to a peer. */
  exportKel(aliasOrPrefix: string): Uint8Array[] {
    const prefix = this.keystore.sequence(aliasOrPrefix)
      ? this.prefixOf(aliasOrPrefix)
      : (this.records.group(aliasOrPrefix)?.prefix ?? aliasOrPrefix);
    const messages: Uint8Array[] = [];
    for (const { said, sn } of this.store.firstSeenOrder(prefix)) {
      let record = this.store.event(prefix, said, sn)!;
      if (!record.sourceSeal && (record.ilk === 'dip' || record.ilk === 'drt')) {
        // Accepted locally before the delegator's approval arrived: attach where it is anchored.
        const anchor = this.store.anchor(prefix, sn, said);
        if (anchor) record = { ...record, sourceSeal: { sn: anchor.sn, said: anchor.said } };
      }
      messages.push(cloneMessage(record));
    }
    if (messages.length === 0) throw new ControllerError('unknown_alias', `No KEL for ${prefix}`);
    return messages;
  }

  /** Validates and stores other KELs (a delegator's, a custodian's...) as a remote validator. */
  async importKel(bytes: Uint8Array): Promise<VerifyReport> {
    const validator = new StreamValidator(this.processor);
    await validator.push(bytes);
    return validator.end();
  }

  /**
   * Delegator side of a delegation: checks the delegated event (dip or drt naming us) and anchors
   * its seal in an interaction of ours. Returns our anchoring message.
   */
  async approveDelegation(alias: string, delegatedMessage: Uint8Array): Promise<Uint8Array> {
    const ours = this.state(alias);
    const framed = parseStream(delegatedMessage).messages;
    // The latest delegated event of the input (a whole KEL may come; earlier ones were approved before).
    const delegated = framed.findLast(
      (message) => message.body.sad.t === 'dip' || message.body.sad.t === 'drt',
    );
    if (!delegated)
      throw new ControllerError('not_delegated', 'No delegated event (dip or drt) in the input');
    const sad = delegated.body.sad;
    if (sad.t === 'dip' && sad.di !== ours.prefix) {
      throw new ControllerError(
        'not_delegated',
        `That inception names delegator ${String(sad.di)}, not ${ours.prefix}`,
      );
    }
    return this.interact(alias, [{ i: sad.i, s: sad.s, d: sad.d }]);
  }

  /**
   * Whether this controller alone controls an identifier: one of ours, not a group, with its
   * current keys and its next keys held here. A custodian (next keys elsewhere) or an owner whose
   * current keys a custodian holds share the identifier's events with the other party.
   */
  private exclusivelyControlled(prefix: string): boolean {
    if (!this.localPrefixes.has(prefix) || this.records.groupByPrefix(prefix)) return false;
    for (const alias of this.keystore.aliases()) {
      const sequence = this.keystore.sequence(alias);
      if (sequence?.prefix !== prefix) continue;
      return sequence.next.custody === 'here' && (sequence.current?.publicKeys.length ?? 0) > 0;
    }
    return false;
  }

  /** Gives a prefix (a group we joined) the owner's treatment in our KEL store. */
  addLocalPrefix(prefix: string): void {
    this.localPrefixes.add(prefix);
  }

  /** Whether a public key can sign here (its seed is in the keystore, or it is in the token). */
  canSign(publicKey: string): boolean {
    return this.keystore.hasSecret(publicKey) || this.manager.canSign(publicKey);
  }

  /** One indexed signature of `raw` by a key held here (keripy `Manager.sign` with indices). */
  async signAt(
    publicKey: string,
    raw: Uint8Array,
    index: number,
    ondex: number | undefined,
  ): Promise<IndexedSignature> {
    const [signature] = await this.signWith(
      raw,
      [ondex === undefined ? { publicKey, index, currentOnly: true } : { publicKey, index, ondex }],
      [this.keystore],
    );
    return signature!;
  }

  /**
   * Our endorsement of a message (keripy `Hab.endorse`, not pipelined): a `-F` group naming our
   * latest establishment event, with the signatures of our current keys.
   */
  async endorse(alias: string, raw: Uint8Array): Promise<AttachmentGroup> {
    const state = this.state(alias);
    const signers = state.keys
      .map((publicKey, index) => ({ publicKey, index }))
      .filter(({ publicKey }) => this.canSign(publicKey));
    if (signers.length === 0)
      throw new ControllerError(
        'bad_plan',
        `This keystore holds none of the current keys of '${alias}'`,
      );
    const signatures: IndexedSignature[] = [];
    for (const { publicKey, index } of signers) {
      const signature = await this.manager.signer(publicKey).sign(raw);
      signatures.push(indexedSignatureFor('Ed25519', signature, index));
    }
    return transferableSignatureGroups([
      {
        prefix: state.prefix,
        sn: state.lastEstablishment.sn,
        said: state.lastEstablishment.said,
        signatures,
      },
    ]);
  }

  /** The KEL of a prefix as one CESR stream, or empty when it is not known here. */
  kelStream(prefix: string): Uint8Array {
    if (!this.processor.context.state(prefix)) return new Uint8Array(0);
    return concatBytes(...this.exportKel(prefix));
  }

  async close(): Promise<void> {
    try {
      await this.processor.flush();
      await this.kelBackend.close();
      await this.records.close();
      await this.keystore.close();
    } finally {
      this.ownedToken?.close();
    }
  }
}

/** Verifies signatures of data against a key state's current keys and threshold. */
export function verifyAgainstState(
  crypto: Crypto,
  state: KeyState,
  data: Uint8Array,
  signatures: readonly IndexedSignature[],
): { valid: boolean; verified: number[] } {
  const verified: number[] = [];
  for (const signature of signatures) {
    const key = state.keys[signature.index];
    if (!key) continue;
    const decoded = matterFromQb64(key);
    if (crypto.verify(decoded.code, decoded.raw, signature.raw, data))
      verified.push(signature.index);
  }
  return { valid: thresholdSatisfied(state, verified), verified };
}

function thresholdSatisfied(state: KeyState, indices: readonly number[]): boolean {
  return satisfies(state.signingThreshold, indices);
}
