/**
 * The corpus through the `keri` binary: `keri kel verify FILE --json` must print keripy's verdicts
 * (in the corpus's shape) and exit 0 exactly when every event was accepted.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { concatBytes, matterFromRaw, parseStream, textToBytes } from '@kestrel/cesr';
import { rotate } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { kelStream, TestIdentifier } from '@kestrel/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../packages/cli/src/main.js';
import { expectKeripyVerdict } from './support/expectations.js';
import { propertyRuns } from './support/property-runs.js';
import { allCases, CORPUS } from './support/vectors.js';

const run = promisify(execFile);
const crypto = await createNodeCrypto();
const KERI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'keri.js');

async function keri(args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(process.execPath, [KERI, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, code: 0 };
  } catch (caught) {
    const failure = caught as { stdout: string; code: number };
    return { stdout: failure.stdout, code: failure.code };
  }
}

/** The top-level fields of the JSON report, in order: the contract outside checks rely on. */
const REPORT_KEYS = [
  'verdict',
  'accepted',
  'not_accepted',
  'escrows',
  'errors',
  'duplicity',
  'stats',
];

/**
 * `keri kel verify -` in this process, with standard input arriving in chunks of `chunkSize`
 * (reading it whole fails the command).
 */
async function verifyStdin(bytes: Uint8Array, chunkSize: number, options: string[] = []) {
  let stdout = '';
  let stderr = '';
  let chunksTaken = 0;
  const status = await main(['kel', 'verify', '-', ...options], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: () => Promise.reject(new Error('standard input must not be read whole')),
    async *stdinChunks() {
      for (let offset = 0; offset < bytes.length; offset += chunkSize) {
        chunksTaken++;
        yield bytes.subarray(offset, offset + chunkSize);
      }
    },
    env: {},
  });
  return { status, stdout, stderr, chunksTaken };
}

/** A JSON report without what depends on timing: the stats and when duplicity was detected. */
function timeless(stdout: string) {
  const { stats: _stats, ...report } = JSON.parse(stdout);
  for (const record of report.duplicity) delete record.detectedAt;
  return report;
}

describe('keri kel verify --json on the corpus', () => {
  for (const loaded of allCases()) {
    it(loaded.name, async () => {
      const { stdout, code } = await keri([
        'kel',
        'verify',
        join(CORPUS, 'cases', loaded.name, 'stream.cesr'),
        '--json',
      ]);
      const report = JSON.parse(stdout);
      expect(Object.keys(report)).toEqual(REPORT_KEYS);
      expectKeripyVerdict(report, loaded);
      expect(code).toBe(report.verdict === 'accepted' ? 0 : 1);
    });
  }
});

describe('keri kel verify --threads', () => {
  // The worker-thread pipeline must not change a single verdict: compare whole reports (but the
  // timing) on cases with rotations, multisig, witnesses, delegation, duplicity and damage.
  for (const name of [
    'multisig_2of3',
    'witnessed',
    'delegated',
    'neg_duplicitous_ixn',
    'neg_bad_signature',
    'superseding_recovery',
  ]) {
    it(`${name}: --threads 2 reports what --threads 1 reports`, async () => {
      const file = join(CORPUS, 'cases', name, 'stream.cesr');
      const one = await keri(['kel', 'verify', file, '--json', '--threads', '1']);
      const two = await keri(['kel', 'verify', file, '--json', '--threads', '2']);
      expect(timeless(two.stdout)).toEqual(timeless(one.stdout));
      expect(two.code).toBe(one.code);
    });
  }

  it('refuses other thread counts', async () => {
    const { code } = await keri([
      'kel',
      'verify',
      '--threads',
      '3',
      join(CORPUS, 'cases', 'single_sig', 'stream.cesr'),
    ]);
    expect(code).toBe(2);
  });
});

