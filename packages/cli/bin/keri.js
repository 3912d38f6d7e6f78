#!/usr/bin/env node
import { main } from '../dist/main.js';

// A reader that stops early (`keri kel verify big.cesr --json | head -c 100`) closes the pipe: the
// rest of the output has nowhere to go, which is not the command's failure. Later writes are
// dropped, and the command still finishes (and cleans up) with its own exit status.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
