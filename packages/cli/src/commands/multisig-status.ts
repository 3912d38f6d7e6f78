/**
 * @module commands/multisig-status
 * `keri multisig status|export|import`: what each group and proposal is waiting for, and carrying
 * proposals and signatures by file to and from a member that is offline or air-gapped.
 */
import { writeFile } from 'node:fs/promises';
import { bytesToText } from '@kestrel/cesr';
import { Agent } from '@kestrel/controller';
import { type Command, flag, stringOption } from '../command.js';
import { CONTROLLER_OPTIONS, CONTROLLER_USAGE, requireString } from '../controller-options.js';
import { formatJson, readInput, resolvePath } from '../io.js';
import { stateJson } from './identifier-output.js';
import { groupText, proposalText, sendJson, sendText } from './multisig-output.js';
import { withGroups } from './multisig-session.js';

export const multisigStatus: Command = {
  path: ['multisig', 'status'],
  summary: 'groups, their proposals, who has signed and what is still missing',
  usage: `Usage: keri multisig status --name NAME [--alias GROUP] [--sync] [--json]

Without --alias: every group here and every proposal waiting (including invitations to groups
not joined yet). With --sync, first asks the other members' agents for what was missed.
${CONTROLLER_USAGE}
  --alias, -a GROUP     one group
  --sync                catch up from the other members first
  --json                print {"groups":[...],"invitations":[...],"refused":[...]}`,
  examples: [
    'keri multisig status --name bob',
    'keri multisig status --name bob --alias board --json',
  ],
  options: {
    ...CONTROLLER_OPTIONS,
    alias: { type: 'string', short: 'a' },
    sync: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const only = stringOption(args, 'alias');
    return withGroups(args, io, async (session) => {
      if (flag(args, 'sync') && !io.host) {
        // Outside an agent: a temporary one-shot catch-up with the same code the agent uses.
        const agent = new Agent(session.controller, {
          log: (line) => io.stderr.write(`${line}\n`),
        });
        await agent.catchUp();
      }
      const { controller, groups } = session;
      const names = (prefix: string) =>
        controller.records.allEndpoints().find((e) => e.prefix === prefix)?.alias ??
        controller.keystore
          .aliases()
          .find((alias) => controller.keystore.sequence(alias)?.prefix === prefix);
      const records = only ? [groups.group(only)] : groups.groups();
      const statuses = await Promise.all(records.map((record) => groups.status(record.alias)));
      const joined = new Set(records.map((record) => record.prefix));
      const invitations = only
        ? []
        : (await groups.proposals()).filter((p) => !joined.has(p.group) && p.state !== 'expired');
      const refused = controller.records.recentRejections(10);
      if (flag(args, 'json')) {
        io.stdout.write(
          formatJson({
            groups: statuses.map((status) => ({
              ...status,
              state: status.state ? stateJson(status.state) : null,
            })),
            invitations,
            refused,
          }),
        );
        return 0;
      }
      if (statuses.length === 0 && invitations.length === 0)
        io.stdout.write('No groups and no invitations here.\n');
      for (const status of statuses) io.stdout.write(`${groupText(status, names)}\n`);
      if (invitations.length > 0) {
        io.stdout.write('Invitations to groups not joined yet (keri multisig join):\n');
        for (const invitation of invitations) io.stdout.write(`${proposalText(invitation)}\n`);
      }
      if (refused.length > 0) {
        io.stdout.write('Refused recently:\n');
        for (const r of refused)
          io.stdout.write(
            `  ${new Date(r.at).toISOString()} from ${r.from}: ${r.reason} [${r.code}]\n`,
          );
      }
      return 0;
    });
  },
};

export const multisigExport: Command = {
  path: ['multisig', 'export'],
  summary: 'write a proposal, with the KELs needed to check it and its signatures, to a file',
  usage: `Usage: keri multisig export --name NAME --said SAID [--out FILE] [--json]

For a member without a network path: carry the file to it, it runs 'keri multisig import FILE',
signs (join or sign), exports again, and the file comes back to be imported here.
${CONTROLLER_USAGE}
  --said SAID           the proposal
  --out FILE            where to write (default: standard output)
  --json                print {"said","bytes","out"} (or {"said","bytes","stream"} without --out)`,
  examples: ['keri multisig export --name alice --said EHp0... --out proposal.cesr'],
  options: {
    ...CONTROLLER_OPTIONS,
    said: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const said = requireString(args, 'said');
    const out = stringOption(args, 'out');
    return withGroups(args, io, async ({ groups }) => {
      const bytes = await groups.exportProposal(said);
      if (out !== undefined) await writeFile(resolvePath(io, out), bytes);
      if (flag(args, 'json'))
        io.stdout.write(
          formatJson({
            said,
            bytes: bytes.length,
            ...(out !== undefined ? { out: resolvePath(io, out) } : { stream: bytesToText(bytes) }),
          }),
        );
      else if (out === undefined) io.stdout.write(bytesToText(bytes));
      return 0;
    });
  },
};

export const multisigImport: Command = {
  path: ['multisig', 'import'],
  summary: 'take proposals, signatures and KELs from a file (as if a member had sent them)',
  usage: `Usage: keri multisig import --name NAME [FILE|-] [--json]

Everything in the file is checked as a message from a member would be; what completes a group
event is published to the other members.
${CONTROLLER_USAGE}
  --json                print what happened to each message`,
  examples: ['keri multisig import --name carol proposal.cesr'],
  options: { ...CONTROLLER_OPTIONS, json: { type: 'boolean' } },
  readsStdin: (args) => args.positionals[0] === undefined || args.positionals[0] === '-',
  async run(args, io) {
    const bytes = await readInput(io, args.positionals[0]);
    return withGroups(args, io, async (session) => {
      const report = await session.groups.receive(bytes);
      const sent = await session.send(report.deliveries);
      const refused = report.items.filter((item) => item.kind === 'refused');
      if (flag(args, 'json')) {
        io.stdout.write(formatJson({ items: report.items.map(describe), ...sendJson(sent) }));
      } else {
        for (const item of report.items) {
          if (item.kind === 'proposal')
            io.stdout.write(
              `Proposal ${item.said} (group ${item.group}) from ${item.from}: ${item.state}, ${item.added} new signature(s).\n`,
            );
          else if (item.kind === 'refused')
            io.stdout.write(`Refused (from ${item.from}): ${item.reason}\n`);
        }
        const events = report.items.filter((item) => item.kind === 'event').length;
        if (events > 0) io.stdout.write(`${events} KEL event(s) processed.\n`);
        const text = sendText(sent);
        if (text) io.stdout.write(`${text}\n`);
      }
      return refused.length > 0 ? 1 : 0;
    });
  },
};

function describe(
  item: Awaited<ReturnType<import('@kestrel/controller').GroupManager['receive']>>['items'][number],
) {
  if (item.kind !== 'event') return item;
  const outcome = item.outcome;
  return {
    kind: 'event',
    outcome: outcome.kind,
    ...('said' in outcome ? { said: outcome.said } : {}),
    ...(outcome.kind === 'rejected' ? { reason: outcome.error.message } : {}),
  };
}