describe('keri kel verify - (standard input)', () => {
  for (const name of ['long_kel_100', 'witnessed', 'neg_duplicitous_ixn']) {
    it(`${name}: the binary reports on piped input what it reports on the file`, async () => {
      const file = join(CORPUS, 'cases', name, 'stream.cesr');
      const fromFile = await keri(['kel', 'verify', file, '--json']);
      const child = spawn(process.execPath, [KERI, 'kel', 'verify', '-', '--json']);
      let stdout = '';
      child.stdout.on('data', (data: Buffer) => (stdout += data));
      const exited = new Promise<number>((resolve) => child.on('close', resolve));
      // In pieces, as a pipe delivers them.
      const bytes = readFileSync(file);
      for (let offset = 0; offset < bytes.length; offset += 1000)
        child.stdin.write(bytes.subarray(offset, offset + 1000));
      child.stdin.end();
      expect(await exited).toBe(fromFile.code);
      expect(timeless(stdout)).toEqual(timeless(fromFile.stdout));
    });
  }

  it('streams standard input chunk by chunk instead of reading it whole', async () => {
    const file = join(CORPUS, 'cases', 'long_kel_100', 'stream.cesr');
    const fromFile = await keri(['kel', 'verify', file, '--json']);
    const bytes = new Uint8Array(readFileSync(file));
    const { status, stdout, chunksTaken } = await verifyStdin(bytes, 7, ['--json']);
    expect(chunksTaken).toBe(Math.ceil(bytes.length / 7));
    expect(status).toBe(fromFile.code);
    expect(timeless(stdout)).toEqual(timeless(fromFile.stdout));
  });
});

describe('keri kel verify on damaged input', () => {
  it('drops an event whose receipt couple names a digest as its signer, as keripy does', async () => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS, 'cases', 'single_sig', 'stream.cesr')));
    const [first, second, ...rest] = parseStream(bytes).messages;
    // keripy builds a Verfer from a couple's first primitive, which refuses a digest's code.
    const couple = textToBytes(`-CABE${'A'.repeat(43)}0B${'A'.repeat(86)}`);
    const input = concatBytes(first!.raw, second!.raw, couple, ...rest.map((m) => m.raw));
    const { status, stdout } = await verifyStdin(input, 1 << 16, ['--json']);
    const report = JSON.parse(stdout);
    expect(status).toBe(1);
    expect(report.not_accepted).toContainEqual({
      said: second!.body.sad.d,
      sn: 1,
      ilk: second!.body.sad.t,
      why: 'dropped',
    });
    expect(report.errors.join('\n')).toMatch(/receipt signer .* code 'E'/);
    const human = await verifyStdin(input, 1 << 16);
    expect(human.stdout).toMatch(/receipt signer/);
  });

  it('keeps a rotation with a malformed key waiting out of order, and drops it in its turn, as keripy does', async () => {
    const identifier = new TestIdentifier(crypto, { label: 'cli malformed rotation' });
    const inception = identifier.incept();
    const interaction = identifier.interact();
    const digest = matterFromRaw('E', crypto.digest('E', crypto.randomBytes(32))).qb64;
    // sn 2 after the interaction, with a digest where its key should be.
    const rotation = rotate(crypto.digest, {
      prefix: identifier.prefix,
      prior: interaction.event.said,
      sn: 2,
      keys: [digest],
      nextKeyDigests: [digest],
    });
    const signed = concatBytes(rotation.raw, textToBytes(`-AABAA${'A'.repeat(86)}`));
    const entry = { said: rotation.said, sn: 2, ilk: 'rot' };

    const waiting = await verifyStdin(concatBytes(inception.message, signed), 1 << 16, ['--json']);
    const held = JSON.parse(waiting.stdout);
    expect(waiting.status).toBe(1);
    expect(held.not_accepted).toEqual([{ ...entry, why: 'out_of_order' }]);
    expect(held.escrows).toEqual({ ooes: 1 });

    const input = concatBytes(inception.message, signed, interaction.message);
    const turn = await verifyStdin(input, 1 << 16, ['--json']);
    const dropped = JSON.parse(turn.stdout);
    expect(dropped.not_accepted).toEqual([{ ...entry, why: 'dropped' }]);
    expect(dropped.escrows).toEqual({});
    expect(dropped.errors.join('\n')).toMatch(/Not a verification key/);
  });

  const streams = ['single_sig', 'witnessed', 'delegated', 'multisig_2of3'].map(
    (name) => new Uint8Array(readFileSync(join(CORPUS, 'cases', name, 'stream.cesr'))),
  );
  const damaged = fc.oneof(
    fc
      .tuple(fc.constantFrom(...streams), fc.nat(), fc.integer({ min: 0, max: 7 }))
      .map(([bytes, at, bit]) => {
        const copy = bytes.slice();
        copy[at % copy.length] = copy[at % copy.length]! ^ (1 << bit);
        return copy;
      }),
    fc
      .tuple(fc.constantFrom(...streams), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 64 }))
      .map(([bytes, at, junk]) => {
        const cut = at % bytes.length;
        return new Uint8Array([...bytes.subarray(0, cut), ...junk, ...bytes.subarray(cut)]);
      }),
    fc
      .tuple(fc.constantFrom(...streams), fc.nat())
      .map(([bytes, at]) => bytes.subarray(0, at % bytes.length)),
    fc.uint8Array({ maxLength: 2000 }),
  );

  it('always prints the report and exits 0 exactly when every event was accepted', async () => {
    await fc.assert(
      fc.asyncProperty(
        damaged,
        fc.integer({ min: 1, max: 600 }),
        fc.boolean(),
        async (bytes, chunkSize, json) => {
          const { status, stdout, stderr } = await verifyStdin(
            bytes,
            chunkSize,
            json ? ['--json'] : [],
          );
          expect(stderr).toBe('');
          if (!json) {
            const verdict = /^(ACCEPTED|PARTIAL|REJECTED): \d+ event/m.exec(stdout)?.[1];
            expect(verdict).toBeDefined();
            expect(status).toBe(verdict === 'ACCEPTED' ? 0 : 1);
            return;
          }
          const report = JSON.parse(stdout);
          expect(Object.keys(report)).toEqual(REPORT_KEYS);
          expect(['accepted', 'partial', 'rejected']).toContain(report.verdict);
          expect(status).toBe(report.verdict === 'accepted' ? 0 : 1);
        },
      ),
      { numRuns: propertyRuns(60) },
    );
  });
});

