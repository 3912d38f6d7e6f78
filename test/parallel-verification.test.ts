/**
 * Validation with signatures verified on a worker thread (`createParallelCrypto`) reaches exactly
 * the outcomes of validation on one thread: the keripy corpus, and long KELs (rotations, multisig,
 * witness receipts) intact or with damaged signatures, whatever the chunking.
 */
import { concatBytes } from '@kestrel/cesr';
import {
  type Crypto,
  EventProcessor,
  ManualClock,
  MemoryStore,
  StreamValidator,
  type VerifyReport,
} from '@kestrel/core';
import { createNodeCrypto, createParallelCrypto } from '@kestrel/crypto-node';
import { type KelOptions, kelMessages } from '@kestrel/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { expectKeripyVerdict } from './support/expectations.js';
import { allCases } from './support/vectors.js';

const base = await createNodeCrypto();
const parallel = createParallelCrypto(base);
afterAll(() => parallel.close());

async function validate(crypto: Crypto, stream: Uint8Array, chunk: number): Promise<VerifyReport> {
  const processor = new EventProcessor({
    store: new MemoryStore(),
    crypto,
    clock: new ManualClock(),
  });
  const validator = new StreamValidator(processor);
  for (let offset = 0; offset < stream.length; offset += chunk)
    await validator.push(stream.subarray(offset, offset + chunk));
  return validator.end();
}

/** The report without its timing. */
function outcome(report: VerifyReport): Omit<VerifyReport, 'stats'> & { events: number } {
  const { stats, ...rest } = report;
  return { ...rest, events: stats.events };
}

/** A KEL whose every `every`-th message has a flipped bit in its first controller signature. */
function damaged(options: KelOptions, every: number): Uint8Array {
  const messages = [...kelMessages(base, options)];
  return concatBytes(
    ...messages.map((message, index) => {
      if (index === 0 || index % every !== 0) return message;
      const copy = new Uint8Array(message);
      const text = new TextDecoder().decode(copy);
      const signature = text.indexOf('-AAB') + 8; // inside the first signature's raw part
      copy[signature] = copy[signature] === 0x41 ? 0x42 : 0x41;
      return copy;
    }),
  );
}

describe('verification on a worker thread', () => {
  it.each(allCases().map((loaded) => [loaded.name, loaded] as const))(
    'keripy corpus: %s',
    async (_name, loaded) => {
      expectKeripyVerdict(await validate(parallel, loaded.stream, loaded.stream.length), loaded);
    },
  );

  const kels: Array<[string, Uint8Array]> = [
    [
      'rotations, multisig and witness receipts',
      concatBytes(
        ...kelMessages(base, {
          label: 'parallel-multisig',
          events: 300,
          rotateEvery: 7,
          keyCount: 3,
          signingThreshold: '2',
          nextThreshold: '2',
          witnessCount: 2,
        }),
      ),
    ],
    ['damaged signatures', damaged({ label: 'parallel-damaged', events: 400, rotateEvery: 5 }, 37)],
  ];

  it.each(kels)('%s: the same report as on one thread', async (_name, stream) => {
    const before = parallel.workerAnswers;
    // The worker answers only the checks it reaches before the caller does; on a loaded machine
    // (the whole suite on two cores) it may reach none in one pass, so the full comparison is
    // run again, a few times at most, until the worker has answered some.
    for (let round = 0; round < 5 && parallel.workerAnswers === before; round++) {
      for (const chunk of [stream.length, 4096, 333]) {
        const expected = outcome(await validate(base, stream, chunk));
        expect(outcome(await validate(parallel, stream, chunk))).toEqual(expected);
      }
    }
    expect(parallel.workerAnswers).toBeGreaterThan(before);
  });

  it('the damaged KEL is not accepted whole', async () => {
    const report = await validate(parallel, kels[1]![1], 4096);
    expect(report.verdict).toBe('partial');
    expect(report.not_accepted.length).toBeGreaterThan(0);
  });
});
