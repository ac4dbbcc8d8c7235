/** Settings from the environment, read once at start-up. Bad values stop the process with a message naming the variable. */
import { fileURLToPath } from 'node:url';
import { DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S, DEFAULT_IMPLICIT_IDEMPOTENCY_WINDOW_S } from './writes/transaction.ts';

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${raw}"`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be "true" or "false", got "${raw}"`);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Query limits: every refusal is HTTP 400 with a stable code (src/http/limits.ts). */
export interface LimitsConfig {
  /** Selection depth; Relay queries need about 10. */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens in a document. */
  maxTokens: number;
  /** Query cost computed from the actual argument values (variables included). */
  maxCost: number;
  /** Request body, in bytes. */
  maxBodyBytes: number;
  /** "Did you mean ...?" hints; off in production (they map the schema for an attacker). */
  fieldSuggestions: boolean;
  introspection: boolean;
}

export interface DeadlinesConfig {
  /** PostgreSQL statement_timeout, ms. */
  statementTimeoutMs: number;
  /** PostgreSQL lock_timeout, ms. */
  lockTimeoutMs: number;
  /** PostgreSQL idle_in_transaction_session_timeout, ms. */
  idleInTransactionTimeoutMs: number;
  /** How long a request may wait for a database slot before a 503, ms. */
  acquireTimeoutMs: number;
  /** Whole-request deadline, ms. */
  requestTimeoutMs: number;
  /** How long a database connection attempt may take, seconds (postgres.js counts in seconds). */
  connectTimeoutSeconds: number;
  /** Concurrent database-bound requests per client (token or IP); beyond it HTTP 429. */
  perClientConcurrency: number;
  /** Operations costing more than this are heavy and share only `heavySlots` pool slots. */
  heavyCost: number;
  heavySlots: number;
  /** Pool slots exports may hold at once (each for its whole download). */
  exportSlots: number;
  /** Cost points a client's query budget regains per second (src/http/cost-budget.ts); 0: no budget. */
  costPerSecond: number;
  /** Cost points a client's full budget holds (at least the largest cost allowed). */
  costBurst: number;
  /** GraphQL requests worked on at once; the rest wait, least-demanding clients first (src/http/intake.ts). */
  intakeConcurrency: number;
  /**
   * Of those, how many clients far above their share lately (scripts in a loop, probers) may hold
   * at once; default all (no noisy lane) until measured on a quiet machine: a client's waiting
   * counts as use, so on an overloaded machine dashboards turn noisy too (src/http/intake.ts).
   */
  intakeNoisySlots: number;
}

/** Clients that keep sending refused requests are slowed down and refused for a while. */
export interface PenaltyConfig {
  /** Refusals (HTTP 4xx) within `windowMs` that put a client in the penalty box; 0: never. */
  threshold: number;
  windowMs: number;
  /** How long the penalty lasts, ms. */
  penaltyMs: number;
  /** How long each refused request of a penalized client is held before its 429, ms. */
  tarpitMs: number;
}

