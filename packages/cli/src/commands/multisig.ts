/**
 * @module commands/multisig
 * `keri multisig incept|join|sign|rotate|interact`: proposing group events, and joining or
 * signing what other members propose. Flags follow kli (`--group` and `--file` for inception,
 * `--smids`/`--rmids`, `--isith`/`--nsith`, `--wits`/`--toad`, `--data`). Members are named by
 * prefix or by the alias given when their OOBI was resolved.
 */
import { readFile } from 'node:fs/promises';
import type { Sith } from '@kestrel/core';
import { type Command, flag, type ParsedArgs, stringOption, UsageError } from '../command.js';
import {
  CONTROLLER_OPTIONS,
  CONTROLLER_USAGE,
  dataOption,
  definedOnly,
  integerOption,
  listOption,
  requireString,
  thresholdOption,
} from '../controller-options.js';
import { type CommandIo, formatJson, resolvePath } from '../io.js';
import { proposalText, sendJson, sendText } from './multisig-output.js';
import { expiresOption, type GroupSession, memberPrefix, withGroups } from './multisig-session.js';

const EXPIRES_USAGE = `  --expires SECONDS     how long the proposal may gather signatures (default: the agent's, 3600)`;

/** Prints a proposal and where it was sent. */
async function report(
  args: ParsedArgs,
  io: CommandIo,
  session: GroupSession,
  result: Awaited<ReturnType<GroupSession['groups']['sign']>>,
): Promise<number> {
  const sent = await session.send(result.deliveries);
  if (flag(args, 'json'))
    io.stdout.write(formatJson({ proposal: result.proposal, ...sendJson(sent) }));
  else {
    io.stdout.write(`${proposalText(result.proposal)}\n`);
    const text = sendText(sent);
    if (text) io.stdout.write(`${text}\n`);
  }
  return 0;
}

interface GroupFile {
  aids?: unknown;
  rmids?: unknown;
  isith?: unknown;
  nsith?: unknown;
  wits?: unknown;
  toad?: unknown;
  delegator?: unknown;
  data?: unknown;
}

/** kli's group file: {"aids": [...], "isith": ..., "nsith": ..., "wits": [...], "toad": N}. */
async function readGroupFile(io: CommandIo, path: string): Promise<GroupFile> {
  try {
    const parsed = JSON.parse(await readFile(resolvePath(io, path), 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as GroupFile;
  } catch (caught) {
    throw new UsageError(`--file ${path}: not a kli group file (${(caught as Error).message})`);
  }
}

function stringsIn(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw new UsageError(`${what} must be a list of prefixes or aliases`);
  return value as string[];
}

function sithIn(value: unknown, what: string): Sith | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || Array.isArray(value))
    return value as Sith;
  throw new UsageError(`${what} must be an integer, a hex string or a weighted list`);
}

const INCEPT_USAGE = `Usage: keri multisig incept --name NAME --alias MEMBER --group GROUP
         (--file GROUP.json | --smids M1,M2,... [--rmids M1,...] [--isith T] [--nsith T])
         [--wits PREFIX ... --toad N] [--delegator PREFIX] [--data JSON] [--expires SECONDS] [--json]

Proposes a new group whose signing keys are the first current key of each signing member and
whose next-key commitments are the first next-key digest of each rotation member, in the order
given, signs our part and sends the proposal to the other members. The group exists once enough
members have joined (keri multisig join) to meet its signing threshold.
${CONTROLLER_USAGE}
  --alias, -a MEMBER    our own identifier taking part
  --group, -g GROUP     local name for the group
  --file GROUP.json     kli's group file: {"aids":[...],"isith":T,"nsith":T,"wits":[...],"toad":N}
  --smids M,...         signing members (prefixes or OOBI aliases), in key order
  --rmids M,...         rotation members (default: the signing members)
  --isith T, --nsith T  thresholds: integer or JSON weighted list (default: a majority)
  --wits, --toad        witnesses and their threshold
  --delegator PREFIX    make a delegated group (dip)
  --data JSON           seals to anchor in the inception
${EXPIRES_USAGE}
  --json                print the proposal and the deliveries as JSON`;

