/**
 * @module commands/init
 * `keri init`: creates a keystore (and its KEL store), as `kli init`; optionally with a PKCS#11
 * token for hardware keys, whose module and label the keystore records (never the PIN).
 */
import { Controller } from '@kestrel/controller';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { type Command, flag, type ParsedArgs, stringOption, UsageError } from '../command.js';
import {
  algorithmOption,
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  hsmPinOf,
  passcodeOf,
  requireString,
} from '../controller-options.js';
import { type CommandIo, formatJson } from '../io.js';
import { stderrProgress } from '../progress.js';

const TIERS = new Set(['temp', 'low', 'med', 'high']);

/** --hsm-module (or KERI_HSM_MODULE), --hsm-token and the PIN, all or none. */
function tokenOf(args: ParsedArgs, io: CommandIo) {
  const module = stringOption(args, 'hsm-module') ?? io.env.KERI_HSM_MODULE;
  const label = stringOption(args, 'hsm-token');
  if (label === undefined) {
    if (stringOption(args, 'hsm-module') !== undefined)
      throw new UsageError('--hsm-module needs --hsm-token, the label of the token');
    return undefined;
  }
  if (module === undefined || module === '')
    throw new UsageError(
      '--hsm-token needs the PKCS#11 module: --hsm-module PATH (or set KERI_HSM_MODULE)',
    );
  const pin = hsmPinOf(args, io);
  if (pin === undefined)
    throw new UsageError("give the token's user PIN: set KERI_HSM_PIN (or --hsm-pin)");
  return { module, label, pin };
}

export const init: Command = {
  path: ['init'],
  runsInAgent: false,
  summary: 'create an encrypted keystore (kli init), optionally with a PKCS#11 token',
  usage: `Usage: keri init --name NAME [--base DIR] (--passcode CODE | --nopasscode) [--salt SALT] [--tier low|med|high]
                 [--algo salty|randy|pkcs11] [--hsm-module PATH --hsm-token LABEL] [--json]

${CONTROLLER_USAGE}
  --nopasscode          keep secrets unencrypted (as kli --nopasscode; not recommended)
  --salt SALT           root salt, qb64 '0A...' (24 characters) as kli takes it; random when omitted
  --tier TIER           argon2id tier of salty keys: low (default, as kli), med, high (slower, safer)
  --algo ALGO           how this keystore's identifiers get their keys, unless 'keri incept --algo'
                        says otherwise: salty (default, from the salt, as kli), randy (random), or
                        pkcs11 (generated inside the token, never extractable)
  --hsm-module PATH     the token's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so (or KERI_HSM_MODULE)
  --hsm-token LABEL     the token's label. Module and label are recorded in the keystore; later
                        commands open the token by themselves and only need the PIN (KERI_HSM_PIN)
With the same salt, alias and options, 'keri init' + 'keri incept' make the same keys as kli.`,
  examples: [
    'keri init --name alice --passcode "$(cat ~/alice.passcode)"',
    'keri init --name test --salt 0ACDEyMzQ1Njc4OWxtbm9aBc --nopasscode',
    'KERI_HSM_PIN=... keri init --name vault --passcode "$(cat ~/vault.passcode)" --algo pkcs11 --hsm-module /usr/lib/softhsm/libsofthsm2.so --hsm-token vault',
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    nopasscode: { type: 'boolean' },
    salt: { type: 'string', short: 's' },
    tier: { type: 'string' },
    algo: { type: 'string' },
    'hsm-module': { type: 'string' },
    'hsm-token': { type: 'string' },
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
    const algorithm = algorithmOption(args, 'algo');
    const token = tokenOf(args, io);
    if (algorithm === 'pkcs11' && token === undefined)
      throw new UsageError('--algo pkcs11 needs a token: --hsm-module PATH --hsm-token LABEL');
    const controller = await Controller.init({
      name,
      ...(stringOption(args, 'base') !== undefined ? { base: stringOption(args, 'base')! } : {}),
      crypto: await createNodeCrypto(),
      ...(passcode !== undefined ? { passcode } : {}),
      ...(stringOption(args, 'salt') !== undefined ? { salt: stringOption(args, 'salt')! } : {}),
      tier: tier as 'temp' | 'low' | 'med' | 'high',
      ...(algorithm !== undefined ? { algorithm } : {}),
      ...(token !== undefined ? { token } : {}),
      progress: stderrProgress(io.stderr),
    });
    const aeid = controller.keystore.aeid;
    const { algorithm: chosen } = controller.keystore.defaults;
    await controller.close();
    const recorded = token ? { module: token.module, label: token.label } : null;
    if (flag(args, 'json'))
      io.stdout.write(
        formatJson({
          name,
          encrypted: aeid !== undefined,
          aeid: aeid ?? null,
          tier,
          algorithm: chosen,
          token: recorded,
        }),
      );
    else {
      io.stdout.write(
        `Keystore '${name}' created${aeid ? ` (encrypted, aeid ${aeid})` : ' (NOT encrypted)'}.\n`,
      );
      if (recorded)
        io.stdout.write(
          `Hardware keys: token '${recorded.label}' of ${recorded.module} (${chosen === 'pkcs11' ? 'the default for new identifiers' : "for 'keri incept --algo pkcs11'"}).\n`,
        );
    }
    return 0;
  },
};
