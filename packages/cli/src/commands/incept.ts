/**
 * @module commands/incept
 * `keri incept` (and `keri delegate request`): makes a new identifier, as `kli incept`.
 */

import type { InceptIdentifierOptions } from '@kestrel/controller';
import { type Command, flag, type ParsedArgs, stringOption, UsageError } from '../command.js';
import {
  algorithmOption,
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  dataOption,
  definedOnly,
  integerOption,
  listOption,
  openNextStore,
  requireString,
  thresholdOption,
  withController,
} from '../controller-options.js';
import { type CommandIo, formatJson } from '../io.js';
import { stateJson, stateSummary } from './identifier-output.js';

export const INCEPT_OPTIONS = {
  ...CONTROLLER_OPTIONS,
  alias: { type: 'string', short: 'a' },
  transferable: { type: 'boolean' },
  icount: { type: 'string' },
  isith: { type: 'string' },
  ncount: { type: 'string' },
  nsith: { type: 'string' },
  wits: { type: 'string', multiple: true },
  toad: { type: 'string' },
  'est-only': { type: 'boolean' },
  'do-not-delegate': { type: 'boolean' },
  data: { type: 'string' },
  algo: { type: 'string' },
  'next-algo': { type: 'string' },
  'next-store': { type: 'string' },
  'next-passcode': { type: 'string' },
  'next-digests': { type: 'string' },
  totp: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const INCEPT_USAGE = `${CONTROLLER_USAGE}
  --alias, -a ALIAS     name of the identifier in this keystore
  --transferable        transferable identifier (kli default for --transferable); without it: non-transferable
  --icount N --isith T  number of signing keys and signing threshold (integer, or JSON weighted list)
  --ncount N --nsith T  number of next (pre-rotated) keys and next threshold
  --wits PREFIX ...     witnesses (repeat or comma-separate); --toad N their threshold
  --est-only            establishment-only (EO): no interactions allowed
  --do-not-delegate     this identifier may not delegate (DND)
  --data JSON           seals to anchor, e.g. '[{"d":"E..."}]'
  --algo salty|randy|pkcs11   how keys are made (default: the keystore's, 'keri init --algo'); pkcs11
                        generates them in the keystore's token (PIN: KERI_HSM_PIN or --hsm-pin)
  --next-algo ALGO      how the next keys are made, if not as the current ones: e.g. --next-algo
                        pkcs11 keeps software keys' successors in the token until a rotation
  --next-store DIR      keep the next keys in another (software) keystore (own passcode: --next-passcode
                        or KERI_NEXT_PASSCODE); with --algo pkcs11: current keys in the token, next in DIR
  --next-digests D,...  commit to next keys someone else holds (custodial: the owner's 'keri keys next')
  --totp                require a TOTP code before every later establishment event (prints the secret on stderr once)
  --json                print the key state as JSON`;

export async function runIncept(
  args: ParsedArgs,
  io: CommandIo,
  delegator?: string,
): Promise<number> {
  const alias = requireString(args, 'alias');
  // Checked before anything is opened: a next-key keystore is created on first use.
  const algorithm = algorithmOption(args, 'algo');
  const nextAlgorithm = algorithmOption(args, 'next-algo');
  if (nextAlgorithm === 'pkcs11' && stringOption(args, 'next-store') !== undefined)
    throw new UsageError(
      '--next-store keeps software keys; --next-algo pkcs11 keeps the next keys in the token instead',
    );
  return withController(args, io, async (controller) => {
    const nextStore = await openNextStore(args, io);
    try {
      const config: string[] = [];
      if (flag(args, 'est-only')) config.push('EO');
      if (flag(args, 'do-not-delegate')) config.push('DND');
      const transferable =
        flag(args, 'transferable') ||
        delegator !== undefined ||
        stringOption(args, 'next-digests') !== undefined;
      const options: InceptIdentifierOptions = {
        transferable,
        config,
        ...definedOnly({
          currentCount: integerOption(args, 'icount'),
          nextCount: integerOption(args, 'ncount'),
          signingThreshold: thresholdOption(args, 'isith'),
          nextThreshold: thresholdOption(args, 'nsith'),
          witnesses: listOption(args, 'wits'),
          witnessThreshold: integerOption(args, 'toad'),
          data: dataOption(args),
          algorithm,
          nextAlgorithm,
          nextStore,
          nextDigests: stringOption(args, 'next-digests')
            ?.split(',')
            .map((digest) => digest.trim()),
          delegator,
        }),
        ...(flag(args, 'totp') ? { requireTotp: true } : {}),
      };
      if (!transferable && (options.nextCount ?? 0) > 0)
        throw new UsageError('--ncount needs --transferable');
      const result = await controller.incept(
        alias,
        transferable ? options : { ...options, nextCount: 0 },
      );
      const state = controller.state(alias);
      if (result.totp) {
        io.stderr.write(
          `TOTP enabled. Add this secret to your authenticator now; it will not be shown again:\n  ${result.totp.uri}\n`,
        );
      }
      if (flag(args, 'json')) {
        io.stdout.write(
          formatJson({
            alias,
            prefix: result.prefix,
            totp: result.totp ? 'enabled' : 'off',
            state: stateJson(state),
            message: new TextDecoder().decode(result.message),
          }),
        );
      } else {
        io.stdout.write(`${stateSummary(alias, state)}\n`);
        if (delegator !== undefined) {
          io.stdout.write(
            `Send this delegated inception to the delegator for approval ('keri delegate confirm'):\n${new TextDecoder().decode(result.message)}\n`,
          );
        }
      }
      return 0;
    } finally {
      await nextStore?.close();
    }
  });
}

export const inceptCommand: Command = {
  path: ['incept'],
  summary: 'make a new identifier (kli incept)',
  usage: `Usage: keri incept --name NAME --alias ALIAS [options]\n\n${INCEPT_USAGE}`,
  examples: [
    'keri incept --name alice --alias alice --transferable',
    'keri incept -n org -a board --transferable --icount 3 --isith 2 --ncount 3 --nsith 2',
    'KERI_HSM_PIN=... keri incept --name vault --alias vault --transferable --algo pkcs11',
    'keri incept --name alice --alias cold --transferable --algo pkcs11 --next-store /media/usb/alice-next',
    `keri incept -n org -a exec --transferable --icount 3 --isith '["1/2","1/4","1/4"]' --ncount 3 --nsith '["1/2","1/4","1/4"]'`,
  ],
  options: INCEPT_OPTIONS,
  run: (args, io) => runIncept(args, io),
};
