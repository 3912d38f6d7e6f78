/**
 * @module @kestrel/core
 * KERI events, thresholds, key state, validation and the event processor. No Node APIs: storage,
 * clocks and crypto come in through ports.
 */
export type { Crypto, StretchTier } from './ports/crypto.js';
