/**
 * @module identifier
 * A scripted controller for tests and benchmarks: deterministic keys, and methods that build,
 * sign and serialize the next event of its KEL (inception, interactions, rotations with any
 * exposure of pre-rotated keys, witness receipts, delegation seals).
 */
import {
  type AttachmentGroup,
  type IndexedSignature,
  matterFromRaw,
  textToBytes,
} from '@kestrel/cesr';
import {
  type BuiltMessage,
  type Crypto,
  controllerSignatures,
  incept,
  interact,
  messagize,
  nextKeyDigest,
  receipt,
  rotate,
  type Seal,
  type Sith,
  sealSourceCouples,
  signerFromSeed,
  signIndexed,
  signUnindexed,
  witnessSignatures,
} from '@kestrel/core';

/** A deterministic Ed25519 key pair derived from a label (not from a salt: fast, for tests only). */
export interface TestKey {
  readonly seed: string;
  readonly publicKey: string;
  readonly nextDigest: string;
}

export function testKey(crypto: Crypto, label: string, transferable = true): TestKey {
  const seed = matterFromRaw('A', crypto.digest('E', textToBytes(label))).qb64;
  const publicKey = signerFromSeed(crypto, seed, transferable).publicKey.qb64;
  return { seed, publicKey, nextDigest: nextKeyDigest(crypto, publicKey).qb64 };
}

export interface TestIdentifierOptions {
  /** Label that makes every key of this identifier unique and reproducible. */
  readonly label: string;
  /** Keys per establishment event (default 1). */
  readonly keyCount?: number;
  readonly signingThreshold?: Sith;
  readonly nextThreshold?: Sith;
  /** Number of (non-transferable) witnesses (default 0). */
  readonly witnessCount?: number;
  readonly witnessThreshold?: number;
  readonly config?: readonly string[];
  /** Delegator prefix: makes the identifier delegated (dip/drt). */
  readonly delegator?: string;
}

export interface SignedEvent {
  readonly event: BuiltMessage;
  readonly signatures: readonly IndexedSignature[];
  /** Body plus attachments, ready to stream. */
  readonly message: Uint8Array;
}

/** A controller with deterministic keys that emits its KEL one event at a time. */
export class TestIdentifier {
  readonly witnesses: readonly TestKey[];
  private establishment = 0;
  private current: readonly TestKey[];
  private next: readonly TestKey[];
  prefix = '';
  sn = 0n;
  said = '';

  constructor(
    readonly crypto: Crypto,
    readonly options: TestIdentifierOptions,
  ) {
    this.current = this.keysAt(0);
    this.next = this.keysAt(1);
    this.witnesses = Array.from({ length: options.witnessCount ?? 0 }, (_, i) =>
      testKey(crypto, `${options.label}/witness/${i}`, false),
    );
  }

  private keysAt(generation: number): TestKey[] {
    return Array.from({ length: this.options.keyCount ?? 1 }, (_, i) =>
      testKey(this.crypto, `${this.options.label}/${generation}/${i}`),
    );
  }

  get currentKeys(): readonly TestKey[] {
    return this.current;
  }

  get nextKeys(): readonly TestKey[] {
    return this.next;
  }

  private digest = (code: Parameters<Crypto['digest']>[0], data: Uint8Array) =>
    this.crypto.digest(code, data);

  private sign(
    event: BuiltMessage,
    signers: ReadonlyArray<{ key: TestKey; index: number; ondex?: number }>,
  ): IndexedSignature[] {
    return signers.map(({ key, index, ondex }) =>
      signIndexed(this.crypto, key.seed, event.raw, index, ondex === undefined ? {} : { ondex }),
    );
  }

  /** Witness receipts (-B) of an event by the first `count` witnesses (all by default). */
  witnessReceipts(event: BuiltMessage, count = this.witnesses.length): AttachmentGroup {
    return witnessSignatures(
      this.witnesses
        .slice(0, count)
        .map((witness, index) => signIndexed(this.crypto, witness.seed, event.raw, index)),
    );
  }

  /** An `rct` message carrying the receipts (-B) of the given witnesses on `event`. */
  receiptMessage(event: BuiltMessage, witnessIndices: readonly number[]): Uint8Array {
    const body = receipt(this.digest, {
      prefix: this.prefix,
      sn: BigInt(`0x${event.sad.s as string}`),
      said: event.said,
    });
    const signatures = witnessIndices.map((index) =>
      signIndexed(this.crypto, this.witnesses[index]!.seed, event.raw, index),
    );
    return messagize(body.raw, [witnessSignatures(signatures)]);
  }

