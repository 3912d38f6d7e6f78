/**
 * @module agent/oobi
 * Out-of-band introductions (OOBIs): a URL where an identifier's KEL can be fetched,
 * `<agent>/oobi/<prefix>` (keripy also appends a role, `/controller`). Resolving one validates the
 * KEL into our store, as any remote validator would, and remembers the agent as the place to
 * send that identifier messages.
 */
import { parseStream } from '@kestrel/cesr';
import { get } from '@kestrel/http';
import type { Controller } from '../controller.js';
import { ControllerError } from '../errors.js';

export interface ResolvedOobi {
  readonly prefix: string;
  readonly url: string;
  readonly endpoint: string;
  readonly sn: bigint;
}

/** The OOBI URL of one of our identifiers at our agent's base URL. */
export function oobiUrl(agentUrl: string, prefix: string): string {
  return `${agentUrl.replace(/\/+$/, '')}/oobi/${prefix}`;
}

/** Splits an OOBI URL into the agent's base URL and the prefix it introduces. */
export function parseOobiUrl(url: string): { endpoint: string; prefix: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ControllerError('bad_input', `Not a URL: ${url}`);
  }
  const match = parsed.pathname.match(/^(.*)\/oobi\/([A-Za-z0-9_-]{4,})(?:\/[a-z]+)?\/?$/);
  if (!match) throw new ControllerError('bad_input', `Not an OOBI URL (…/oobi/<prefix>): ${url}`);
  return { endpoint: `${parsed.origin}${match[1]}`, prefix: match[2]! };
}

export async function resolveOobi(
  controller: Controller,
  url: string,
  alias?: string,
): Promise<ResolvedOobi> {
  const { endpoint, prefix } = parseOobiUrl(url);
  const reply = await get(url, { timeoutMs: 10_000 });
  const { messages } = parseStream(reply.body);
  if (messages.length === 0) throw new ControllerError('bad_input', `${url} returned no KEL`);
  await controller.importKel(reply.body);
  const state = controller.processor.context.state(prefix);
  if (!state) {
    throw new ControllerError(
      'not_accepted',
      `The KEL served at ${url} was not accepted for ${prefix} (see 'keri kel verify' on it)`,
    );
  }
  await controller.records.putEndpoint({
    prefix,
    url: endpoint,
    ...(alias !== undefined ? { alias } : {}),
    updatedAt: new Date(controller.clock.now()).toISOString(),
  });
  return { prefix, url, endpoint, sn: state.sn };
}
