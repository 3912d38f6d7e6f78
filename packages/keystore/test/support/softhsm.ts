/**
 * A SoftHSM2 token in a temporary directory, created with scripts/softhsm-setup.sh, and a raw
 * pkcs11js session on it for looking at key objects from outside the code under test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as Pkcs11js from 'pkcs11js';

const SETUP_SCRIPT = resolve(import.meta.dirname, '../../../../scripts/softhsm-setup.sh');

export interface SoftHsm {
  /** Path of libsofthsm2.so. */
  readonly module: string;
  readonly tokenLabel: string;
  /** Removes the token directory and restores SOFTHSM2_CONF. */
  remove(): void;
}

/**
 * Fails, rather than skips, without SoftHSM2: CI installs it, and a skipped suite would hide
 * that the hardware signer went untested.
 */
function requireSoftHsm(): void {
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      'SoftHSM2 is not installed (softhsm2-util not found). Run scripts/softhsm-setup.sh, ' +
        'which installs it with apt-get, then run these tests again.',
      { cause: error },
    );
  }
}

/** A fresh token; SOFTHSM2_CONF points at it until `remove()`, for this test process only. */
export function createSoftHsm(tokenLabel: string, pin: string, soPin: string): SoftHsm {
  requireSoftHsm();
  const directory = mkdtempSync(join(tmpdir(), 'kestrel-pkcs11-test-'));
  const conf = join(directory, 'softhsm2.conf');
  let output: string;
  try {
    output = execFileSync('bash', [SETUP_SCRIPT, conf], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        KESTREL_SOFTHSM_LABEL: tokenLabel,
        KESTREL_SOFTHSM_PIN: pin,
        KESTREL_SOFTHSM_SO_PIN: soPin,
      },
    });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`scripts/softhsm-setup.sh failed: ${stderr.trim()}`, { cause: error });
  }
  const exported = new Map(
    [...output.matchAll(/^export (\w+)=(.*)$/gm)].map((match) => [match[1], match[2]]),
  );
  const module = exported.get('KESTREL_PKCS11_MODULE');
  if (exported.get('SOFTHSM2_CONF') !== conf || module === undefined) {
    throw new Error(`Unexpected output of scripts/softhsm-setup.sh:\n${output}`);
  }
  // SoftHSM reads SOFTHSM2_CONF in C_Initialize; vitest runs each test file in its own process.
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  return {
    module,
    tokenLabel,
    remove() {
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export type Pkcs11Api = typeof Pkcs11js;

/**
 * Runs `inspect` in a logged-in session of a separate pkcs11js binding: read-only unless `write`
 * (for tests that tamper with the token behind the code's back). No `Pkcs11Token` may be open
 * meanwhile: the module allows one initialisation per process.
 */
export function withRawSession<T>(
  hsm: SoftHsm,
  pin: string,
  inspect: (api: Pkcs11Api, module: Pkcs11js.PKCS11, session: Buffer) => T,
  options: { write?: boolean } = {},
): T {
  const api = createRequire(import.meta.url)('pkcs11js') as Pkcs11Api;
  const module = new api.PKCS11();
  module.load(hsm.module);
  module.C_Initialize();
  try {
    const slot = module
      .C_GetSlotList(true)
      .find((candidate) => module.C_GetTokenInfo(candidate).label.trimEnd() === hsm.tokenLabel);
    if (slot === undefined) throw new Error(`No token '${hsm.tokenLabel}'`);
    const flags = api.CKF_SERIAL_SESSION | (options.write ? api.CKF_RW_SESSION : 0);
    const session = module.C_OpenSession(slot, flags);
    module.C_Login(session, api.CKU_USER, pin);
    try {
      return inspect(api, module, session);
    } finally {
      module.C_Logout(session);
      module.C_CloseSession(session);
    }
  } finally {
    module.C_Finalize();
    module.close();
  }
}
