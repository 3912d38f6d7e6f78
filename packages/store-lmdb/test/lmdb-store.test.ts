import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '@kestrel/store-lmdb';
import { afterAll, expect, it } from 'vitest';
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

it('opens a directory whose name has a dot as a directory', async () => {
  // `keri kel verify --store kel.store`: lmdb-js takes a path with an extension for a file.
  const path = join(root, `kel.store-${count++}`);
  const store = LmdbStore.open(path);
  await store.commit([{ table: 'meta', key: 'k', value: 1 }]);
  await store.close();
  const reopened = LmdbStore.open(path);
  expect(reopened.get('meta', 'k')).toBe(1);
  await reopened.close();
});
