/**
 * Keys in a PKCS#11 token through the `keri` binary, against a real SoftHSM2 token made for this
 * file by scripts/softhsm-setup.sh: every KEL is exported and verified by `keri kel verify --json`
 * in a fresh store; the private keys stay in the token (sensitive, never extractable); a wrong PIN,
 * a missing module or token, or a key the token lost is a typed error that changes nothing; and
 * the PIN appears in no output.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexerFromQb64, matterFromQb64, textToBytes } from '@kestrel/cesr';
import { controllerPaths } from '@kestrel/controller';
import { nextKeyDigest } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { Keystore } from '@kestrel/keystore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSoftHsm,
  type SoftHsm,
  withRawSession,
} from '../packages/keystore/test/support/softhsm.js';
import { type KeriResult, keri } from './support/keri.js';

// Distinctive secrets, so that finding one in an output cannot be a coincidence.
const PIN = '846201937';
const SO_PIN = '55031877';
const WRONG_PIN = '7319046625';
const PASSCODE = 'TokenKeystorePasscode21';
const NEXT_PASSCODE = 'NextKeystorePasscode2121';
const LABEL = 'kestrel-cli-hsm';

const crypto = await createNodeCrypto();
const base = mkdtempSync(join(tmpdir(), 'kestrel-cli-hsm-'));
let hsm: SoftHsm;
/** Every output of every run, searched for the secrets at the end. */
const outputs: KeriResult[] = [];

beforeAll(() => {
  hsm = createSoftHsm(LABEL, PIN, SO_PIN);
});

afterAll(() => {
  for (const output of outputs) {
    for (const secret of [PIN, WRONG_PIN, PASSCODE, NEXT_PASSCODE]) {
      expect(output.stdout).not.toContain(secret);
      expect(output.stderr).not.toContain(secret);
    }
  }
  hsm?.remove();
  rmSync(base, { recursive: true, force: true });
});

const withPin = { KERI_PASSCODE: PASSCODE, KERI_HSM_PIN: PIN };
const withoutPin = { KERI_PASSCODE: PASSCODE, KERI_HSM_PIN: '' };

async function run(args: string[], env: Record<string, string> = withPin, input?: string) {
  const result = await keri([...args, '--base', base], {
    env,
    ...(input !== undefined ? { input } : {}),
  });
  outputs.push(result);
  return result;
}

