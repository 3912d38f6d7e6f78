/**
 * `npm run bench`: throughput of Kestrel's hot paths on this machine, each next to the machine's
 * own limit measured in the same run (Ed25519 verifications per second), so figures compare across
 * noisy machines. A benchmark, not a test: it asserts nothing.
 */
import {
  closeSync,
  createWriteStream,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { type Sad, StreamParser, saidify } from '@kestrel/cesr';
import { DEFAULT_CHUNK_SIZE, readFileChunks } from '@kestrel/cli';
import { Controller } from '@kestrel/controller';
import {
  type Crypto,
  deriveSigner,
  EventProcessor,
  StreamValidator,
  type StretchTier,
  saltFromQb64,
} from '@kestrel/core';
import { createNodeCrypto, createParallelCrypto, type ParallelCrypto } from '@kestrel/crypto-node';
import { LmdbStore } from '@kestrel/store-lmdb';
import { type KelOptions, kelMessages } from '@kestrel/testing';
import { lastSignatureToPublished, proposalsPerSecond } from './multisig.js';

const json = process.argv.includes('--json');
/**
 * `--smoke`: every step on tiny inputs and for a few milliseconds, to check that the benchmark runs
 * and prints what it promises (a test does, in CI); its figures mean nothing.
 */
const smoke = process.argv.includes('--smoke');
const scaled = (full: number, tiny: number) => (smoke ? tiny : full);
const results: Record<string, unknown> = {};
const log = (line: string) => {
  if (!json) console.log(line);
};

function rate(count: number, milliseconds: number): number {
  return Math.round((count / milliseconds) * 1000);
}

/** Runs `body` in blocks of `block` calls for about `milliseconds`; returns the calls and time. */
function timed(
  body: () => void,
  milliseconds: number,
  block = 100,
): { count: number; elapsed: number } {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let i = 0; i < block; i++) body();
    count += block;
    elapsed = performance.now() - start;
  }
  return { count, elapsed };
}

/** Runs `body` repeatedly for about `milliseconds`; returns operations per second. */
function measure(body: () => void, milliseconds = 1000): number {
  const { count, elapsed } = timed(body, scaled(milliseconds, 20));
  return rate(count, elapsed);
}

/** Verifications a parallel crypto's worker thread has answered (0 for any other crypto). */
function workerAnswers(crypto: Crypto): number {
  return 'workerAnswers' in crypto ? (crypto as ParallelCrypto).workerAnswers : 0;
}

/** A signed message: a public key, its signature of the message, and the message. */
type SignedSample = readonly [publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array];

let samples: SignedSample[] | undefined;

/**
 * Distinct keys, signatures and messages of an event's size: validation never verifies the same
 * signature twice, and libsodium's variable-time verification runs measurably faster (about 8% on
 * the reference machine) when one signature is verified over and over, as the branch predictor
 * learns its exact path.
 */
function signedSamples(crypto: Crypto): SignedSample[] {
  if (samples) return samples;
  samples = [];
  for (let i = 0; i < 1024; i++) {
    const seed = crypto.randomBytes(32);
    const message = crypto.randomBytes(300);
    samples.push([crypto.publicKey('A', seed), crypto.sign('A', seed, message), message]);
  }
  return samples;
}

/** Verifies the next of the signed samples (or the first one over and over) at each call. */
function sampleVerifier(crypto: Crypto, distinct = true): () => void {
  const all = signedSamples(crypto);
  const list = distinct ? all : all.slice(0, 1);
  let next = 0;
  return () => {
    const [key, signature, message] = list[next++ % list.length]!;
    crypto.verify('D', key, signature, message);
  };
}

/**
 * Verifications timed in short slices taken between the chunks of validation runs, outside their
 * timed sections. This VM's verify rate drifts by a fifth within seconds, so a rate measured before
 * or after a run compares it with another moment; slices spread through the run sample the same
 * moments the run had.
 */
