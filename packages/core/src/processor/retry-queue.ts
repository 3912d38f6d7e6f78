/**
 * @module processor/retry-queue
 * The work queue of escrow retries: what an accepted event lets in is judged again at once (no
 * polling), in the order of keripy's escrow passes.
 */
import type { EscrowKind } from '../store/records.js';

/** An escrowed event due to be judged again. */
export interface RetryJob {
  readonly kind: EscrowKind;
  readonly prefix: string;
  readonly sn: bigint;
  readonly said: string;
}

/**
 * keripy's order of escrow passes (`Kevery.processEscrows`): out-of-order events first, then
 * delegations, partially witnessed, partially signed, likely duplicitous.
 */
const PASS_ORDER = [
  'out_of_order',
  'delegation',
  'partially_witnessed',
  'partially_signed',
  'likely_duplicitous',
] as const satisfies readonly EscrowKind[];

/**
 * The retries due after an event was accepted, taken in keripy's pass order: every out-of-order
 * retry before any delegation retry, and so on, each kind in the order it became due. So when one
 * arrival lets a whole chain in (a delegator's KEL completed, say), the chain is judged before
 * the events that wait on its anchors, and of two such events at one sn the one that arrived
 * first is judged first, as in keripy's passes, rather than the one whose anchor came first.
 */
export class RetryQueue {
  private readonly byKind = new Map<EscrowKind, RetryJob[]>(PASS_ORDER.map((kind) => [kind, []]));
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(job: RetryJob): void {
    this.byKind.get(job.kind)!.push(job);
    this.size++;
  }

  shift(): RetryJob | undefined {
    if (this.size === 0) return undefined;
    for (const kind of PASS_ORDER) {
      const jobs = this.byKind.get(kind)!;
      if (jobs.length > 0) {
        this.size--;
        return jobs.shift();
      }
    }
    return undefined;
  }
}
