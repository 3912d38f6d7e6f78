/**
 * @module private-lmdb
 * An LMDB environment for one user's eyes: its directory created 0700 and its files 0600, under
 * umask 077 so that no file is world-readable even for a moment. The keystore (secrets) and a
 * controller's records open theirs this way.
 */
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';

export function openPrivateLmdb(path: string): RootDatabase {
  const previous = process.umask(0o077);
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    const root = open({
      path,
      // A directory even when its name has a dot: lmdb-js would take `alice.keystore` for a file.
      noSubdir: false,
      maxDbs: 8,
      commitDelay: 0,
      // Overlapping sync off: with it, lmdb-js lost commits when several processes wrote one
      // store (see `WRITE_OPTIONS` in @kestrel/store-lmdb).
      overlappingSync: false,
    });
    for (const file of readdirSync(path)) chmodSync(join(path, file), 0o600);
    return root;
  } finally {
    process.umask(previous);
  }
}