  /** A non-transferable receipt couple by witness `index`. */
  receiptCouple(event: BuiltMessage, index: number) {
    const witness = this.witnesses[index]!;
    return {
      prefix: witness.publicKey,
      signature: signUnindexed(this.crypto, witness.seed, event.raw),
    };
  }

  private finish(
    event: BuiltMessage,
    signatures: IndexedSignature[],
    extra: { receipts?: number; sourceSeal?: { sn: bigint; said: string } },
  ): SignedEvent {
    const groups: AttachmentGroup[] = [controllerSignatures(signatures)];
    if (this.witnesses.length > 0 && (extra.receipts ?? this.witnesses.length) > 0) {
      groups.push(this.witnessReceipts(event, extra.receipts));
    }
    if (extra.sourceSeal) groups.push(sealSourceCouples([extra.sourceSeal]));
    this.said = event.said;
    return { event, signatures, message: messagize(event.raw, groups) };
  }

  /** The inception (dip when delegated), signed by every current key. */
  incept(
    extra: {
      receipts?: number;
      signerCount?: number;
      sourceSeal?: { sn: bigint; said: string };
    } = {},
  ): SignedEvent {
    const event = incept(this.digest, {
      keys: this.current.map((k) => k.publicKey),
      nextKeyDigests: this.next.map((k) => k.nextDigest),
      ...(this.options.signingThreshold !== undefined
        ? { signingThreshold: this.options.signingThreshold }
        : {}),
      ...(this.options.nextThreshold !== undefined
        ? { nextThreshold: this.options.nextThreshold }
        : {}),
      witnesses: this.witnesses.map((w) => w.publicKey),
      ...(this.options.witnessThreshold !== undefined
        ? { witnessThreshold: this.options.witnessThreshold }
        : {}),
      config: this.options.config ?? [],
      ...(this.options.delegator !== undefined ? { delegator: this.options.delegator } : {}),
      code: 'E',
    });
    this.prefix = event.said;
    this.sn = 0n;
    const signers = this.current
      .slice(0, extra.signerCount ?? this.current.length)
      .map((key, index) => ({ key, index }));
    return this.finish(event, this.sign(event, signers), extra);
  }

  /** An interaction anchoring `data`, signed by the first `signerCount` current keys (all by default). */
  interact(
    data: readonly Seal[] = [],
    extra: { receipts?: number; signerCount?: number } = {},
  ): SignedEvent {
    this.sn += 1n;
    const event = interact(this.digest, {
      prefix: this.prefix,
      prior: this.said,
      sn: this.sn,
      data,
    });
    const signers = this.current
      .slice(0, extra.signerCount ?? this.current.length)
      .map((key, index) => ({ key, index }));
    return this.finish(event, this.sign(event, signers), extra);
  }

  /** A rotation to the pre-rotated keys (drt when delegated), signed by every new key. */
  rotate(
    data: readonly Seal[] = [],
    extra: {
      receipts?: number;
      signerCount?: number;
      sourceSeal?: { sn: bigint; said: string };
      nextThreshold?: Sith;
    } = {},
  ): SignedEvent {
    this.sn += 1n;
    this.establishment += 1;
    this.current = this.next;
    this.next = this.keysAt(this.establishment + 1);
    const event = rotate(this.digest, {
      ilk: this.options.delegator === undefined ? 'rot' : 'drt',
      prefix: this.prefix,
      prior: this.said,
      sn: this.sn,
      keys: this.current.map((k) => k.publicKey),
      nextKeyDigests: this.next.map((k) => k.nextDigest),
      ...(this.options.signingThreshold !== undefined
        ? { signingThreshold: this.options.signingThreshold }
        : {}),
      ...((extra.nextThreshold ?? this.options.nextThreshold) !== undefined
        ? { nextThreshold: (extra.nextThreshold ?? this.options.nextThreshold)! }
        : {}),
      witnesses: this.witnesses.map((w) => w.publicKey),
      ...(this.options.witnessThreshold !== undefined
        ? { witnessThreshold: this.options.witnessThreshold }
        : {}),
      data,
    });
    const signers = this.current
      .slice(0, extra.signerCount ?? this.current.length)
      .map((key, index) => ({ key, index }));
    return this.finish(event, this.sign(event, signers), extra);
  }
}
