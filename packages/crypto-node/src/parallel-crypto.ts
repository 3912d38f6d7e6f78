/**
 * @module parallel-crypto
 * A `Crypto` that verifies Ed25519 signatures on a worker thread, ahead of the processor (two
 * cores instead of one). `expect` copies each announced check into shared memory for the worker;
 * `verify` takes the worker's result only for a slot that holds exactly its own arguments, compared
 * byte for byte (key, signature and message), and otherwise verifies them itself. The two threads
 * share the work rather than wait for each other: a check the worker has not started when it is
 * asked for is verified by the caller, and while the worker is busy with the one asked for, the
 * caller verifies the next one it has not started.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Crypto, SignatureCheck } from '@kestrel/core';
import {
  CLAIMED,
  CONTROL_WORDS,
  DONE,
  INVALID,
  KEY_BYTES,
  MESSAGE_CAPACITY,
  PUBLISHED,
  QUEUED,
  SIGNATURE_BYTES,
  SLEEPING,
  SLOT_BYTES,
  SLOTS,
  STOP,
  VALID,
  WORKER_SOURCE,
  WORKING,
  type WorkerData,
} from './verify-worker.js';

export interface ParallelCrypto extends Crypto {
  /** Verifications answered by the worker thread so far (the rest were done by the caller). */
  readonly workerAnswers: number;
  /** Stops the worker thread (verification goes on, on the calling thread). */
  close(): Promise<void>;
}

/** Longest wait for the worker on one check before verifying it here (the worker may be gone). */
const PATIENCE_MS = 1000;

function isEd25519(keyCode: string, publicKey: Uint8Array, signature: Uint8Array): boolean {
  return (
    (keyCode === 'B' || keyCode === 'D') &&
    publicKey.length === KEY_BYTES &&
    signature.length === SIGNATURE_BYTES
  );
}

/** A lookup key for a signature: its first 48 bits (a collision only costs a hint). */
function signatureKey(signature: Uint8Array): number {
  let key = 0;
  for (let i = 5; i >= 0; i--) key = key * 256 + signature[i]!;
  return key;
}

class VerificationRing {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly states = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly lengths = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly data = Buffer.from(new SharedArrayBuffer(SLOTS * SLOT_BYTES));
  /** The job number in each slot, and its signature's lookup key. */
  private readonly jobOfSlot = new Array<number | undefined>(SLOTS);
  private readonly keyOfSlot = new Array<number>(SLOTS).fill(0);
  /** Announced checks not yet asked for, by signature. */
  private readonly jobOfSignature = new Map<number, number>();
  /** Slots whose check this thread verified (taken from the worker's queue). */
  private readonly verifiedHere = new Array<boolean>(SLOTS).fill(false);
  private readonly key = Buffer.alloc(KEY_BYTES);
  private readonly signature = Buffer.alloc(SIGNATURE_BYTES);
  private readonly message = Buffer.alloc(MESSAGE_CAPACITY);
  private issued = 0;
  private healthy = true;
  answeredByWorker = 0;
  private readonly worker: Worker;

