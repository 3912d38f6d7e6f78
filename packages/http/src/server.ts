/**
 * @module server
 * A small HTTP server for Kestrel services (node:http): routes by method and path pattern, bodies
 * read with a size limit, typed errors answered as 4xx JSON, anything unexpected as a 500 that
 * says nothing of the internals. One bad request never stops the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeriError } from '@kestrel/cesr';
import { HttpError } from './errors.js';

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: Uint8Array;
}

export interface Reply {
  readonly status?: number;
  readonly body?: Uint8Array | string | object;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (request: Request) => Promise<Reply> | Reply;

interface Route {
  readonly method: string;
  readonly parts: readonly string[];
  readonly handler: Handler;
}

export interface ServerOptions {
  /** Largest request body accepted, in bytes (default 8 MiB). */
  readonly bodyLimit?: number;
  /** Called with unexpected errors (the client only sees "internal error"). */
  readonly onError?: (error: unknown, request: { method: string; path: string }) => void;
}

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

export class HttpService {
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  private boundUrl = '';

  constructor(private readonly options: ServerOptions = {}) {}

  /** Adds a route; `:name` parts of the pattern match one path segment into `params.name`. */
  route(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  async listen(
    port: number,
    host = '127.0.0.1',
  ): Promise<{ host: string; port: number; url: string }> {
    const server = createServer((request, response) => {
      // serve() answers every failure itself; this only keeps a bug in it from becoming an
      // unhandled rejection, which would stop the whole process.
      this.serve(request, response).catch((caught: unknown) => {
        this.options.onError?.(caught, { method: request.method ?? '', path: '' });
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const shown = host.includes(':') ? `[${host}]` : host;
    this.boundUrl = `http://${shown}:${address.port}`;
    return { host, port: address.port, url: this.boundUrl };
  }

  /** Where it listens, once listening ('' before). */
  get url(): string {
    return this.boundUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | 'method' | undefined {
    const segments = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (const [i, part] of route.parts.entries()) {
        const segment = segments[i]!;
        if (part.startsWith(':')) {
          try {
            params[part.slice(1)] = decodeURIComponent(segment);
          } catch {
            ok = false;
          }
        } else if (part !== segment) ok = false;
        if (!ok) break;
      }
      if (!ok) continue;
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    return pathMatched ? 'method' : undefined;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    let url: URL | undefined;
    try {
      url = requestUrl(request.url);
      const found = this.match(method, url.pathname);
      if (found === undefined) throw new HttpError('not_found', `No route ${url.pathname}`, 404);
      if (found === 'method')
        throw new HttpError('bad_request', `${method} is not allowed on ${url.pathname}`, 405);
      const body = await readBody(request, this.options.bodyLimit ?? DEFAULT_BODY_LIMIT);
      const reply = await found.route.handler({
        method,
        path: url.pathname,
        params: found.params,
        query: url.searchParams,
        headers: request.headers,
        body,
      });
      send(response, reply);
    } catch (caught) {
      if (caught instanceof HttpError) {
        send(response, {
          status: caught.status,
          body: { error: { code: caught.code, message: caught.message } },
        });
      } else if (caught instanceof KeriError) {
        send(response, {
          status: 400,
          body: { error: { code: caught.code, message: caught.message } },
        });
      } else {
        this.options.onError?.(caught, { method, path: url?.pathname ?? '' });
        send(response, {
          status: 500,
          body: { error: { code: 'internal', message: 'Internal error' } },
        });
      }
    }
  }
}

/**
 * The request target as a URL. Node's parser lets through absolute-form targets that the URL
 * parser refuses (`GET http://[ HTTP/1.1`): those are the client's mistake, a 400.
 */
function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    throw new HttpError('bad_request', 'The request target is not a valid URL', 400);
  }
}

async function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) {
    request.resume();
    throw new HttpError('too_large', `The body exceeds ${limit} bytes`, 413);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      request.resume();
      throw new HttpError('too_large', `The body exceeds ${limit} bytes`, 413);
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.headersSent) return;
  const { body } = reply;
  let bytes: Uint8Array | string = '';
  let contentType = reply.contentType;
  if (body instanceof Uint8Array) {
    bytes = body;
    contentType ??= 'application/cesr';
  } else if (typeof body === 'string') {
    bytes = body;
    contentType ??= 'text/plain; charset=utf-8';
  } else if (body !== undefined) {
    bytes = `${JSON.stringify(body, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))}\n`;
    contentType ??= 'application/json';
  }
  response.writeHead(reply.status ?? (body === undefined ? 204 : 200), {
    ...(contentType ? { 'content-type': contentType } : {}),
    ...(reply.headers ?? {}),
  });
  response.end(bytes);
}
