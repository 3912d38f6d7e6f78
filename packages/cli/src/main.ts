/**
 * @module main
 * The `keri` command line: dispatch to commands, help, and exit statuses.
 *
 * Exit statuses: 0 success; 1 the command ran and reports a negative result (invalid stream,
 * events not accepted); 2 usage error; 3 runtime error (I/O, bad keystore, ...).
 */
import { KeriError } from '@kestrel/cesr';
import { forwardToAgent } from './agent-client.js';
import { type Command, helpText, parseCommandArgs, UsageError } from './command.js';
import { commands } from './commands/index.js';
import { type CommandIo, processIo } from './io.js';

function find(argv: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  let best: { command: Command; rest: readonly string[] } | undefined;
  for (const command of commands) {
    const n = command.path.length;
    if (
      command.path.every((word, i) => argv[i] === word) &&
      (!best || n > best.command.path.length)
    ) {
      best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

export function overview(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `keri: Kestrel, a KERI stack (KERI 1.0 / CESR 1.0, byte-compatible with keripy 1.3.6)

Usage: keri <command> [options]     keri <command> --help for details and examples

Commands:
${lines.join('\n')}

Exit status: 0 success, 1 negative result (e.g. events not accepted), 2 usage error, 3 error.
`;
}

export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(overview());
    return argv.length === 0 ? 2 : 0;
  }
  const found = find(argv);
  if (!found) {
    io.stderr.write(`keri: unknown command '${argv.join(' ')}'. Run 'keri --help'.\n`);
    return 2;
  }
  const { command, rest } = found;
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help === true) {
      io.stdout.write(helpText(command));
      return 0;
    }
    const forwarded = await forwardToAgent(command, argv, args, io);
    if (forwarded !== undefined) return forwarded;
    return await command.run(args, io);
  } catch (caught) {
    if (caught instanceof UsageError) {
      io.stderr.write(`keri ${command.path.join(' ')}: ${caught.message}\n\n${helpText(command)}`);
      return 2;
    }
    if (caught instanceof KeriError) {
      io.stderr.write(`keri ${command.path.join(' ')}: ${caught.message} [${caught.code}]\n`);
      return 3;
    }
    // Anything else (a file or store that cannot be used, a failed write) is reported in one
    // line, not a stack trace; KESTREL_DEBUG=1 shows the stack, for a bug report.
    const error = caught as NodeJS.ErrnoException;
    const path = error?.path ? ` (${error.path})` : '';
    io.stderr.write(`keri ${command.path.join(' ')}: ${error?.message ?? String(caught)}${path}\n`);
    if (io.env.KESTREL_DEBUG && error?.stack) io.stderr.write(`${error.stack}\n`);
    return 3;
  }
}