export const multisigIncept: Command = {
  path: ['multisig', 'incept'],
  summary: 'propose a new multisig group made of member identifiers',
  usage: INCEPT_USAGE,
  examples: [
    `keri multisig incept --name alice --alias alice --group board --smids alice,bob,carol --isith '["1/2","1/4","1/4"]' --nsith '["1/2","1/4","1/4"]'`,
    'keri multisig incept --name alice --alias alice --group board --file board.json',
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    group: { type: 'string', short: 'g' },
    file: { type: 'string' },
    smids: { type: 'string', multiple: true },
    rmids: { type: 'string', multiple: true },
    isith: { type: 'string' },
    nsith: { type: 'string' },
    wits: { type: 'string', multiple: true },
    toad: { type: 'string' },
    delegator: { type: 'string' },
    data: { type: 'string' },
    expires: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const member = requireString(args, 'alias');
    const group = requireString(args, 'group');
    const path = stringOption(args, 'file');
    const file = path !== undefined ? await readGroupFile(io, path) : {};
    const smids = listOption(args, 'smids') ?? stringsIn(file.aids, 'aids');
    if (!smids || smids.length === 0)
      throw new UsageError('give the members: --smids or --file with "aids"');
    const rmids = listOption(args, 'rmids') ?? stringsIn(file.rmids, 'rmids') ?? smids;
    const signingThreshold = thresholdOption(args, 'isith') ?? sithIn(file.isith, 'isith');
    const nextThreshold = thresholdOption(args, 'nsith') ?? sithIn(file.nsith, 'nsith');
    const witnesses = listOption(args, 'wits') ?? stringsIn(file.wits, 'wits') ?? [];
    const toad =
      integerOption(args, 'toad') ?? (typeof file.toad === 'number' ? file.toad : undefined);
    const delegator =
      stringOption(args, 'delegator') ??
      (typeof file.delegator === 'string' ? file.delegator : undefined);
    const expiresIn = expiresOption(args);
    return withGroups(args, io, async (session) => {
      const result = await session.groups.proposeInception({
        group,
        member,
        signingMembers: smids.map((name) => memberPrefix(session.controller, name)),
        rotationMembers: rmids.map((name) => memberPrefix(session.controller, name)),
        witnesses,
        data: dataOption(args) ?? [],
        ...definedOnly({
          signingThreshold,
          nextThreshold,
          witnessThreshold: toad,
          delegator,
          expiresIn,
        }),
      });
      return report(args, io, session, result);
    });
  },
};

export const multisigJoin: Command = {
  path: ['multisig', 'join'],
  summary: 'join a proposed group (its inception, or a rotation that adds us) and sign our part',
  usage: `Usage: keri multisig join --name NAME --alias MEMBER --group GROUP --said SAID [--json]

Checks the proposed event against the members' KELs held here (every key must be the member's
own), records the group under GROUP, signs with MEMBER's key and sends the signature to the
other members. 'keri multisig status' lists the proposals waiting.
${CONTROLLER_USAGE}
  --alias, -a MEMBER    our own identifier named in the proposal
  --group, -g GROUP     local name for the group
  --said SAID           the proposed event
  --json                print the proposal and the deliveries as JSON`,
  examples: ['keri multisig join --name bob --alias bob --group board --said EHp0...'],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    group: { type: 'string', short: 'g' },
    said: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const member = requireString(args, 'alias');
    const group = requireString(args, 'group');
    const said = requireString(args, 'said');
    return withGroups(args, io, async (session) =>
      report(args, io, session, await session.groups.join(said, { group, member })),
    );
  },
};

export const multisigSign: Command = {
  path: ['multisig', 'sign'],
  summary: 'sign a proposed rotation or interaction of a group we are in',
  usage: `Usage: keri multisig sign --name NAME --said SAID [--json]

Checks that the proposal follows the group's KEL and names the members' own keys, signs with the
keys held here (dual-indexed for rotations, as keripy) and sends the signature to the others.
${CONTROLLER_USAGE}
  --said SAID           the proposed event
  --json                print the proposal and the deliveries as JSON`,
  examples: ['keri multisig sign --name bob --said EHp0...'],
  options: { ...CONTROLLER_OPTIONS, said: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const said = requireString(args, 'said');
    return withGroups(args, io, async (session) =>
      report(args, io, session, await session.groups.sign(said)),
    );
  },
};

