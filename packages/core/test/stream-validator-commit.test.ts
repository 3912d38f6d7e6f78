import {
  EventProcessor,
  type KeyValueStore,
  MemoryStore,
  StreamValidator,
  type Write,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { kelMessages, kelStream } from '@kestrel/testing';
import { describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();
const messages = [...kelMessages(crypto, { label: 'group-commit', events: 300 })];
const stream = kelStream(crypto, { label: 'group-commit', events: 300 });

/** A memory store that records each commit's event writes, and can fail one commit. */
class CountingStore extends MemoryStore {
  readonly batches: number[] = [];

  constructor(private readonly failAt?: number) {
    super();
  }

  override async commit(writes: readonly Write[]): Promise<void> {
    this.batches.push(writes.filter((write) => write.table === 'events').length);
    if (this.batches.length === this.failAt) throw new Error('disk full');
    return super.commit(writes);
  }
}

function validator(store: KeyValueStore, options = {}) {
  return new StreamValidator(new EventProcessor({ store, crypto }), options);
}

describe('stream validator commits', () => {
  it('hands a batch over as soon as the previous one is done when messages trickle in', async () => {
    const store = new CountingStore();
    const validation = validator(store, { minimumBatchSize: 16 });
    for (const message of messages) await validation.push(message);
    const report = await validation.end();
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[Object.keys(report.accepted)[0]!]!.kel).toHaveLength(300);
    // Every batch but the last holds the minimum: each commit is over before the next message.
    expect(store.batches.slice(0, -1).every((events) => events === 16)).toBe(true);
    expect(store.batches.reduce((sum, events) => sum + events, 0)).toBe(300);
  });

  it('caps a batch at batchSize when a large chunk is processed in one go', async () => {
    const store = new CountingStore();
    const validation = validator(store, { batchSize: 100, minimumBatchSize: 16 });
    await validation.push(stream);
    const report = await validation.end();
    expect(report.verdict).toBe('accepted');
    expect(Math.max(...store.batches)).toBeLessThanOrEqual(100);
    expect(store.batches.reduce((sum, events) => sum + events, 0)).toBe(300);
  });

  it('commits a chunk smaller than batchSize in one batch', async () => {
    const store = new CountingStore();
    const validation = validator(store);
    await validation.push(stream);
    const report = await validation.end();
    expect(report.verdict).toBe('accepted');
    expect(store.batches).toEqual([300]);
  });

  it('reports a failed last commit from end()', async () => {
    const validation = validator(new CountingStore(1));
    await validation.push(stream);
    await expect(validation.end()).rejects.toThrow('disk full');
  });

  it('stops handing batches over after a failed commit, and reports the failure', async () => {
    const store = new CountingStore(2);
    const validation = validator(store, { minimumBatchSize: 16 });
    const run = async () => {
      for (const message of messages) await validation.push(message);
      return validation.end();
    };
    await expect(run()).rejects.toThrow('disk full');
    // Later batches build on the lost one (its events, its key state): none was committed.
    expect(store.batches).toHaveLength(2);
  });
});
