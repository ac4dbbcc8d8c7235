import type postgres from 'postgres';
/** Starting the real server (src/server.ts) on a free port, with settings a test chooses. */
import { readConfig, type Config } from '../src/config.ts';
import { connectDatabase } from '../src/db/client.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';

export interface ConfigOverrides {
  poolSize?: number;
  deadlines?: Partial<Config['deadlines']>;
  limits?: Partial<Config['limits']>;
  drainTimeoutMs?: number;
  databaseReadUrl?: string;
  corsOrigins?: string[];
  penalty?: Partial<Config['penalty']>;
  subscriptionMaxLifetimeS?: number;
  tokenCacheMs?: number;
  trustProxy?: boolean;
  metrics?: Partial<Config['metrics']>;
}

/** METRICS_TOKEN of every test server: /metrics answers only to it (or an admin token). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';
export const metricsHeaders = { authorization: `Bearer ${TEST_METRICS_TOKEN}` };

export function testConfig(overrides: ConfigOverrides = {}): Config {
  const base = readConfig({});
  return {
    ...base,
    host: '127.0.0.1',
    port: 0,
    poolSize: overrides.poolSize ?? 4,
    deadlines: { ...base.deadlines, ...overrides.deadlines },
    limits: { ...base.limits, ...overrides.limits },
    drainTimeoutMs: overrides.drainTimeoutMs ?? base.drainTimeoutMs,
    databaseReadUrl: overrides.databaseReadUrl,
    corsOrigins: overrides.corsOrigins ?? [],
    penalty: { ...base.penalty, ...overrides.penalty },
    subscriptionMaxLifetimeS: overrides.subscriptionMaxLifetimeS ?? base.subscriptionMaxLifetimeS,
    tokenCacheMs: overrides.tokenCacheMs ?? base.tokenCacheMs,
    trustProxy: overrides.trustProxy ?? base.trustProxy,
    metrics: { ...base.metrics, token: TEST_METRICS_TOKEN, ...overrides.metrics },
    logLevel: 'silent',
  };
}

/** The server as src/index.ts starts it: pools with the configured deadlines, then startServer. */
export async function serve(databaseUrl: string, overrides: ConfigOverrides = {}): Promise<RunningServer> {
  const config = testConfig(overrides);
  const options = {
    max: config.poolSize,
    statementTimeoutMs: config.deadlines.statementTimeoutMs,
    lockTimeoutMs: config.deadlines.lockTimeoutMs,
    idleInTransactionTimeoutMs: config.deadlines.idleInTransactionTimeoutMs,
    connectTimeoutSeconds: config.deadlines.connectTimeoutSeconds,
  };
  const database = connectDatabase(databaseUrl, options);
  const readDatabase = config.databaseReadUrl ? connectDatabase(config.databaseReadUrl, options) : undefined;
  return startServer({ config, database, databaseUrl, readDatabase, logger: createLogger('silent') });
}

export interface Answer {
  status: number;
  headers: Headers;
  ms: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

export async function graphql(
  server: { url: string },
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const body = (await response.json()) as Answer['body'];
  return { status: response.status, headers: response.headers, ms: performance.now() - started, body };
}

export const codeOf = (answer: Answer): string | undefined => answer.body.errors?.[0]?.extensions?.code;

/**
 * Runs `body` while `locker` holds an ACCESS EXCLUSIVE lock on `events`, so event queries wait as
 * long as a test likes; the lock goes when body's promise settles.
 */
export async function whileEventsLocked<T>(locker: postgres.Sql, body: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const tx = locker.begin(async (sql) => {
    await sql`lock table events in access exclusive mode`;
    locked();
    await released;
  });
  await isLocked;
  try {
    return await body();
  } finally {
    release();
    await tx;
  }
}