describe('keri kel verify on an event kept as likely duplicitous', () => {
  // icp, ixn 1 and ixn 2 accepted; then ixn 2' that follows a recovery rotation (rot 1, which
  // supersedes ixn 1) not delivered yet. keripy keeps ixn 2' in its likely-duplicitous escrow
  // (ldes): it conflicts with the accepted ixn 2, its signer is not in force yet, and its prior is
  // not the accepted event at sn 1. Two identifiers with one label share their keys and inception.
  const original = new TestIdentifier(crypto, { label: 'cli likely duplicitous' });
  const inception = original.incept();
  const kel = [inception, original.interact(), original.interact()].map((e) => e.message);
  const recovering = new TestIdentifier(crypto, { label: 'cli likely duplicitous' });
  recovering.incept();
  const recovery = recovering.rotate();
  const after = recovering.interact();

  it('reports the waiting event as likely_duplicitous, under escrows ldes', async () => {
    const input = concatBytes(...kel, after.message);
    const { status, stdout } = await verifyStdin(input, 1 << 16, ['--json']);
    const report = JSON.parse(stdout);
    expect(status).toBe(1);
    expect(report.not_accepted).toEqual([
      { said: after.event.said, sn: 2, ilk: 'ixn', why: 'likely_duplicitous' },
    ]);
    expect(report.escrows).toEqual({ ldes: 1 });
  });

  it('accepts it once the recovery rotation arrives', async () => {
    const input = concatBytes(...kel, after.message, recovery.message);
    const { status, stdout } = await verifyStdin(input, 1 << 16, ['--json']);
    const report = JSON.parse(stdout);
    expect(report.not_accepted).toEqual([]);
    expect(report.escrows).toEqual({});
    expect(status).toBe(0);
  });
});

