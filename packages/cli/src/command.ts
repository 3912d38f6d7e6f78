/**
 * @module command
 * The shape of a `keri` command and the shared option parsing (node:util parseArgs).
 */
import { parseArgs } from 'node:util';
import { KeriError } from '@kestrel/cesr';
import type { CommandIo } from './io.js';

export type OptionSpec = {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
};

export interface Command {
  /** Words after `keri`, e.g. ['cesr', 'parse']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Usage line and option descriptions. */
  readonly usage: string;
  /** At least one runnable example. */
  readonly examples: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Runs the command; returns the exit status. */
  run(args: ParsedArgs, io: CommandIo): Promise<number>;
  /**
   * Whether the command runs inside the keystore's agent when one is running (default: every
   * command with --name). False for commands that must have the keystore to themselves.
   */
  readonly runsInAgent?: boolean;
  /** Whether this invocation reads standard input (forwarded to the agent when it does). */
  readsStdin?(args: ParsedArgs): boolean;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** A usage error: wrong or missing arguments (exit status 2). */
export class UsageError extends KeriError {
  constructor(message: string) {
    super('usage', message);
  }
}

export function parseCommandArgs(command: Command, argv: readonly string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (caught) {
    throw new UsageError((caught as Error).message);
  }
}

export function helpText(command: Command): string {
  const examples = command.examples.map((example) => `  ${example}`).join('\n');
  return `keri ${command.path.join(' ')}: ${command.summary}\n\n${command.usage}\n\nExamples:\n${examples}\n`;
}

/** String option value, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}
