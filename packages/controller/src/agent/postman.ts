/**
 * @module agent/postman
 * Carries messages to other members' agents over HTTP, at the endpoints learned from their OOBIs.
 * A member without a known endpoint (an air-gapped one) is reported, not an error: its messages
 * travel by file (`keri multisig export` / `import`).
 */
import { postCesr } from '@kestrel/http';
import type { Delivery } from '../group/group-manager.js';
import type { ControllerRecords } from '../records/controller-records.js';

export interface DeliveryResult {
  readonly to: string;
  readonly what: string;
  readonly delivered: boolean;
  /** Why not, when not. */
  readonly reason?: string;
}

export interface PostmanOptions {
  readonly timeoutMs?: number;
}

export async function deliverAll(
  records: ControllerRecords,
  deliveries: readonly Delivery[],
  options: PostmanOptions = {},
): Promise<DeliveryResult[]> {
  return Promise.all(
    deliveries.map(async (delivery): Promise<DeliveryResult> => {
      const endpoint = records.endpoint(delivery.to);
      if (!endpoint) {
        return {
          to: delivery.to,
          what: delivery.what,
          delivered: false,
          reason: 'no endpoint known (resolve its OOBI, or carry the message by file)',
        };
      }
      try {
        await postCesr(`${endpoint.url}/`, delivery.bytes, {
          timeoutMs: options.timeoutMs ?? 10_000,
        });
        return { to: delivery.to, what: delivery.what, delivered: true };
      } catch (caught) {
        return {
          to: delivery.to,
          what: delivery.what,
          delivered: false,
          reason: (caught as Error).message,
        };
      }
    }),
  );
}
