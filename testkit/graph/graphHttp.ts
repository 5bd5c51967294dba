import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { defaultCertDir, serverTlsOptions } from './certs';

/** Small HTTP plumbing shared by the Graph and token emulators (plain node:https, no framework). */

export type Headers = Record<string, string>;

/** An answer of an emulated endpoint, before it is written to a socket or into a $batch response. */
export interface EmulatedResponse {
  status: number;
  headers: Headers;
  body?: unknown;
}

/** Graph's error envelope: `{ error: { code, message, innerError } }`. */
export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Headers = {},
  requestId = randomUUID(),
): EmulatedResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
  };
}

/** Thrown inside handlers to answer with a Graph error. */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Headers = {},
  ) {
    super(message);
    this.name = 'GraphHttpError';
  }
  toResponse(): EmulatedResponse {
    return graphError(this.status, this.code, this.message, this.headers);
  }
}

export const badRequest = (code: string, message: string) => new GraphHttpError(400, code, message);

export const methodNotAllowed = () =>
  new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');

/** A JSON answer with the Content-Type Graph sends with its OData payloads. */
export const jsonResponse = (status: number, body: unknown, headers: Headers = {}): EmulatedResponse => ({
  status,
  headers: {
    'Content-Type':
      'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
    ...headers,
  },
  body,
});

export async function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new GraphHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function writeResponse(res: ServerResponse, r: EmulatedResponse) {
  if (res.headersSent || res.destroyed) return;
  const headers: Headers = { ...r.headers };
  let payload: string | undefined;
  if (r.body !== undefined && r.status !== 204) {
    payload = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  } else {
    headers['Content-Length'] = '0';
  }
  res.writeHead(r.status, headers);
  res.end(payload);
}

/** Sleeps `ms`, or less when `signal` aborts (the emulator is closing); never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A seeded PRNG (mulberry32) so fault injection and jitter can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface StartedServer {
  server: https.Server;
  origin: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTPS server on localhost with the certificate from `certDir` (default: next to
 * NODE_EXTRA_CA_CERTS). The origin uses `localhost`, the name the certificate is made for.
 */
export async function startHttpsServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  opts: { port?: number; certDir?: string; host?: string } = {},
): Promise<StartedServer> {
  const tls = serverTlsOptions(opts.certDir ?? defaultCertDir());
  const server = https.createServer({ ...tls, keepAlive: true }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? 'localhost', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    origin: `https://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
