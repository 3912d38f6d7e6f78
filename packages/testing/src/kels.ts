/**
 * @module kels
 * Whole signed KELs as CESR streams, for tests and benchmarks.
 */
import { concatBytes } from '@kestrel/cesr';
import type { Crypto, Sith } from '@kestrel/core';
import { type SignedEvent, TestIdentifier } from './identifier.js';

export interface KelOptions {
  readonly label?: string;
  /** Events in the KEL, inception included. */
  readonly events: number;
  /** A rotation every this many events (default 10). */
  readonly rotateEvery?: number;
  readonly keyCount?: number;
  readonly signingThreshold?: Sith;
  readonly nextThreshold?: Sith;
  /** Signatures per event (default: all keys). */
  readonly signerCount?: number;
  readonly witnessCount?: number;
  readonly witnessThreshold?: number;
  /**
   * Receipts of this many witnesses (the last ones) come in an `rct` after each event instead of
   * attached to it, as witnesses send them (default 0).
   */
  readonly lateReceipts?: number;
  /**
   * Delivery out of order: every this many events, one event comes after the event that follows
   * it (so the later one waits in the out-of-order escrow). Off by default.
   */
  readonly swapEvery?: number;
}

/** The messages of a KEL, one at a time (so large KELs stream without being held in memory). */
export function* kelMessages(crypto: Crypto, options: KelOptions): Generator<Uint8Array> {
  const identifier = new TestIdentifier(crypto, {
    label: options.label ?? 'kel',
    keyCount: options.keyCount ?? 1,
    ...(options.signingThreshold !== undefined
      ? { signingThreshold: options.signingThreshold }
      : {}),
    ...(options.nextThreshold !== undefined ? { nextThreshold: options.nextThreshold } : {}),
    witnessCount: options.witnessCount ?? 0,
    ...(options.witnessThreshold !== undefined
      ? { witnessThreshold: options.witnessThreshold }
      : {}),
  });
  const witnesses = options.witnessCount ?? 0;
  const late = Math.min(options.lateReceipts ?? 0, witnesses);
  const signers = {
    ...(options.signerCount === undefined ? {} : { signerCount: options.signerCount }),
    ...(late > 0 ? { receipts: witnesses - late } : {}),
  };
  const lateIndices = Array.from({ length: late }, (_, i) => witnesses - late + i);
  /** The event's message, then its late receipts. */
  function* withReceipts(signed: SignedEvent): Generator<Uint8Array> {
    yield signed.message;
    if (late > 0) yield identifier.receiptMessage(signed.event, lateIndices);
  }
  yield* withReceipts(identifier.incept(signers));
  const every = options.rotateEvery ?? 10;
  const swapEvery = options.swapEvery ?? 0;
  let held: SignedEvent | undefined;
  for (let sn = 1; sn < options.events; sn++) {
    const seal = [{ d: identifier.said }];
    const signed =
      sn % every === 0 ? identifier.rotate([], signers) : identifier.interact(seal, signers);
    if (swapEvery > 0 && sn % swapEvery === 1 && sn + 1 < options.events) {
      held = signed;
      continue;
    }
    yield* withReceipts(signed);
    if (held !== undefined) yield* withReceipts(held);
    held = undefined;
  }
}

/** A whole KEL as one stream. */
export function kelStream(crypto: Crypto, options: KelOptions): Uint8Array {
  return concatBytes(...kelMessages(crypto, options));
}
