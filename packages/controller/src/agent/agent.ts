/**
 * @module agent/agent
 * A member's agent: a long-running process that holds the controller open, takes CESR from other
 * members over HTTP (`POST /`, keripy's convention), answers OOBIs (`GET /oobi/{aid}`) and
 * catch-up requests (`GET /multisig/{group}/catch-up`), and sends what the groups produce to the
 * other members, retrying members that are away. Proposals past their time are expired on a timer.
 *
 * Sending happens outside the controller's lock and after the reply: two agents that answer each
 * other's messages never wait on each other.
 */
import { cesrFromRequest, get, HttpError, HttpService } from '@kestrel/http';
import type { Controller } from '../controller.js';
import { type Delivery, GroupManager, type ReceiveReport } from '../group/group-manager.js';
import { Exclusive } from './exclusive.js';
import { type DeliveryResult, deliverAll } from './postman.js';

export interface AgentOptions {
  /** Default lifetime of proposals, seconds. */
  readonly proposalSeconds?: number;
  /** How long completed and expired proposals are kept, seconds (default a week). */
  readonly retentionSeconds?: number;
  /** How often proposals are checked for expiry, milliseconds (default 5 s). */
  readonly expiryIntervalMs?: number;
  /** Delays between delivery attempts to an unreachable member (default 1 s, 5 s, 30 s). */
  readonly retryDelaysMs?: readonly number[];
  /** Reports what the agent does, one line at a time (never secrets). */
  readonly log?: (line: string) => void;
  readonly bodyLimit?: number;
}

export class Agent {
  readonly groups: GroupManager;
  readonly service: HttpService;
  private readonly lock = new Exclusive();
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;
  private readonly stopping = new AbortController();