describe('keri kel verify on what it cannot use', () => {
  const corpusStream = (name: string) => join(CORPUS, 'cases', name, 'stream.cesr');

  it('refuses a --store whose data file is not LMDB, with a message and exit status 3', async () => {
    // LMDB itself crashes the process (SIGSEGV) on such a file.
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const directory = mkdtempSync(join(tmpdir(), 'kestrel-junk-store-'));
    try {
      writeFileSync(join(directory, 'data.mdb'), 'junk, not a database\n'.repeat(10));
      let stderr = '';
      const status = await main(
        ['kel', 'verify', corpusStream('single_sig'), '--store', directory],
        {
          stdout: { write: () => true },
          stderr: { write: (text: string) => (stderr += text) },
          readStdin: () => Promise.resolve(new Uint8Array()),
          env: {},
        },
      );
      expect(status).toBe(3);
      expect(stderr).toMatch(/is not an LMDB store \[not_a_store\]/);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('takes one FILE: more is a usage error, not a silently ignored file', async () => {
    const { code } = await keri([
      'kel',
      'verify',
      corpusStream('single_sig'),
      corpusStream('neg_bad_signature'),
    ]);
    expect(code).toBe(2);
  });

  it('says when the input holds no key event', async () => {
    const { status, stdout } = await verifyStdin(new Uint8Array(), 64);
    expect(status).toBe(1);
    expect(stdout).toContain('No key events found in the input.');
  });

  it('lists at most 1,000 errors, then how many more there were', async () => {
    // Memory must not grow with hostile input: each line is a framing error.
    const junk = textToBytes('{"v":"KERI10JSON000000_"}\n'.repeat(1500));
    const { stdout } = await verifyStdin(junk, 64 * 1024, ['--json']);
    const report = JSON.parse(stdout);
    expect(report.errors).toHaveLength(1001);
    expect(report.errors.at(-1)).toBe('... and 500 more errors');
  });

  it("reports only this stream's escrows from a --store kept across runs", async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const directory = mkdtempSync(join(tmpdir(), 'kestrel-kept-store-'));
    try {
      const first = await keri([
        'kel',
        'verify',
        corpusStream('neg_sn_gap'),
        '--json',
        '--store',
        directory,
      ]);
      expect(Object.keys(JSON.parse(first.stdout).escrows)).not.toEqual([]);
      const second = await keri([
        'kel',
        'verify',
        corpusStream('witnessed'),
        '--json',
        '--store',
        directory,
      ]);
      expect(JSON.parse(second.stdout).escrows).toEqual({});
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('ends quietly, with its own status, when the reader closes the pipe early', async () => {
    // 3,000 events: the report (their KEL) is far larger than a pipe holds.
    const stream = kelStream(crypto, { label: 'epipe', events: 3000 });
    const child = spawn(process.execPath, [KERI, 'kel', 'verify', '-', '--json'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.end(stream);
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(status).toBe(0);
  });
});

describe('keri kel verify, human output', () => {
  // Twelve events, then a conflicting sn 11: sequence numbers from 10 on read differently in hex.
  const original = new TestIdentifier(crypto, { label: 'cli human sn' });
  const inception = original.incept();
  const events = [inception, ...Array.from({ length: 11 }, () => original.interact())];
  const forked = new TestIdentifier(crypto, { label: 'cli human sn' });
  forked.incept();
  for (let sn = 1; sn <= 10; sn++) forked.interact();
  const conflicting = forked.interact([{ i: original.prefix, s: '0', d: inception.event.said }]);

  it('gives every sequence number in decimal: key state, events not accepted, duplicity', async () => {
    const withGap = concatBytes(...events.filter((_, sn) => sn !== 10).map((e) => e.message));
    const gap = await verifyStdin(withGap, 1 << 16);
    expect(gap.stdout).toContain(' sn 9 ixn ');
    expect(gap.stdout).toMatch(new RegExp(`ixn sn 11 ${events[11]!.event.said} .*out_of_order`));

    const forking = concatBytes(...events.map((e) => e.message), conflicting.message);
    const fork = await verifyStdin(forking, 1 << 16);
    expect(fork.stdout).toContain(' sn 11 ixn ');
    expect(fork.stdout).toMatch(/Duplicity evidence:\n {2}\S+ sn 11: /);
    expect(fork.stdout).not.toMatch(/ sn [a-f]\b/);
  });
});
