import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runBatch, lowerHeaders, type BatchDeps } from './graphBatch';
import { controlRequest } from './graphControl';
import type { ServiceRoot } from './graphEventViews';
import { AccessPolicy, type AccessPolicyRule } from './graphAccessPolicy';
import { FaultInjector, type Faults } from './graphFaults';
import {
  GraphHttpError,
  graphError,
  readBody,
  seededRandom,
  startHttpsServer,
  writeResponse,
  type EmulatedResponse,
} from './graphHttp';
import { graphInspection, type GraphInspection } from './graphInspection';
import { OutlookGate, type OutlookSettings } from './graphOutlookGate';
import { DEFAULT_ROLES, type GrantedRoles } from './graphPermissions';
import { route } from './graphRouter';
import { bump, RequestRecorder } from './graphStats';
import { MailboxStore } from './graphStore';
import {
  startTokenEmulator,
  type ClientRegistration,
  type TokenCheck,
  type TokenEmulator,
  type TokenEmulatorOptions,
} from './tokenEmulator';

export type { InspectedEvent } from './graphInspection';
export type { GraphStats, LoggedRequest, RequestCounter } from './graphStats';

/**
 * A Microsoft Graph emulator for the calendar calls kada makes (shared/contracts/graph.md): events,
 * calendars, master categories and $batch, with Outlook's per-app concurrency limit, latency,
 * fault injection, and an inspection API for tests. Runs over HTTPS with the local CA.
 *
 * This file wires the parts together: graphRouter (and the graph*Routes it dispatches to) answers
 * one request from the store, graphOutlookGate applies faults and limits, graphBatch runs $batch,
 * graphInspection and graphControl are the test-facing API in-process and over HTTP.
 */

export interface GraphEmulatorOptions {
  port?: number;
  certDir?: string;
  /** Per (sub-)request latency; each request waits latencyMs + random(0..jitterMs). */
  latencyMs?: number;
  jitterMs?: number;
  /** Concurrent Outlook requests per app across all mailboxes (Outlook's limit is 4). */
  concurrencyLimit?: number;
  /**
   * The per-mailbox reading of Outlook's limit: at most this many concurrent requests per app and
   * mailbox, `concurrencyLimit` then being the app's overall cap (e.g. 4 and 32). Default null: per app only.
   */
  mailboxConcurrencyLimit?: number | null;
  /** Retry-After (seconds) on 429 and 503 answers. */
  retryAfterSeconds?: number;
  /** Requests per app and mailbox per window (Outlook: 10,000 per 10 minutes); null disables. */
  mailboxRequestLimit?: { requests: number; windowMs: number } | null;
  /** Create a mailbox on first use of an address (default true); otherwise use addMailbox. */
  autoCreateMailboxes?: boolean;
  /**
   * Decides whether a bearer token is valid, for which app and with which application permissions.
   * Default: any non-empty token, app "app", holding `roles`.
   */
  authenticate?: (token: string) => TokenCheck | Promise<TokenCheck>;
  /** The permissions of the default `authenticate` (default both Calendars.ReadWrite and MailboxSettings.ReadWrite). */
  roles?: string[];
  faults?: Faults;
  /** The tenant's application access policy: mailboxes outside it answer 403 ErrorAccessDenied. */
  accessPolicy?: AccessPolicyRule;
  /** Seed for jitter and random faults, so a run can be replayed. */
  seed?: number;
  maxBatchSize?: number;
}

