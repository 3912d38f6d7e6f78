/**
 * @module kels
 * Whole signed KELs as CESR streams, for tests and benchmarks.
 */
import { concatBytes } from '@kestrel/cesr';
import type { Crypto, Sith } from '@kestrel/core';
import { TestIdentifier } from './identifier.js';

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
  });
  const signers = options.signerCount === undefined ? {} : { signerCount: options.signerCount };
  yield identifier.incept(signers).message;
  const every = options.rotateEvery ?? 10;
  const swapEvery = options.swapEvery ?? 0;
  let held: Uint8Array | undefined;
  for (let sn = 1; sn < options.events; sn++) {
    const seal = [{ d: identifier.said }];
    const { message } =
      sn % every === 0 ? identifier.rotate([], signers) : identifier.interact(seal, signers);
    if (swapEvery > 0 && sn % swapEvery === 1 && sn + 1 < options.events) {
      held = message;
      continue;
    }
    yield message;
    if (held !== undefined) yield held;
    held = undefined;
  }
}

/** A whole KEL as one stream. */
export function kelStream(crypto: Crypto, options: KelOptions): Uint8Array {
  return concatBytes(...kelMessages(crypto, options));
}
