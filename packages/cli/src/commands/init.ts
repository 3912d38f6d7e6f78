/**
 * @module commands/init
 * `keri init`: creates a keystore (and its KEL store), as `kli init`.
 */
import { Controller } from '@kestrel/controller';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { type Command, flag, stringOption, UsageError } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  passcodeOf,
  requireString,
} from '../controller-options.js';
import { formatJson } from '../io.js';

const TIERS = new Set(['temp', 'low', 'med', 'high']);

export const init: Command = {
  path: ['init'],
  runsInAgent: false,
  summary: 'create an encrypted keystore (kli init)',
  usage: `Usage: keri init --name NAME [--base DIR] (--passcode CODE | --nopasscode) [--salt SALT] [--tier low|med|high] [--json]

${CONTROLLER_USAGE}
  --nopasscode          keep secrets unencrypted (as kli --nopasscode; not recommended)
  --salt SALT           root salt, qb64 '0A...' (24 characters) as kli takes it; random when omitted
  --tier TIER           argon2id tier of salty keys: low (default, as kli), med, high (slower, safer)
With the same salt, alias and options, 'keri init' + 'keri incept' make the same keys as kli.`,
  examples: [
    'keri init --name alice --passcode "$(cat ~/alice.passcode)"',
    'keri init --name test --salt 0ACDEyMzQ1Njc4OWxtbm9aBc --nopasscode',
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    nopasscode: { type: 'boolean' },
    salt: { type: 'string', short: 's' },
    tier: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const name = requireString(args, 'name');
    const passcode = passcodeOf(args, io);
    if (passcode === undefined && !flag(args, 'nopasscode')) {
      throw new UsageError('give --passcode (at least 21 characters) or --nopasscode');
    }
    const tier = stringOption(args, 'tier') ?? 'low';
    if (!TIERS.has(tier))
      throw new UsageError(`--tier must be one of low, med, high (or temp for tests)`);
    if (passcode !== undefined)
      io.stderr.write('Deriving the keystore encryption key from the passcode (argon2id)...\n');
    const controller = await Controller.init({
      name,
      ...(stringOption(args, 'base') !== undefined ? { base: stringOption(args, 'base')! } : {}),
      crypto: await createNodeCrypto(),
      ...(passcode !== undefined ? { passcode } : {}),
      ...(stringOption(args, 'salt') !== undefined ? { salt: stringOption(args, 'salt')! } : {}),
      tier: tier as 'temp' | 'low' | 'med' | 'high',
    });
    const aeid = controller.keystore.aeid;
    await controller.close();
    if (flag(args, 'json'))
      io.stdout.write(
        formatJson({ name, encrypted: aeid !== undefined, aeid: aeid ?? null, tier }),
      );
    else
      io.stdout.write(
        `Keystore '${name}' created${aeid ? ` (encrypted, aeid ${aeid})` : ' (NOT encrypted)'}.\n`,
      );
    return 0;
  },
};
