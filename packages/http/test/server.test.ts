import { connect } from 'node:net';
import { KeriError } from '@kestrel/cesr';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propertyRuns } from '../../../test/support/property-runs.js';
import { cesrFromRequest, get, HttpError, HttpService, postCesr, postJson } from '../src/index.js';

const failures: unknown[] = [];
const service = new HttpService({
  bodyLimit: 1024,
  onError: (error) => failures.push(error),
});
let url = '';

beforeAll(async () => {
  service
    .route('GET', '/health', () => ({ body: { ok: true } }))
    .route('GET', '/items/:id', (request) => ({
      body: { id: request.params.id, page: request.query.get('page') },
    }))
    .route('POST', '/echo', (request) => ({
      body: cesrFromRequest(
        request.headers['content-type'],
        request.headers['cesr-attachment'] as string | undefined,
        request.body,
      ),
    }))
    .route('POST', '/typed', () => {
      throw new KeriError('said_mismatch', 'The SAID does not match');
    })
    .route('POST', '/bug', () => {
      throw new Error('passcode hunter2 leaked into an exception');
    });
  url = (await service.listen(0)).url;
});

afterAll(() => service.close());

/**
 * Sends `bytes` over TCP (text as Latin-1) and ends the sending side; resolves with the status line
 * of the reply, or '' when the server closed the connection without one.
 */
function raw(bytes: string | Uint8Array): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    let data = '';
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.end(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes),
    );
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
  });
}

async function status(path: string, init: RequestInit = {}) {
  const response = await fetch(url + path, init);
  return { status: response.status, body: await response.text() };
}

describe('HttpService', () => {
  it('routes by method and path, with decoded path parameters and the query', async () => {
    expect((await get(`${url}/items/a%2Fb?page=2`)).json).toEqual({ id: 'a/b', page: '2' });
  });

  it('answers an unknown path with 404 and a known path with the wrong method with 405', async () => {
    const missing = await status('/nowhere');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({
      error: { code: 'not_found', message: 'No route /nowhere' },
    });
    expect((await status('/health', { method: 'DELETE' })).status).toBe(405);
  });

  it('refuses bodies over the limit, declared or streamed, with 413', async () => {
    const big = new Uint8Array(2048);
    expect((await status('/echo', { method: 'POST', body: big })).status).toBe(413);
    // Chunked: no content length, so the limit is found while reading.
    const chunked = await raw(
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `800\r\n${'a'.repeat(2048)}\r\n0\r\n\r\n`,
    );
    expect(chunked).toBe('HTTP/1.1 413 Payload Too Large');
  });

  it('answers a typed error with 400 and its code; anything else with a 500 that hides the cause', async () => {
    const typed = await status('/typed', { method: 'POST' });
    expect(typed.status).toBe(400);
    expect(JSON.parse(typed.body).error.code).toBe('said_mismatch');
    const bug = await status('/bug', { method: 'POST' });
    expect(bug.status).toBe(500);
    expect(bug.body).not.toContain('hunter2');
    expect(JSON.parse(bug.body)).toEqual({
      error: { code: 'internal', message: 'Internal error' },
    });
    expect(failures.some((f) => f instanceof Error && f.message.includes('hunter2'))).toBe(true);
  });

  it('answers garbage on the wire with 4xx and keeps serving', async () => {
    const targets = ['http://[', 'http://a:b:c/', '%', '/items/%zz'];
    const replies = await Promise.all(
      targets.map((target) => raw(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`)),
    );
    for (const reply of replies) expect(reply).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(await raw('\x00\x01\x02 not http at all\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw('GET /health HTTP/1.1\r\nContent-Length: nope\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    expect((await get(`${url}/health`)).json).toEqual({ ok: true });
  });
});

describe('HttpService on hostile input', () => {
  // Every route but /bug, which throws a plain Error on purpose.
  const paths = ['/health', '/items/x', '/items/%E2%82%AC', '/echo', '/typed', '/nowhere'];
  const target = fc.oneof(
    fc.constantFrom(...paths),
    fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((text) => `/${text}`),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  const headerValue = fc.oneof(
    fc.constantFrom('application/cesr', 'application/cesr+json', 'application/json', 'text/plain'),
    fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  );

  it('answers any method, target, headers and body with a status below 500, and keeps serving', async () => {
    const before = failures.length;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'BREW'),
        target,
        fc.option(headerValue, { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        fc.uint8Array({ maxLength: 1500 }),
        async (method, path, contentType, attachment, body) => {
          const head =
            `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n` +
            (contentType === undefined ? '' : `Content-Type: ${contentType}\r\n`) +
            (attachment === undefined ? '' : `CESR-ATTACHMENT: ${attachment}\r\n`) +
            '\r\n';
          const reply = await raw(Buffer.concat([Buffer.from(head, 'latin1'), body]));
          expect(reply).toMatch(/^HTTP\/1\.1 [1-4]\d\d /);
        },
      ),
      { numRuns: propertyRuns(150) },
    );
    expect(failures.length).toBe(before);
    expect((await get(`${url}/health`)).json).toEqual({ ok: true });
  });

  it('answers random bytes on the wire with a 4xx or by closing, and keeps serving', async () => {
    const before = failures.length;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 600 }), async (bytes) => {
        expect(await raw(bytes)).toMatch(/^(HTTP\/1\.1 4\d\d .*)?$/);
      }),
      { numRuns: propertyRuns(100) },
    );
    expect(failures.length).toBe(before);
    expect((await get(`${url}/health`)).json).toEqual({ ok: true });
  });
});

describe('cesrFromRequest', () => {
  const body = new TextEncoder().encode('{"v":"KERI10JSON000000_"}');

  it('takes a whole stream as it is', () => {
    expect(cesrFromRequest('application/cesr', undefined, body)).toBe(body);
    expect(cesrFromRequest(undefined, undefined, body)).toBe(body);
  });

  it("appends keripy's CESR-ATTACHMENT header to a message body", () => {
    const stream = cesrFromRequest('application/cesr+json; charset=utf-8', ' -AAB ', body);
    expect(new TextDecoder().decode(stream)).toBe('{"v":"KERI10JSON000000_"}-AAB');
  });

  it('refuses other media types with 415', () => {
    expect(() => cesrFromRequest('text/html', undefined, body)).toThrow(
      expect.objectContaining({ code: 'unsupported_media_type', status: 415 }),
    );
  });
});

describe('client', () => {
  it("turns a refusal into a typed error carrying the peer's code", async () => {
    const refused = await postCesr(`${url}/typed`, new Uint8Array(1)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ code: 'refused', status: 400 });
    expect((refused as HttpError).message).toMatch(/answered 400: The SAID does not match/);
    expect((refused as HttpError).context).toMatchObject({ peerCode: 'said_mismatch' });
  });

  it('says which peer could not be reached', async () => {
    const closed = new HttpService();
    const { url: gone } = await closed.listen(0);
    await closed.close();
    const error = await postJson(`${gone}/x`, {}, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unreachable' });
    expect((error as Error).message).toContain(gone);
  });

  it('echoes a CESR stream byte for byte', async () => {
    const bytes = new TextEncoder().encode('-AAB0AAA');
    expect((await postCesr(`${url}/echo`, bytes)).body).toEqual(bytes);
  });
});
