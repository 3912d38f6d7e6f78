/**
 * @module agent-client
 * Running a command inside the keystore's agent. An agent writes `<base>/<name>/agent.json`
 * (mode 0600: its URL and an admin token) while it runs; a command for that keystore is then sent
 * to the agent, which runs it with its open controller and returns the output and exit status.
 * The keystore passcode is not sent (the agent already holds the keystore open).
 */
import { existsSync, readFileSync } from 'node:fs';
import { controllerPaths } from '@kestrel/controller';
import { postJson } from '@kestrel/http';
import { type Command, type ParsedArgs, stringOption } from './command.js';
import type { CommandIo } from './io.js';

export interface AgentFile {
  /** Where the agent listens (commands are sent here). */
  readonly url: string;
  /** Where other members reach it (its OOBIs use this). */
  readonly publicUrl: string;
  readonly token: string;
  readonly pid: number;
  readonly startedAt: string;
}

export interface ForwardedCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Standard input, base64, when the command reads it. */
  readonly stdin?: string;
}

export interface ForwardedResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The running agent of a keystore, if there is one. */
export function runningAgent(name: string, base: string | undefined): AgentFile | undefined {
  const path = controllerPaths({ name, ...(base !== undefined ? { base } : {}) }).agent;
  if (!existsSync(path)) return undefined;
  let file: AgentFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as AgentFile;
  } catch {
    return undefined;
  }
  try {
    process.kill(file.pid, 0); // signal 0: does the process exist?
  } catch {
    return undefined; // a stale file from an agent that did not stop cleanly
  }
  return file;
}

/** The arguments without the keystore passcode (and its value). */
function withoutPasscode(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--passcode' || arg === '-p') {
      i++;
      continue;
    }
    if (arg.startsWith('--passcode=')) continue;
    out.push(arg);
  }
  return out;
}

/**
 * Sends the command to the keystore's agent when one runs; returns its exit status, or undefined
 * when the command should run here.
 */
export async function forwardToAgent(
  command: Command,
  argv: readonly string[],
  args: ParsedArgs,
  io: CommandIo,
): Promise<number | undefined> {
  if (io.host || command.runsInAgent === false || !('name' in command.options)) return undefined;
  const name = stringOption(args, 'name');
  if (name === undefined) return undefined;
  const agent = runningAgent(name, stringOption(args, 'base'));
  if (!agent) return undefined;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(io.env))
    if (key.startsWith('KERI_') && key !== 'KERI_PASSCODE' && value !== undefined) env[key] = value;
  const stdin = command.readsStdin?.(args)
    ? Buffer.from(await io.readStdin()).toString('base64')
    : undefined;
  const request: ForwardedCommand = {
    argv: withoutPasscode(argv),
    env,
    cwd: io.cwd ?? process.cwd(),
    ...(stdin !== undefined ? { stdin } : {}),
  };
  const reply = await postJson(`${agent.url}/admin/command`, request, {
    headers: { authorization: `Bearer ${agent.token}` },
    timeoutMs: 10 * 60_000,
  });
  const result = reply.json as ForwardedResult;
  io.stdout.write(result.stdout);
  io.stderr.write(result.stderr);
  return result.status;
}
