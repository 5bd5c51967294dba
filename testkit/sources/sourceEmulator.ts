import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { courseKey, type CourseRef } from '../../src/domain/types';
import type { Institution } from '../institution/institution';
import { createRandom } from '../institution/institutionRandom';
import { createFaultPlan, gatewayNotFound, malformedTpBody, type SourceFaults } from './sourceFaults';
import { createSourceRoutes, HttpError } from './sourceRoutes';

export type { SourceFaults, FaultSpec } from './sourceFaults';

/**
 * TP and FS behind one local HTTP server, speaking shared/contracts/tp.md and fs.md exactly:
 * TP under `/tp`, FS under `/fs`, each with its own `X-Gravitee-Api-Key`. Tests change the
 * institution to make the sources "change", and inject faults to make them misbehave.
 */

export interface SourceEmulatorOptions {
  institution: Institution;
  tpApiKey: string;
  fsApiKey: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** FS list page size (default 50). */
  pageSize?: number;
  /** Added to every response, to make a run look like a real network. */
  latencyMs?: number;
}

export type SourceRoute =
  | 'tp.course'
  | 'fs.person'
  | 'fs.personByUsername'
  | 'fs.registrationsByPerson'
  | 'fs.registrationsByCourse'
  | 'fs.rolesByPerson'
  | 'fs.rolesByCourse';

export interface SourceStats {
  /** Every request, including rejected and faulted ones. */
  total: number;
  byRoute: Partial<Record<SourceRoute, number>>;
  /** Per resource read, e.g. `tp.course 26h:IN1000,1` or `fs.person 56154` (every page counts). */
  byResource: Record<string, number>;
  unauthorized: number;
  faulted: number;
}

export interface SourceEmulator {
  url: string;
  tpBaseUrl: string;
  fsBaseUrl: string;
  institution: Institution;
  stats(): SourceStats;
  resetStats(): void;
  /** How often TP served this course (successful or not). */
  courseReads(ref: CourseRef): number;
  /** Replaces the current faults; `{}` clears them. */
  setFaults(faults: SourceFaults): void;
  close(): Promise<void>;
}

interface Page<T> {
  items: T[];
  next: string | null;
}

export async function startSourceEmulator(opts: SourceEmulatorOptions): Promise<SourceEmulator> {
  const inst = opts.institution;
  const pageSize = opts.pageSize ?? 50;
  const random = createRandom(inst.seed ^ 0x5eed);
  let faults = createFaultPlan({}, random);
  let stats = emptyStats();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  const sleep = (ms: number) =>
    ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  const count = (route: SourceRoute, resource: string) => {
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    const key = `${route} ${resource}`;
    stats.byResource[key] = (stats.byResource[key] ?? 0) + 1;
  };

  const paged = (url: URL, all: unknown[]): Page<unknown> => {
    const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0);
    const items = all.slice(offset, offset + pageSize);
    const nextUrl = new URL(url.pathname + url.search, baseUrl);
    if (offset + pageSize >= all.length) {
      if (!faults.fsPagingLoop) return { items, next: null };
      // The last page points back at the first: a client that does not track visited pages spins forever.
      nextUrl.searchParams.delete('offset');
      return { items, next: nextUrl.toString() };
    }
    nextUrl.searchParams.set('offset', String(offset + pageSize));
    return { items, next: nextUrl.toString() };
  };

  const { tp, fs } = createSourceRoutes({ inst, count, paged });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', baseUrl);
    stats.total++;
    const system = url.pathname.startsWith('/tp/') ? 'tp' : url.pathname.startsWith('/fs/') ? 'fs' : null;
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body);
    };
    const sendError = (status: number, message: string, headers?: Record<string, string>) =>
      send(status, JSON.stringify({ error: message }), headers);

    await sleep(opts.latencyMs ?? 0);
    if (!system) return sendError(404, 'not found');
    if (req.method !== 'GET') return sendError(405, 'method not allowed');
    if (req.headers['x-gravitee-api-key'] !== (system === 'tp' ? opts.tpApiKey : opts.fsApiKey)) {
      stats.unauthorized++;
      return sendError(401, 'missing or invalid API key');
    }
    const fault = faults.take(system, url.pathname + url.search);
    let body: unknown;
    try {
      body = system === 'tp' ? tp(url) : fs(url);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (!fault) return sendError(err.status, err.message);
    }
    if (fault) {
      stats.faulted++;
      await sleep(fault.delayMs ?? 0);
      if (fault.gateway) {
        const answer = gatewayNotFound(fault.gateway);
        return send(fault.status ?? 404, answer.body, { 'content-type': answer.contentType });
      }
      if (fault.status !== undefined) {
        const headers: Record<string, string> =
          fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
        return sendError(fault.status, 'injected fault', headers);
      }
    }
    if (body === undefined) return sendError(404, 'not found');
    if (system === 'tp' && faults.tpMalformed) return send(200, malformedTpBody(faults.tpMalformed, body));
    if (system === 'fs' && faults.fsMalformed) {
      return send(
        200,
        faults.fsMalformed === 'json' ? '<html><body>502 Bad Gateway</body></html>' : '{"items": "not a list"}',
      );
    }
    send(200, JSON.stringify(body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: String(err) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    tpBaseUrl: `${baseUrl}/tp`,
    fsBaseUrl: `${baseUrl}/fs`,
    institution: inst,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
    courseReads: (ref) => stats.byResource[`tp.course ${courseKey(ref)}`] ?? 0,
    setFaults: (f) => {
      faults = createFaultPlan(f, random);
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function emptyStats(): SourceStats {
  return { total: 0, byRoute: {}, byResource: {}, unauthorized: 0, faulted: 0 };
}
