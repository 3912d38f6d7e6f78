/**
 * @module @kestrel/controller
 * Local identifiers: keys, inception, rotation plans, interactions, delegation, signing, KEL
 * export and import; multisig groups; the agent that talks to other members over HTTP.
 */

export * from './agent/agent.js';
export * from './agent/oobi.js';
export * from './agent/postman.js';
export * from './controller.js';
export * from './errors.js';
export * from './group/group-events.js';
export * from './group/group-manager.js';
export * from './group/proposal-view.js';
export * from './group/routes.js';
export * from './paths.js';
export * from './records/controller-records.js';
export * from './records/records.js';
export * from './token.js';