  constructor(
    private readonly verifyHere: (
      publicKey: Uint8Array,
      signature: Uint8Array,
      message: Uint8Array,
    ) => boolean,
  ) {
    const workerData: WorkerData = {
      sodium: createRequire(import.meta.url).resolve('sodium-native'),
      control: this.control.buffer as SharedArrayBuffer,
      states: this.states.buffer as SharedArrayBuffer,
      lengths: this.lengths.buffer as SharedArrayBuffer,
      data: this.data.buffer as SharedArrayBuffer,
    };
    // No inherited flags: the worker needs none, and under `node --input-type=module -e ...` it
    // would read its CommonJS source as a module, fail on `require`, and leave every check to this
    // thread. (A list without `--input-type` would not do: Node refuses process-wide flags such as
    // `--expose-gc` in it.)
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData, execArgv: [] });
    this.worker.unref(); // an unclosed pipeline must not keep the process alive
    this.worker.on('error', () => {
      this.healthy = false;
    });
  }

  /** Copies the Ed25519 checks into free slots and wakes the worker. */
  announce(checks: readonly SignatureCheck[]): void {
    if (!this.healthy) return;
    for (const { keyCode, publicKey, signature, message } of checks) {
      if (!isEd25519(keyCode, publicKey, signature) || message.length > MESSAGE_CAPACITY) continue;
      // A whole ring ahead of the worker: the slot to fill may still be in its hands.
      if (((this.issued - Atomics.load(this.control, DONE)) | 0) >= SLOTS) break;
      const slot = this.issued & (SLOTS - 1);
      this.forget(slot);
      const offset = slot * SLOT_BYTES;
      this.data.set(publicKey, offset);
      this.data.set(signature, offset + KEY_BYTES);
      this.data.set(message, offset + KEY_BYTES + SIGNATURE_BYTES);
      this.lengths[slot] = message.length;
      this.verifiedHere[slot] = false;
      Atomics.store(this.states, slot, QUEUED); // publishes the bytes written above
      const key = signatureKey(signature);
      this.jobOfSlot[slot] = this.issued;
      this.keyOfSlot[slot] = key;
      this.jobOfSignature.set(key, this.issued);
      this.issued = (this.issued + 1) | 0;
      Atomics.store(this.control, PUBLISHED, this.issued);
    }
    if (Atomics.load(this.control, SLEEPING) === 1) Atomics.notify(this.control, PUBLISHED);
  }

  /**
   * The worker's answer for exactly these bytes, or undefined when there is none to take (not
   * announced, bytes differ, or not started: then it is claimed, and the caller verifies).
   */
  result(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean | undefined {
    const key = signatureKey(signature);
    const job = this.jobOfSignature.get(key);
    if (job === undefined) return undefined;
    this.jobOfSignature.delete(key); // an answer is taken once
    const slot = job & (SLOTS - 1);
    if (this.jobOfSlot[slot] !== job || !this.holds(slot, publicKey, signature, message))
      return undefined;
    if (Atomics.compareExchange(this.states, slot, QUEUED, CLAIMED) === QUEUED) return undefined;
    let state = Atomics.load(this.states, slot);
    while (state === WORKING) {
      // Rather than wait for the worker, do a check it has not started (one needed soon).
      if (
        !this.verifyLater(job) &&
        Atomics.wait(this.states, slot, WORKING, PATIENCE_MS) === 'timed-out'
      ) {
        this.healthy = false;
        return undefined;
      }
      state = Atomics.load(this.states, slot);
    }
    if (state !== VALID && state !== INVALID) return undefined;
    if (!this.verifiedHere[slot]) this.answeredByWorker++;
    return state === VALID;
  }

  /** Claims and verifies here the first check after `job` that the worker has not started. */
  private verifyLater(job: number): boolean {
    for (let later = (job + 1) | 0; later !== this.issued; later = (later + 1) | 0) {
      const slot = later & (SLOTS - 1);
      if (Atomics.compareExchange(this.states, slot, QUEUED, CLAIMED) !== QUEUED) continue;
      const offset = slot * SLOT_BYTES;
      const messageAt = offset + KEY_BYTES + SIGNATURE_BYTES;
      const length = this.lengths[slot]!;
      // Copies: libsodium cannot read shared memory.
      this.data.copy(this.key, 0, offset, offset + KEY_BYTES);
      this.data.copy(this.signature, 0, offset + KEY_BYTES, messageAt);
      this.data.copy(this.message, 0, messageAt, messageAt + length);
      const valid = this.verifyHere(this.key, this.signature, this.message.subarray(0, length));
      this.verifiedHere[slot] = true;
      Atomics.store(this.states, slot, valid ? VALID : INVALID);
      return true;
    }
    return false;
  }

  /** Whether the slot holds exactly this key, signature and message. */
  private holds(
    slot: number,
    publicKey: Uint8Array,
    signature: Uint8Array,
    message: Uint8Array,
  ): boolean {
    const offset = slot * SLOT_BYTES;
    const messageAt = offset + KEY_BYTES + SIGNATURE_BYTES;
    return (
      this.lengths[slot] === message.length &&
      this.data.compare(signature, 0, SIGNATURE_BYTES, offset + KEY_BYTES, messageAt) === 0 &&
      this.data.compare(publicKey, 0, KEY_BYTES, offset, offset + KEY_BYTES) === 0 &&
      this.data.compare(message, 0, message.length, messageAt, messageAt + message.length) === 0
    );
  }

  /** Drops the lookup entry of the job a slot held (its answer was never asked for). */
  private forget(slot: number): void {
    const job = this.jobOfSlot[slot];
    if (job !== undefined && this.jobOfSignature.get(this.keyOfSlot[slot]!) === job)
      this.jobOfSignature.delete(this.keyOfSlot[slot]!);
  }

  async close(): Promise<void> {
    this.healthy = false;
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, PUBLISHED);
    await this.worker.terminate();
  }
}

/**
 * Wraps `base` (e.g. `createNodeCrypto()`) so that announced Ed25519 checks are verified on a
 * worker thread; every other operation, and every check not answered exactly, goes to `base`.
 */
export function createParallelCrypto(base: Crypto): ParallelCrypto {
  const ring = new VerificationRing((publicKey, signature, message) =>
    base.verify('D', publicKey, signature, message),
  );
  return {
    ...base,
    expect: (checks) => ring.announce(checks),
    verify(keyCode, publicKey, signature, message) {
      if (isEd25519(keyCode, publicKey, signature)) {
        const answer = ring.result(publicKey, signature, message);
        if (answer !== undefined) return answer;
      }
      return base.verify(keyCode, publicKey, signature, message);
    },
    close: () => ring.close(),
    get workerAnswers() {
      return ring.answeredByWorker;
    },
  };
}