export interface Config {
  /** A PostgreSQL URL; without it an embedded server is started. */
  databaseUrl: string | undefined;
  /** Optional read replica: plain reads go there, everything else to databaseUrl. */
  databaseReadUrl: string | undefined;
  /** Where the embedded server keeps its data (git-ignored). */
  embeddedDataDir: string;
  embeddedPort: number | undefined;
  host: string;
  port: number;
  /** Load seed/data into an empty database on start. */
  seedOnStart: boolean;
  poolSize: number;
  production: boolean;
  limits: LimitsConfig;
  deadlines: DeadlinesConfig;
  penalty: PenaltyConfig;
  /** How long in-flight requests may run after SIGTERM before connections are cut, ms. */
  drainTimeoutMs: number;
  /** Origins allowed by CORS; empty means same-origin only (no CORS headers). */
  corsOrigins: string[];
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
  logLevel: string;
  /** Requests slower than this (ms) are logged at info; the rest at debug. */
  slowRequestMs: number;
  /** /metrics: on a listener of its own (METRICS_PORT, on METRICS_HOST) when set, else on the public port behind a token. */
  metrics: MetricsConfig;
  /** When set, live updates (eventAdded) go through Redis and reach every instance. */
  redisUrl: string | undefined;
  /** Anonymous clients may read (READS_REQUIRE_TOKEN=true turns this off); writes always need a token. */
  anonymousReads: boolean;
  /** How long a token's principal is remembered, ms (changes are heard at once; 0: look up every time). */
  tokenCacheMs: number;
  /** Seconds an idempotency key replays its write; after that it is forgotten and purged. */
  idempotencyKeyLifetimeS: number;
  /** Longest a subscription stays open, seconds; then it ends and the client subscribes again. */
  subscriptionMaxLifetimeS: number;
  /** Seconds a write sent without a key replays for an identical request (0: never). */
  implicitIdempotencyWindowS: number;
  /** A manifest of trusted documents, or a directory of them (src/http/persisted.ts). */
  persistedDocumentsPath: string | undefined;
  /** Run registered documents only. */
  trustedDocumentsOnly: boolean;
  /** How long one export (/export/*) may read, ms: its transaction's statement_timeout. */
  exportTimeoutMs: number;
  /** How often an idle summary drainer looks for queued work, ms; 0: this process runs none. */
  summaryDrainIdleMs: number;
  /** While the drainer keeps up with writes, its calls start at most once per this many ms (0: back to back). */
  summaryDrainPaceMs: number;
}

