/**
 * The controller commands end to end, through the `keri` binary: every plan's KEL is exported and
 * verified by `keri kel verify --json` in a fresh store; bad input is a clear error that leaves
 * keystore and KEL unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveSigner, nextKeyDigest, saltFromQb64 } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { totpCode } from '@kestrel/keystore';
import { afterAll, describe, expect, it } from 'vitest';
import { keri } from './support/keri.js';

const crypto = await createNodeCrypto();
const base = mkdtempSync(join(tmpdir(), 'kestrel-cli-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function ok(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const result = await keri([...args, '--base', base], options);
  if (result.code !== 0)
    throw new Error(`keri ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

async function exportAndVerify(name: string, alias: string, extra: string[] = []) {
  const exported = await ok(['kel', 'export', '--name', name, '--alias', alias]);
  const verified = await keri(['kel', 'verify', '-', '--json'], {
    input: extra.join('') + exported.stdout,
  });
  return { report: JSON.parse(verified.stdout), code: verified.code, kel: exported.stdout };
}

describe('keri init + incept', () => {
  it("makes kli's keys: salt + alias + options give keripy's paths and thresholds", async () => {
    const salt = '0ACDEyMzQ1Njc4OWxtbm9aBc';
    await ok(['init', '--name', 'kli', '--salt', salt, '--nopasscode', '--tier', 'temp']);
    const result = await ok([
      'incept',
      '--name',
      'kli',
      '--alias',
      'trans',
      '--transferable',
      '--icount',
      '3',
      '--isith',
      '2',
      '--ncount',
      '3',
      '--nsith',
      '2',
      '--json',
    ]);
    const { state } = JSON.parse(result.stdout);
    const key = (path: string) =>
      deriveSigner(crypto, saltFromQb64(salt), path, { tier: 'temp' }).publicKey.qb64;
    expect(state.k).toEqual(['trans00', 'trans01', 'trans02'].map(key));
    expect(state.n).toEqual(
      ['trans13', 'trans14', 'trans15'].map((p) => nextKeyDigest(crypto, key(p)).qb64),
    );
    expect([state.kt, state.nt, state.bt]).toEqual(['2', '2', '0']);
    expect(state.i).toBe(state.d); // self-addressing, as kli makes transferable identifiers
  });

  it('takes weighted thresholds as JSON, as kli does', async () => {
    await ok(['init', '--name', 'w', '--nopasscode', '--tier', 'temp']);
    const weights = '["1/2","1/4","1/4"]';
    const result = await ok([
      'incept',
      '-n',
      'w',
      '-a',
      'exec',
      '--transferable',
      '--icount',
      '3',
      '--isith',
      weights,
      '--ncount',
      '3',
      '--nsith',
      weights,
      '--json',
    ]);
    expect(JSON.parse(result.stdout).state.kt).toEqual(['1/2', '1/4', '1/4']);
    const { report } = await exportAndVerify('w', 'exec');
    expect(report.verdict).toBe('accepted');
  });
});

describe('rotation plans through the CLI, verified by keri kel verify --json in a fresh store', () => {
  it('plain, reserve, abandonment', async () => {
    await ok(['init', '--name', 'p', '--nopasscode', '--tier', 'temp']);
    await ok(['incept', '-n', 'p', '-a', 'plain', '--transferable']);
    await ok(['rotate', '-n', 'p', '-a', 'plain']);
    await ok([
      'interact',
      '-n',
      'p',
      '-a',
      'plain',
      '--data',
      '[{"d":"EAmy5riCz0YvnZ1lVuSFPDEGlv3c9jJe_v52ohzYSH3d"}]',
    ]);
    let { report } = await exportAndVerify('p', 'plain');
    expect(report.verdict).toBe('accepted');
    expect(Object.values<any>(report.accepted)[0].state.s).toBe('2');

    await ok([
      'incept',
      '-n',
      'p',
      '-a',
      'reserve',
      '--transferable',
      '--icount',
      '2',
      '--isith',
      '2',
      '--ncount',
      '5',
      '--nsith',
      '2',
    ]);
    await ok([
      'rotate',
      '-n',
      'p',
      '-a',
      'reserve',
      '--expose',
      '1,3',
      '--reserve',
      '0,2,4',
      '--isith',
      '2',
      '--nsith',
      '2',
      '--ncount',
      '2',
    ]);
    await ok([
      'rotate',
      '-n',
      'p',
      '-a',
      'reserve',
      '--expose',
      '0,1,2',
      '--isith',
      '2',
      '--nsith',
      '1',
      '--ncount',
      '2',
    ]);
    ({ report } = await exportAndVerify('p', 'reserve'));
    expect(report.verdict).toBe('accepted');
    expect(Object.values<any>(report.accepted)[0].state.k).toHaveLength(3);

    await ok(['incept', '-n', 'p', '-a', 'gone', '--transferable']);
    await ok(['rotate', '-n', 'p', '-a', 'gone', '--abandon']);
    expect((await keri(['interact', '-n', 'p', '-a', 'gone', '--base', base])).code).toBe(3);
    ({ report } = await exportAndVerify('p', 'gone'));
    expect(Object.values<any>(report.accepted)[0].state.n).toEqual([]);
  });

  it('custodial: the owner keeps the next keys, the custodian signs, the owner rotates it out', async () => {
    await ok(['init', '--name', 'owner', '--nopasscode', '--tier', 'temp']);
    await ok(['init', '--name', 'custodian', '--nopasscode', '--tier', 'temp']);
    const digests = (
      await ok(['keys', 'next', '-n', 'owner', '-a', 'ward', '--count', '1'])
    ).stdout.trim();
    await ok(['incept', '-n', 'custodian', '-a', 'ward', '--next-digests', digests]);
    await ok(['interact', '-n', 'custodian', '-a', 'ward']);
    const refused = await keri(['rotate', '-n', 'custodian', '-a', 'ward', '--base', base]);
    expect(refused.code).toBe(3);
    const custodianKel = (await ok(['kel', 'export', '-n', 'custodian', '-a', 'ward'])).stdout;
    await ok(['kel', 'import', '-n', 'owner', '-'], { input: custodianKel });
    await ok(['rotate', '-n', 'owner', '-a', 'ward', '--ncount', '1']);
    const { report } = await exportAndVerify('owner', 'ward');
    expect(report.verdict).toBe('accepted');
    expect(Object.values<any>(report.accepted)[0].state.s).toBe('2');
    // The custodian's keys no longer sign anything a validator accepts.
    await ok(['kel', 'import', '-n', 'custodian', '-'], {
      input: (await ok(['kel', 'export', '-n', 'owner', '-a', 'ward'])).stdout,
    });
    expect((await keri(['interact', '-n', 'custodian', '-a', 'ward', '--base', base])).code).toBe(
      3,
    );
  });

  it('recovery after a compromise of the signing keys', async () => {
    await ok(['init', '--name', 'r', '--nopasscode', '--tier', 'temp']);
    await ok(['incept', '-n', 'r', '-a', 'victim', '--transferable']);
    await ok(['interact', '-n', 'r', '-a', 'victim']);
    await ok([
      'interact',
      '-n',
      'r',
      '-a',
      'victim',
      '--data',
      '[{"d":"EAttackerAttackerAttackerAttackerAttackerAtt"}]',
    ]);
    const statement = join(base, 'statement.txt');
    writeFileSync(statement, 'Signing keys stolen; event 2 is not ours.');
    const recovered = await ok([
      'recover',
      '-n',
      'r',
      '-a',
      'victim',
      '--at',
      '2',
      '--statement',
      statement,
      '--json',
    ]);
    expect(JSON.parse(recovered.stdout).state.et).toBe('rot');
    const { report } = await exportAndVerify('r', 'victim');
    expect(report.verdict).toBe('accepted');
    const kel = Object.values<any>(report.accepted)[0].kel.map((e: any) => e.ilk);
    expect(kel).toEqual(['icp', 'ixn', 'ixn', 'rot']);
  });

  it('delegation: request, confirm, import, verify', async () => {
    await ok(['init', '--name', 'boss', '--nopasscode', '--tier', 'temp']);
    await ok(['init', '--name', 'sub', '--nopasscode', '--tier', 'temp']);
    const boss = JSON.parse(
      (await ok(['incept', '-n', 'boss', '-a', 'boss', '--transferable', '--json'])).stdout,
    ).prefix;
    const request = JSON.parse(
      (await ok(['delegate', 'request', '-n', 'sub', '-a', 'sub', '--delegator', boss, '--json']))
        .stdout,
    );
    const bossKel = (
      await ok(['delegate', 'confirm', '-n', 'boss', '-a', 'boss', '-'], { input: request.message })
    ).stdout;
    await ok(['kel', 'import', '-n', 'sub', '-'], { input: bossKel });
    const { report } = await exportAndVerify('sub', 'sub', [bossKel]);
    expect(report.verdict).toBe('accepted');
    expect(report.accepted[request.prefix].state.di).toBe(boss);
  });
});

describe('bad input is a clear error that changes nothing', () => {
  it('wrong passcode, damaged keystore, missing next-key store, wrong TOTP, uncommitted key', async () => {
    const env = { KERI_PASSCODE: 'MyPasscodeIsASecret21' };
    await ok(['init', '--name', 'safe', '--tier', 'temp'], { env });
    const incepted = await ok(
      ['incept', '-n', 'safe', '-a', 'safe', '--transferable', '--totp', '--json'],
      { env },
    );
    const totpUri = incepted.stderr.match(/otpauth:\/\/\S+/)![0];
    expect(incepted.stdout).not.toContain('secret=');
    const secret = new URL(totpUri).searchParams.get('secret')!;
    const before = (await ok(['kel', 'export', '-n', 'safe', '-a', 'safe'], { env })).stdout;

    const wrong = await keri(
      [
        'rotate',
        '-n',
        'safe',
        '-a',
        'safe',
        '--base',
        base,
        '--totp',
        totpCode(secret, Date.now()),
      ],
      { env: { KERI_PASSCODE: 'WrongPasscodeWrongPassc' } },
    );
    expect([wrong.code, wrong.stderr]).toEqual([3, expect.stringContaining('Wrong passcode')]);
    const noTotp = await keri(['rotate', '-n', 'safe', '-a', 'safe', '--base', base], { env });
    expect([noTotp.code, noTotp.stderr]).toEqual([3, expect.stringContaining('TOTP')]);
    const badTotp = await keri(
      ['rotate', '-n', 'safe', '-a', 'safe', '--base', base, '--totp', '123456'],
      { env },
    );
    expect([badTotp.code, badTotp.stderr]).toEqual([3, expect.stringContaining('Wrong TOTP')]);
    const uncommitted = await keri(
      [
        'rotate',
        '-n',
        'safe',
        '-a',
        'safe',
        '--base',
        base,
        '--expose',
        '4',
        '--totp',
        totpCode(secret, Date.now()),
      ],
      { env },
    );
    expect([uncommitted.code, uncommitted.stderr]).toEqual([
      3,
      expect.stringContaining('not among the 1 committed next keys'),
    ]);
    expect((await ok(['kel', 'export', '-n', 'safe', '-a', 'safe'], { env })).stdout).toBe(before);

    await ok(['init', '--name', 'sep', '--tier', 'temp'], { env });
    await ok(
      [
        'incept',
        '-n',
        'sep',
        '-a',
        'sep',
        '--transferable',
        '--next-store',
        join(base, 'sep-next'),
      ],
      { env: { ...env, KERI_NEXT_PASSCODE: 'AnotherPasscodeOf21chars' } },
    );
    const missing = await keri(['rotate', '-n', 'sep', '-a', 'sep', '--base', base], { env });
    expect([missing.code, missing.stderr]).toEqual([
      3,
      expect.stringContaining('another keystore'),
    ]);
    await ok(['rotate', '-n', 'sep', '-a', 'sep', '--next-store', join(base, 'sep-next')], {
      env: { ...env, KERI_NEXT_PASSCODE: 'AnotherPasscodeOf21chars' },
    });

    writeFileSync(join(base, 'safe', 'keystore', 'data.mdb'), Buffer.alloc(16384, 7));
    const damaged = await keri(['status', '-n', 'safe', '-a', 'safe', '--base', base], { env });
    expect([damaged.code, damaged.stderr]).toEqual([3, expect.stringContaining('damaged')]);
    for (const output of [wrong, noTotp, badTotp, uncommitted, missing, damaged]) {
      expect(output.stderr).not.toContain('MyPasscodeIsASecret21');
      expect(output.stderr).not.toContain(secret);
    }
  });
});
