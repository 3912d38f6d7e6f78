export * from './build.js';
export * from './endorsement.js';
export * from './read.js';
export * from './said-block.js';
