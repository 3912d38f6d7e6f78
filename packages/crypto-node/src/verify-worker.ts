/**
 * @module verify-worker
 * The shared-memory layout of the verification pipeline and the code of its worker thread.
 *
 * Each slot holds one Ed25519 check: key (32 bytes), signature (64) and message (up to
 * MESSAGE_CAPACITY), a message length and a state word. The main thread fills slots in ring order
 * and publishes how many it has filled; the worker takes them in the same order, claiming each by
 * compare-and-swap (the main thread may have claimed it first, to verify it itself), verifies it,
 * and stores the result in the state word.
 */

/** Slots in the ring (a power of two). */
export const SLOTS = 1024;
export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** Longer messages are not handed to the worker (key events are a few hundred bytes). */
export const MESSAGE_CAPACITY = 4096;
export const SLOT_BYTES = KEY_BYTES + SIGNATURE_BYTES + MESSAGE_CAPACITY;

/** Slot states. */
export const QUEUED = 1;
export const WORKING = 2;
export const CLAIMED = 3;
export const VALID = 4;
export const INVALID = 5;

/** Words of the control array: jobs published (a wrapping count), jobs the worker is past, flags. */
export const PUBLISHED = 0;
export const DONE = 1;
export const SLEEPING = 2;
export const STOP = 3;
export const CONTROL_WORDS = 4;

export interface WorkerData {
  /** Absolute path of sodium-native, resolved by the main thread. */
  readonly sodium: string;
  readonly control: SharedArrayBuffer;
  readonly states: SharedArrayBuffer;
  readonly lengths: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
}

/**
 * The worker, as CommonJS source for `new Worker(source, { eval: true })`: the same code then
 * runs from the TypeScript sources (tests) and from the build, with no file to locate.
 */
export const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const sodium = require(workerData.sodium);
const control = new Int32Array(workerData.control);
const states = new Int32Array(workerData.states);
const lengths = new Int32Array(workerData.lengths);
const bytes = Buffer.from(workerData.data);
// sodium-native reads arguments through their ArrayBuffer, which a SharedArrayBuffer is not:
// each check is copied out of its slot first.
const key = Buffer.alloc(${KEY_BYTES});
const signature = Buffer.alloc(${SIGNATURE_BYTES});
const message = Buffer.alloc(${MESSAGE_CAPACITY});
let next = 0;
for (;;) {
  if (Atomics.load(control, ${STOP}) === 1) break;
  if (next === Atomics.load(control, ${PUBLISHED})) {
    // Say we sleep before looking again, so a publisher either sees the flag or we see its job.
    Atomics.store(control, ${SLEEPING}, 1);
    if (next === Atomics.load(control, ${PUBLISHED}) && Atomics.load(control, ${STOP}) === 0)
      Atomics.wait(control, ${PUBLISHED}, next);
    Atomics.store(control, ${SLEEPING}, 0);
    continue;
  }
  const slot = next & ${SLOTS - 1};
  if (Atomics.compareExchange(states, slot, ${QUEUED}, ${WORKING}) === ${QUEUED}) {
    const offset = slot * ${SLOT_BYTES};
    const length = lengths[slot];
    bytes.copy(key, 0, offset, offset + ${KEY_BYTES});
    bytes.copy(signature, 0, offset + ${KEY_BYTES}, offset + ${KEY_BYTES + SIGNATURE_BYTES});
    bytes.copy(message, 0, offset + ${KEY_BYTES + SIGNATURE_BYTES}, offset + ${KEY_BYTES + SIGNATURE_BYTES} + length);
    const valid = sodium.crypto_sign_verify_detached(signature, message.subarray(0, length), key);
    Atomics.store(states, slot, valid === true ? ${VALID} : ${INVALID});
    Atomics.notify(states, slot);
  }
  next = (next + 1) | 0;
  Atomics.store(control, ${DONE}, next);
}
`;
