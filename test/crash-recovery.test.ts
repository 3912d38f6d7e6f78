/**
 * Crash safety of the LMDB store: `keri kel verify --store DIR` is killed with SIGKILL at random
 * moments while ingesting a long KEL, again and again. After every kill the store must reopen, hold
 * only whole events that validate again from scratch, with a key state that matches its KEL; and
 * feeding the stream once more must complete it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes } from '@kestrel/cesr';
import {
  controllerSignatures,
  EventProcessor,
  KelStore,
  MemoryStore,
  messagize,
  StreamValidator,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { LmdbStore } from '@kestrel/store-lmdb';
import { kelStream } from '@kestrel/testing';
import { open } from 'lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { signaturesFromStore } from './support/stored.js';

const KERI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'keri.js');
const crypto = await createNodeCrypto();
const root = mkdtempSync(join(tmpdir(), 'kestrel-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const EVENTS = 12_000;
const streamFile = join(root, 'kel.cesr');
writeFileSync(streamFile, kelStream(crypto, { label: 'crash', events: EVENTS, rotateEvery: 7 }));

/** Events committed so far, read by a second reader while the child writes. */
function committedEvents(store: string): number {
  // Not before the child has written LMDB's two meta pages: a file it has only just created is
  // empty, and mapping it then is a race this poll need not run.
  const file = join(store, 'data.mdb');
  if (!existsSync(file) || statSync(file).size < 4 * 4096) return 0;
  let reader: ReturnType<typeof open> | undefined;
  try {
    reader = open({ path: store, readOnly: true, maxDbs: 16 });
    // A store whose tables the child has not created yet has none to open (read-only): nothing
    // is committed.
    return reader.openDB({ name: 'events' })?.getCount() ?? 0;
  } catch {
    return 0; // caught mid-initialisation: asked again 10 ms later
  } finally {
    reader?.close();
  }
}

/**
 * Runs `keri kel verify --store` on the stream; with `killAt`, sends SIGKILL as soon as the store
 * holds that many committed events, so the kill lands mid-ingest however fast the machine is.
 */
function runVerify(
  store: string,
  killAt?: number,
): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [KERI, 'kel', 'verify', streamFile, '--store', store, '--json'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    let killed = false;
    const poll =
      killAt === undefined
        ? undefined
        : setInterval(() => {
            if (killed || committedEvents(store) < killAt) return;
            clearInterval(poll);
            setTimeout(
              () => {
                killed = child.kill('SIGKILL');
              },
              Math.floor(Math.random() * 40),
            );
          }, 10);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (poll) clearInterval(poll);
      resolve({ killed, code });
    });
  });
}

/** Re-validates everything the store says it accepted, in first-seen order, from scratch. */
async function checkStore(dir: string): Promise<number> {
  const store = LmdbStore.open(dir);
  try {
    const kel = new KelStore(store);
    const prefixes = [...kel.prefixes()];
    if (prefixes.length === 0) return 0;
    expect(prefixes).toHaveLength(1);
    const prefix = prefixes[0]!;
    const messages: Uint8Array[] = [];
    let lastSn = -1n;
    for (const { said, sn } of kel.firstSeenOrder(prefix)) {
      const record = kel.event(prefix, said, sn);
      expect(record, `first-seen event ${said} has no record`).toBeDefined();
      messages.push(
        messagize(record!.raw, [controllerSignatures(signaturesFromStore(record!.signatures))]),
      );
      lastSn = BigInt(`0x${record!.sn}`);
    }
    const state = kel.state(prefix);
    expect(state, 'a store with events has a key state').toBeDefined();
    expect(BigInt(`0x${state!.s}`)).toBe(lastSn);
    const fresh = new StreamValidator(new EventProcessor({ store: new MemoryStore(), crypto }));
    await fresh.push(concatBytes(...messages));
    const report = await fresh.end();
    expect(report.not_accepted).toEqual([]);
    expect(report.accepted[prefix]!.state.d).toBe(state!.d);
    return messages.length;
  } finally {
    await store.close();
  }
}

describe('crash safety of the LMDB store', () => {
  it('survives SIGKILL mid-ingest many times and completes on re-feeding', {
    timeout: 180_000,
  }, async () => {
    const dir = join(root, 'store');
    const counts: number[] = [];
    let kills = 0;
    let committed = 0;
    for (let round = 0; round < 5; round++) {
      const killAt = Math.min(EVENTS - 2000, committed + 1000 + Math.floor(Math.random() * 1500));
      const { killed } = await runVerify(dir, killAt);
      if (killed) kills++;
      committed = await checkStore(dir);
      counts.push(committed);
    }
    expect(kills).toBeGreaterThan(0);
    // Progress is monotonic: a crash never loses what an earlier run committed.
    for (let i = 1; i < counts.length; i++)
      expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]!);
    // At least one kill landed in the middle: some events committed, not all.
    expect(counts.some((count) => count > 0 && count < EVENTS)).toBe(true);
    const final = await runVerify(dir);
    expect(final.code).toBe(0);
    expect(await checkStore(dir)).toBe(EVENTS);
  });
});
