/**
 * @module commands/multisig-session
 * What the multisig commands share: the group manager of the controller (the agent's when one
 * runs), sending messages to the other members, and naming members by alias or prefix.
 */
import {
  type Controller,
  ControllerError,
  type Delivery,
  type DeliveryResult,
  deliverAll,
  GroupManager,
} from '@kestrel/controller';
import type { ParsedArgs } from '../command.js';
import { integerOption, withController } from '../controller-options.js';
import type { CommandIo } from '../io.js';

export interface GroupSession {
  readonly controller: Controller;
  readonly groups: GroupManager;
  /** Sends messages to members: now (reporting each), or through the agent (queued, retried). */
  send(deliveries: readonly Delivery[]): Promise<SendReport>;
}

export type SendReport =
  | { readonly queued: number }
  | { readonly results: readonly DeliveryResult[] };

export async function withGroups<T>(
  args: ParsedArgs,
  io: CommandIo,
  body: (session: GroupSession) => Promise<T>,
): Promise<T> {
  return withController(args, io, async (controller) => {
    const host = io.host;
    const session: GroupSession = host
      ? {
          controller,
          groups: host.groups,
          async send(deliveries) {
            host.send(deliveries);
            return { queued: deliveries.length };
          },
        }
      : {
          controller,
          groups: new GroupManager(controller),
          async send(deliveries) {
            return { results: await deliverAll(controller.records, deliveries) };
          },
        };
    return await body(session);
  });
}

/** A member named by prefix, by one of our aliases, or by the alias given when resolving its OOBI. */
export function memberPrefix(controller: Controller, name: string): string {
  if (controller.processor.context.state(name)) return name;
  if (controller.keystore.sequence(name)) return controller.prefixOf(name);
  const contact = controller.records.allEndpoints().find((endpoint) => endpoint.alias === name);
  if (contact) return contact.prefix;
  throw new ControllerError(
    'unknown_member',
    `'${name}' is neither a known prefix nor an alias here: resolve its OOBI (keri oobi resolve --oobi-alias ${name} ...)`,
  );
}

/** `--expires SECONDS`. */
export function expiresOption(args: ParsedArgs): number | undefined {
  const seconds = integerOption(args, 'expires');
  if (seconds !== undefined && seconds < 1)
    throw new ControllerError('bad_input', '--expires must be at least 1 second');
  return seconds;
}

/**
 * After one of our identifiers rotates, its new KEL goes to the other members of its groups (they
 * need its new key for the group's next rotation). Reports on stderr; never fails the command.
 */
export async function shareKelWithGroups(
  controller: Controller,
  io: CommandIo,
  prefix: string,
): Promise<void> {
  const groups = io.host?.groups ?? new GroupManager(controller);
  const deliveries = groups.kelDeliveries(prefix);
  if (deliveries.length === 0) return;
  if (io.host) {
    io.host.send(deliveries);
    io.stderr.write(
      `Sending the new KEL to ${deliveries.length} group member(s) through the agent.\n`,
    );
    return;
  }
  const results = await deliverAll(controller.records, deliveries);
  const sent = results.filter((r) => r.delivered).length;
  io.stderr.write(
    `Sent the new KEL to ${sent} of ${results.length} group member(s)${sent < results.length ? ' (the others can catch up later, or import it from keri kel export)' : ''}.\n`,
  );
}