class SlicedVerifyRate {
  private verifies = 0;
  private milliseconds = 0;
  private readonly verifyNext: () => void;
  /** Slices taken so far. */
  slices = 0;

  constructor(
    crypto: Crypto,
    private readonly sliceMilliseconds = 20,
  ) {
    this.verifyNext = sampleVerifier(crypto);
  }

  /** Verifies distinct signatures for one slice. */
  slice(): void {
    const { count, elapsed } = timed(this.verifyNext, this.sliceMilliseconds, 50);
    this.verifies += count;
    this.milliseconds += elapsed;
    this.slices++;
  }

  get perSecond(): number {
    return rate(this.verifies, this.milliseconds);
  }
}

/** The machine's limit: Ed25519 verifications per second on one core, over distinct signatures. */
function ed25519VerifyRate(crypto: Crypto, milliseconds = 1500, distinct = true): number {
  return measure(sampleVerifier(crypto, distinct), milliseconds);
}

const corpus = join(
  fileURLToPath(import.meta.url),
  '..',
  '..',
  '..',
  'test',
  'vectors',
  'keripy-1.3.6',
  'cases',
);

function cesrParse(): void {
  const kel = readFileSync(join(corpus, 'long_kel_100', 'stream.cesr'));
  const copies = Math.ceil(scaled(10 * 1024 * 1024, 256 * 1024) / kel.length);
  const stream = new Uint8Array(kel.length * copies);
  for (let i = 0; i < copies; i++) stream.set(kel, i * kel.length);
  // Streaming, as a consumer reads a socket or a file: 1 MiB chunks, each message taken and dropped.
  let best = Number.POSITIVE_INFINITY;
  let messages = 0;
  for (let run = 0; run < scaled(5, 1); run++) {
    const start = performance.now();
    const parser = new StreamParser();
    let count = 0;
    for (let offset = 0; offset < stream.length; offset += 1 << 20) {
      for (const item of parser.push(stream.subarray(offset, offset + (1 << 20))))
        if (item.type === 'message') count++;
    }
    for (const item of parser.end()) if (item.type === 'message') count++;
    best = Math.min(best, performance.now() - start);
    messages = count;
  }
  const mebibytes = stream.length / (1024 * 1024);
  const throughput = mebibytes / (best / 1000);
  results.cesrParse = {
    mebibytes: +mebibytes.toFixed(2),
    messages,
    mibPerSecond: +throughput.toFixed(1),
    messagesPerSecond: rate(messages, best),
  };
  log(
    `CESR parse        ${mebibytes.toFixed(1)} MiB, ${messages} messages (long_kel_100 repeated), streamed in 1 MiB chunks: ` +
      `${throughput.toFixed(1)} MiB/s, ${rate(messages, best)} messages/s (target >= 50 MiB/s; keri-ts 0.47 MiB/s)`,
  );
}

function saids(crypto: Crypto): void {
  const sad: Sad = {
    v: '',
    t: 'ixn',
    d: '',
    i: 'EPV73iM7Q4ctq2HBUf5LnTcobF9sZA5xEJb3fbWgf_N7',
    s: '1',
    p: 'EPV73iM7Q4ctq2HBUf5LnTcobF9sZA5xEJb3fbWgf_N7',
    a: [{ d: 'EAmy5riCz0YvnZ1lVuSFPDEGlv3c9jJe_v52ohzYSH3d' }],
  };
  const perSecond = measure(() =>
    saidify(sad, { protocol: 'KERI', kind: 'JSON', labels: { d: 'E' } }, crypto.digest),
  );
  results.saidsPerSecond = perSecond;
  log(
    `SAIDs             ${perSecond} per second (saidify of an ixn: serialize, Blake3, serialize)`,
  );
}

/** A KEL written to a file, with how many events it holds. */
interface Input {
  readonly file: string;
  readonly events: number;
}

