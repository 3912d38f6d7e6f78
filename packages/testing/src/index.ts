/**
 * @module @kestrel/testing
 * Deterministic signed KELs for tests and benchmarks. Keys come from labels, not from secrets:
 * never use these identifiers for anything real.
 */
export * from './identifier.js';
export * from './kels.js';
