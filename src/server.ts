/**
 * The running service: the GraphQL app behind an outer HTTP handler that serves /health, /ready
 * and /metrics, enforces the whole-request deadline, answers fast while the database is away, and
 * drains on shutdown. src/index.ts and the tests both start it through startServer.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerAdapter, type ServerAdapterNodeContext } from '@whatwg-node/server';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/client.ts';
import { DatabaseMonitor } from './db/monitor.ts';
import { Admission } from './http/admission.ts';
import { CostBudget } from './http/cost-budget.ts';
import { EVENT_STREAM_PATH } from './http/event-streams.ts';
import { exportResponse, isExportPath } from './http/exports.ts';
import { bodyTooLarge } from './http/limits.ts';
import { Intake } from './http/intake.ts';
import { PenaltyBox, type RefusalMark } from './http/penalty.ts';
import { authenticate, authorizationLines, duplicateAuthorizationResponse } from './http/requests.ts';
import { metricsAccess } from './http/metrics-access.ts';
import { REQUEST_ID_HEADER, createLogger, requestIdFor } from './observability/logger.ts';
import { Metrics } from './observability/metrics.ts';
import { connectDatabase } from './db/client.ts';
import { TokenCache } from './auth/token-cache.ts';
import { SummaryDrainer } from './db/summaries.ts';
import { JobRunner } from './domain/jobs/jobs.ts';
import { JOB_HANDLERS } from './writes/job-handlers.ts';
import { createApp, type App } from './yoga.ts';
import { makePubSub, type PubSub } from './graphql/pubsub.ts';
import { ChangeFollower } from './graphql/changes-follower.ts';
import { attachWebSocket } from './http/websocket.ts';
import { commitOutcome, OUTCOME_CHECK_MS, RequestWrites, WRITE_OUTCOME_UNKNOWN, writeOutcomeUnknown } from './writes/outcome.ts';
import { loadPersistedDocuments } from './http/persisted.ts';

export interface ServerOptions {
  config: Config;
  /** The primary (DATABASE_URL): writes, migrations, reads unless a replica is given. */
  database: DatabaseHandle;
  databaseUrl: string;
  /** DATABASE_READ_URL's pool, when set. */
  readDatabase?: DatabaseHandle;
  logger?: Logger;
  /** Where writes announce new events; default in-process (a Redis-backed one is shared). */
  pubsub?: PubSub;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The METRICS_PORT listener's base URL, when one is configured. */
  metricsUrl: string | undefined;
  app: App;
  monitor: DatabaseMonitor;
  metrics: Metrics;
  admission: Admission;
  /** Readiness off at once, in-flight requests finish (up to the drain time), then all closes. */
  shutdown: (reason?: string) => Promise<void>;
}

const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);
const PROBE_METHODS = ['GET', 'HEAD'];
/** What /graphql (and yoga's 404 for other paths) is asked with: queries, writes, CORS preflights. */
const GRAPHQL_METHODS = ['GET', 'POST', 'OPTIONS'];
/** How often an idle server looks for queued jobs, ms: a job waits at most this long to start. */
const JOB_IDLE_MS = 500;

/** The methods a path answers; graphql-sse's single connection mode reserves with PUT, completes with DELETE. */
function allowedMethods(path: string): string[] {
  if (PROBE_PATHS.has(path)) return PROBE_METHODS;
  if (path === EVENT_STREAM_PATH) return [...GRAPHQL_METHODS, 'PUT', 'DELETE'];
  // HEAD tells a download manager an export's type and name without running it (src/http/exports.ts).
  if (isExportPath(path)) return [...GRAPHQL_METHODS, 'HEAD'];
  return GRAPHQL_METHODS;
}

function methodNotAllowed(path: string, method: string, allowed: string[], headers: Record<string, string> = {}): Response {
  return refusal(405, 'METHOD_NOT_ALLOWED', `${path} answers ${allowed.join(', ')}, not ${method}.`, { ...headers, allow: allowed.join(', ') });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

function refusal(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { errors: [{ message, extensions: { code } }] }, headers);
}

/** Where a request comes from: the peer, or the first X-Forwarded-For hop behind a trusted proxy. */
function addressKey(request: Request, req: { socket?: { remoteAddress?: string } } | undefined, trustProxy: boolean): string {
  const forwarded = trustProxy ? request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
  return `ip:${forwarded || req?.socket?.remoteAddress || 'unknown'}`;
}

