/**
 * Multisig figures for `npm run bench`: how long after the last needed signature the other
 * members hold the published event, and how many incoming proposals one agent checks and records
 * per second. Agents run in this process and talk over loopback HTTP, as separate ones would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, Controller, resolveOobi } from '@kestrel/controller';
import type { Crypto } from '@kestrel/core';
import { postCesr } from '@kestrel/http';

interface Pair {
  readonly first: Agent;
  readonly second: Agent;
  readonly group: string;
  /** Waiters for the first agent's acceptance of an event, by SAID. */
  readonly accepted: Map<string, () => void>;
  close(): Promise<void>;
}

/** Two members with agents, each knowing the other, and a 2-of-2 group of them. */
async function pair(crypto: Crypto, base: string): Promise<Pair> {
  const accepted = new Map<string, () => void>();
  const make = async (name: string, watch: boolean) => {
    const controller = await Controller.init({ base, name, crypto, tier: 'temp' });
    await controller.incept(name, { temp: true });
    const agent = new Agent(controller, {
      // The agent reports each event it accepts; the benchmark waits on that report.
      ...(watch
        ? {
            log: (line: string) => {
              const match = line.match(/^event (\S+): accepted$/);
              if (match) accepted.get(match[1]!)?.();
            },
          }
        : {}),
    });
    await agent.start(0);
    return agent;
  };
  const first = await make('first', true);
  const second = await make('second', false);
  for (const [from, to] of [
    [first, second],
    [second, first],
  ] as const) {
    const prefix = from.controller.prefixOf(from === first ? 'first' : 'second');
    await resolveOobi(to.controller, `${from.service.url}/oobi/${prefix}`);
  }
  const members = [first.controller.prefixOf('first'), second.controller.prefixOf('second')];
  const proposed = await first.groups.proposeInception({
    group: 'pair',
    member: 'first',
    signingMembers: members,
    rotationMembers: members,
    signingThreshold: 2,
    nextThreshold: 2,
  });
  await deliverNow(first, proposed.deliveries);
  const joined = await second.groups.join(proposed.proposal.said, {
    group: 'pair',
    member: 'second',
  });
  await waitFor(accepted, proposed.proposal.said, () => deliverNow(second, joined.deliveries));
  return {
    first,
    second,
    group: proposed.proposal.group,
    accepted,
    async close() {
      await first.close();
      await second.close();
    },
  };
}

async function deliverNow(agent: Agent, deliveries: readonly { to: string; bytes: Uint8Array }[]) {
  for (const delivery of deliveries) {
    const endpoint = agent.controller.records.endpoint(delivery.to);
    if (endpoint) await postCesr(`${endpoint.url}/`, delivery.bytes);
  }
}

function waitFor(accepted: Map<string, () => void>, said: string, start: () => Promise<void>) {
  return new Promise<void>((resolve, reject) => {
    accepted.set(said, () => {
      accepted.delete(said);
      resolve();
    });
    start().catch(reject);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Milliseconds from the last needed signature (the second member signing an interaction the first
 * proposed) to the first member holding the complete event, published to it over HTTP.
 */
export async function lastSignatureToPublished(crypto: Crypto, rounds = 40) {
  const base = mkdtempSync(join(tmpdir(), 'kestrel-bench-multisig-'));
  const members = await pair(crypto, base);
  try {
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const proposed = await members.first.groups.proposeInteraction('pair', [
        { d: members.group },
      ]);
      await deliverNow(members.first, proposed.deliveries);
      const start = performance.now();
      await waitFor(members.accepted, proposed.proposal.said, async () => {
        const signed = await members.second.exclusive(() =>
          members.second.groups.sign(proposed.proposal.said),
        );
        members.second.send(signed.deliveries);
      });
      times.push(performance.now() - start);
    }
    const sorted = [...times].sort((a, b) => a - b);
    return {
      rounds,
      medianMilliseconds: +percentile(sorted, 50).toFixed(2),
      p95Milliseconds: +percentile(sorted, 95).toFixed(2),
    };
  } finally {
    await members.close();
    rmSync(base, { recursive: true, force: true });
  }
}

/**
 * Incoming proposals one agent checks (exn form and SAIDs, sender's signature against its KEL,
 * the proposed event's keys and signatures) and records, per second, posted over HTTP with a few
 * requests in flight.
 */
export async function proposalsPerSecond(crypto: Crypto, count = 400, inFlight = 8) {
  const base = mkdtempSync(join(tmpdir(), 'kestrel-bench-proposals-'));
  const members = await pair(crypto, base);
  try {
    const messages: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const proposed = await members.first.groups.proposeInteraction('pair', [
        { d: members.group, s: String(i) },
      ]);
      messages.push(proposed.deliveries[0]!.bytes);
    }
    const url = `${members.second.service.url}/`;
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < messages.length) await postCesr(url, messages[next++]!);
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const recorded = (await members.second.groups.proposals()).filter(
      (p) => p.ilk === 'ixn',
    ).length;
    return { proposals: count, recorded, perSecond: Math.round(count / seconds) };
  } finally {
    await members.close();
    rmSync(base, { recursive: true, force: true });
  }
}
