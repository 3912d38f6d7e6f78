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
  private readonly arrivals = new Map<RetryJob, number>();
  private size = 0;
  /** The kind being swept (an index into PASS_ORDER). */
  private at = 0;

  /**
   * `arrivalOf`: when the escrowed event a job retries first came (its escrow record's order of
   * arrival). Delegation retries are taken in the order keripy's delegation pass walks its escrow:
   * by prefix, then sn, then as they came, whatever order the anchors that let them in came in.
   */
  constructor(private readonly arrivalOf?: (job: RetryJob) => number | undefined) {}

  get length(): number {
    return this.size;
  }

  push(job: RetryJob): void {
    const jobs = this.byKind.get(job.kind)!;
    this.size++;
    if (job.kind !== 'delegation' || this.arrivalOf === undefined) {
      jobs.push(job);
      return;
    }
    this.arrivals.set(job, this.arrivalOf(job) ?? Number.MAX_SAFE_INTEGER);
    let at = jobs.length;
    while (at > 0 && this.before(job, jobs[at - 1]!)) at--;
    jobs.splice(at, 0, job);
  }

  private before(a: RetryJob, b: RetryJob): boolean {
    if (a.prefix !== b.prefix) return a.prefix < b.prefix;
    if (a.sn !== b.sn) return a.sn < b.sn;
    return (this.arrivals.get(a) ?? 0) < (this.arrivals.get(b) ?? 0);
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
      const job = jobs.shift()!;
      this.arrivals.delete(job);
      return job;
    }
    return undefined;
  }
}
