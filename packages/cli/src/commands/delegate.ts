/**
 * @module commands/delegate
 * `keri delegate request` (the delegate's dip) and `keri delegate confirm` (the delegator anchors it).
 */
import { bytesToText } from '@kestrel/cesr';
import { type Command, flag } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  requireString,
  withController,
} from '../controller-options.js';
import { formatJson, readInput } from '../io.js';
import { INCEPT_OPTIONS, INCEPT_USAGE, runIncept } from './incept.js';

export const delegateRequest: Command = {
  path: ['delegate', 'request'],
  summary: 'make a delegated identifier (dip) to be approved by its delegator',
  usage: `Usage: keri delegate request --name NAME --alias ALIAS --delegator PREFIX [incept options]

Prints the delegated inception to send to the delegator ('keri delegate confirm'). Once approved,
import the delegator's KEL ('keri kel import') so exports carry the approval.
${INCEPT_USAGE}
  --delegator PREFIX    the delegator`,
  examples: [
    'keri delegate request --name bob --alias sub --delegator EKYLUMmNPZeEs77Zvclf0bSN5IN-mLfLpx2ySb-HDlk4',
  ],
  options: { ...INCEPT_OPTIONS, delegator: { type: 'string' } },
  run: (args, io) => runIncept(args, io, requireString(args, 'delegator')),
};

export const delegateConfirm: Command = {
  path: ['delegate', 'confirm'],
  readsStdin: (args) => args.positionals[0] === undefined || args.positionals[0] === '-',
  summary: "approve a delegated event: anchor its seal in the delegator's KEL",
  usage: `Usage: keri delegate confirm --name NAME --alias DELEGATOR [FILE|-] [--json]

Reads the delegated event (dip or drt) and anchors its seal {i, s, d} in an interaction of the
delegator. Prints the delegator's KEL to give back to the delegate.
${CONTROLLER_USAGE}`,
  examples: ['keri delegate confirm --name alice --alias alice request.cesr > alice-kel.cesr'],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const alias = requireString(args, 'alias');
    const request = await readInput(io, args.positionals[0]);
    return withController(args, io, async (controller) => {
      await controller.approveDelegation(alias, request);
      const kel = controller.exportKel(alias).map(bytesToText).join('');
      if (flag(args, 'json')) io.stdout.write(formatJson({ alias, approved: true, kel }));
      else io.stdout.write(kel);
      return 0;
    });
  },
};