async function ok(args: string[], env: Record<string, string> = withPin) {
  const result = await run(args, env);
  if (result.code !== 0)
    throw new Error(`keri ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

/** Exit status 3 and the error code in brackets, as `keri` reports a runtime error. */
function expectFailure(result: KeriResult, code: string, message?: RegExp) {
  expect(result.code, result.stderr).toBe(3);
  expect(result.stderr).toContain(`[${code}]`);
  if (message) expect(result.stderr).toMatch(message);
}

async function verifyFresh(name: string, alias: string) {
  const kel = (await ok(['kel', 'export', '--name', name, '--alias', alias])).stdout;
  const verified = await keri(['kel', 'verify', '-', '--json'], { input: kel });
  outputs.push(verified);
  const report = JSON.parse(verified.stdout);
  expect(report.verdict).toBe('accepted');
  expect(verified.code).toBe(0);
  return Object.values<any>(report.accepted)[0].state;
}

async function stateOf(name: string, alias: string, env: Record<string, string> = withPin) {
  return JSON.parse((await ok(['status', '-n', name, '-a', alias, '--json'], env)).stdout);
}

const digests = (keys: readonly string[]) => keys.map((key) => nextKeyDigest(crypto, key).qb64);

/** What the token says about the private key of `publicKey`, from outside the code under test. */
function privateKeyAttributes(publicKey: string) {
  return withRawSession(hsm, PIN, (api, module, session) => {
    module.C_FindObjectsInit(session, [
      { type: api.CKA_CLASS, value: api.CKO_PRIVATE_KEY },
      { type: api.CKA_ID, value: Buffer.from(publicKey, 'ascii') },
    ]);
    const found = module.C_FindObjects(session, 2);
    module.C_FindObjectsFinal(session);
    if (found.length !== 1) return undefined;
    const [sensitive, extractable, neverExtractable] = module
      .C_GetAttributeValue(session, found[0]!, [
        { type: api.CKA_SENSITIVE },
        { type: api.CKA_EXTRACTABLE },
        { type: api.CKA_NEVER_EXTRACTABLE },
      ])
      .map((attribute) => attribute.value[0]);
    return { sensitive, extractable, neverExtractable };
  });
}

/** Removes a key pair behind the keystore's back (a token reset, another application...). */
function removeFromToken(publicKey: string) {
  withRawSession(
    hsm,
    PIN,
    (api, module, session) => {
      module.C_FindObjectsInit(session, [{ type: api.CKA_ID, value: Buffer.from(publicKey) }]);
      const found = module.C_FindObjects(session, 4);
      module.C_FindObjectsFinal(session);
      for (const object of found) module.C_DestroyObject(session, object);
    },
    { write: true },
  );
}

async function withKeystore<T>(name: string, use: (keystore: Keystore) => T): Promise<T> {
  const keystore = await Keystore.open(controllerPaths({ base, name }).keystore, crypto, {
    passcode: PASSCODE,
  });
  try {
    return use(keystore);
  } finally {
    await keystore.close();
  }
}

const fingerprint = (name: string) =>
  createHash('sha256')
    .update(readFileSync(join(controllerPaths({ base, name }).keystore, 'data.mdb')))
    .digest('hex');

/** The KEL and keystore, to compare before and after a refusal. */
async function snapshot(name: string, alias: string) {
  const kel = (await ok(['kel', 'export', '-n', name, '-a', alias], withoutPin)).stdout;
  return { kel, keystore: fingerprint(name) };
}

describe('keri with keys in a PKCS#11 token (SoftHSM2)', () => {
  it('init records the token; incept, interact, rotate and sign use it; the KEL verifies', async () => {
    const init = await ok([
      'init',
      '--name',
      'vault',
      '--tier',
      'temp',
      '--algo',
      'pkcs11',
      '--hsm-module',
      hsm.module,
      '--hsm-token',
      LABEL,
      '--json',
    ]);
    expect(JSON.parse(init.stdout)).toMatchObject({
      encrypted: true,
      algorithm: 'pkcs11',
      token: { module: hsm.module, label: LABEL },
    });

    const incept = await ok([
      'incept',
      '-n',
      'vault',
      '-a',
      'vault',
      '--transferable',
      '--icount',
      '2',
      '--isith',
      '2',
      '--ncount',
      '2',
      '--nsith',
      '2',
      '--json',
    ]);
    // Progress on stderr, one line at the start and one at the end (not a terminal).
    expect(incept.stderr).toContain(`Generating 2 key pairs in token '${LABEL}'...\n`);
    expect(incept.stderr).toMatch(
      new RegExp(`Generating 2 key pairs in token '${LABEL}': done in \\d+\\.\\d s\\n`),
    );
    const incepted = JSON.parse(incept.stdout).state;
    const firstKeys: string[] = incepted.k;
    const firstNext: string[] = incepted.n;

    await ok(['interact', '-n', 'vault', '-a', 'vault', '--data', `[{"d":"${incepted.d}"}]`]);
    const rotated = JSON.parse(
      (await ok(['rotate', '-n', 'vault', '-a', 'vault', '--isith', '2', '--nsith', '2', '--json']))
        .stdout,
    ).state;
    // The pre-rotated keys, made in the token at inception, are now the signing keys.
    expect(digests(rotated.k)).toEqual(firstNext);

    const signed = JSON.parse(
      (await ok(['sign', '-n', 'vault', '-a', 'vault', '--text', 'signed in the token', '--json']))
        .stdout,
    );
    expect(signed.signatures).toHaveLength(2);
    for (const qb64 of signed.signatures) {
      const signature = indexerFromQb64(qb64);
      const key = matterFromQb64(rotated.k[signature.index]);
      expect(
        crypto.verify(key.code, key.raw, signature.raw, textToBytes('signed in the token')),
      ).toBe(true);
    }

    const status = await stateOf('vault', 'vault');
    expect(status.keys).toEqual({ current: 'token', next: 'token', token: LABEL });

    const verified = await verifyFresh('vault', 'vault');
    expect(verified.s).toBe('2');
    expect(verified.et).toBe('rot');
    expect(verified.k).toEqual(rotated.k);
    expect(verified.n).toEqual(rotated.n);
    expect([verified.kt, verified.nt]).toEqual(['2', '2']);

    // Every key is in the token only: sensitive, never extractable, and no seed in the keystore.
    for (const key of [...firstKeys, ...rotated.k]) {
      expect(privateKeyAttributes(key)).toEqual({
        sensitive: 1,
        extractable: 0,
        neverExtractable: 1,
      });
    }
    await withKeystore('vault', (keystore) => {
      for (const key of [...firstKeys, ...rotated.k]) expect(keystore.hasSecret(key)).toBe(false);
      expect(keystore.token).toEqual({ module: hsm.module, label: LABEL });
    });
    const stored = readFileSync(
      join(controllerPaths({ base, name: 'vault' }).keystore, 'data.mdb'),
    );
    expect(stored.includes(PIN)).toBe(false);

    // A second rotation erases the inception keys from the token, as a keystore erases seeds.
    await ok(['rotate', '-n', 'vault', '-a', 'vault']);
    for (const key of firstKeys) expect(privateKeyAttributes(key)).toBeUndefined();
    for (const key of rotated.k) expect(privateKeyAttributes(key)).toBeDefined();
    expect((await verifyFresh('vault', 'vault')).s).toBe('3');
  });

  it('keeps current keys in the token and next keys in a software keystore (--next-store)', async () => {
    await ok([
      'init',
      '--name',
      'split',
      '--tier',
      'temp',
      '--hsm-module',
      hsm.module,
      '--hsm-token',
      LABEL,
    ]);
    const nextStore = join(base, 'split-next');
    const env = { ...withPin, KERI_NEXT_PASSCODE: NEXT_PASSCODE };
    const incepted = JSON.parse(
      (
        await ok(
          [
            'incept',
            '-n',
            'split',
            '-a',
            'hot',
            '--transferable',
            '--algo',
            'pkcs11',
            '--next-store',
            nextStore,
            '--json',
          ],
          env,
        )
      ).stdout,
    ).state;
    expect((await stateOf('split', 'hot')).keys).toEqual({
      current: 'token',
      next: 'another keystore',
      token: LABEL,
    });
    expect(privateKeyAttributes(incepted.k[0])).toBeDefined();
    await ok(['interact', '-n', 'split', '-a', 'hot']);

    const refused = await run(['rotate', '-n', 'split', '-a', 'hot'], env);
    expectFailure(refused, 'missing_next_store');
    const rotated = JSON.parse(
      (await ok(['rotate', '-n', 'split', '-a', 'hot', '--next-store', nextStore, '--json'], env))
        .stdout,
    ).state;
    expect(digests(rotated.k)).toEqual(incepted.n);
    // The exposed keys were software keys: they now sign from this keystore.
    expect((await stateOf('split', 'hot')).keys).toMatchObject({
      current: 'keystore',
      next: 'another keystore',
    });
    await ok(['interact', '-n', 'split', '-a', 'hot'], withoutPin);
    const verified = await verifyFresh('split', 'hot');
    expect([verified.s, verified.k]).toEqual(['3', rotated.k]);
  });

  it('keeps the next keys of software keys in the token (--next-algo pkcs11)', async () => {
    const incepted = JSON.parse(
      (
        await ok([
          'incept',
          '-n',
          'split',
          '-a',
          'guarded',
          '--transferable',
          '--next-algo',
          'pkcs11',
          '--json',
        ])
      ).stdout,
    ).state;
    expect((await stateOf('split', 'guarded')).keys).toEqual({
      current: 'keystore',
      next: 'token',
      token: LABEL,
    });
    // Software keys sign without the token; the rotation needs it, and is refused without the PIN.
    await ok(['interact', '-n', 'split', '-a', 'guarded'], withoutPin);
    const before = await snapshot('split', 'guarded');
    expectFailure(
      await run(['rotate', '-n', 'split', '-a', 'guarded'], withoutPin),
      'hsm_pin_required',
      new RegExp(`in token '${LABEL}', which is not open: give its user PIN`),
    );
    expect(await snapshot('split', 'guarded')).toEqual(before);

    const rotated = JSON.parse(
      (await ok(['rotate', '-n', 'split', '-a', 'guarded', '--json'])).stdout,
    ).state;
    expect(digests(rotated.k)).toEqual(incepted.n);
    expect(privateKeyAttributes(rotated.k[0])).toMatchObject({ sensitive: 1, extractable: 0 });
    expect((await stateOf('split', 'guarded')).keys).toMatchObject({
      current: 'token',
      next: 'token',
    });
    await ok(['interact', '-n', 'split', '-a', 'guarded']);
    expect((await verifyFresh('split', 'guarded')).k).toEqual(rotated.k);
  });
});

describe('token failures are typed errors that change nothing', () => {
  it('init: wrong PIN, missing module, missing token, pkcs11 without a token', async () => {
    const init = (name: string, module: string, label: string, env = withPin) =>
      run(
        ['init', '-n', name, '--tier', 'temp', '--algo', 'pkcs11'].concat([
          '--hsm-module',
          module,
          '--hsm-token',
          label,
        ]),
        env,
      );
    expectFailure(
      await init('bad-pin', hsm.module, LABEL, { ...withPin, KERI_HSM_PIN: WRONG_PIN }),
      'hsm_wrong_pin',
      /Wrong PIN for token/,
    );
    expectFailure(
      await init('bad-module', join(base, 'no-such-module.so'), LABEL),
      'hsm_module_not_found',
      /No PKCS#11 module at/,
    );
    expectFailure(
      await init('bad-token', hsm.module, 'no-such-token'),
      'hsm_token_not_found',
      /No token labelled 'no-such-token'/,
    );
    const noToken = await run(['init', '-n', 'no-token', '--tier', 'temp', '--algo', 'pkcs11']);
    expect([noToken.code, noToken.stderr]).toEqual([2, expect.stringContaining('needs a token')]);
    const noPin = await init('no-pin', hsm.module, LABEL, withoutPin);
    expect([noPin.code, noPin.stderr]).toEqual([2, expect.stringContaining('KERI_HSM_PIN')]);
    for (const name of ['bad-pin', 'bad-module', 'bad-token', 'no-token', 'no-pin'])
      expect(existsSync(join(base, name))).toBe(false);
  });

  it('later commands: wrong PIN, lost key, missing token, missing module', async () => {
    // The module through a link that can be taken away, as an uninstalled library would be.
    const link = join(base, 'libpkcs11-link.so');
    symlinkSync(hsm.module, link);
    await ok(
      ['init', '-n', 'fragile', '--tier', 'temp', '--algo', 'pkcs11'].concat([
        '--hsm-module',
        link,
        '--hsm-token',
        LABEL,
      ]),
    );
    const { state } = JSON.parse(
      (await ok(['incept', '-n', 'fragile', '-a', 'one', '--transferable', '--json'])).stdout,
    );
    await ok(['incept', '-n', 'fragile', '-a', 'lost', '--transferable']);
    const lostKeys = (await stateOf('fragile', 'lost')).state.k as string[];
    let before = await snapshot('fragile', 'one');

    const wrongPin = { ...withPin, KERI_HSM_PIN: WRONG_PIN };
    for (const command of ['interact', 'rotate'])
      expectFailure(
        await run([command, '-n', 'fragile', '-a', 'one'], wrongPin),
        'hsm_wrong_pin',
        new RegExp(`^keri ${command}: Wrong PIN for token '${LABEL}': CKR_PIN_INCORRECT`),
      );
    expect(await snapshot('fragile', 'one')).toEqual(before);

    // Another token directory, where no token has this label.
    const emptyTokens = join(base, 'empty-tokens');
    mkdirSync(emptyTokens);
    const emptyConf = join(base, 'empty-softhsm2.conf');
    writeFileSync(emptyConf, `directories.tokendir = ${emptyTokens}\nobjectstore.backend = file\n`);
    expectFailure(
      await run(['interact', '-n', 'fragile', '-a', 'one'], {
        ...withPin,
        SOFTHSM2_CONF: emptyConf,
      }),
      'hsm_token_not_found',
    );
    expect(await snapshot('fragile', 'one')).toEqual(before);

    before = await snapshot('fragile', 'lost');
    for (const key of lostKeys) removeFromToken(key);
    for (const command of [['interact'], ['sign', '--text', 'x']])
      expectFailure(
        await run([command[0]!, '-n', 'fragile', '-a', 'lost', ...command.slice(1)]),
        'hsm_key_not_found',
        new RegExp(`Token '${LABEL}' does not hold the key ${lostKeys[0]} of 'lost'`),
      );
    expect(await snapshot('fragile', 'lost')).toEqual(before);

    before = await snapshot('fragile', 'one');
    rmSync(link);
    expectFailure(
      await run(['interact', '-n', 'fragile', '-a', 'one']),
      'hsm_module_not_found',
      /No PKCS#11 module at .*libpkcs11-link\.so/,
    );
    expect(await snapshot('fragile', 'one')).toEqual(before);
    expect((await verifyFresh('fragile', 'one')).k).toEqual(state.k);
  });
});
