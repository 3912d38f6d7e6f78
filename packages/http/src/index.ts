/**
 * @module @kestrel/http
 * CESR over HTTP: a small server for Kestrel services, keripy's request conventions, and a client.
 */
export * from './cesr-body.js';
export * from './client.js';
export * from './errors.js';
export * from './server.js';
