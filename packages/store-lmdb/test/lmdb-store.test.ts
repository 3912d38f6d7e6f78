import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '@kestrel/store-lmdb';
import { afterAll } from 'vitest';
import { runStoreContract } from '../../../test/support/store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'kestrel-lmdb-'));
let count = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

runStoreContract('lmdb', {
  create: async () => LmdbStore.open(join(root, `store-${count++}`)),
  reopen: async (store) => {
    const path = (store as LmdbStore).path;
    await store.close();
    return LmdbStore.open(path);
  },
});
