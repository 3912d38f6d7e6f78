/**
 * `npm run bench`: throughput of Kestrel's hot paths on this machine, each next to the machine's
 * own limit measured in the same run (Ed25519 verifications per second), so figures compare across
 * noisy machines. A benchmark, not a test: it asserts nothing.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseStream, type Sad, saidify } from '@kestrel/cesr';
import { type Crypto, EventProcessor, StreamValidator } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { LmdbStore } from '@kestrel/store-lmdb';
import { type KelOptions, kelMessages } from '@kestrel/testing';

const json = process.argv.includes('--json');
const results: Record<string, unknown> = {};
const log = (line: string) => {
  if (!json) console.log(line);
};

function rate(count: number, milliseconds: number): number {
  return Math.round((count / milliseconds) * 1000);
}

/** Runs `body` repeatedly for about `milliseconds`; returns operations per second. */
function measure(body: () => void, milliseconds = 1000): number {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let i = 0; i < 100; i++) body();
    count += 100;
    elapsed = performance.now() - start;
  }
  return rate(count, elapsed);
}

function ed25519VerifyRate(crypto: Crypto): number {
  const seed = crypto.randomBytes(32);
  const message = crypto.randomBytes(300);
  const signature = crypto.sign('A', seed, message);
  const key = crypto.publicKey('A', seed);
  return measure(() => crypto.verify('D', key, signature, message), 1500);
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
  const copies = Math.ceil((10 * 1024 * 1024) / kel.length);
  const stream = new Uint8Array(kel.length * copies);
  for (let i = 0; i < copies; i++) stream.set(kel, i * kel.length);
  let best = Number.POSITIVE_INFINITY;
  let messages = 0;
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const parsed = parseStream(stream);
    best = Math.min(best, performance.now() - start);
    messages = parsed.messages.length;
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
    `CESR parse        ${mebibytes.toFixed(1)} MiB, ${messages} messages: ${throughput.toFixed(1)} MiB/s, ${rate(messages, best)} messages/s (target >= 50 MiB/s; keri-ts 0.47 MiB/s)`,
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

async function validation(
  crypto: Crypto,
  name: string,
  options: KelOptions,
  verifiesPerEvent: number,
  verifyRate: number,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-bench-'));
  try {
    const file = join(dir, 'kel.cesr');
    const out = createWriteStream(file);
    for (const message of kelMessages(crypto, options)) {
      if (!out.write(message))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    out.end();
    await finished(out);

    const store = LmdbStore.open(join(dir, 'store'));
    const processor = new EventProcessor({ store, crypto });
    const validator = new StreamValidator(processor);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    const start = performance.now();
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      await validator.push(chunk as Buffer);
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
    const report = await validator.end();
    const elapsed = performance.now() - start;
    await store.close();
    const accepted = Object.values(report.accepted)[0]?.kel.length ?? 0;
    const eventsPerSecond = rate(options.events, elapsed);
    const limit = Math.round(verifyRate / verifiesPerEvent);
    const share = Math.round((eventsPerSecond / limit) * 100);
    results[name] = {
      events: options.events,
      accepted,
      seconds: +(elapsed / 1000).toFixed(2),
      eventsPerSecond,
      verifyBoundLimit: limit,
      percentOfLimit: share,
      microsecondsPerEvent: +((elapsed * 1000) / options.events).toFixed(1),
      heapGrowthMiB: +((peakHeap - heapBefore) / 1048576).toFixed(1),
    };
    log(
      `${name.padEnd(17)} ${options.events} events (${accepted} accepted) in ${(elapsed / 1000).toFixed(2)} s: ` +
        `${eventsPerSecond} events/s = ${share}% of the verify-bound ${limit}/s; ` +
        `${((elapsed * 1000) / options.events).toFixed(1)} µs/event; heap +${((peakHeap - heapBefore) / 1048576).toFixed(1)} MiB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const crypto = await createNodeCrypto();
  log(`Kestrel benchmark — node ${process.version}, ${process.platform}/${process.arch}`);
  const verifyRate = ed25519VerifyRate(crypto);
  results.ed25519VerifiesPerSecond = verifyRate;
  log(`Machine limit     ${verifyRate} Ed25519 verifies/s (libsodium, one core)`);
  cesrParse();
  saids(crypto);
  log('Validation into LMDB on disk, durable commits (fresh store, streamed from a file):');
  await validation(crypto, 'kel-1k', { label: 'bench-1k', events: 1_000 }, 1, verifyRate);
  await validation(crypto, 'kel-100k', { label: 'bench-100k', events: 100_000 }, 1, verifyRate);
  await validation(
    crypto,
    'multisig-10k',
    {
      label: 'bench-ms',
      events: 10_000,
      keyCount: 5,
      signingThreshold: ['1/3', '1/3', '1/3', '1/3', '1/3'],
      nextThreshold: ['1/3', '1/3', '1/3', '1/3', '1/3'],
      signerCount: 3,
    },
    3,
    verifyRate,
  );
  if (json) console.log(JSON.stringify(results, null, 2));
}

await main();
