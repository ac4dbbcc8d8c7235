/** Builds the GraphQL HTTP app; src/server.ts serves it (with health, deadlines, drain). */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { TokenCache } from './auth/token-cache.ts';
import type { LimitsConfig } from './config.ts';
import type { Database } from './db/client.ts';
import type { DatabaseMonitor } from './db/monitor.ts';
import type { Context } from './graphql/context.ts';
import { makePubSub, type PubSub } from './graphql/pubsub.ts';
import { useQueryJit } from './graphql/executor.ts';
import { useSummaryStatusFirst } from './graphql/summary-status.ts';
import { LIVE_VIEW } from './graphql/view.ts';
import { DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S } from './writes/transaction.ts';
import { schema } from './graphql/schema.ts';
import { exampleQueries } from './graphiql-examples.ts';
import { renderGraphiQLPage } from './graphiql-page.ts';
import { useAdmission, type Admission } from './http/admission.ts';
import { useGetCaching } from './http/caching.ts';
import { useCsrfPrevention } from './http/csrf.ts';
import { useInputChecks } from './http/inputs.ts';
import { useStrictParams } from './http/params.ts';
import { usePersistedDocuments, type PersistedDocuments } from './http/persisted.ts';
import { createMaskError } from './http/errors.ts';
import { DEFAULT_LIMITS, useArmor, useBodyLimit, useIntrospectionSwitch, useRefusalStatus } from './http/limits.ts';
import { useRefusalCount } from './http/penalty.ts';
import { authenticate, unauthorized } from './http/requests.ts';
import { useEventStreams } from './http/event-streams.ts';
import { DEFAULT_SUBSCRIPTION_MAX_LIFETIME_S, useStreamRules } from './http/streams.ts';
import { createLogger, requestIdFor } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import { useObservability } from './observability/plugin.ts';

export interface AppOptions {
  db: Database;
  /** Query limits; each field left out keeps its default (src/http/limits.ts). */
  limits?: Partial<LimitsConfig>;
  /** JSON logs; by default errors only (tests stay quiet). */
  logger?: Logger;
  metrics?: Metrics;
  /** Fails operations at once while the database is known to be down. */
  monitor?: DatabaseMonitor;
  /** Per-client and total caps on database-bound operations. */
  admission?: Admission;
  /** A read replica for queries (DATABASE_READ_URL). */
  readDb?: Database;
  /** Browser origins allowed to call the API; none: same-origin only. */
  corsOrigins?: string[];
  /** Where bearer tokens are looked up (a small pool apart from queries'); default `db`. */
  authDb?: Database;
  /** Remembers the principals of recent tokens (src/auth/token-cache.ts); default: a lookup per request. */
  tokenCache?: TokenCache;
  /** May requests without a token read? Default true; writes always need a token. */
  anonymousReads?: boolean;
  /** Where writes announce new records; default in-process (pass a Redis-backed one to share). */
  pubsub?: PubSub;
  /** Seconds an idempotency key replays its write (IDEMPOTENCY_KEY_LIFETIME_S); default a day. */
  idempotencyKeyLifetimeS?: number;
  /** Subscriptions: longest life (SUBSCRIPTION_MAX_LIFETIME_S) and how often their token is looked up again. */
  streams?: { maxLifetimeMs?: number; recheckMs?: number };
  /** Seconds a keyless write replays for an identical request (IMPLICIT_IDEMPOTENCY_WINDOW_S); 0: never. */
  implicitIdempotencyWindowS?: number;
  /** Registered documents clients may send by id (PERSISTED_DOCUMENTS), and whether only they run. */
  persistedDocuments?: PersistedDocuments;
  /** Requests at least this slow (ms) are logged at info, the rest at debug (SLOW_REQUEST_MS). */
  slowRequestMs?: number;
}

export type App = YogaServerInstance<Record<string, unknown>, Context>;

