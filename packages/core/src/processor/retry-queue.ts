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
 * The retries due after an event was accepted, taken the way keripy's escrow passes take them:
 * one kind at a time in pass order (out of order, delegations, partially witnessed, partially
 * signed, likely duplicitous), each first come first served, and a kind's jobs until none is
 * left, including those its own retries add; jobs of other kinds that come up meanwhile wait
 * for their kind's turn, and after the last kind the sweep starts again from the first. A new
 * arrival's retries start a new sweep from the first kind. So when one arrival lets a whole chain
 * in (a delegator's KEL completed, say), the chain is judged before the events that wait on its
 * anchors, and of two events at one sn the one keripy's sweep reaches first is judged first.
 */
export class RetryQueue {
  private readonly byKind = new Map<EscrowKind, RetryJob[]>(PASS_ORDER.map((kind) => [kind, []]));
  private size = 0;
  /** The kind being swept (an index into PASS_ORDER). */
  private at = 0;

  get length(): number {
    return this.size;
  }

  push(job: RetryJob): void {
    this.byKind.get(job.kind)!.push(job);
    this.size++;
  }

  shift(): RetryJob | undefined {
    if (this.size === 0) return undefined;
    for (let step = 0; step < PASS_ORDER.length; step++) {
      const at = (this.at + step) % PASS_ORDER.length;
      const jobs = this.byKind.get(PASS_ORDER[at]!)!;
      if (jobs.length === 0) continue;
      this.size--;
      // Once everything is done, the next arrival's retries sweep from the first kind again.
      this.at = this.size === 0 ? 0 : at;
      return jobs.shift();
    }
    return undefined;
  }
}
