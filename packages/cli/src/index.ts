/**
 * @module @kestrel/cli
 * The `keri` command, as a library: `main(argv, io)` runs a command line and returns its exit status.
 */

export type { Command } from './command.js';
export { DEFAULT_CHUNK_SIZE, readFileChunks } from './file-chunks.js';
export type { CommandIo } from './io.js';
export { main, overview } from './main.js';