/** Who may read /metrics (src/http/metrics-access.ts). */
export interface MetricsConfig {
  /** A port of its own for /metrics (nothing else is served there); undefined: the public port. */
  port: number | undefined;
  /** Where that port listens; loopback unless a scraper elsewhere needs it. */
  host: string;
  /** A bearer token Prometheus sends on the public port (an admin API token is accepted too). */
  token: string | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function readConfig(env: Env = process.env): Config {
  const embeddedPort = integer(env, 'EMBEDDED_PG_PORT', 0);
  const metricsPort = integer(env, 'METRICS_PORT', 0);
  if (env.METRICS_TOKEN && env.METRICS_TOKEN.length < 16) throw new Error('METRICS_TOKEN must be at least 16 characters long');
  const production = env.NODE_ENV === 'production';
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const maxDepth = integer(env, 'GRAPHQL_MAX_DEPTH', 12, 1);
  const poolSize = integer(env, 'DATABASE_POOL_SIZE', 10, 1);
  const intakeConcurrency = integer(env, 'INTAKE_CONCURRENCY', 2 * poolSize, 1);
  const maxCost = integer(env, 'GRAPHQL_MAX_COST', 20_000, 1);
  const costBurst = integer(env, 'CLIENT_COST_BURST', 2 * maxCost, 1);
  if (costBurst < maxCost) throw new Error(`CLIENT_COST_BURST must be at least GRAPHQL_MAX_COST (${maxCost}), or the largest allowed query could never run; got ${costBurst}`);
  if (maxDepth > 12) throw new Error(`GRAPHQL_MAX_DEPTH must be at most 12, got ${maxDepth}`);
  const trustedDocumentsOnly = boolean(env, 'TRUSTED_DOCUMENTS_ONLY', false);
  if (trustedDocumentsOnly && !env.PERSISTED_DOCUMENTS) throw new Error('TRUSTED_DOCUMENTS_ONLY=true needs PERSISTED_DOCUMENTS (the manifests to trust)');
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReadUrl: env.DATABASE_READ_URL || undefined,
    embeddedDataDir: env.EMBEDDED_PG_DIR || fileURLToPath(new URL('../.data/postgres', import.meta.url)),
    embeddedPort: embeddedPort === 0 ? undefined : embeddedPort,
    host: env.HOST || '0.0.0.0',
    port: integer(env, 'PORT', 4000),
    seedOnStart: env.SEED_ON_START !== 'false',
    poolSize,
    production,
    limits: {
      maxDepth,
      maxAliases: integer(env, 'GRAPHQL_MAX_ALIASES', 15, 1),
      maxDirectives: integer(env, 'GRAPHQL_MAX_DIRECTIVES', 10, 1),
      maxTokens: integer(env, 'GRAPHQL_MAX_TOKENS', 2000, 1),
      maxCost,
      maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 100_000, 1),
      fieldSuggestions: boolean(env, 'GRAPHQL_FIELD_SUGGESTIONS', !production),
      introspection: boolean(env, 'GRAPHQL_INTROSPECTION', true),
    },
    deadlines: {
      statementTimeoutMs: integer(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 1),
      lockTimeoutMs: integer(env, 'DB_LOCK_TIMEOUT_MS', 2000, 1),
      idleInTransactionTimeoutMs: integer(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10_000, 1),
      acquireTimeoutMs: integer(env, 'DB_ACQUIRE_TIMEOUT_MS', 2000, 1),
      requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 10_000, 1),
      connectTimeoutSeconds: integer(env, 'DB_CONNECT_TIMEOUT_S', 2, 1),
      perClientConcurrency: integer(env, 'CLIENT_MAX_CONCURRENT', 4, 1),
      heavyCost: integer(env, 'GRAPHQL_HEAVY_COST', 2500, 1),
      // One heavy operation at a time for the default pool: under `npm run abuse`, two at once
      // left the dashboards' p99 at 440–540 ms, one at 150–330 ms (same session, alternated runs).
      heavySlots: integer(env, 'DATABASE_HEAVY_SLOTS', Math.max(1, Math.floor(poolSize / 8)), 1),
      exportSlots: integer(env, 'DATABASE_EXPORT_SLOTS', Math.max(1, Math.floor(poolSize / 4)), 1),
      costPerSecond: integer(env, 'CLIENT_COST_PER_SECOND', 1000),
      costBurst,
      intakeConcurrency,
      intakeNoisySlots: integer(env, 'INTAKE_NOISY_SLOTS', intakeConcurrency, 1),
    },
    penalty: {
      threshold: integer(env, 'PENALTY_THRESHOLD', 10),
      windowMs: integer(env, 'PENALTY_WINDOW_MS', 10_000, 1),
      penaltyMs: integer(env, 'PENALTY_MS', 30_000, 1),
      tarpitMs: integer(env, 'PENALTY_TARPIT_MS', 1000),
    },
    drainTimeoutMs: integer(env, 'DRAIN_TIMEOUT_MS', 10_000),
    corsOrigins: list(env, 'CORS_ORIGINS'),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    logLevel,
    slowRequestMs: integer(env, 'SLOW_REQUEST_MS', 1000, 1),
    metrics: {
      port: metricsPort === 0 ? undefined : metricsPort,
      host: env.METRICS_HOST || '127.0.0.1',
      token: env.METRICS_TOKEN || undefined,
    },
    redisUrl: env.REDIS_URL || undefined,
    anonymousReads: !boolean(env, 'READS_REQUIRE_TOKEN', false),
    tokenCacheMs: integer(env, 'TOKEN_CACHE_MS', 30_000),
    idempotencyKeyLifetimeS: integer(env, 'IDEMPOTENCY_KEY_LIFETIME_S', DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S, 1),
    subscriptionMaxLifetimeS: integer(env, 'SUBSCRIPTION_MAX_LIFETIME_S', 3600, 1),
    implicitIdempotencyWindowS: integer(env, 'IMPLICIT_IDEMPOTENCY_WINDOW_S', DEFAULT_IMPLICIT_IDEMPOTENCY_WINDOW_S),
    persistedDocumentsPath: env.PERSISTED_DOCUMENTS || undefined,
    trustedDocumentsOnly,
    exportTimeoutMs: integer(env, 'EXPORT_TIMEOUT_MS', 900_000, 1),
    summaryDrainIdleMs: integer(env, 'SUMMARY_DRAIN_IDLE_MS', 100),
    summaryDrainPaceMs: integer(env, 'SUMMARY_DRAIN_PACE_MS', 250),
  };
}