/** Who is asking, for the per-client cap: a bearer token when there is one, else the address. */
function clientKey(request: Request, address: string): string {
  const auth = request.headers.get('authorization');
  return auth ? `token:${createHash('sha256').update(auth).digest('base64url').slice(0, 22)}` : address;
}

/** A body sent without Content-Length (chunked) is read here, counted as it arrives. */
async function readBounded(request: Request, maxBytes: number): Promise<Buffer | 'too-large'> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return 'too-large';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config, database, readDatabase } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const monitor = new DatabaseMonitor(options.databaseUrl, { warmPool: () => database.sql`select 1` });
  // The pool gauges read `admission` only when scraped, after it exists.
  const metrics = new Metrics(() => ({ size: config.poolSize, active: admission.active, waiting: admission.waiting }));
  const admission = new Admission({
    onWait: (ms, confined) => metrics.slotWait.observe({ lane: confined ? 'confined' : 'open' }, ms / 1000),
    slots: config.poolSize,
    perClient: config.deadlines.perClientConcurrency,
    acquireTimeoutMs: config.deadlines.acquireTimeoutMs,
    heavyCost: config.deadlines.heavyCost,
    heavySlots: config.deadlines.heavySlots,
    exportSlots: config.deadlines.exportSlots,
    budget: new CostBudget({ perSecond: config.deadlines.costPerSecond, burst: config.deadlines.costBurst }),
  });
  const penalties = new PenaltyBox(config.penalty);
  const intake = new Intake({
    concurrency: config.deadlines.intakeConcurrency,
    noisySlots: config.deadlines.intakeNoisySlots,
    waitMs: config.deadlines.acquireTimeoutMs,
  });
  // Every request in flight listens for 'down' (src/server.ts cuts it off): no listener cap.
  monitor.setMaxListeners(0);
  monitor.on('down', (reason) => logger.error({ reason }, 'database down'));
  monitor.on('up', () => logger.info('database up'));
  monitor.start();

  // Token lookups happen before an operation is admitted; on a pool of their own, slow queries
  // holding every main connection cannot make authentication itself wait past the deadline.
  const authDatabase = connectDatabase(options.databaseUrl, {
    max: 2,
    statementTimeoutMs: config.deadlines.acquireTimeoutMs,
    connectTimeoutSeconds: config.deadlines.connectTimeoutSeconds,
  });
  // Without the change notifications a remembered token could outlive its revocation: no cache then.
  let tokenCache: TokenCache | undefined;
  let stopFollowingTokens: (() => Promise<void>) | undefined;
  if (config.tokenCacheMs > 0) {
    const cache = new TokenCache(config.tokenCacheMs);
    try {
      stopFollowingTokens = await cache.follow(authDatabase.sql);
      tokenCache = cache;
    } catch (error) {
      logger.warn({ err: error }, 'cannot listen for token changes: every request looks its token up');
    }
  }
  const pubsub = options.pubsub ?? makePubSub();
  // Commits by anyone (another instance, `npm run import`, SQL) reach this instance's subscribers.
  const follower = new ChangeFollower(database.db, pubsub, logger);
  const stopFollowingChanges = await follower.follow().catch((error: unknown) => {
    logger.warn({ err: error }, 'cannot follow the changes feed: only this instance\'s API writes (and Redis) reach subscribers');
    return undefined;
  });
  // Dashboard summaries follow writes off the write path: this process drains its share of the
  // queue, on a connection of its own without the API's statement timeout (a batch on a big actor
  // may take longer than a request may).
  const drainerDatabase = config.summaryDrainIdleMs > 0
    ? connectDatabase(options.databaseUrl, { max: 1, connectTimeoutSeconds: config.deadlines.connectTimeoutSeconds })
    : undefined;
  const drainer = drainerDatabase
    ? new SummaryDrainer(drainerDatabase.db, {
        idleMs: config.summaryDrainIdleMs,
        paceMs: config.summaryDrainPaceMs,
        onError: (error) => logger.error({ err: error }, 'summary drain failed'),
      })
    : undefined;
  drainer?.start();
  // Jobs (merges too big for a request) run here too, on connections of their own without the
  // API's statement timeout; every instance takes queued jobs, none takes one another holds.
  const jobDatabase = connectDatabase(options.databaseUrl, { max: 2, connectTimeoutSeconds: config.deadlines.connectTimeoutSeconds });
  const jobRunner = new JobRunner(jobDatabase.db, JOB_HANDLERS, {
    idleMs: JOB_IDLE_MS,
    onError: (error) => logger.error({ err: error }, 'job runner failed'),
  });
  jobRunner.start();
  const app = createApp({
    db: database.db,
    authDb: authDatabase.db,
    tokenCache,
    readDb: readDatabase?.db,
    limits: config.limits,
    logger,
    metrics,
    monitor,
    admission,
    corsOrigins: config.corsOrigins,
    anonymousReads: config.anonymousReads,
    idempotencyKeyLifetimeS: config.idempotencyKeyLifetimeS,
    pubsub,
    // A revocation this instance hears ends streams at once; the re-check covers the rest.
    streams: { maxLifetimeMs: config.subscriptionMaxLifetimeS * 1000, recheckMs: config.tokenCacheMs > 0 ? config.tokenCacheMs : 5000 },
    implicitIdempotencyWindowS: config.implicitIdempotencyWindowS,
    ...(config.persistedDocumentsPath
      ? { persistedDocuments: { documents: await loadPersistedDocuments(config.persistedDocumentsPath), trustedOnly: config.trustedDocumentsOnly } }
      : {}),
    slowRequestMs: config.slowRequestMs,
  });

  const exports = {
    db: database.db,
    readDb: readDatabase?.db,
    authDb: authDatabase.db,
    tokenCache,
    anonymousReads: config.anonymousReads,
    admission,
    monitor,
    logger,
    metrics,
    timeoutMs: config.exportTimeoutMs,
  };

  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const { requestTimeoutMs } = config.deadlines;
  const { maxBodyBytes } = config.limits;

  async function ready(): Promise<Response> {
    if (draining) return json(503, { status: 'draining' });
    const state = await monitor.check();
    metrics.databaseUp.set(state.status === 'up' ? 1 : 0);
    // The probe's own error text may name hosts; /ready says only what is wrong.
    // Readiness is the more careful: one slow probe already takes the instance out of rotation.
    if (state.status === 'up' && !monitor.suspect) return json(200, { status: 'ready' });
    if (state.status === 'up') return json(503, { status: 'not ready', reason: 'database slow to answer' });
    if (state.status === 'migrations-pending') return json(503, { status: 'not ready', reason: state.reason });
    return json(503, { status: 'not ready', reason: 'database unreachable' });
  }

  async function graphql(
    request: Request,
    req: { socket?: { remoteAddress?: string; destroy?: () => void }; rawHeaders?: string[] } | undefined,
  ): Promise<Response> {
    const requestId = requestIdFor(request);
    // Yoga's log lines and x-request-id header use the same id as any refusal made here.
    request.headers.set(REQUEST_ID_HEADER, requestId);
    const idHeader = { [REQUEST_ID_HEADER]: requestId };
    const address = addressKey(request, req, config.trustProxy);
    const client = clientKey(request, address);
    // An address boxed for bad tokens stays boxed whatever token it sends next: a new made-up
    // token per request would otherwise be a new client each time, and each costs a lookup.
    const penalty = Math.max(penalties.remaining(client), penalties.remaining(address));
    if (penalty > 0) {
      await new Promise((r) => setTimeout(r, config.penalty.tarpitMs));
      return refusal(429, 'TOO_MANY_REFUSED_REQUESTS', 'Too many of this client\'s requests were refused; wait before sending more.', {
        ...idHeader,
        'retry-after': String(Math.ceil(penalty / 1000)),
      });
    }
    // Node keeps only the first of several Authorization headers: see them all, and refuse.
    if (req?.rawHeaders && authorizationLines(req.rawHeaders) > 1) {
      const refused = duplicateAuthorizationResponse(idHeader);
      admission.refused(client);
      penalties.refused(client);
      penalties.refused(address);
      return refused;
    }
    const leave = await intake.enter(client);
    if (!leave) {
      return refusal(503, 'SERVER_BUSY', `The server is busy: this request waited ${intake.options.waitMs} ms to be started.`, {
        ...idHeader,
        'retry-after': '1',
      });
    }
    let response: Response;
    const refused: RefusalMark = { refused: false };
    try {
      const socket = req?.socket;
      const abortConnection = socket?.destroy ? () => socket.destroy?.() : undefined;
      response = await handle(request, client, requestId, idHeader, refused, abortConnection);
    } finally {
      leave();
    }
    // 4xx, or a refused document answered 200: refused for what the client sent (or how often);
    // 5xx is the server's side. Served requests wipe nothing (src/http/penalty.ts).
    if ((response.status >= 400 && response.status < 500) || refused.refused) {
      admission.refused(client);
      if (penalties.refused(client)) logger.warn({ reqId: requestId, client }, 'client put in the penalty box');
      if (response.status === 401 && client !== address && penalties.refused(address)) {
        logger.warn({ reqId: requestId, client: address }, 'address put in the penalty box for bad tokens');
      }
    }
    return response;
  }

  async function handle(
    request: Request,
    client: string,
    requestId: string,
    idHeader: Record<string, string>,
    refused: RefusalMark,
    abortConnection: (() => void) | undefined,
  ): Promise<Response> {
    const path = new URL(request.url).pathname;
    const allowed = allowedMethods(path);
    if (!allowed.includes(request.method)) return methodNotAllowed(path, request.method, allowed, idHeader);
    // Only a POST's body is read: a body sent with GET (which yoga ignores) cannot be re-attached.
    if (request.method === 'POST' && request.body && request.headers.get('content-length') === null) {
      const body = await readBounded(request, maxBodyBytes);
      if (body === 'too-large') return bodyTooLarge(maxBodyBytes);
      request = new Request(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(body) });
    }
    const writes = new RequestWrites();
    // An export answers within the deadline once its stream is ready; the body then streams on.
    const work = Promise.resolve(
      isExportPath(new URL(request.url).pathname)
        ? exportResponse(exports, request, client, requestId, abortConnection)
        : app.fetch(request, { clientKey: client, writes, refusal: refused }),
    );
    let timer: NodeJS.Timeout | undefined;
    let onDown: (() => void) | undefined;
    // Answered without waiting for the work: its writes that have not reached COMMIT now never
    // will (src/writes/outcome.ts), so "unavailable" or "timed out" is the truth; a write already
    // committing may yet be stored, and such an answer would invite a retry that writes it twice.
    let deciding: Promise<Response> | undefined;
    const cut = (response: Response): Response | Promise<Response> => (writes.abandon() ? (deciding ??= whileCommitting()) : response);
    // A COMMIT under way: where PostgreSQL still answers, end the backend (so the transaction is
    // decided now) and let the write report what happened; where it does not, say so.
    const whileCommitting = async (): Promise<Response> => {
      const fates = await Promise.all(writes.committing().map((ticket) => commitOutcome(authDatabase.db, ticket)));
      if (fates.every((fate) => fate !== 'unknown')) {
        const told = await Promise.race([work, new Promise<undefined>((r) => setTimeout(r, OUTCOME_CHECK_MS))]);
        if (told) return told;
      }
      logger.warn({ reqId: requestId }, 'answered while a write was committing: outcome unknown');
      return refusal(503, WRITE_OUTCOME_UNKNOWN, writeOutcomeUnknown().message, { ...idHeader, 'retry-after': '2' });
    };
    const cutOff = new Promise<Response>((resolve) => {
      timer = setTimeout(() => {
        logger.warn({ reqId: requestId, ms: requestTimeoutMs }, 'request deadline passed');
        resolve(
          cut(refusal(503, 'REQUEST_TIMEOUT', `The request did not finish within ${requestTimeoutMs} ms.`, { ...idHeader, 'retry-after': '1' })),
        );
      }, requestTimeoutMs);
      // Queries waiting on a pool that is reconnecting would wait out the deadline: answer now.
      onDown = () =>
        resolve(
          cut(
            refusal(503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; try again in a few seconds.', {
              ...idHeader,
              'retry-after': '2',
            }),
          ),
        );
      monitor.once('down', onDown);
    });
    try {
      return await Promise.race([work, cutOff]);
    } finally {
      clearTimeout(timer);
      if (onDown) monitor.off('down', onDown);
      // A request cut off still runs until its queries end (statement_timeout bounds them).
      work.catch((error: unknown) => logger.error({ err: error, reqId: requestId }, 'request failed after its answer'));
    }
  }

  async function metricsResponse(): Promise<Response> {
    metrics.databaseUp.set(monitor.up ? 1 : 0);
    return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } });
  }
  const metricsAllowed = metricsAccess({
    token: config.metrics.token,
    principalFor: (header) => authenticate(authDatabase.db, header, tokenCache),
  });

  const adapter = createServerAdapter<ServerAdapterNodeContext>(async (request, context) => {
    // The URL is the Host header and the request target as sent: a Host of "a b", `OPTIONS *` or
    // an absolute-form target makes none, and every `new URL(request.url)` below would throw.
    if (!URL.canParse(request.url)) return refusal(400, 'BAD_REQUEST', 'The Host header and request target do not make a valid URL.');
    try {
      return await route(request, context);
    } catch (error) {
      // The adapter's own answer would be the stack as text/plain: never send that.
      logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
      return refusal(500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    }
  });

  async function route(request: Request, context: ServerAdapterNodeContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    // Other paths' methods are checked in handle(), where a refusal counts for the penalty box.
    if (PROBE_PATHS.has(path) && !PROBE_METHODS.includes(request.method)) return methodNotAllowed(path, request.method, PROBE_METHODS);
    if (path === '/health') return json(200, { status: draining ? 'draining' : 'ok' });
    if (path === '/ready') return ready();
    if (path === '/metrics') {
      // With a port of its own, /metrics is not on the public one at all.
      if (config.metrics.port !== undefined) return json(404, { errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
      // Node keeps the first of several Authorization headers: which token was meant is unclear.
      if (authorizationLines((context.req as { rawHeaders?: string[] } | undefined)?.rawHeaders ?? []) > 1) return duplicateAuthorizationResponse();
      return (await metricsAllowed(request)) ?? metricsResponse();
    }
    inFlight += 1;
    try {
      const response = await graphql(request, context.req);
      // Clients on a kept-alive connection learn to reconnect (elsewhere) while this one drains.
      if (draining) response.headers.set('connection', 'close');
      return response;
    } finally {
      inFlight -= 1;
      if (draining && inFlight === 0) drained?.();
    }
  }

  const server: Server = createServer(adapter);
  // Slow or idle clients must not hold sockets (and file descriptors) for long.
  server.requestTimeout = requestTimeoutMs + 5000;
  server.headersTimeout = Math.min(server.requestTimeout, 10_000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const closeWebSockets = attachWebSocket({
    server,
    app,
    authDb: authDatabase.db,
    tokenCache,
    anonymousReads: config.anonymousReads,
    penalties,
    maxPayload: maxBodyBytes,
    maxPerAddress: config.deadlines.perClientConcurrency,
    addressOf: (req) => {
      const forwarded = req.headers['x-forwarded-for'];
      const headers = typeof forwarded === 'string' ? { 'x-forwarded-for': forwarded } : undefined;
      return addressKey(new Request('http://localhost/', { headers }), req, config.trustProxy);
    },
    clientKeyOf: clientKey,
    isDraining: () => draining,
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  // METRICS_PORT: /metrics alone, without a token, on an address load balancers do not expose.
  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (config.metrics.port !== undefined) {
    const internal = createServer(
      createServerAdapter(async (request: Request) =>
        new URL(request.url).pathname === '/metrics' ? metricsResponse() : json(404, { errors: [{ message: 'Not found: this port serves /metrics only.' }] }),
      ),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        internal.once('error', reject);
        internal.listen(config.metrics.port, config.metrics.host, () => resolve());
      });
    } catch (error) {
      server.close();
      throw error;
    }
    metricsServer = internal;
    const metricsHost = config.metrics.host === '0.0.0.0' || config.metrics.host === '::' ? '127.0.0.1' : config.metrics.host;
    metricsUrl = `http://${metricsHost}:${(internal.address() as AddressInfo).port}`;
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') =>
    (stopping ??= (async () => {
      // Still listening while draining: /ready answers 503 so load balancers move traffic away,
      // and a request that arrives meanwhile is served (with `connection: close`), not refused.
      draining = true;
      logger.info({ reason, inFlight }, 'draining');
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(() => {
            if (inFlight > 0) logger.warn({ inFlight }, 'drain time over: cutting remaining requests');
            resolve();
          }, config.drainTimeoutMs).unref();
        });
      }
      // The last answers may still be on their way out: close idle sockets now, busy ones
      // (responses being written, sent with `connection: close`) once written, or after 2 s.
      await closeWebSockets();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(cut);
      if (metricsServer) {
        const internal = metricsServer;
        const closedInternal = new Promise<void>((resolve) => internal.close(() => resolve()));
        internal.closeAllConnections();
        await closedInternal;
      }
      // Before the pools close: a poll of the feed still running would fail on an ended
      // connection and log a warning with its SQL on every clean stop.
      await stopFollowingChanges?.().catch(() => {});
      await monitor.stop();
      await drainer?.stop();
      await drainerDatabase?.close();
      await jobRunner.stop();
      await jobDatabase.close();
      await database.close();
      await readDatabase?.close();
      await stopFollowingTokens?.().catch(() => {});
      await authDatabase.close();
      logger.info('stopped');
    })());

  logger.info({ port, ...(metricsUrl ? { metrics: metricsUrl } : {}) }, 'listening');
  return { url: `http://${host}:${port}`, port, metricsUrl, app, monitor, metrics, admission, shutdown };
}
