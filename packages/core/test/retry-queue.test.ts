import { describe, expect, it } from 'vitest';
import { RetryQueue } from '../src/processor/retry-queue.js';
import type { EscrowKind } from '../src/store/records.js';

const job = (kind: EscrowKind, said: string) => ({ kind, prefix: 'E', sn: 1n, said });

describe('the retry queue', () => {
  it("gives jobs in keripy's escrow pass order, each kind first come first served", () => {
    const queue = new RetryQueue();
    queue.push(job('partially_signed', 'ps'));
    queue.push(job('delegation', 'd1'));
    queue.push(job('likely_duplicitous', 'ld'));
    queue.push(job('out_of_order', 'o1'));
    queue.push(job('partially_witnessed', 'pw'));
    queue.push(job('delegation', 'd2'));
    queue.push(job('out_of_order', 'o2'));
    expect(queue.length).toBe(7);
    const order: string[] = [];
    for (let next = queue.shift(); next; next = queue.shift()) order.push(next.said);
    expect(order).toEqual(['o1', 'o2', 'd1', 'd2', 'pw', 'ps', 'ld']);
    expect(queue.length).toBe(0);
  });

  it('takes an out-of-order job pushed during its own sweep at once', () => {
    const queue = new RetryQueue();
    queue.push(job('delegation', 'd'));
    queue.push(job('out_of_order', 'o1'));
    expect(queue.shift()?.said).toBe('o1');
    queue.push(job('out_of_order', 'o2'));
    expect(queue.shift()?.said).toBe('o2');
    expect(queue.shift()?.said).toBe('d');
    expect(queue.shift()).toBeUndefined();
  });

  it('finishes the sweep it is in before an earlier kind comes up again, as keripy passes do', () => {
    const queue = new RetryQueue();
    queue.push(job('partially_witnessed', 'pw1'));
    queue.push(job('partially_witnessed', 'pw2'));
    queue.push(job('likely_duplicitous', 'ld'));
    expect(queue.shift()?.said).toBe('pw1');
    // pw1's acceptance lets an out-of-order event in: keripy's next pass over that escrow comes
    // after this pass and the ones after it
    queue.push(job('out_of_order', 'o'));
    queue.push(job('partially_signed', 'ps'));
    const order: string[] = [];
    for (let next = queue.shift(); next; next = queue.shift()) order.push(next.said);
    expect(order).toEqual(['pw2', 'ps', 'ld', 'o']);
  });

  it('starts the next arrival from the first kind', () => {
    const queue = new RetryQueue();
    queue.push(job('partially_signed', 'ps'));
    expect(queue.shift()?.said).toBe('ps');
    queue.push(job('partially_signed', 'ps2'));
    queue.push(job('out_of_order', 'o'));
    expect(queue.shift()?.said).toBe('o');
  });

  it('takes delegation retries by prefix, sn and arrival, whatever order they are pushed in', () => {
    const arrivals = new Map([
      ['late', 3],
      ['early', 1],
      ['other-prefix', 0],
      ['later-sn', 2],
    ]);
    const queue = new RetryQueue((j) => arrivals.get(j.said));
    queue.push({ kind: 'delegation', prefix: 'EB', sn: 1n, said: 'late' });
    queue.push({ kind: 'delegation', prefix: 'EB', sn: 2n, said: 'later-sn' });
    queue.push({ kind: 'delegation', prefix: 'EB', sn: 1n, said: 'early' });
    queue.push({ kind: 'delegation', prefix: 'EC', sn: 0n, said: 'other-prefix' });
    queue.push({ kind: 'out_of_order', prefix: 'EZ', sn: 9n, said: 'o' });
    const order: string[] = [];
    for (let next = queue.shift(); next; next = queue.shift()) order.push(next.said);
    expect(order).toEqual(['o', 'early', 'late', 'later-sn', 'other-prefix']);
  });
});
