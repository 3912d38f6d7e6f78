/**
 * @module commands/rotate
 * `keri rotate` (kli rotate, plus reserve and custodial plans and abandonment) and `keri recover`.
 */

import { readFile } from 'node:fs/promises';
import { digestQb64 } from '@kestrel/cesr';
import type { RotateIdentifierOptions } from '@kestrel/controller';
import { type Command, flag, type ParsedArgs, stringOption, UsageError } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  dataOption,
  definedOnly,
  integerOption,
  listOption,
  openNextStore,
  positionsOption,
  requireString,
  thresholdOption,
  withController,
} from '../controller-options.js';
import { type CommandIo, formatJson } from '../io.js';
import { stateJson, stateSummary } from './identifier-output.js';
import { shareKelWithGroups } from './multisig-session.js';

const ROTATE_OPTIONS = {
  ...CONTROLLER_OPTIONS,
  alias: { type: 'string', short: 'a' },
  isith: { type: 'string' },
  ncount: { type: 'string' },
  nsith: { type: 'string' },
  expose: { type: 'string' },
  reserve: { type: 'string' },
  custodial: { type: 'string', multiple: true },
  abandon: { type: 'boolean' },
  cuts: { type: 'string', multiple: true },
  adds: { type: 'string', multiple: true },
  toad: { type: 'string' },
  data: { type: 'string' },
  'next-store': { type: 'string' },
  'next-passcode': { type: 'string' },
  totp: { type: 'string' },
  json: { type: 'boolean' },
} as const;

async function runRotate(
  args: ParsedArgs,
  io: CommandIo,
  recovery?: { at: bigint; statement: Uint8Array },
): Promise<number> {
  const alias = requireString(args, 'alias');
  return withController(args, io, async (controller) => {
    const nextStore = await openNextStore(args, io);
    try {
      const data = [...(dataOption(args) ?? [])];
      let statementDigest: string | undefined;
      if (recovery) {
        statementDigest = digestQb64(controller.crypto.digest, 'E', recovery.statement);
        data.push({ d: statementDigest });
      }
      const options: RotateIdentifierOptions = {
        data,
        ...definedOnly({
          expose: positionsOption(args, 'expose'),
          reserve: positionsOption(args, 'reserve'),
          nextCount: integerOption(args, 'ncount'),
          signingThreshold: thresholdOption(args, 'isith'),
          nextThreshold: thresholdOption(args, 'nsith'),
          addKeys: listOption(args, 'custodial'),
          cuts: listOption(args, 'cuts'),
          adds: listOption(args, 'adds'),
          witnessThreshold: integerOption(args, 'toad'),
          nextStore,
          recoverAt: recovery?.at,
          totp: stringOption(args, 'totp'),
        }),
        ...(flag(args, 'abandon') ? { abandon: true } : {}),
      };
      await controller.rotate(alias, options);
      const state = controller.state(alias);
      await shareKelWithGroups(controller, io, state.prefix);
      if (flag(args, 'json')) {
        io.stdout.write(
          formatJson({
            alias,
            prefix: state.prefix,
            ...(statementDigest ? { statement: statementDigest } : {}),
            state: stateJson(state),
          }),
        );
      } else {
        if (recovery)
          io.stdout.write(
            `Recovered: the rotation at sn ${recovery.at} supersedes the interactions from there; it anchors the statement ${statementDigest}.\n`,
          );
        io.stdout.write(`${stateSummary(alias, state)}\n`);
      }
      return 0;
    } finally {
      await nextStore?.close();
    }
  });
}

export const rotateCommand: Command = {
  path: ['rotate'],
  summary: 'rotate to the pre-rotated keys: plain, reserve, custodial, or abandon',
  usage: `Usage: keri rotate --name NAME --alias ALIAS [options]

${CONTROLLER_USAGE}
  --alias, -a ALIAS     the identifier
  --isith T --ncount N --nsith T   new signing threshold, number of new next keys, next threshold
  --expose 1,3          reserve rotation: positions in the current next list (n) to expose
  --reserve 0,2,4       positions in n to re-commit, blinded, ahead of the new next keys
  --custodial KEY ...   custodial rotation: add these (custodian) keys to the signing keys
  --abandon             no next keys: the identifier can never rotate or interact again
  --cuts W --adds W --toad N   witness changes
  --data JSON           seals to anchor
  --next-store DIR      the keystore holding the next keys (separated custody)
  --totp CODE           the TOTP code, when the identifier requires one
  --json                print the new key state as JSON`,
  examples: [
    'keri rotate --name alice --alias alice',
    'keri rotate -n org -a board --expose 1,3 --reserve 0,2,4 --isith 2 --nsith 2 --ncount 2',
    'keri rotate -n owner -a ward --custodial DNewCustodianKey... --isith 1',
  ],
  options: ROTATE_OPTIONS,
  run: (args, io) => runRotate(args, io),
};

export const recoverCommand: Command = {
  path: ['recover'],
  summary: 'recover after a compromise of the signing keys: a rotation superseding interactions',
  usage: `Usage: keri recover --name NAME --alias ALIAS --at SN --statement FILE [rotate options]

Makes a rotation at sequence number SN (hex) with the pre-rotated keys, whose prior is the event
at SN-1: every interaction from SN on (made with the compromised keys) is superseded. The rotation
anchors the digest of a recovery statement (FILE: what happened, which events are not yours).
${CONTROLLER_USAGE}
  --at SN               hex sequence number of the first interaction to supersede
  --statement FILE      the recovery statement to anchor (its Blake3 digest)`,
  examples: ['keri recover --name alice --alias alice --at 5 --statement incident.txt'],
  options: { ...ROTATE_OPTIONS, at: { type: 'string' }, statement: { type: 'string' } },
  async run(args, io) {
    const at = requireString(args, 'at');
    if (!/^[0-9a-f]+$/.test(at)) throw new UsageError('--at is a hex sequence number');
    const statement = new Uint8Array(await readFile(requireString(args, 'statement')));
    return runRotate(args, io, { at: BigInt(`0x${at}`), statement });
  },
};

export const interactCommand: Command = {
  path: ['interact'],
  summary: 'anchor data in an interaction event (kli interact)',
  usage: `Usage: keri interact --name NAME --alias ALIAS [--data JSON] [--json]\n\n${CONTROLLER_USAGE}\n  --data JSON           seals to anchor, e.g. '[{"d":"E..."}]'`,
  examples: [
    `keri interact --name alice --alias alice --data '[{"d":"EAmy5riCz0YvnZ1lVuSFPDEGlv3c9jJe_v52ohzYSH3d"}]'`,
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    data: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const alias = requireString(args, 'alias');
    return withController(args, io, async (controller) => {
      await controller.interact(alias, dataOption(args) ?? []);
      const state = controller.state(alias);
      io.stdout.write(
        flag(args, 'json')
          ? formatJson({ alias, prefix: state.prefix, state: stateJson(state) })
          : `${stateSummary(alias, state)}\n`,
      );
      return 0;
    });
  },
};
