/**
 * @module io
 * What a command can touch: its output streams and input. Tests pass their own.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ControllerHost } from './host.js';

export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  /** Messages and progress; `isTTY` when a person watches it (progress then redraws one line). */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Reads all of standard input. */
  readStdin(): Promise<Uint8Array>;
  /**
   * Standard input as it arrives, for commands that stream it (`keri kel verify -`) so that memory
   * does not grow with it. Without it, such commands read it whole with `readStdin`.
   */
  stdinChunks?(): AsyncIterable<Uint8Array>;
  /** Environment variables (KERI_PASSCODE, KERI_HSM_PIN and the like). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths are relative to (the caller's, when an agent runs the command). */
  readonly cwd?: string;
  /** Set when a running agent executes the command with its open controller. */
  readonly host?: ControllerHost;
}

export const processIo: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  },
  stdinChunks: () => process.stdin,
  env: process.env,
};

/** Reads FILE, or standard input for '-' or no file. */
export async function readInput(io: CommandIo, file: string | undefined): Promise<Uint8Array> {
  if (file === undefined || file === '-') return io.readStdin();
  return new Uint8Array(await readFile(resolvePath(io, file)));
}

/** JSON with a trailing newline; bigints as strings. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
}

/** A path as the person who typed it meant it. */
export function resolvePath(io: CommandIo, path: string): string {
  return resolve(io.cwd ?? process.cwd(), path);
}
