/**
 * @module commands/policy-source
 * Where `keri multisig policy` takes its thresholds from. Today: bare thresholds and counts from
 * options (`--kt`, `--nt`, `--members`, ...). A live group (`--alias`) is another PolicySource:
 * it reads `kt`, `nt`, the sizes of `k` and `n` and the witness count from the group's key state,
 * and is passed to `multisigPolicyCommand` in place of (or wrapping) `thresholdsFromOptions`.
 */
import { parseThreshold, type SigningThreshold, ThresholdError } from '@kestrel/core';
import { type OptionSpec, type ParsedArgs, stringOption, UsageError } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  integerOption,
  thresholdOption,
  withController,
} from '../controller-options.js';
import type { CommandIo } from '../io.js';

/** The thresholds and counts a continuity analysis is worked out from. */
export interface PolicyThresholds {
  readonly signingThreshold: SigningThreshold;
  readonly memberCount?: number;
  readonly nextThreshold?: SigningThreshold;
  readonly nextMemberCount?: number;
  readonly witnesses?: number;
}

/** A way to obtain the thresholds: its own options and usage lines, and how it reads them. */
export interface PolicySource {
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly usage: string;
  /** Throws UsageError for missing or malformed input. */
  read(args: ParsedArgs, io: CommandIo): Promise<PolicyThresholds>;
}

function thresholdFrom(args: ParsedArgs, name: string): SigningThreshold | undefined {
  const value = thresholdOption(args, name);
  if (value === undefined) return undefined;
  try {
    return parseThreshold(value);
  } catch (caught) {
    if (caught instanceof ThresholdError) throw new UsageError(`--${name}: ${caught.message}`);
    throw caught;
  }
}

/** Thresholds and counts given as options. */
export const thresholdsFromOptions: PolicySource = {
  options: {
    kt: { type: 'string' },
    nt: { type: 'string' },
    members: { type: 'string' },
    'next-members': { type: 'string' },
    witnesses: { type: 'string' },
  },
  usage: `  --kt T              current signing threshold: an integer, or a JSON weighted list such as
                      '["1/2","1/4","1/4"]' or '[["1/2","1/2","1/2"],["1","1"]]' (as kli --isith)
  --nt T              next threshold, which decides who can rotate; same forms
  --members N         number of keys: required for an integer --kt, else the length of its list
  --next-members N    number of next key digests (default: --members, else the length of the
                      --nt list, else as many as for --kt)
  --witnesses N       number of witnesses, for the safe witness thresholds`,
  async read(args) {
    const signingThreshold = thresholdFrom(args, 'kt');
    if (signingThreshold === undefined) throw new UsageError('--kt is required');
    const nextThreshold = thresholdFrom(args, 'nt');
    const memberCount = integerOption(args, 'members');
    const nextMemberCount = integerOption(args, 'next-members');
    const witnesses = integerOption(args, 'witnesses');
    if (signingThreshold.kind === 'numeric' && memberCount === undefined)
      throw new UsageError('an integer --kt needs --members N (how many keys the group has)');
    return {
      signingThreshold,
      ...(memberCount !== undefined ? { memberCount } : {}),
      ...(nextThreshold !== undefined ? { nextThreshold } : {}),
      ...(nextMemberCount !== undefined ? { nextMemberCount } : {}),
      ...(witnesses !== undefined ? { witnesses } : {}),
    };
  },
};

/**
 * A live group's thresholds (`--name ... --alias GROUP`), read from its key state here, or bare
 * thresholds from options when no --alias is given.
 */
export const thresholdsFromGroupOrOptions: PolicySource = {
  options: {
    ...thresholdsFromOptions.options,
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
  },
  usage: `${thresholdsFromOptions.usage}
  --name NAME --alias GROUP   a live group instead: its current kt over k, its nt over n, and its
                      witness count, from the group's key state in keystore NAME`,
  async read(args, io) {
    const alias = stringOption(args, 'alias');
    if (alias === undefined) return thresholdsFromOptions.read(args, io);
    for (const option of ['kt', 'nt', 'members', 'next-members'])
      if (args.values[option] !== undefined)
        throw new UsageError(`--${option} and --alias exclude each other`);
    if (stringOption(args, 'name') === undefined)
      throw new UsageError('--alias needs --name (the keystore holding the group)');
    return withController(args, io, async (controller) => {
      const group = controller.records.group(alias);
      const prefix = group?.prefix ?? controller.prefixOf(alias);
      const state = controller.processor.context.state(prefix);
      if (!state) throw new UsageError(`'${alias}' has no key state here yet`);
      const witnesses = integerOption(args, 'witnesses') ?? state.witnesses.length;
      return {
        signingThreshold: state.signingThreshold,
        memberCount: state.keys.length,
        ...(state.nextKeyDigests.length > 0
          ? { nextThreshold: state.nextThreshold, nextMemberCount: state.nextKeyDigests.length }
          : {}),
        ...(witnesses > 0 ? { witnesses } : {}),
      };
    });
  },
};
