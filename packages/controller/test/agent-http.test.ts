/**
 * The agent's HTTP face: garbage gets a 4xx and the server keeps serving; KELs go in through
 * `POST /` (whole streams, or keripy's body + CESR-ATTACHMENT header) and come out through OOBIs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToText, parseStream } from '@kestrel/cesr';
import { Agent, Controller, resolveOobi } from '@kestrel/controller';
import { createNodeCrypto } from '@kestrel/crypto-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const crypto = await createNodeCrypto();
const root = mkdtempSync(join(tmpdir(), 'kestrel-agent-http-'));
let agent: Agent;
let url: string;
let visitor: Controller;

beforeAll(async () => {
  const host = await Controller.init({ base: root, name: 'host', crypto, tier: 'temp' });
  await host.incept('host', { temp: true });
  agent = new Agent(host, { bodyLimit: 64 * 1024 });
  url = await agent.start(0);
  visitor = await Controller.init({ base: root, name: 'visitor', crypto, tier: 'temp' });
  await visitor.incept('visitor', { temp: true });
  await visitor.interact('visitor');
});

afterAll(async () => {
  await agent.close();
  await visitor.close();
  rmSync(root, { recursive: true, force: true });
});

async function post(body: Uint8Array | string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/cesr', ...headers },
  });
  return { status: response.status, json: (await response.json()) as any };
}

describe('agent over HTTP', () => {
  it('answers garbage with 4xx and keeps serving', async () => {
    expect((await post('this is not CESR')).status).toBe(400);
    expect((await post(new Uint8Array(0))).status).toBe(400);
    expect((await post('{"v":"KERI10JSON000050_","t":"icp"', {})).status).toBe(400);
    expect((await post('x', { 'content-type': 'text/html' })).status).toBe(415);
    expect((await post(new Uint8Array(65 * 1024))).status).toBe(413);
    expect((await fetch(`${url}/no/such/route`)).status).toBe(404);
    expect((await fetch(`${url}/`, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await fetch(`${url}/oobi/EUnknownPrefixUnknownPrefixUnknownPrefixUnkn`)).status).toBe(
      404,
    );
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('takes a KEL as a whole stream and one message at a time as keripy posts it', async () => {
    const [icp, ixn] = visitor.exportKel('visitor');
    const first = await post(icp!);
    expect(first.status).toBe(200);
    expect(first.json.items[0]).toMatchObject({ kind: 'event', outcome: 'accepted' });
    // keripy: the body is the event, its attachments travel in the CESR-ATTACHMENT header.
    const message = parseStream(ixn!).messages[0]!;
    const attachments = bytesToText(ixn!.subarray(message.body.raw.length));
    const second = await post(message.body.raw, {
      'content-type': 'application/cesr+json',
      'cesr-attachment': attachments,
    });
    expect(second.json.items[0]).toMatchObject({ kind: 'event', outcome: 'accepted' });
    // And a mixed stream: a valid duplicate between garbage is still processed.
    const mixed = await post(`garbage${bytesToText(icp!)}more garbage`);
    expect(mixed.status).toBe(200);
    expect(mixed.json.items.map((i: any) => i.kind)).toContain('event');
  });

  it('serves OOBIs that another controller resolves', async () => {
    const prefix = agent.controller.prefixOf('host');
    const resolved = await resolveOobi(visitor, `${url}/oobi/${prefix}/controller`, 'host');
    expect(resolved).toMatchObject({ prefix, endpoint: url, sn: 0n });
    expect(visitor.records.endpoint(prefix)).toMatchObject({ url, alias: 'host' });
  });
});
