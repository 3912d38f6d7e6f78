/**
 * @module @kestrel/controller
 * Local identifiers: keys, inception, rotation plans, interactions, delegation, signing, KEL
 * export and import.
 */
export * from './controller.js';
export * from './errors.js';
export * from './paths.js';
export * from './token.js';