export const multisigRotate: Command = {
  path: ['multisig', 'rotate'],
  summary: 'propose a rotation of a group: new keys, members in or out, reserve keys kept',
  usage: `Usage: keri multisig rotate --name NAME --alias GROUP [--smids M,...] [--rmids M,...]
         [--isith T] [--nsith T] [--cuts W ...] [--adds W ...] [--toad N] [--data JSON]
         [--expires SECONDS] [--json]

Each member that stays must have rotated its own identifier first (keri rotate), so the key it
brings is one the group pre-committed to; a member new to the group signs with its current key.
A rotation member that is not a signing member keeps its next key in reserve, committed again.
Thresholds default to the group's next threshold when the sizes stay the same.
${CONTROLLER_USAGE}
  --alias, -a GROUP     the group
  --smids M,...         signing members after the rotation (default: the same)
  --rmids M,...         rotation members after the rotation (default: the signing members)
  --isith T, --nsith T  new thresholds
  --cuts, --adds W      witnesses removed and added; --toad N their new threshold
  --data JSON           seals to anchor
${EXPIRES_USAGE}
  --json                print the proposal and the deliveries as JSON`,
  examples: [
    'keri multisig rotate --name alice --alias board --smids alice,bob,dave --rmids alice,bob,dave',
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    smids: { type: 'string', multiple: true },
    rmids: { type: 'string', multiple: true },
    isith: { type: 'string' },
    nsith: { type: 'string' },
    cuts: { type: 'string', multiple: true },
    adds: { type: 'string', multiple: true },
    toad: { type: 'string' },
    data: { type: 'string' },
    expires: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const alias = requireString(args, 'alias');
    const smids = listOption(args, 'smids');
    const rmids = listOption(args, 'rmids');
    const signingThreshold = thresholdOption(args, 'isith');
    const nextThreshold = thresholdOption(args, 'nsith');
    const toad = integerOption(args, 'toad');
    const expiresIn = expiresOption(args);
    return withGroups(args, io, async (session) => {
      const prefixes = (names: string[] | undefined) =>
        names?.map((name) => memberPrefix(session.controller, name));
      const signingMembers = prefixes(smids);
      const rotationMembers = prefixes(rmids);
      const result = await session.groups.proposeRotation(alias, {
        ...(signingMembers ? { signingMembers } : {}),
        ...(rotationMembers ? { rotationMembers } : {}),
        cuts: listOption(args, 'cuts') ?? [],
        adds: listOption(args, 'adds') ?? [],
        data: dataOption(args) ?? [],
        ...definedOnly({ signingThreshold, nextThreshold, witnessThreshold: toad, expiresIn }),
      });
      return report(args, io, session, result);
    });
  },
};

export const multisigInteract: Command = {
  path: ['multisig', 'interact'],
  summary: 'propose an interaction of a group, anchoring data',
  usage: `Usage: keri multisig interact --name NAME --alias GROUP [--data JSON] [--expires SECONDS] [--json]

${CONTROLLER_USAGE}
  --alias, -a GROUP     the group
  --data JSON           seals to anchor, e.g. '[{"d":"E..."}]'
${EXPIRES_USAGE}
  --json                print the proposal and the deliveries as JSON`,
  examples: [
    `keri multisig interact --name alice --alias board --data '[{"d":"EAmy5riCz0YvnZ1lVuSFPDEGlv3c9jJe_v52ohzYSH3d"}]'`,
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    data: { type: 'string' },
    expires: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const alias = requireString(args, 'alias');
    const expiresIn = expiresOption(args);
    return withGroups(args, io, async (session) =>
      report(
        args,
        io,
        session,
        await session.groups.proposeInteraction(alias, dataOption(args) ?? [], expiresIn),
      ),
    );
  },
};