/**
 * Writes a KEL to a file in `dir`, durably: generating it (signing every event) leaves garbage and
 * dirty pages that must not be charged to the validation that reads it, so every input is made
 * before the warm-up runs, and fsynced (otherwise the store's first fsync also writes it out, as a
 * journalled filesystem commits both).
 */
async function writeInput(crypto: Crypto, dir: string, options: KelOptions): Promise<Input> {
  const file = join(dir, `${options.label}.cesr`);
  const out = createWriteStream(file);
  for (const message of kelMessages(crypto, options)) {
    if (!out.write(message))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  const input = openSync(file, 'r');
  fsyncSync(input);
  closeSync(input);
  return { file, events: options.events };
}

/** One validation run: its timings, and what the report says. */
interface Run {
  readonly elapsed: number;
  readonly streamed: number;
  readonly accepted: number;
  readonly onWorker: number;
  readonly heapAtTenth: number;
  readonly heapAtEnd: number;
}

/** Validates `input` from scratch into a fresh LMDB store on disk. */
async function validateOnce(
  crypto: Crypto,
  input: Input,
  measureHeap: boolean,
  during?: SlicedVerifyRate,
): Promise<Run> {
  const { file } = input;
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-bench-'));
  try {
    const store = LmdbStore.open(join(dir, 'store'));
    const processor = new EventProcessor({ store, crypto });
    const validator = new StreamValidator(processor);
    // Read as `keri kel verify` reads a file.
    const chunks = Math.ceil(statSync(file).size / DEFAULT_CHUNK_SIZE);
    // Retained heap (after a full collection) at a tenth of the stream and at its end: the same
    // means events are streamed, not accumulated. Collections are outside the timed sections, but
    // they are not free: a full collection while no parsed message is alive lets V8 drop the hidden
    // classes of parsed primitives, scanners... and the optimized code built on them, so what
    // follows runs half cold. So there is none before a run, and none in runs too short (under
    // ten chunks) for a tenth to mean anything, which validation then sees as it runs in use.
    const heapNow = measureHeap && chunks >= 10;
    const retained = () => {
      if (!heapNow) return 0;
      global.gc?.();
      return process.memoryUsage().heapUsed;
    };
    const workerBefore = workerAnswers(crypto);
    let heapAtTenth = 0;
    let paused = 0;
    let index = 0;
    during?.slice();
    const start = performance.now();
    for await (const chunk of readFileChunks(file)) {
      await validator.push(chunk);
      const pause = performance.now();
      if (++index === Math.max(1, Math.round(chunks / 10))) heapAtTenth = retained();
      // Not after the last chunk: the batch being committed would become durable meanwhile, and
      // the end of the stream, which waits for it, would look shorter than it is.
      if (index < chunks) during?.slice();
      paused += performance.now() - pause;
    }
    const pause = performance.now();
    const heapAtEnd = retained();
    paused += performance.now() - pause;
    const streamed = performance.now() - start - paused;
    const report = await validator.end();
    const elapsed = performance.now() - start - paused;
    during?.slice();
    await store.close();
    return {
      elapsed,
      streamed,
      accepted: Object.values(report.accepted)[0]?.kel.length ?? 0,
      onWorker: workerAnswers(crypto) - workerBefore,
      heapAtTenth,
      heapAtEnd,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Validates `input` `runs` times (each from scratch into a fresh store) and reports the median run
 * by elapsed time, with the range: a run of a thousand events lasts some 50 ms, and on a shared
 * machine one run that short says more about that moment than about the code.
 */
async function validation(
  crypto: Crypto,
  name: string,
  input: Input,
  verifiesPerEvent: number,
  verifyRate: number,
  { quiet = false, runs = 1, oneThread = crypto } = {},
): Promise<void> {
  const events = input.events;
  // This machine's speed drifts by a fifth within seconds (other guests on the host), so the
  // verify rate is also measured right before and after the runs, for a second percentage.
  const rateBefore = quiet ? 0 : ed25519VerifyRate(oneThread, 500);
  const all: Run[] = [];
  const during = quiet ? undefined : new SlicedVerifyRate(oneThread);
  for (let run = 0; run < runs; run++) all.push(await validateOnce(crypto, input, !quiet, during));
  if (during === undefined) return; // quiet
  const localRate = Math.round((rateBefore + ed25519VerifyRate(oneThread, 500)) / 2);
  const duringLimit = Math.round(during.perSecond / verifiesPerEvent);
  const sorted = [...all].sort((a, b) => a.elapsed - b.elapsed);
  const median = sorted[(sorted.length - 1) >> 1]!;
  const { elapsed, streamed, accepted, onWorker, heapAtTenth, heapAtEnd } = median;
  const endOfStream = elapsed - streamed;
  const eventsPerSecond = rate(events, elapsed);
  const limit = Math.round(verifyRate / verifiesPerEvent);
  const share = Math.round((eventsPerSecond / limit) * 100);
  const localLimit = Math.round(localRate / verifiesPerEvent);
  const localShare = Math.round((eventsPerSecond / localLimit) * 100);
  const duringShare = Math.round((eventsPerSecond / duringLimit) * 100);
  // The slices are pooled over all runs, so the runs are also taken together: slower runs count.
  const allRunsRate = rate(
    events * runs,
    all.reduce((sum, run) => sum + run.elapsed, 0),
  );
  const allRunsShare = Math.round((allRunsRate / duringLimit) * 100);
  const range =
    runs > 1
      ? {
          runs,
          eventsPerSecondRange: [
            rate(events, sorted.at(-1)!.elapsed),
            rate(events, sorted[0]!.elapsed),
          ],
        }
      : {};
  const measureHeap = heapAtEnd > 0;
  results[name] = {
    events,
    accepted,
    seconds: +(elapsed / 1000).toFixed(2),
    eventsPerSecond,
    ...range,
    verifyBoundLimit: limit,
    percentOfLimit: share,
    verifiesPerSecondAroundRun: localRate,
    percentOfLimitAroundRun: localShare,
    verifiesPerSecondDuringRuns: during.perSecond,
    verifySlicesDuringRuns: during.slices,
    percentOfLimitDuringRuns: duringShare,
    ...(runs > 1
      ? {
          eventsPerSecondAllRunsTogether: allRunsRate,
          percentOfLimitDuringRunsAllRuns: allRunsShare,
        }
      : {}),
    ...('workerAnswers' in crypto ? { verificationsOnWorker: onWorker } : {}),
    microsecondsPerEvent: +((streamed * 1000) / events).toFixed(1),
    endOfStreamMilliseconds: +endOfStream.toFixed(1),
    ...(measureHeap
      ? {
          retainedHeapMiB: {
            atTenth: +(heapAtTenth / 1048576).toFixed(1),
            atEnd: +(heapAtEnd / 1048576).toFixed(1),
          },
        }
      : {}),
  };
  const worker =
    'workerAnswers' in crypto
      ? `; ${Math.round((onWorker / (events * verifiesPerEvent)) * 100)}% of verifications on the worker`
      : '';
  const spread =
    runs > 1
      ? ` (median of ${runs} runs; ${range.eventsPerSecondRange![0]}-${range.eventsPerSecondRange![1]} events/s)`
      : '';
  log(
    `${name.padEnd(17)} ${events} events (${accepted} accepted) in ${(elapsed / 1000).toFixed(2)} s: ` +
      `${eventsPerSecond} events/s${spread} = ${share}% of the verify-bound ${limit}/s ` +
      `(${localShare}% of ${localLimit}/s, the rate measured around ${runs > 1 ? 'these runs' : 'this run'}; ` +
      `${duringShare}% of ${duringLimit}/s, the rate in ${during.slices} slices between its chunks${runs > 1 ? `; all runs together ${allRunsRate} events/s = ${allRunsShare}% of it` : ''}); ` +
      `${((streamed * 1000) / events).toFixed(1)} µs/event while streaming + ${endOfStream.toFixed(0)} ms at the end (last commit, report)${measureHeap ? `; retained heap ${(heapAtTenth / 1048576).toFixed(1)} MiB at 10%, ${(heapAtEnd / 1048576).toFixed(1)} MiB at 100%` : ''}${worker}`,
  );
}

/** Salty key derivations per second at each of keripy's tiers (argon2id: temp, low, med, high). */
async function keyDerivations(crypto: Crypto): Promise<void> {
  const salt = saltFromQb64('0AAwMTIzNDU2Nzg5YWJjZGVm');
  const perTier: Record<string, number> = {};
  const runs: Record<StretchTier, number> = smoke
    ? { temp: 10, low: 1, med: 1, high: 0 }
    : { temp: 2000, low: 6, med: 3, high: 1 };
  for (const tier of ['temp', 'low', 'med', 'high'] as const) {
    const start = performance.now();
    for (let i = 0; i < runs[tier]; i++) deriveSigner(crypto, salt, `bench${i}`, { tier });
    const elapsed = performance.now() - start;
    perTier[tier] = +((runs[tier] * 1000) / elapsed).toFixed(tier === 'temp' ? 0 : 2);
  }
  results.keyDerivationsPerSecond = perTier;
  log(
    `Key derivations   per second: temp ${perTier.temp}, low ${perTier.low}, med ${perTier.med}, high ${perTier.high} ` +
      '(argon2id; keripy tiers: 8 KiB/1 op, 64 MiB/2, 256 MiB/3, 1 GiB/4)',
  );
}

/** Events a local identifier signs and commits per second (each one durable before the next). */
async function localSigning(crypto: Crypto): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'kestrel-bench-controller-'));
  try {
    const controller = await Controller.init({ base, name: 'bench', crypto, tier: 'temp' });
    await controller.incept('bench', { temp: true });
    const count = scaled(500, 10);
    const start = performance.now();
    for (let i = 0; i < count; i++)
      await controller.interact('bench', [{ d: controller.state('bench').said }]);
    const elapsed = performance.now() - start;
    await controller.close();
    results.localSignedEventsPerSecond = rate(count, elapsed);
    log(
      `Local signing     ${rate(count, elapsed)} interaction events/s for a local identifier ` +
        '(build, sign, validate as owner, durable commit to LMDB before the next)',
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Multisig: last signature to published event, and proposals one agent takes per second. */
async function multisigGroups(crypto: Crypto): Promise<void> {
  const latency = await lastSignatureToPublished(crypto, scaled(40, 3));
  const intake = await proposalsPerSecond(crypto, scaled(400, 16));
  results.multisig = { lastSignatureToPublished: latency, proposals: intake };
  log(
    `Multisig          last needed signature -> event published and accepted by the other member: median ${latency.medianMilliseconds} ms, p95 ${latency.p95Milliseconds} ms (${latency.rounds} interactions of a 2-of-2 group, agents on loopback HTTP)`,
  );
  log(
    `                  ${intake.perSecond} incoming proposals/s checked and recorded by one agent (${intake.recorded} of ${intake.proposals} recorded; exn, sender signature, event keys and signatures)`,
  );
}

async function main(): Promise<void> {
  const crypto = await createNodeCrypto();
  log(`Kestrel benchmark — node ${process.version}, ${process.platform}/${process.arch}`);
  if (smoke) log('Smoke run (--smoke): tiny inputs, figures mean nothing');
  results.smoke = smoke;
  const verifyRate = ed25519VerifyRate(crypto);
  const repeatedRate = ed25519VerifyRate(crypto, 1000, false);
  results.ed25519VerifiesPerSecond = verifyRate;
  results.ed25519VerifiesPerSecondOneSignatureRepeated = repeatedRate;
  log(
    `Machine limit     ${verifyRate} Ed25519 verifies/s (libsodium, one core, 1024 distinct signatures; ` +
      `${repeatedRate}/s verifying one signature over and over)`,
  );
  cesrParse();
  saids(crypto);
  const inputs = mkdtempSync(join(tmpdir(), 'kestrel-bench-inputs-'));
  try {
    const multisig = {
      keyCount: 5,
      signingThreshold: ['1/3', '1/3', '1/3', '1/3', '1/3'],
      nextThreshold: ['1/3', '1/3', '1/3', '1/3', '1/3'],
      signerCount: 3,
    };
    const warm = await writeInput(crypto, inputs, {
      label: 'bench-warm',
      events: scaled(2_000, 50),
    });
    const kel1k = await writeInput(crypto, inputs, {
      label: 'bench-1k',
      events: scaled(1_000, 50),
    });
    const kel100k = await writeInput(crypto, inputs, {
      label: 'bench-100k',
      events: scaled(100_000, 200),
    });
    // Delivery as a network gives it: one event in a hundred comes after the one that follows it.
    const shuffled10k = await writeInput(crypto, inputs, {
      label: 'bench-shuffled',
      events: scaled(10_000, 100),
      swapEvery: 100,
    });
    // A witnessed KEL as a validator receives it: three witnesses (toad 2), two receipts attached
    // to each event and the third witness's sent after it in an rct. Four signatures per event.
    const witnessed10k = await writeInput(crypto, inputs, {
      label: 'bench-witnessed',
      events: scaled(10_000, 100),
      witnessCount: 3,
      witnessThreshold: 2,
      lateReceipts: 1,
    });
    const ms10k = await writeInput(crypto, inputs, {
      ...multisig,
      label: 'bench-ms',
      events: scaled(10_000, 30),
    });
    // Warm the JIT first, so the 1k figure is not a measure of compilation: V8 is still
    // optimizing the validation path after two thousand events, and the first commits into each of
    // the first few stores opened take several times longer than later ones.
    for (let run = 0; run < scaled(5, 1); run++)
      await validation(crypto, 'warm-up', warm, 1, verifyRate, { quiet: true });
    log('Validation into LMDB on disk, durable commits (fresh store, streamed from a file):');
    await validation(crypto, 'kel-1k', kel1k, 1, verifyRate, { runs: scaled(5, 2) });
    await validation(crypto, 'kel-100k', kel100k, 1, verifyRate);
    // These take paths the warm-up did not (escrows, receipts): one run each first, unmeasured,
    // so that their figures, like the others, are of optimized code.
    for (const [name, input, verifies] of [
      ['kel-10k-shuffled', shuffled10k, 1],
      ['witnessed-10k', witnessed10k, 4],
    ] as const) {
      await validation(crypto, 'warm-up', input, verifies, verifyRate, { quiet: true });
      await validation(crypto, name, input, verifies, verifyRate);
    }
    await validation(crypto, 'multisig-10k', ms10k, 3, verifyRate);
    // Two threads: signatures verified on a worker thread ahead of the processor, which takes over
    // any it gets to first. Still compared with one core's verify rate, so above 100% is possible.
    log('The same with signatures verified on a worker thread too (two threads, two cores):');
    const parallel = createParallelCrypto(crypto);
    for (let run = 0; run < scaled(2, 1); run++)
      await validation(parallel, 'warm-up', warm, 1, verifyRate, { quiet: true });
    const oneThread = crypto;
    await validation(parallel, 'kel-1k-2t', kel1k, 1, verifyRate, {
      runs: scaled(5, 2),
      oneThread,
    });
    await validation(parallel, 'kel-100k-2t', kel100k, 1, verifyRate, { oneThread });
    await validation(parallel, 'multisig-10k-2t', ms10k, 3, verifyRate, { oneThread });
    await parallel.close();
  } finally {
    rmSync(inputs, { recursive: true, force: true });
  }
  await keyDerivations(crypto);
  await localSigning(crypto);
  await multisigGroups(crypto);
  if (json) console.log(JSON.stringify(results, null, 2));
}

await main();
