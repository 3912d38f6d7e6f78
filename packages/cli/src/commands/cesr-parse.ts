/**
 * @module commands/cesr-parse
 * `keri cesr parse`: an annotated listing of a CESR stream for people debugging streams, or its
 * JSON form for tools (a stable contract: messages with their attachments, and framing errors).
 */
import {
  type AttachmentGroup,
  counterSizes,
  findInvalidSaid,
  type GroupItem,
  indexerSizes,
  isGroup,
  type Message,
  matterSizes,
  StreamParser,
} from '@kestrel/cesr';
import { isIlk, SAID_FIELDS } from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { type Command, flag } from '../command.js';
import { formatJson, readInput } from '../io.js';
import { snForPeople } from '../sequence-number.js';

interface ItemJson {
  code: string;
  qb64: string;
  index: number | null;
  ondex: number | null;
}

interface GroupJson {
  code: string;
  name: string;
  count: number;
  qb64: string;
  items: Array<ItemJson | GroupJson>;
}

function itemJson(item: GroupItem): ItemJson | GroupJson {
  if (isGroup(item)) return groupJson(item);
  if ('index' in item)
    return { code: item.code, qb64: item.qb64, index: item.index, ondex: item.ondex ?? null };
  return { code: item.code, qb64: item.qb64, index: null, ondex: null };
}

function groupJson(group: AttachmentGroup): GroupJson {
  const items = group.opaque !== undefined ? [] : group.items.map(itemJson);
  return {
    code: group.counter.code,
    name: counterSizes(group.counter.code).name,
    count: group.counter.count,
    qb64: group.counter.qb64,
    items,
  };
}

export const cesrParse: Command = {
  path: ['cesr', 'parse'],
  summary: 'annotate a CESR stream: messages, their SAIDs and attachments, and framing errors',
  usage: `Usage: keri cesr parse [FILE|-] [--json]

Reads FILE (or standard input) as a CESR 1.0 stream in any mix of text and binary domains.
  --json   print {"messages":[{offset,ilk,said,saidValid,body,attachments}],"errors":[{offset,code,message}]}
Exit status: 0 when the stream parsed without errors, 1 otherwise.`,
  examples: [
    'keri cesr parse kel.cesr',
    'keri kel export --name alice --alias alice | keri cesr parse - --json',
  ],
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const input = await readInput(io, args.positionals[0]);
    const crypto = await createNodeCrypto();
    const parser = new StreamParser();
    const messages: Message[] = [];
    const errors: Array<{ offset: number; code: string; message: string }> = [];
    for (const item of [...parser.push(input), ...parser.end()]) {
      if (item.type === 'message') messages.push(item.message);
      else
        errors.push({
          offset: item.error.offset,
          code: item.error.code,
          message: item.error.message,
        });
    }
    const annotated = messages.map((message) => {
      const sad = message.body.sad;
      const ilk = sad.t;
      let saidValid = false;
      if (isIlk(ilk)) {
        try {
          saidValid =
            findInvalidSaid(
              message.body.raw,
              sad,
              message.body.version.kind,
              SAID_FIELDS[ilk],
              crypto.digest,
            ) === undefined;
        } catch {
          saidValid = false;
        }
      }
      return {
        offset: message.offset,
        ilk: typeof ilk === 'string' ? ilk : null,
        said: typeof sad.d === 'string' ? sad.d : null,
        saidValid,
        body: sad,
        attachments: message.attachments.map(groupJson),
      };
    });
    if (flag(args, 'json')) {
      io.stdout.write(formatJson({ messages: annotated, errors }));
    } else {
      io.stdout.write(humanListing(messages, annotated, errors));
    }
    return errors.length === 0 ? 0 : 1;
  },
};

function humanListing(
  messages: readonly Message[],
  annotated: ReadonlyArray<{
    ilk: string | null;
    said: string | null;
    saidValid: boolean;
    offset: number;
  }>,
  errors: ReadonlyArray<{ offset: number; code: string; message: string }>,
): string {
  const lines: string[] = [];
  const events = [
    ...annotated.map((entry, i) => ({
      offset: entry.offset,
      text: describeMessage(messages[i]!, entry),
    })),
    ...errors.map((error) => ({
      offset: error.offset,
      text: [`@${error.offset}  ERROR ${error.code}: ${error.message}`],
    })),
  ].sort((a, b) => a.offset - b.offset);
  for (const event of events) lines.push(...event.text);
  lines.push(`${messages.length} message(s), ${errors.length} error(s)`);
  return `${lines.join('\n')}\n`;
}

function describeMessage(
  message: Message,
  entry: { ilk: string | null; said: string | null; saidValid: boolean },
): string[] {
  const sad = message.body.sad;
  const version = message.body.version;
  const who = typeof sad.i === 'string' ? ` ${sad.i}` : '';
  const sn = typeof sad.s === 'string' ? ` sn ${snForPeople(sad.s)}` : '';
  const said = entry.said ? ` said ${entry.said} (${entry.saidValid ? 'valid' : 'INVALID'})` : '';
  const lines = [
    `@${message.offset}  ${entry.ilk ?? '?'}${who}${sn}${said}`,
    `    body: ${version.protocol} ${version.major}.${version.minor} ${version.kind}, ${version.size} bytes`,
  ];
  for (const group of message.attachments) lines.push(...describeGroup(group, '    '));
  return lines;
}

function describeGroup(group: AttachmentGroup, indent: string): string[] {
  const sizes = counterSizes(group.counter.code);
  const unit = sizes.unit === 'quadlets' ? ' quadlets' : '';
  const lines = [`${indent}${group.counter.qb64}  ${sizes.name} (${group.counter.count}${unit})`];
  if (group.opaque !== undefined) {
    lines.push(`${indent}  ${group.opaque.slice(0, 60)}${group.opaque.length > 60 ? '...' : ''}`);
    return lines;
  }
  for (const item of group.items) {
    if (isGroup(item)) {
      lines.push(...describeGroup(item, `${indent}  `));
    } else if ('index' in item) {
      const ondex =
        item.ondex !== undefined && item.ondex !== item.index ? ` ondex ${item.ondex}` : '';
      lines.push(
        `${indent}  ${item.code.padEnd(4)} ${indexerSizes(item.code).name} index ${item.index}${ondex}  ${item.qb64}`,
      );
    } else {
      lines.push(`${indent}  ${item.code.padEnd(4)} ${matterSizes(item.code).name}  ${item.qb64}`);
    }
  }
  return lines;
}
