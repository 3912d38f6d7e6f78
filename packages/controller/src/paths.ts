/**
 * @module paths
 * Where a controller keeps its files: `<base>/<name>/keystore` (encrypted keys, 0600),
 * `<base>/<name>/kel` (the KEL store), `<base>/<name>/records` (groups, proposals, peers'
 * endpoints) and `<base>/<name>/agent.json` (how to reach its running agent), with `base` defaulting to `~/.kestrel` (kli keeps
 * `~/.keri/ks/<name>` and `~/.keri/db/<name>`).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ControllerLocation {
  /** Directory holding controllers; default `~/.kestrel`. */
  readonly base?: string;
  readonly name: string;
}

export function controllerPaths(location: ControllerLocation): {
  root: string;
  keystore: string;
  kel: string;
  records: string;
  agent: string;
} {
  const root = join(
    location.base && location.base !== '' ? location.base : join(homedir(), '.kestrel'),
    location.name,
  );
  return {
    root,
    keystore: join(root, 'keystore'),
    kel: join(root, 'kel'),
    records: join(root, 'records'),
    agent: join(root, 'agent.json'),
  };
}
