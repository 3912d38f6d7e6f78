/**
 * @module commands/oobi
 * `keri oobi generate` and `keri oobi resolve` (kli's names and flags): introducing identifiers
 * to each other through the URL where their KEL can be fetched.
 */
import { oobiUrl, resolveOobi } from '@kestrel/controller';
import { runningAgent } from '../agent-client.js';
import { type Command, flag, stringOption, UsageError } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  requireString,
  withController,
} from '../controller-options.js';
import { formatJson } from '../io.js';

export const oobiGenerate: Command = {
  path: ['oobi', 'generate'],
  summary: 'print the OOBI URL of an identifier (where its agent serves its KEL)',
  usage: `Usage: keri oobi generate --name NAME --alias ALIAS [--url AGENT_URL] [--json]

The URL is <agent>/oobi/<prefix>; the agent is the one running for this keystore (keri agent
start), unless --url names another base URL.
${CONTROLLER_USAGE}
  --alias, -a ALIAS     the identifier (or group) to introduce
  --url URL             base URL of the agent serving it (default: this keystore's running agent)
  --json                print {"prefix","oobi"}`,
  examples: ['keri oobi generate --name alice --alias alice'],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    url: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const alias = requireString(args, 'alias');
    return withController(args, io, async (controller) => {
      const group = controller.records.group(alias);
      const prefix = group?.prefix ?? controller.prefixOf(alias);
      const base =
        stringOption(args, 'url') ??
        runningAgent(requireString(args, 'name'), stringOption(args, 'base'))?.publicUrl;
      if (base === undefined)
        throw new UsageError(
          'No agent runs for this keystore: start one (keri agent start) or give --url',
        );
      const oobi = oobiUrl(base, prefix);
      io.stdout.write(flag(args, 'json') ? formatJson({ prefix, oobi }) : `${oobi}\n`);
      return 0;
    });
  },
};

export const oobiResolve: Command = {
  path: ['oobi', 'resolve'],
  summary:
    'fetch and validate the KEL behind an OOBI, and remember where that identifier is reached',
  usage: `Usage: keri oobi resolve --name NAME --oobi URL [--oobi-alias NAME] [--json]

${CONTROLLER_USAGE}
  --oobi URL            the OOBI, e.g. http://127.0.0.1:5623/oobi/EKYL...
  --oobi-alias NAME     a local name for that identifier (usable in multisig member lists)
  --json                print {"prefix","sn","endpoint"}`,
  examples: [
    'keri oobi resolve --name bob --oobi http://127.0.0.1:5623/oobi/EKYLUMmNPZeEs77Zvclf0bSN5IN-mLfLpx2ySb-HDlk4 --oobi-alias alice',
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    oobi: { type: 'string' },
    'oobi-alias': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const url = requireString(args, 'oobi');
    const alias = stringOption(args, 'oobi-alias');
    return withController(args, io, async (controller) => {
      const resolved = await resolveOobi(controller, url, alias);
      if (flag(args, 'json'))
        io.stdout.write(
          formatJson({
            prefix: resolved.prefix,
            sn: resolved.sn.toString(16),
            endpoint: resolved.endpoint,
          }),
        );
      else
        io.stdout.write(
          `${alias ?? resolved.prefix}: KEL accepted up to sn ${resolved.sn}; reachable at ${resolved.endpoint}\n`,
        );
      return 0;
    });
  },
};
