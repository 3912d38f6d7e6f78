/**
 * @module commands/keys
 * Sign and verify arbitrary data, status and list of identifiers, next keys for custodial setups,
 * passcode changes.
 */
import { readFile } from 'node:fs/promises';
import { indexerFromQb64, textToBytes } from '@kestrel/cesr';
import { controllerPaths } from '@kestrel/controller';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { type KeyPlace, type KeyStorage, Keystore } from '@kestrel/keystore';
import { type Command, flag, type ParsedArgs, stringOption, UsageError } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  integerOption,
  listOption,
  passcodeOf,
  requireString,
  withController,
} from '../controller-options.js';
import { type CommandIo, formatJson, resolvePath } from '../io.js';
import { stderrProgress } from '../progress.js';
import { stateJson, stateSummary } from './identifier-output.js';

async function dataOf(args: ParsedArgs, io: CommandIo): Promise<Uint8Array> {
  const text = stringOption(args, 'text');
  const file = stringOption(args, 'file');
  if ((text === undefined) === (file === undefined)) throw new UsageError('give --text or --file');
  if (text !== undefined) return textToBytes(text);
  return file === '-' ? io.readStdin() : new Uint8Array(await readFile(resolvePath(io, file!)));
}

export const signCommand: Command = {
  path: ['sign'],
  readsStdin: (args) => args.values.file === '-',
  summary: "sign data with an identifier's current keys (kli sign)",
  usage: `Usage: keri sign --name NAME --alias ALIAS (--text TEXT | --file FILE) [--json]\n\n${CONTROLLER_USAGE}`,
  examples: ['keri sign --name alice --alias alice --text "I agree"'],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    text: { type: 'string' },
    file: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const alias = requireString(args, 'alias');
    const data = await dataOf(args, io);
    return withController(args, io, async (controller) => {
      const { prefix, signatures } = await controller.sign(alias, data);
      if (flag(args, 'json')) io.stdout.write(formatJson({ prefix, signatures }));
      else
        io.stdout.write(
          signatures.map((signature, i) => `${i + 1}. ${signature}`).join('\n') + '\n',
        );
      return 0;
    });
  },
};

export const verifyCommand: Command = {
  path: ['verify'],
  readsStdin: (args) => args.values.file === '-',
  summary:
    "verify signatures of data against an identifier's current keys and threshold (kli verify)",
  usage: `Usage: keri verify --name NAME --prefix PREFIX (--text TEXT | --file FILE) --signature SIG ... [--json]

Uses the key state of PREFIX in this keystore's KEL store (import the KEL first if needed).
Exit status: 0 when the signatures satisfy the signing threshold, 1 otherwise.
${CONTROLLER_USAGE}`,
  examples: [
    'keri verify --name bob --prefix EKYLUMmNPZeEs77Zvclf0bSN5IN-mLfLpx2ySb-HDlk4 --text "I agree" --signature AAB...',
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    prefix: { type: 'string' },
    text: { type: 'string' },
    file: { type: 'string' },
    signature: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const prefix = requireString(args, 'prefix');
    const signatures = (listOption(args, 'signature') ?? []).map((qb64) => {
      try {
        return indexerFromQb64(qb64);
      } catch {
        throw new UsageError(`Not an indexed signature: ${qb64.slice(0, 12)}...`);
      }
    });
    if (signatures.length === 0) throw new UsageError('give at least one --signature');
    const data = await dataOf(args, io);
    return withController(args, io, async (controller) => {
      const result = controller.verify(prefix, data, signatures);
      if (flag(args, 'json')) io.stdout.write(formatJson({ prefix, ...result }));
      else
        io.stdout.write(
          result.valid
            ? `Valid: signed by keys ${result.verified.join(', ')} of ${prefix}\n`
            : `NOT valid (verified keys: ${result.verified.join(', ') || 'none'})\n`,
        );
      return result.valid ? 0 : 1;
    });
  },
};

function place(where: KeyPlace, token: string | undefined): string {
  const tokenName = token === undefined ? 'the token' : `token '${token}'`;
  switch (where) {
    case 'keystore':
      return 'in this keystore';
    case 'token':
      return `in ${tokenName}`;
    case 'mixed':
      return `in this keystore and ${tokenName}`;
    case 'another keystore':
      return 'in another keystore';
    case 'none':
      return 'none';
  }
}

function storageSummary(storage: KeyStorage): string {
  return `keys held: current ${place(storage.current, storage.token)}; next ${place(storage.next, storage.token)}`;
}

