/**
 * @module commands/agent
 * `keri agent start`: runs a keystore's agent. It serves other members (CESR in, OOBIs, group
 * catch-up) and runs every `keri` command on this keystore while it is up (see agent-client).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, controllerPaths } from '@kestrel/controller';
import { HttpError } from '@kestrel/http';
import type { AgentFile, ForwardedCommand, ForwardedResult } from '../agent-client.js';
import { type Command, flag, stringOption, UsageError } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  integerOption,
  openController,
  requireString,
} from '../controller-options.js';
import { type CommandIo, formatJson } from '../io.js';

const DEFAULT_PORT = 5623;

export const agentStart: Command = {
  path: ['agent', 'start'],
  summary:
    "run a keystore's agent: talks to other members over HTTP, runs commands on this keystore",
  usage: `Usage: keri agent start --name NAME [--host HOST] [--port PORT] [--url URL] [--proposal-ttl SECONDS]
                        [--proposal-retention SECONDS]

Serves, until stopped (Ctrl-C or SIGTERM):
  POST /                       CESR from other members (KELs, events, multisig exn messages)
  GET  /oobi/PREFIX            the KEL of PREFIX (OOBI), for identifiers known here
  GET  /multisig/GROUP/catch-up  a group's KEL, its members' KELs and its live proposals
While it runs, other 'keri' commands on this keystore are executed by it (one writer at a time);
it writes <base>/<name>/agent.json (mode 0600) so they can find it, and removes it when it stops.
On start it asks the other members of its groups for anything it missed.
${CONTROLLER_USAGE}
  --host HOST            address to listen on (default 127.0.0.1)
  --port PORT            port (default ${DEFAULT_PORT}; 0 picks a free one)
  --url URL              the URL other members use to reach it (default http://HOST:PORT)
  --proposal-ttl SECONDS default lifetime of multisig proposals (default 3600, keripy's escrow timeout)
  --proposal-retention SECONDS
                         how long completed and expired proposals stay listed before they are
                         forgotten (default 604800, a week; group KELs are kept for good)
  --json                 print {"url","publicUrl","pid"} on stdout once listening, and log JSON lines
                         {"time","message"} on stderr`,
  examples: ['keri agent start --name alice --port 5623'],
  options: {
    ...CONTROLLER_OPTIONS,
    host: { type: 'string' },
    port: { type: 'string' },
    url: { type: 'string' },
    'proposal-ttl': { type: 'string' },
    'proposal-retention': { type: 'string' },
    json: { type: 'boolean' },
  },
  runsInAgent: false,
  async run(args, io) {
    const name = requireString(args, 'name');
    const base = stringOption(args, 'base');
    const port = integerOption(args, 'port') ?? DEFAULT_PORT;
    const host = stringOption(args, 'host') ?? '127.0.0.1';
    const ttl = integerOption(args, 'proposal-ttl');
    if (ttl !== undefined && ttl < 1)
      throw new UsageError('--proposal-ttl must be at least 1 second');
    const retention = integerOption(args, 'proposal-retention');
    if (retention !== undefined && retention < 1)
      throw new UsageError('--proposal-retention must be at least 1 second');
    const json = flag(args, 'json');
    const log = (line: string) =>
      io.stderr.write(
        json
          ? formatJson({ time: new Date().toISOString(), message: line })
          : `${new Date().toISOString()} ${line}\n`,
      );
    const controller = await openController(args, io);
    const agent = new Agent(controller, {
      ...(ttl !== undefined ? { proposalSeconds: ttl } : {}),
      ...(retention !== undefined ? { retentionSeconds: retention } : {}),
      log,
    });
    const token = randomBytes(32).toString('base64url');
    agent.service.route('POST', '/admin/command', (request) => {
      authorize(request.headers.authorization, token);
      return agent.exclusive(() => runHosted(agent, name, base, request.body));
    });
    const listening = await agent.start(port, host);
    const url = stringOption(args, 'url')?.replace(/\/+$/, '') ?? listening;
    const paths = controllerPaths({ name, ...(base !== undefined ? { base } : {}) });
    const file: AgentFile = {
      url: listening,
      publicUrl: url,
      token,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    // Written beside it and renamed into place: a command (or a test) that finds the file while it
    // is being written would read it half-empty and take the agent for absent.
    const partial = `${paths.agent}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(file), { mode: 0o600 });
    renameSync(partial, paths.agent);
    log(
      `agent for '${name}' listening on ${listening}${url !== listening ? ` (reachable as ${url})` : ''}`,
    );
    if (json) io.stdout.write(formatJson({ url: listening, publicUrl: url, pid: process.pid }));
    void agent.catchUp();
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    log('stopping');
    rmSync(paths.agent, { force: true });
    await agent.close();
    return 0;
  },
};

function authorize(header: string | string[] | undefined, token: string): void {
  const given = Buffer.from(typeof header === 'string' ? header.replace(/^Bearer /, '') : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new HttpError('unauthorized', 'Wrong or missing admin token', 401);
}

/** Runs a forwarded command with the agent's controller, capturing what it prints. */
async function runHosted(
  agent: Agent,
  name: string,
  base: string | undefined,
  body: Uint8Array,
): Promise<{ body: ForwardedResult }> {
  let request: ForwardedCommand;
  try {
    request = JSON.parse(new TextDecoder().decode(body)) as ForwardedCommand;
    if (!Array.isArray(request.argv) || typeof request.cwd !== 'string') throw new Error('shape');
  } catch {
    throw new HttpError('bad_request', 'Expected {"argv":[...],"env":{...},"cwd":"..."}', 400);
  }
  let stdout = '';
  let stderr = '';
  const stdin =
    request.stdin !== undefined
      ? new Uint8Array(Buffer.from(request.stdin, 'base64'))
      : new Uint8Array(0);
  const io: CommandIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: async () => stdin,
    env: request.env ?? {},
    cwd: request.cwd,
    host: {
      name,
      base,
      controller: agent.controller,
      groups: agent.groups,
      send: (deliveries) => agent.send(deliveries),
    },
  };
  // main imports every command, this one included: load it when needed, not at module load.
  const { main } = await import('../main.js');
  const status = await main(request.argv, io);
  return { body: { status, stdout, stderr } };
}
