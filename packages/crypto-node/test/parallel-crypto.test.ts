/**
 * The worker-thread verifier answers exactly what verifying its arguments gives: for announced and
 * unannounced checks, valid and invalid signatures, arguments that differ in one byte from what was
 * announced, more checks than the ring holds, and after it is closed.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { SignatureCheck } from '@kestrel/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeCrypto, createParallelCrypto } from '../src/index.js';
import { SLOTS } from '../src/verify-worker.js';

const base = await createNodeCrypto();
const parallel = createParallelCrypto(base);
afterAll(() => parallel.close());

const seed = base.randomBytes(32);
const publicKey = base.publicKey('A', seed);

function check(size = 300): SignatureCheck {
  const message = base.randomBytes(size);
  return { keyCode: 'D', publicKey, signature: base.sign('A', seed, message), message };
}

function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index]! ^= 1;
  return copy;
}

const answer = (c: SignatureCheck) =>
  parallel.verify(c.keyCode, c.publicKey, c.signature, c.message);

/** Lets the worker get ahead (it starts asynchronously). */
const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('createParallelCrypto', () => {
  it('verifies announced checks, on the worker or here, as the base crypto does', async () => {
    const checks = Array.from({ length: 200 }, () => check());
    const before = parallel.workerAnswers;
    parallel.expect?.(checks);
    await pause(200);
    for (const c of checks) expect(answer(c)).toBe(true);
    expect(parallel.workerAnswers - before).toBeGreaterThan(0);
  });

  it('answers false for invalid signatures, whoever verifies them', async () => {
    const valid = Array.from({ length: 50 }, () => check());
    const invalid = valid.map((c, i) => ({ ...c, signature: flipped(c.signature, i % 64) }));
    parallel.expect?.(invalid);
    await pause(20);
    for (const c of invalid) expect(answer(c)).toBe(false);
    for (const c of valid) expect(answer(c)).toBe(true); // not announced
  });

  it('never gives an announced answer for arguments that differ from what was announced', async () => {
    const announced = Array.from({ length: 30 }, () => check());
    parallel.expect?.(announced);
    await pause(20);
    announced.forEach((c, i) => {
      const variants: SignatureCheck[] = [
        { ...c, message: flipped(c.message, i) },
        { ...c, message: c.message.subarray(1) },
        { ...c, publicKey: flipped(c.publicKey, i % 32) },
        { ...c, publicKey: base.randomBytes(32) },
      ];
      for (const variant of variants)
        expect(answer(variant)).toBe(
          base.verify(variant.keyCode, variant.publicKey, variant.signature, variant.message),
        );
      expect(answer(c)).toBe(true); // the announced answer is still there for the exact bytes
    });
  });

  it('keeps answering correctly when more checks are announced than the ring holds', async () => {
    const checks = Array.from({ length: SLOTS * 2 + 17 }, (_, i) =>
      i % 5 === 0 ? { ...check(64), signature: flipped(check(64).signature, 3) } : check(64),
    );
    for (let i = 0; i < checks.length; i += 100) parallel.expect?.(checks.slice(i, i + 100));
    for (const c of checks)
      expect(answer(c)).toBe(base.verify(c.keyCode, c.publicKey, c.signature, c.message));
  });

  it('leaves other schemes and oversized messages to the base crypto', () => {
    const big = check(10_000);
    parallel.expect?.([big]);
    expect(answer(big)).toBe(true);
    expect(parallel.verify('1AAA', publicKey, big.signature, big.message)).toBe(false);
  });

  it('still verifies after it is closed', async () => {
    const closing = createParallelCrypto(base);
    const checks = Array.from({ length: 20 }, () => check());
    closing.expect?.(checks);
    await closing.close();
    closing.expect?.([check()]);
    for (const c of checks)
      expect(closing.verify(c.keyCode, c.publicKey, c.signature, c.message)).toBe(true);
  });

  it('uses its worker in a `node --input-type=module -e` script too', () => {
    const script = `
      import { createNodeCrypto, createParallelCrypto } from '@kestrel/crypto-node';
      const base = await createNodeCrypto();
      const parallel = createParallelCrypto(base);
      const seed = base.randomBytes(32);
      const publicKey = base.publicKey('A', seed);
      const checks = Array.from({ length: 64 }, () => {
        const message = base.randomBytes(100);
        return { keyCode: 'D', publicKey, signature: base.sign('A', seed, message), message };
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      parallel.expect(checks);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const valid = checks.filter((c) => parallel.verify(c.keyCode, c.publicKey, c.signature, c.message));
      console.log(JSON.stringify({ valid: valid.length, onWorker: parallel.workerAnswers }));
      await parallel.close();
    `;
    // --expose-gc as the benchmark runs: a flag Node refuses to hand to a worker.
    const flags = ['--expose-gc', '--input-type=module', '-e', script];
    const output = execFileSync(process.execPath, flags, {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    const { valid, onWorker } = JSON.parse(output) as { valid: number; onWorker: number };
    expect(valid).toBe(64);
    expect(onWorker).toBeGreaterThan(0);
  });
});
