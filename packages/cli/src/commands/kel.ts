/**
 * @module commands/kel
 * `keri kel export` (the CESR stream as keripy replays it to a peer) and `keri kel import`.
 */
import { bytesToText, parseStream } from '@kestrel/cesr';
import { type Command, flag, stringOption } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  requireString,
  withController,
} from '../controller-options.js';
import { formatJson, readInput } from '../io.js';

export const kelExport: Command = {
  path: ['kel', 'export'],
  summary: 'write a KEL as CESR to standard output, as keripy replays it to a peer',
  usage: `Usage: keri kel export --name NAME (--alias ALIAS | --prefix PREFIX) [--json]

${CONTROLLER_USAGE}
  --alias, -a ALIAS     an identifier or group of this keystore
  --prefix PREFIX       any identifier whose KEL is held here
  --json                print {"prefix","events":[{"sn","ilk","said","message"}]} (message: the
                        event with its attachments as CESR text) instead of the bare stream`,
  examples: [
    'keri kel export --name alice --alias alice > alice.cesr',
    'keri kel export -n alice -a alice | keri kel verify -',
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    prefix: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const which = stringOption(args, 'alias') ?? requireString(args, 'prefix');
    return withController(args, io, async (controller) => {
      const messages = controller.exportKel(which);
      if (!flag(args, 'json')) {
        for (const message of messages) io.stdout.write(bytesToText(message));
        return 0;
      }
      const events = messages.map((message) => {
        const { sad } = parseStream(message).messages[0]!.body;
        return { sn: sad.s, ilk: sad.t, said: sad.d, message: bytesToText(message) };
      });
      io.stdout.write(
        formatJson({ prefix: parseStream(messages[0]!).messages[0]!.body.sad.i, events }),
      );
      return 0;
    });
  },
};

export const kelImport: Command = {
  path: ['kel', 'import'],
  readsStdin: (args) => args.positionals[0] === undefined || args.positionals[0] === '-',
  summary:
    "validate another identifier's KEL (a delegator's, a custodian's...) into this keystore's KEL store",
  usage: `Usage: keri kel import --name NAME [FILE|-] [--json]\n\n${CONTROLLER_USAGE}\nExit status: 0 when every event was accepted.`,
  examples: ['keri kel import --name bob alice.cesr'],
  options: { ...CONTROLLER_OPTIONS, json: { type: 'boolean' } },
  async run(args, io) {
    const bytes = await readInput(io, args.positionals[0]);
    return withController(args, io, async (controller) => {
      const report = await controller.importKel(bytes);
      if (flag(args, 'json')) io.stdout.write(formatJson(report));
      else {
        for (const [prefix, { kel }] of Object.entries(report.accepted))
          io.stdout.write(`${prefix}: ${kel.length} event(s) accepted\n`);
        for (const entry of report.not_accepted)
          io.stdout.write(`not accepted: ${entry.ilk} ${entry.said} (${entry.why})\n`);
      }
      return report.verdict === 'accepted' ? 0 : 1;
    });
  },
};
