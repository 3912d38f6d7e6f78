/**
 * @module @kestrel/cesr
 * CESR 1.0: code tables, primitives in text and binary form, counters, version strings,
 * serialization as keripy writes it, SAIDs, and an incremental stream parser.
 */
export * from './base64.js';
export * from './codes/counter-codes.js';
export * from './codes/indexer-codes.js';
export * from './codes/matter-codes.js';
export * from './errors.js';
export * from './primitives/bexter.js';
export * from './primitives/counter.js';
export * from './primitives/datetime.js';
export * from './primitives/indexer.js';
export * from './primitives/matter.js';
export * from './primitives/numbers.js';
export { Shortage } from './primitives/shortage.js';
export * from './said.js';
export * from './serialization/kinds.js';
export * from './serialization/python-json.js';
export * from './slabs.js';
export * from './stream/groups.js';
export type { Body, Message } from './stream/message.js';
export * from './stream/parser.js';
export * from './stream/read-message.js';
export * from './stream/sniff.js';
export * from './version.js';
