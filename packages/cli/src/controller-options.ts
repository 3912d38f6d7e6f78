/**
 * @module controller-options
 * Options shared by the commands that act as a controller (kli's `--name`, `--base`, `--passcode`,
 * and the PIN of a keystore's PKCS#11 token), and how they open one. The passcode and the PIN may
 * also come from KERI_PASSCODE and KERI_HSM_PIN, which keeps them out of the shell history and the
 * process list; neither is ever printed.
 */
import { type Controller, Controller as ControllerClass } from '@kestrel/controller';
import type { Sith, WeightedSith } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { type KeyAlgorithm, Keystore } from '@kestrel/keystore';
import { type OptionSpec, type ParsedArgs, stringOption, UsageError } from './command.js';
import { type CommandIo, resolvePath } from './io.js';
import { stderrProgress } from './progress.js';

export const CONTROLLER_OPTIONS: Record<string, OptionSpec> = {
  name: { type: 'string', short: 'n' },
  base: { type: 'string', short: 'b' },
  passcode: { type: 'string', short: 'p' },
  'hsm-pin': { type: 'string' },
};

export const CONTROLLER_USAGE = `  --name, -n NAME       keystore name (as kli)
  --base, -b DIR        directory holding keystores (default ~/.kestrel)
  --passcode, -p CODE   keystore passcode, 21 characters or more (or set KERI_PASSCODE)
  --hsm-pin PIN         user PIN of the keystore's PKCS#11 token, if it has one (better: set KERI_HSM_PIN)`;

export function requireString(args: ParsedArgs, name: string): string {
  const value = stringOption(args, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function passcodeOf(
  args: ParsedArgs,
  io: CommandIo,
  name = 'passcode',
  env = 'KERI_PASSCODE',
): string | undefined {
  return stringOption(args, name) ?? io.env[env];
}

/** The token's user PIN: --hsm-pin, else KERI_HSM_PIN; an empty value counts as none. */
export function hsmPinOf(args: ParsedArgs, io: CommandIo): string | undefined {
  const pin = stringOption(args, 'hsm-pin') ?? io.env.KERI_HSM_PIN;
  return pin === '' ? undefined : pin;
}

/**
 * The controller named by --name/--base: the running agent's, when the command runs inside it, or
 * opened here with the passcode (and the token its keystore records, when a PIN is given),
 * reporting slow work on stderr. Give it back with `releaseController`.
 */
export async function openController(args: ParsedArgs, io: CommandIo): Promise<Controller> {
  if (io.host) {
    const name = requireString(args, 'name');
    if (name !== io.host.name)
      throw new UsageError(`This agent serves keystore '${io.host.name}', not '${name}'`);
    return io.host.controller;
  }
  const crypto = await createNodeCrypto();
  const passcode = passcodeOf(args, io);
  const tokenPin = hsmPinOf(args, io);
  return ControllerClass.open({
    name: requireString(args, 'name'),
    ...(stringOption(args, 'base') !== undefined ? { base: stringOption(args, 'base')! } : {}),
    crypto,
    ...(passcode !== undefined ? { passcode } : {}),
    ...(tokenPin !== undefined ? { tokenPin } : {}),
    progress: stderrProgress(io.stderr),
  });
}

/** Closes a controller opened by `openController` (an agent's stays open). */
export async function releaseController(controller: Controller, io: CommandIo): Promise<void> {
  if (io.host?.controller === controller) return;
  await controller.close();
}

/** Runs `body` with the keystore's controller, given back (`releaseController`) however it ends. */
export async function withController<T>(
  args: ParsedArgs,
  io: CommandIo,
  body: (controller: Controller) => Promise<T>,
): Promise<T> {
  const controller = await openController(args, io);
  try {
    return await body(controller);
  } finally {
    await releaseController(controller, io);
  }
}

/** Opens a separate next-key keystore (separated custody) when --next-store is given. */
export async function openNextStore(
  args: ParsedArgs,
  io: CommandIo,
): Promise<Keystore | undefined> {
  const given = stringOption(args, 'next-store');
  if (given === undefined) return undefined;
  const path = resolvePath(io, given);
  const crypto = await createNodeCrypto();
  const passcode = passcodeOf(args, io, 'next-passcode', 'KERI_NEXT_PASSCODE');
  io.stderr.write(`Opening the next-key keystore at ${path}...\n`);
  const options = {
    ...(passcode === undefined ? {} : { passcode }),
    progress: stderrProgress(io.stderr),
  };
  if (Keystore.exists(path)) return Keystore.open(path, crypto, options);
  return Keystore.create(path, crypto, options);
}

const ALGORITHMS: readonly KeyAlgorithm[] = ['salty', 'randy', 'pkcs11'];

/**
 * The properties of `values` that are set. Options objects take an absent key rather than an
 * `undefined` value (exactOptionalPropertyTypes), and most command-line options are optional.
 */
export function definedOnly<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) result[key] = value;
  return result as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** `--algo` and `--next-algo`: salty, randy or pkcs11. */
export function algorithmOption(args: ParsedArgs, name: string): KeyAlgorithm | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  if (!(ALGORITHMS as readonly string[]).includes(value))
    throw new UsageError(`--${name} is salty, randy or pkcs11`);
  return value as KeyAlgorithm;
}

/**
 * A threshold as kli takes it: an integer, a hex string, or a JSON weighted list. Its form is
 * checked where it is used (the controller, `parseThreshold`), not here.
 */
export function thresholdOption(args: ParsedArgs, name: string): Sith | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as WeightedSith;
    } catch {
      throw new UsageError(`--${name} is not valid JSON: ${value}`);
    }
  }
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

export function integerOption(args: ParsedArgs, name: string): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a whole number, got '${value}'`);
  return Number(value);
}

/** A comma-separated list of positions. */
export function positionsOption(args: ParsedArgs, name: string): number[] | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part)))
    throw new UsageError(`--${name} takes positions like 0,2,4`);
  return parts.map(Number);
}

/** Values of a repeatable option (`--wits A --wits B`), also accepting commas. */
export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const value = args.values[name];
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [String(value)];
  return list
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `--data` as kli takes it: a JSON list of seals (or one seal), or @file. */
export function dataOption(args: ParsedArgs): Record<string, unknown>[] | undefined {
  const value = stringOption(args, 'data');
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed)
      ? (parsed as Record<string, unknown>[])
      : [parsed as Record<string, unknown>];
  } catch {
    throw new UsageError('--data must be JSON: a seal like {"d":"E..."} or a list of seals');
  }
}
