import { createReadStream, rmSync } from 'node:fs';
import { EventProcessor, StreamValidator } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { LmdbStore } from '@kestrel/store-lmdb';

const crypto = await createNodeCrypto();
const N = 100000;
rmSync('/tmp/kb/store', { recursive: true, force: true });
const store = LmdbStore.open('/tmp/kb/store');
const v = new StreamValidator(new EventProcessor({ store, crypto }));
const t = performance.now();
for await (const chunk of createReadStream(`/tmp/kb/kel-${N}.cesr`, { highWaterMark: 1 << 20 }))
  await v.push(chunk);
console.log('streaming events/s', Math.round((N / (performance.now() - t)) * 1000));
await store.close();
