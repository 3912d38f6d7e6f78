/**
 * The `keri` binary: help, exit statuses, and the `keri cesr parse --json` contract.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { commands } from '../packages/cli/src/commands/index.js';
import { main } from '../packages/cli/src/main.js';
import { CORPUS } from './support/vectors.js';

const KERI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'keri.js');

async function keri(
  args: string[],
  input?: Uint8Array,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [KERI, ...args],
      { maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 });
      },
    );
    if (input) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

describe('keri', () => {
  it('--help lists the commands', async () => {
    const { stdout, code } = await keri(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('cesr parse');
    expect(stdout).toContain('kel verify');
  });

  it('every command has --help with a runnable-looking example, and --json', async () => {
    expect(commands.length).toBeGreaterThan(25);
    for (const command of commands) {
      const name = `keri ${command.path.join(' ')}`;
      let stdout = '';
      const status = await main([...command.path, '--help'], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
        readStdin: async () => new Uint8Array(0),
        env: {},
      });
      expect(status, name).toBe(0);
      expect(stdout, name).toContain('Examples:');
      expect(command.examples.length, name).toBeGreaterThan(0);
      for (const example of command.examples) expect(example, name).toContain(`${name} `);
      expect(Object.keys(command.options), `${name} has --json`).toContain('json');
    }
    // And through the binary, once.
    const { stdout, code } = await keri(['kel', 'verify', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('keri kel verify');
  });

  it('unknown commands and options are usage errors (exit 2)', async () => {
    expect((await keri(['no-such-command'])).code).toBe(2);
    const { code, stderr } = await keri(['cesr', 'parse', '--no-such-option']);
    expect(code).toBe(2);
    expect(stderr).toContain('no-such-option');
  });

  it('a missing file is a clear error (exit 3)', async () => {
    const { code, stderr } = await keri(['kel', 'verify', '/nonexistent/kel.cesr']);
    expect(code).toBe(3);
    expect(stderr).toContain('/nonexistent/kel.cesr');
  });
});

describe('keri cesr parse --json', () => {
  it('annotates messages, SAIDs and attachments of a witnessed KEL (nested -V groups)', async () => {
    const { stdout, code } = await keri([
      'cesr',
      'parse',
      join(CORPUS, 'cases', 'witnessed_clone', 'stream.cesr'),
      '--json',
    ]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(Object.keys(parsed)).toEqual(['messages', 'errors']);
    expect(parsed.errors).toEqual([]);
    expect(parsed.messages.map((m: { ilk: string }) => m.ilk)).toEqual(['icp', 'rot', 'ixn']);
    const first = parsed.messages[0];
    expect(Object.keys(first)).toEqual([
      'offset',
      'ilk',
      'said',
      'saidValid',
      'body',
      'attachments',
    ]);
    expect(first.offset).toBe(0);
    expect(first.saidValid).toBe(true);
    expect(first.body.t).toBe('icp');
    const group = first.attachments[0];
    expect([group.code, group.name, group.count]).toEqual(['-V', 'AttachmentGroup', 106]);
    expect(group.items.map((g: { code: string }) => g.code)).toEqual(['-A', '-B', '-E']);
    const witnessSigs = group.items[1];
    expect(witnessSigs.count).toBe(3);
    expect(witnessSigs.items.map((s: { index: number }) => s.index)).toEqual([0, 1, 2]);
    expect(Object.keys(witnessSigs.items[0])).toEqual(['code', 'qb64', 'index', 'ondex']);
  });

  it('reports a bad SAID and framing errors with offsets, keeping the messages around them', async () => {
    const wrong = await keri([
      'cesr',
      'parse',
      join(CORPUS, 'cases', 'neg_wrong_said', 'stream.cesr'),
      '--json',
    ]);
    expect(
      JSON.parse(wrong.stdout).messages.map((m: { saidValid: boolean }) => m.saidValid),
    ).toEqual([true, false]);
    const garbage = await keri([
      'cesr',
      'parse',
      join(CORPUS, 'cases', 'neg_garbage_between', 'stream.cesr'),
      '--json',
    ]);
    expect(garbage.code).toBe(1);
    const parsed = JSON.parse(garbage.stdout);
    expect(parsed.messages).toHaveLength(2);
    expect(parsed.errors).toEqual([
      { offset: 391, code: 'unexpected_bytes', message: expect.any(String) },
    ]);
  });

  it('reads standard input and prints a readable listing', async () => {
    const stream = await import('node:fs').then((fs) =>
      fs.readFileSync(join(CORPUS, 'cases', 'reserve_rotation', 'stream.cesr')),
    );
    const { stdout, code } = await keri(['cesr', 'parse', '-'], stream);
    expect(code).toBe(0);
    expect(stdout).toContain('Ed25519_Big_Sig index 0 ondex 1');
    expect(stdout).toMatch(/5 message\(s\), 0 error\(s\)/);
  });
});