  constructor(
    readonly controller: Controller,
    private readonly options: AgentOptions = {},
  ) {
    this.groups = new GroupManager(controller, {
      ...(options.proposalSeconds !== undefined
        ? { proposalSeconds: options.proposalSeconds }
        : {}),
      ...(options.retentionSeconds !== undefined
        ? { retentionSeconds: options.retentionSeconds }
        : {}),
    });
    this.service = new HttpService({
      ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
      onError: (error, request) =>
        this.log(
          `internal error on ${request.method} ${request.path}: ${(error as Error).message}`,
        ),
    });
    this.service
      .route('POST', '/', async (request) => {
        const bytes = cesrFromRequest(
          request.headers['content-type'],
          headerValue(request.headers['cesr-attachment']),
          request.body,
        );
        if (bytes.length === 0)
          throw new HttpError('bad_request', 'Empty body: send a CESR stream', 400);
        const report = await this.receive(bytes);
        const refused = report.items.filter((item) => item.kind === 'refused');
        const status = refused.length > 0 && refused.length === report.items.length ? 400 : 200;
        return { status, body: { items: report.items.map(describeItem) } };
      })
      .route('GET', '/oobi/:aid', (request) => this.oobi(request.params.aid!))
      .route('GET', '/oobi/:aid/:role', (request) => this.oobi(request.params.aid!))
      .route('GET', '/multisig/:group/catch-up', (request) =>
        this.lock.run(async () => ({ body: await this.groups.catchUp(request.params.group!) })),
      )
      .route('GET', '/health', () => ({ body: { ok: true } }));
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Runs `body` with the controller to itself (incoming messages wait). */
  exclusive<T>(body: () => Promise<T>): Promise<T> {
    return this.lock.run(body);
  }

  private oobi(aid: string) {
    const kel = this.controller.kelStream(aid);
    if (kel.length === 0) throw new HttpError('not_found', `No KEL for ${aid} here`, 404);
    return { body: kel, contentType: 'application/cesr' };
  }

  /** Processes a stream from a peer, then sends on what it produced. */
  async receive(bytes: Uint8Array): Promise<ReceiveReport> {
    const report = await this.lock.run(() => this.groups.receive(bytes));
    for (const item of report.items) {
      if (item.kind === 'proposal')
        this.log(
          `proposal ${item.said} of group ${item.group} from ${item.from}: ${item.state}, ${item.added} new signature(s)`,
        );
      else if (item.kind === 'refused')
        this.log(`refused a message from ${item.from}: ${item.reason}`);
      else if (item.outcome.kind !== 'duplicate')
        this.log(`event ${'said' in item.outcome ? item.outcome.said : ''}: ${item.outcome.kind}`);
    }
    this.send(report.deliveries);
    return report;
  }

  /** Queues messages for other members; each is retried a few times while its member is away. */
  send(deliveries: readonly Delivery[]): void {
    if (deliveries.length === 0) return;
    const attempt = async () => {
      let remaining = [...deliveries];
      const delays = this.options.retryDelaysMs ?? [1000, 5000, 30_000];
      for (let round = 0; remaining.length > 0 && !this.closed; round++) {
        const results = await deliverAll(this.controller.records, remaining);
        for (const result of results) logDelivery(result, (line) => this.log(line));
        const failed = new Set(
          results
            .filter((r) => !r.delivered && !r.reason?.startsWith('no endpoint'))
            .map((r) => r.to),
        );
        remaining = remaining.filter((delivery) => failed.has(delivery.to));
        const delay = delays[round];
        if (delay === undefined || remaining.length === 0) break;
        await this.pause(delay);
      }
    };
    const task = attempt().catch((error: Error) => this.log(`delivery failed: ${error.message}`));
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Waits before a retry; cut short when the agent closes. */
  private pause(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, milliseconds);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Asks the other members of our groups for what we missed while away. */
  async catchUp(): Promise<void> {
    for (const group of this.controller.records.allGroups()) {
      for (const member of new Set([...group.signingMembers, ...group.rotationMembers])) {
        if (member === group.memberPrefix) continue;
        const endpoint = this.controller.records.endpoint(member);
        if (!endpoint) continue;
        try {
          const reply = await get(`${endpoint.url}/multisig/${group.prefix}/catch-up`, {
            timeoutMs: 5000,
          });
          await this.receive(reply.body);
          this.log(`caught up on group ${group.alias} from ${member}`);
        } catch (caught) {
          this.log(
            `could not catch up on group ${group.alias} from ${member}: ${(caught as Error).message}`,
          );
        }
      }
    }
  }

  async start(port: number, host = '127.0.0.1'): Promise<string> {
    const { url } = await this.service.listen(port, host);
    this.expiryTimer = setInterval(() => {
      void this.lock
        .run(() => this.groups.expire())
        .then((expired) => {
          for (const said of expired) this.log(`proposal ${said} expired`);
        });
    }, this.options.expiryIntervalMs ?? 5000);
    this.expiryTimer.unref();
    return url;
  }

  /** Stops serving, waits for deliveries in flight, and closes the controller. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    await this.service.close();
    await Promise.allSettled([...this.pending]);
    await this.lock.run(() => this.controller.close());
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('') : value;
}

function logDelivery(result: DeliveryResult, log: (line: string) => void): void {
  log(
    result.delivered
      ? `sent ${result.what} to ${result.to}`
      : `could not send ${result.what} to ${result.to}: ${result.reason}`,
  );
}

/** A received item for the HTTP reply: outcomes without their error objects. */
function describeItem(item: ReceiveReport['items'][number]): Record<string, unknown> {
  if (item.kind !== 'event') return { ...item };
  const outcome = item.outcome;
  const base: Record<string, unknown> = { kind: 'event', outcome: outcome.kind };
  if ('said' in outcome) base.said = outcome.said;
  if ('prefix' in outcome) base.prefix = outcome.prefix;
  if (outcome.kind === 'rejected') base.reason = outcome.error.message;
  if (outcome.kind === 'escrowed') base.waitingFor = outcome.waitingFor;
  return base;
}