export const statusCommand: Command = {
  path: ['status'],
  summary: 'show the key state of an identifier (kli status)',
  usage: `Usage: keri status --name NAME --alias ALIAS [--json]\n\n${CONTROLLER_USAGE}`,
  examples: ['keri status --name alice --alias alice --json'],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const alias = requireString(args, 'alias');
    return withController(args, io, async (controller) => {
      const status = controller.status(alias);
      if (flag(args, 'json'))
        io.stdout.write(
          formatJson({
            alias,
            prefix: status.prefix,
            nextKeys: status.custody,
            keys: status.storage,
            state: status.state ? stateJson(status.state) : null,
          }),
        );
      else if (status.state)
        io.stdout.write(
          `${stateSummary(alias, status.state)}\n  ${storageSummary(status.storage)}\n`,
        );
      else io.stdout.write(`${alias}: keys made, no KEL yet\n`);
      return 0;
    });
  },
};

export const listCommand: Command = {
  path: ['list'],
  summary: 'list the identifiers of a keystore (kli list)',
  usage: `Usage: keri list --name NAME [--json]\n\n${CONTROLLER_USAGE}`,
  examples: ['keri list --name alice'],
  options: { ...CONTROLLER_OPTIONS, json: { type: 'boolean' } },
  async run(args, io) {
    return withController(args, io, async (controller) => {
      const identifiers = controller.list();
      if (flag(args, 'json')) {
        io.stdout.write(
          formatJson(
            identifiers.map((i) => ({
              alias: i.alias,
              prefix: i.prefix,
              sn: i.state ? i.state.sn.toString(16) : null,
            })),
          ),
        );
      } else {
        io.stdout.write(
          identifiers.map((i) => `${i.alias}  ${i.prefix || '(no KEL yet)'}`).join('\n') +
            (identifiers.length ? '\n' : 'No identifiers.\n'),
        );
      }
      return 0;
    });
  },
};

export const keysNextCommand: Command = {
  path: ['keys', 'next'],
  summary: 'custodial setups: make next keys here and print only their digests for the custodian',
  usage: `Usage: keri keys next --name NAME --alias ALIAS [--count N] [--json]

The key owner keeps the pre-rotated keys; the custodian incepts with
'keri incept --next-digests D1,D2,...' and signs day to day. The owner later rotates alone.
${CONTROLLER_USAGE}`,
  examples: ['keri keys next --name owner --alias ward --count 1'],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    count: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const alias = requireString(args, 'alias');
    return withController(args, io, async (controller) => {
      const { nextDigests } = await controller.manager.incept(alias, {
        currentCount: 0,
        nextCount: integerOption(args, 'count') ?? 1,
      });
      io.stdout.write(
        flag(args, 'json') ? formatJson({ alias, nextDigests }) : `${nextDigests.join(',')}\n`,
      );
      return 0;
    });
  },
};

export const passcodeSetCommand: Command = {
  path: ['passcode', 'set'],
  runsInAgent: false,
  summary:
    'change the passcode of a keystore, re-encrypting every secret in one transaction (kli passcode set)',
  usage: `Usage: keri passcode set --name NAME [--base DIR] --passcode OLD --new-passcode NEW [--json]\n\n${CONTROLLER_USAGE}\n  --new-passcode CODE   the new passcode, 21 characters or more (or KERI_NEW_PASSCODE)`,
  examples: ['KERI_PASSCODE=... KERI_NEW_PASSCODE=... keri passcode set --name alice'],
  options: { ...CONTROLLER_OPTIONS, 'new-passcode': { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const paths = controllerPaths({
      name: requireString(args, 'name'),
      ...(stringOption(args, 'base') ? { base: stringOption(args, 'base')! } : {}),
    });
    const passcode = passcodeOf(args, io);
    const next = passcodeOf(args, io, 'new-passcode', 'KERI_NEW_PASSCODE');
    if (next === undefined) throw new UsageError('give --new-passcode');
    const keystore = await Keystore.open(paths.keystore, await createNodeCrypto(), {
      ...(passcode === undefined ? {} : { passcode }),
      progress: stderrProgress(io.stderr),
    });
    try {
      await keystore.changePasscode(next);
      io.stdout.write(
        flag(args, 'json')
          ? formatJson({ aeid: keystore.aeid })
          : `Passcode changed; every secret re-encrypted (aeid ${keystore.aeid}).\n`,
      );
      return 0;
    } finally {
      await keystore.close();
    }
  },
};
