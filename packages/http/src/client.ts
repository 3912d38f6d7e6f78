/**
 * @module client
 * Sending CESR to a peer and fetching it back (global fetch), with a timeout, and errors that say
 * which peer failed and how.
 */
import { CESR_MEDIA_TYPE } from './cesr-body.js';
import { HttpError } from './errors.js';

export interface ClientOptions {
  /** Milliseconds before giving up (default 10 s). */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ClientReply {
  readonly status: number;
  readonly body: Uint8Array;
  /** The body parsed as JSON when it is JSON, else undefined. */
  readonly json: unknown;
}

async function request(
  url: string,
  init: { method: string; body?: Uint8Array; headers?: Record<string, string> },
  options: ClientOptions,
): Promise<ClientReply> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      ...(init.body ? { body: init.body } : {}),
      headers: { ...(init.headers ?? {}), ...(options.headers ?? {}) },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (caught) {
    const cause =
      (caught as Error & { cause?: { code?: string } }).cause?.code ?? (caught as Error).name;
    throw new HttpError('unreachable', `${init.method} ${url} failed: ${cause}`, 0, { url });
  }
  const body = new Uint8Array(await response.arrayBuffer());
  let json: unknown;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, body, json };
}

/** POSTs a CESR stream; a 4xx or 5xx reply becomes an `HttpError` with the peer's reason. */
export async function postCesr(
  url: string,
  bytes: Uint8Array,
  options: ClientOptions = {},
): Promise<ClientReply> {
  const reply = await request(
    url,
    { method: 'POST', body: bytes, headers: { 'content-type': CESR_MEDIA_TYPE } },
    options,
  );
  if (reply.status >= 400) throw refusal('POST', url, reply);
  return reply;
}

/** POSTs JSON. */
export async function postJson(
  url: string,
  value: unknown,
  options: ClientOptions = {},
): Promise<ClientReply> {
  const body = new TextEncoder().encode(JSON.stringify(value));
  const reply = await request(
    url,
    { method: 'POST', body, headers: { 'content-type': 'application/json' } },
    options,
  );
  if (reply.status >= 400) throw refusal('POST', url, reply);
  return reply;
}

/** GETs a resource (CESR or JSON). */
export async function get(url: string, options: ClientOptions = {}): Promise<ClientReply> {
  const reply = await request(url, { method: 'GET' }, options);
  if (reply.status >= 400) throw refusal('GET', url, reply);
  return reply;
}

function refusal(method: string, url: string, reply: ClientReply): HttpError {
  const error = (reply.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  const reason = error?.message ?? new TextDecoder().decode(reply.body.subarray(0, 200));
  return new HttpError(
    'refused',
    `${method} ${url} answered ${reply.status}: ${reason}`,
    reply.status,
    {
      url,
      status: reply.status,
      ...(error?.code ? { peerCode: error.code } : {}),
    },
  );
}
