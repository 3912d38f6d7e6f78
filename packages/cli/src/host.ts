/**
 * @module host
 * When an agent runs for a keystore it holds the keystore and KEL store open, and every `keri`
 * command on that keystore runs inside the agent (the CLI forwards it): one writer, no stale
 * caches. The host is what such a command gets instead of opening the controller itself.
 */
import type { Controller, Delivery, GroupManager } from '@kestrel/controller';

export interface ControllerHost {
  readonly name: string;
  readonly base: string | undefined;
  readonly controller: Controller;
  readonly groups: GroupManager;
  /** Sends messages to other members in the background (the agent retries those away). */
  send(deliveries: readonly Delivery[]): void;
}