export interface GraphEmulator extends GraphInspection {
  /** `https://localhost:<port>/v1.0`, the GRAPH_BASE_URL. */
  baseUrl: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

const VERSION = 'v1.0';

/** Without a token endpoint: any non-empty token is app "app" holding `roles`. */
const anyNonEmptyToken =
  (roles: GrantedRoles) =>
  (t: string): TokenCheck =>
    t ? { ok: true, appId: 'app', roles: [...roles] } : { ok: false, message: 'Access token is empty.' };

export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const random = seededRandom(opts.seed ?? Date.now());
  const store = new MailboxStore(opts.autoCreateMailboxes ?? true);
  const faults = new FaultInjector(random);
  if (opts.faults) faults.set(opts.faults);
  const settings: OutlookSettings = {
    latencyMs: opts.latencyMs ?? 0,
    jitterMs: opts.jitterMs ?? 0,
    concurrencyLimit: opts.concurrencyLimit ?? 4,
    mailboxConcurrencyLimit: opts.mailboxConcurrencyLimit ?? null,
  };
  const recorder = new RequestRecorder();
  const policy = new AccessPolicy(opts.accessPolicy ?? null);
  const closing = new AbortController();
  const svc: ServiceRoot = { root: '' };
  const gate = new OutlookGate({
    route: (r) => route(store, svc, r, policy),
    faults,
    recorder,
    random,
    closing: closing.signal,
    retryAfter: String(opts.retryAfterSeconds ?? 1),
    quota: opts.mailboxRequestLimit === undefined ? { requests: 10_000, windowMs: 600_000 } : opts.mailboxRequestLimit,
    settings,
  });
  const api = graphInspection(store, recorder, faults, settings, policy);
  const front: FrontDoor = {
    api,
    gate,
    authenticate: opts.authenticate ?? anyNonEmptyToken(opts.roles ?? DEFAULT_ROLES),
    batch: { gate, faults, recorder, closing: closing.signal, maxBatch: opts.maxBatchSize ?? 20 },
  };

  function handler(req: IncomingMessage, res: ServerResponse) {
    const method = (req.method ?? 'GET').toUpperCase();
    handleHttp(front, req)
      .catch((err: unknown): EmulatedResponse => {
        if (err instanceof GraphHttpError) return err.toResponse();
        return graphError(500, 'InternalServerError', `emulator error: ${(err as Error).message}`);
      })
      .then((r) => {
        if (!(req.url ?? '').startsWith('/_emulator/')) bump(recorder.stats.requests, method, r.status);
        r.headers['request-id'] ??= randomUUID();
        const clientRequestId = req.headers['client-request-id'];
        if (typeof clientRequestId === 'string') r.headers['client-request-id'] = clientRequestId;
        writeResponse(res, r);
      });
  }

  const server = await startHttpsServer(handler, { port: opts.port, certDir: opts.certDir });
  const origin = server.origin;
  svc.root = `${origin}/${VERSION}`;

  return {
    baseUrl: `${origin}/${VERSION}`,
    origin,
    port: server.port,
    close: async () => {
      closing.abort();
      await server.close();
    },
    ...api,
  };
}

/** What an HTTP request meets first: the control API, the version, the bearer token, then $batch or one request. */
interface FrontDoor {
  api: GraphInspection;
  gate: OutlookGate;
  authenticate: (token: string) => TokenCheck | Promise<TokenCheck>;
  batch: BatchDeps;
}

const AUTHORIZATION_URI = 'https://login.microsoftonline.com/common/oauth2/authorize';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

const unauthorized = (message: string) =>
  graphError(401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': `Bearer realm="", authorization_uri="${AUTHORIZATION_URI}", client_id="${GRAPH_APP_ID}"`,
  });

async function handleHttp(front: FrontDoor, req: IncomingMessage): Promise<EmulatedResponse> {
  const method = (req.method ?? 'GET').toUpperCase();
  const rawUrl = req.url ?? '/';
  if (rawUrl.startsWith('/_emulator/')) return controlRequest(front.api, method, rawUrl, req);
  const prefix = `/${VERSION}`;
  if (!(rawUrl === prefix || rawUrl.startsWith(`${prefix}/`) || rawUrl.startsWith(`${prefix}?`))) {
    return graphError(400, 'BadRequest', `Invalid version: ${rawUrl.split('/')[1] ?? ''}`);
  }
  const auth = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? '';
  if (!bearer) return unauthorized('Access token is empty.');
  const check = await front.authenticate(bearer);
  if (!check.ok) return unauthorized(check.message);
  const text = await readBody(req);
  let body: unknown;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      return graphError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. ' +
          'Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
  }
  const url = rawUrl.slice(prefix.length) || '/';
  const path = url.split('?')[0]!;
  if (path === '/$batch' || path === '/%24batch') {
    if (method !== 'POST')
      return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    return runBatch(front.batch, check.appId, body, check.roles);
  }
  return front.gate.run({
    appId: check.appId,
    roles: check.roles,
    method,
    url,
    headers: lowerHeaders(req.headers as Record<string, unknown>),
    body,
    inBatch: false,
  });
}

