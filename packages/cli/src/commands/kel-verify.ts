/**
 * @module commands/kel-verify
 * `keri kel verify`: validate a CESR stream as a fresh, promiscuous, remote validator and report
 * in the shape of the keripy conformance corpus (a stable contract for outside checks).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventProcessor,
  type KeyValueStore,
  MemoryStore,
  StreamValidator,
  type VerifyReport,
} from '@kestrel/core';
import { createNodeCrypto, createParallelCrypto } from '@kestrel/crypto-node';
import { LmdbStore } from '@kestrel/store-lmdb';
import { type Command, flag, type ParsedArgs, stringOption, UsageError } from '../command.js';
import { readFileChunks } from '../file-chunks.js';
import { type CommandIo, formatJson, resolvePath } from '../io.js';
import { snForPeople } from '../sequence-number.js';

async function* chunksOf(io: CommandIo, file: string | undefined): AsyncIterable<Uint8Array> {
  if (file === undefined || file === '-') {
    if (io.stdinChunks) yield* io.stdinChunks();
    else yield await io.readStdin();
    return;
  }
  yield* readFileChunks(resolvePath(io, file));
}

export const kelVerify: Command = {
  path: ['kel', 'verify'],
  summary: 'validate a CESR stream of KELs as a remote validator and report what was accepted',
  usage: `Usage: keri kel verify [FILE|-] [--json] [--store DIR | --memory] [--threads N]

Validates every key event in FILE (or standard input) as a fresh, promiscuous remote validator:
signatures, thresholds, pre-rotation, witnesses, delegation, first-seen and recovery rules, with
escrows for events that arrive early. Then retries escrows until nothing changes, and reports.
  --json        print {verdict, accepted:{PRE:{state,kel}}, not_accepted, escrows, errors,
                duplicity, stats} (the shape of the keripy conformance corpus's expected.json)
  --store DIR   validate into (and keep) the LMDB store in DIR instead of a temporary one
  --memory      validate in memory instead of a temporary LMDB store
  --threads N   1: verify signatures on this thread; 2: also on a worker thread (two cores).
                Default: 2 for files over 4 MiB on a machine with two cores or more, else 1.
                The report is the same either way.
Exit status: 0 when every event was accepted; 1 otherwise (also when the input holds no key
event); 2 for a usage error; 3 when the input or the store cannot be used.`,
  examples: [
    'keri kel verify kel.cesr',
    'curl -s http://witness:5631/query?typ=kel\\&pre=E... | keri kel verify - --json',
  ],
  options: {
    json: { type: 'boolean' },
    store: { type: 'string' },
    memory: { type: 'boolean' },
    threads: { type: 'string' },
  },
  async run(args, io) {
    const storeDir = stringOption(args, 'store');
    if (storeDir !== undefined && flag(args, 'memory'))
      throw new UsageError('--store and --memory exclude each other');
    if (args.positionals.length > 1)
      throw new UsageError('one FILE at a time (concatenate streams to verify them together)');
    const file = args.positionals[0];
    const threads = threadsFor(args, io, file);
    const base = await createNodeCrypto();
    const parallel = threads === 2 ? createParallelCrypto(base) : undefined;
    const crypto = parallel ?? base;
    let temporary: string | undefined;
    let store: KeyValueStore;
    if (flag(args, 'memory')) store = new MemoryStore();
    else if (storeDir !== undefined) store = LmdbStore.open(resolvePath(io, storeDir));
    else {
      temporary = mkdtempSync(join(tmpdir(), 'keri-verify-'));
      store = LmdbStore.open(temporary);
    }
    // Interrupted, the temporary store is removed all the same (it can be large).
    const removeTemporary = () => {
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    };
    const interrupted = (signal: NodeJS.Signals) => {
      removeTemporary();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    if (temporary) {
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
    }
    try {
      const processor = new EventProcessor({ store, crypto });
      const validator = new StreamValidator(processor);
      for await (const chunk of chunksOf(io, file)) await validator.push(chunk);
      const report = await validator.end();
      if (flag(args, 'json')) io.stdout.write(formatJson(report));
      else io.stdout.write(humanReport(report, validator));
      return report.verdict === 'accepted' ? 0 : 1;
    } finally {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      await parallel?.close();
      await store.close();
      removeTemporary();
    }
  },
};

/** Worker-thread verification pays for its start-up only on large inputs, and needs a second core. */
function threadsFor(args: ParsedArgs, io: CommandIo, file: string | undefined): 1 | 2 {
  const given = stringOption(args, 'threads');
  if (given !== undefined) {
    if (given !== '1' && given !== '2') throw new UsageError('--threads is 1 or 2');
    return given === '2' ? 2 : 1;
  }
  if (file === undefined || file === '-' || availableParallelism() < 2) return 1;
  return statSync(resolvePath(io, file)).size > 4 * 1024 * 1024 ? 2 : 1;
}

/**
 * What a person reads. Sequence numbers are decimal here, as people count; the JSON report keeps
 * the forms of the corpus (numbers in `not_accepted`, hex strings as on the wire in key states and
 * duplicity records).
 */
function humanReport(report: VerifyReport, validator: StreamValidator): string {
  const lines: string[] = [];
  for (const [prefix, { state, kel }] of Object.entries(report.accepted)) {
    const keys = state.k.length === 1 ? '1 key' : `${state.k.length} keys`;
    const witnesses =
      state.b.length === 0
        ? 'no witnesses'
        : `${state.b.length} witnesses (toad ${Number.parseInt(state.bt, 16)})`;
    const next =
      state.n.length === 0
        ? 'no next keys (abandoned or non-transferable)'
        : `${state.n.length} next`;
    const delegated = state.di ? `, delegated by ${state.di}` : '';
    lines.push(
      `${prefix}  sn ${snForPeople(state.s)} ${state.et}  ${kel.length} event(s)  kt ${JSON.stringify(state.kt)} over ${keys}, ${next}, ${witnesses}${delegated}`,
    );
  }
  const details = validator.details();
  if (details.length > 0) {
    lines.push('', 'Not accepted:');
    for (const detail of details) {
      const sn = detail.sn === null ? '?' : String(detail.sn);
      lines.push(
        `  ${detail.ilk} sn ${sn} ${detail.said} of ${detail.prefix || '?'}: ${detail.why} (${detail.reason})`,
      );
    }
  }
  if (report.duplicity.length > 0) {
    lines.push('', 'Duplicity evidence:');
    for (const d of report.duplicity)
      lines.push(
        `  ${d.prefix} sn ${snForPeople(d.sn)}: ${d.summary} (first ${d.firstSeen}, then ${d.conflicting})`,
      );
  }
  const escrows = Object.entries(report.escrows);
  if (escrows.length > 0)
    lines.push('', `Escrows: ${escrows.map(([name, count]) => `${name} ${count}`).join(', ')}`);
  if (report.errors.length > 0) {
    lines.push('', 'Errors:');
    for (const error of report.errors.slice(0, 50)) lines.push(`  ${error}`);
    if (report.errors.length > 50) lines.push(`  ... and ${report.errors.length - 50} more`);
  }
  const { events, seconds, eventsPerSecond } = report.stats;
  if (events === 0) lines.push('', 'No key events found in the input.');
  lines.push(
    '',
    `${report.verdict.toUpperCase()}: ${events} event(s) in ${seconds.toFixed(3)} s (${eventsPerSecond} events/s)`,
  );
  return `${lines.join('\n')}\n`;
}
