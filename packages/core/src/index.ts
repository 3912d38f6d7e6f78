/**
 * @module @kestrel/core
 * KERI events, thresholds, key state, validation and the event processor. No Node APIs: storage,
 * clocks and crypto come in through ports.
 */
export * from './errors.js';
export * from './event/attachments.js';
export * from './event/builders.js';
export * from './event/fields.js';
export * from './event/wire.js';
export * from './exchange/index.js';
export * from './keys/index.js';
export type { Clock } from './ports/clock.js';
export { ManualClock, systemClock } from './ports/clock.js';
export type { Crypto, SignatureCheck, StretchTier } from './ports/crypto.js';
export * from './ports/key-value.js';
export * from './processor/attachments.js';
export type { ProcessorOptions } from './processor/context.js';
export { EventProcessor, type EventProcessorConfig } from './processor/event-processor.js';
export * from './processor/outcomes.js';
export * from './report/stream-validator.js';
export * from './state/key-state.js';
export * from './store/clone.js';
export * from './store/event-record-codec.js';
export * from './store/first-seen-run-codec.js';
export { KelStore } from './store/kel-store.js';
export { MemoryStore } from './store/memory-store.js';
export * from './store/records.js';
export * from './threshold/index.js';
export { type KeyEvent, readKeyEvent, readReceivedKeyEvent } from './validation/key-event.js';
export { exposedPriorNextIndices, verifySignatures } from './validation/signatures.js';