// ---------- Graph + token endpoint together ----------

export interface MicrosoftEmulatorOptions extends Omit<GraphEmulatorOptions, 'authenticate'> {
  graphPort?: number;
  tokenPort?: number;
  tenantId?: string;
  clientId?: string;
  /** The registered client secret (default: a random one); null registers no secret. */
  clientSecret?: string | null;
  /** Also accept client assertions signed by this certificate's key. */
  clientCertificatePem?: string;
  extraClients?: ClientRegistration[];
  tokenLifetimeSeconds?: number;
}

export interface MicrosoftEmulator {
  graph: GraphEmulator;
  token: TokenEmulator;
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** AZURE_AUTHORITY_HOST */
  authorityHost: string;
  /** GRAPH_BASE_URL */
  graphBaseUrl: string;
  /** The AZURE_* and GRAPH_BASE_URL variables for kada's config. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

/** Starts the token endpoint and Graph on two ports; Graph accepts only tokens the endpoint issued. */
export async function startMicrosoftEmulator(opts: MicrosoftEmulatorOptions = {}): Promise<MicrosoftEmulator> {
  const clientId = opts.clientId ?? randomUUID();
  const clientSecret = opts.clientSecret === null ? undefined : (opts.clientSecret ?? `emu~${randomUUID()}`);
  let token: TokenEmulator | undefined;
  const graph = await startGraphEmulator({
    ...opts,
    port: opts.graphPort ?? opts.port,
    authenticate: (t) => (token ? token.verifyAccessToken(t) : { ok: false, message: 'token service not ready' }),
  });
  const tokenOpts: TokenEmulatorOptions = {
    port: opts.tokenPort,
    certDir: opts.certDir,
    tenantId: opts.tenantId,
    graphOrigin: graph.origin,
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds,
    seed: opts.seed,
    roles: opts.roles,
    clients: [{ clientId, clientSecret, certificatePem: opts.clientCertificatePem }, ...(opts.extraClients ?? [])],
  };
  try {
    token = await startTokenEmulator(tokenOpts);
  } catch (err) {
    await graph.close();
    throw err;
  }
  const t = token;
  return {
    graph,
    token: t,
    tenantId: t.tenantId,
    clientId,
    clientSecret,
    authorityHost: t.authorityHost,
    graphBaseUrl: graph.baseUrl,
    env: () => ({
      AZURE_AUTHORITY_HOST: t.authorityHost,
      AZURE_TENANT_ID: t.tenantId,
      AZURE_CLIENT_ID: clientId,
      ...(clientSecret ? { AZURE_CLIENT_SECRET: clientSecret } : {}),
      GRAPH_BASE_URL: graph.baseUrl,
    }),
    close: async () => {
      await Promise.all([graph.close(), t.close()]);
    },
  };
}

if (require.main === module) {
  // `npx tsx testkit/graph/graphEmulator.ts [--graph-port N] [--token-port N] [--latency MS] [--jitter MS]
  //  [--concurrency N] [--mailbox-concurrency N] [--tenant ID] [--client-id ID] [--client-secret S]`: prints the env
  // lines for kada, then serves until SIGINT/SIGTERM. The inspection API is at <graph origin>/_emulator/...
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  startMicrosoftEmulator({
    graphPort: num('graph-port'),
    tokenPort: num('token-port'),
    latencyMs: num('latency'),
    jitterMs: num('jitter'),
    concurrencyLimit: num('concurrency'),
    mailboxConcurrencyLimit: num('mailbox-concurrency'),
    tenantId: arg('tenant'),
    clientId: arg('client-id'),
    clientSecret: arg('client-secret'),
  }).then(
    (emu) => {
      for (const [k, v] of Object.entries(emu.env())) process.stdout.write(`${k}=${v}\n`);
      const stop = () => void emu.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`graph emulator failed to start: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