export function createApp(options: AppOptions): App {
  const { db } = options;
  const anonymousReads = options.anonymousReads ?? true;
  const pubsub = options.pubsub ?? makePubSub();
  const limits: LimitsConfig = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger ?? createLogger('error');
  const plugins: Plugin[] = [
    useObservability({ logger, metrics: options.metrics, slowRequestMs: options.slowRequestMs }),
    useGetCaching({ db: options.readDb ?? db, anonymousReads }),
    useBodyLimit(limits.maxBodyBytes),
    useCsrfPrevention(),
    useStrictParams(),
    ...(options.persistedDocuments ? [usePersistedDocuments(options.persistedDocuments)] : []),
    useArmor(limits),
    useIntrospectionSwitch(limits.introspection),
    useRefusalStatus(),
    useInputChecks(),
    useRefusalCount() as Plugin,
    ...useQueryJit(),
    useDeferStream(),
    useAdmission({ admission: options.admission, monitor: options.monitor, readDb: options.readDb }) as Plugin,
    // After admission: the status is read from the database the request's aggregates read.
    useSummaryStatusFirst() as Plugin,
    ...useEventStreams({ authDb: options.authDb ?? db, tokenCache: options.tokenCache }),
    useStreamRules({
      admission: options.admission,
      authDb: options.authDb ?? db,
      tokenCache: options.tokenCache,
      maxLifetimeMs: options.streams?.maxLifetimeMs ?? DEFAULT_SUBSCRIPTION_MAX_LIFETIME_S * 1000,
      recheckMs: options.streams?.recheckMs ?? 5000,
    }),
  ];
  const monitor = options.monitor;
  return createYoga<Record<string, unknown>, Context>({
    schema,
    // A new context per request: DataLoader caches must not outlive it (nor leak across users).
    context: async ({ request }): Promise<Context> => {
      const principal = await authenticate(options.authDb ?? db, request.headers.get('authorization'), options.tokenCache);
      if (!principal && !anonymousReads) throw unauthorized('this server needs an API token (Authorization: Bearer ...)');
      return {
        db,
        maxCost: limits.maxCost,
        principal,
        anonymousReads,
        // The id the observability plugin gave this request (and sends back in x-request-id).
        requestId: requestIdFor(request),
        view: LIVE_VIEW,
        pubsub,
        idempotencyKeyLifetimeS: options.idempotencyKeyLifetimeS ?? DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S,
        implicitIdempotencyWindowS: options.implicitIdempotencyWindowS,
        // Learning a COMMIT's fate must not wait behind the pool whose connection broke.
        outcomeDb: options.authDb,
      };
    },
    plugins,
    // One operation per request: a batch would multiply every other limit.
    batching: false,
    // Bodies are bounded before yoga reads them: a declared length by useBodyLimit, a chunked body
    // as it arrives (src/server.ts). Yoga's own 25 MB check piped every body through a
    // TransformStream, which cost each request an AbortController and a DOMException.
    maxRequestBodySize: false,
    // Unexpected errors reach clients as "Unexpected error." — never SQL, stacks or hosts.
    maskedErrors: { maskError: createMaskError({ onDatabaseFailure: monitor ? () => monitor.reportFailure() : undefined }) },
    logging: {
      debug: (...args) => logger.debug({ args }, 'yoga'),
      info: (...args) => logger.info({ args }, 'yoga'),
      warn: (...args) => logger.warn({ args }, 'yoga'),
      // Masked errors are logged once, with their cause, by maskError.
      error: () => {},
    },
    cors: options.corsOrigins && options.corsOrigins.length > 0 ? { origin: options.corsOrigins, credentials: true } : false,
    landingPage: false,
    // Served from the package, not a CDN, so GraphiQL works offline (with a fix to its tabs).
    renderGraphiQL: renderGraphiQLPage,
    graphiql: {
      title: 'Militant movements knowledge graph',
      defaultTabs: exampleQueries.map(({ query }) => ({ query })),
    },
  });
}
