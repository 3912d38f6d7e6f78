/**
 * Group members for end-to-end tests: each a keystore with its own identifier, most with an agent
 * process listening on loopback, driven through the `keri` binary as a person would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KERI, keri } from './keri.js';

export interface Member {
  readonly name: string;
  prefix: string;
  agent?: ChildProcess | undefined;
  url?: string;
  log: string;
}

export class Members {
  readonly all = new Map<string, Member>();

  constructor(readonly base: string) {}

  /** Runs `keri` for this base; fails the test with stderr when the exit status is not `expect`. */
  async run(args: string[], options: { input?: string; expect?: number } = {}) {
    const result = await keri([...args, '--base', this.base], options);
    const expected = options.expect ?? 0;
    if (result.code !== expected)
      throw new Error(
        `keri ${args.join(' ')} exited ${result.code} (expected ${expected}):\n${result.stderr}${result.stdout}`,
      );
    return result;
  }

  async json<T = any>(args: string[]): Promise<T> {
    return JSON.parse((await this.run([...args, '--json'])).stdout) as T;
  }

  /** A keystore and an identifier named `name`. */
  async create(name: string): Promise<Member> {
    await this.run(['init', '--name', name, '--nopasscode', '--tier', 'temp']);
    const { state } = await this.json([
      'incept',
      '--name',
      name,
      '--alias',
      name,
      '--transferable',
    ]);
    const member: Member = { name, prefix: state.i, log: '' };
    this.all.set(name, member);
    return member;
  }

  /**
   * Starts the member's agent and waits until it serves: on a free loopback port the first time,
   * on the same port again after a stop (other members know it by that URL).
   */
  async start(name: string): Promise<Member> {
    const member = this.all.get(name)!;
    const agentFile = join(this.base, name, 'agent.json');
    const port = member.url ? new URL(member.url).port : '0';
    const child = spawn(
      process.execPath,
      [KERI, 'agent', 'start', '--name', name, '--base', this.base, '--port', port],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    member.agent = child;
    child.stderr!.on('data', (chunk: Buffer) => {
      member.log += chunk.toString();
    });
    const deadline = Date.now() + 15_000;
    while (!existsSync(agentFile)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`agent ${name} did not start:\n${member.log}`);
      await sleep(25);
    }
    member.url = (JSON.parse(readFileSync(agentFile, 'utf8')) as { url: string }).url;
    // The file holds the agent's admin token: owner-only, and put in place whole (no leftovers).
    const mode = statSync(agentFile).mode & 0o777;
    if (mode !== 0o600) throw new Error(`agent.json of ${name} has mode ${mode.toString(8)}`);
    const leftovers = readdirSync(join(this.base, name)).filter((f) => f.endsWith('.partial'));
    if (leftovers.length > 0) throw new Error(`agent ${name} left ${leftovers.join(', ')}`);
    return member;
  }

  /** Stops the member's agent (SIGTERM) and waits for it to exit. */
  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const member = this.all.get(name)!;
    const child = member.agent;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    member.agent = undefined;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.all.keys()].map((name) => this.stop(name)));
  }

  /** Every member with an agent resolves the OOBI of every other member with an agent. */
  async introduce(names: readonly string[]): Promise<void> {
    const oobis = new Map<string, string>();
    for (const name of names) {
      const { oobi } = await this.json(['oobi', 'generate', '--name', name, '--alias', name]);
      oobis.set(name, oobi);
    }
    for (const to of names)
      for (const from of names)
        if (to !== from)
          await this.run([
            'oobi',
            'resolve',
            '--name',
            to,
            '--oobi',
            oobis.get(from)!,
            '--oobi-alias',
            from,
          ]);
  }

  /** The member's view of its groups and invitations. */
  status(name: string, alias?: string): Promise<any> {
    return this.json(['multisig', 'status', '--name', name, ...(alias ? ['--alias', alias] : [])]);
  }
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Polls `check` until it returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (caught) {
      last = caught;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(100);
  }
}
