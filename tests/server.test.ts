/**
 * The real HTTP server: health, readiness and metrics endpoints, database and request deadlines,
 * the per-client cap (429) and the pool-wait limit (503). A test holds an ACCESS EXCLUSIVE lock on
 * `events` to make event queries wait as long as it likes, without any test-only code path.
 */
import { request as httpRequest } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseMonitor } from '../src/db/monitor.ts';
import type { RunningServer } from '../src/server.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { createToken } from '../src/auth/tokens.ts';
import { scratchDatabase } from './helpers.ts';
import { codeOf, graphql, metricsHeaders, serve, whileEventsLocked } from './server-helpers.ts';
import { databaseUrlFor } from './database-url.ts';
import { inject } from 'vitest';

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let server: RunningServer;
let locker: postgres.Sql;
const clientTokens = new Map<string, string>();
/** Headers of a request from the named client. */
const as = (name: string) => ({ headers: { authorization: `Bearer ${clientTokens.get(name) ?? ''}` } });

const EVENTS = '{ events(first: 1) { totalCount } }';
const ACTORS = '{ actors(first: 1) { totalCount } }';

beforeAll(async () => {
  scratch = await scratchDatabase();
  await loadSeed(scratch.handle.db);
  locker = postgres(scratch.url, { max: 1, onnotice: () => {} });
  // Separate clients are separate token holders: the server refuses unknown tokens (401) and
  // caps each client by its token.
  for (const name of ['client-a', 'client-b', 'x', 'y', 'z', 'w', 'prober', 'other']) clientTokens.set(name, (await createToken(scratch.handle.db, name, 'viewer')).token);
  server = await serve(scratch.url, {
    poolSize: 3,
    deadlines: { lockTimeoutMs: 20_000, statementTimeoutMs: 20_000, requestTimeoutMs: 1500, acquireTimeoutMs: 300, perClientConcurrency: 2 },
  });
});
afterAll(async () => {
  await server.shutdown();
  await locker.end();
  await scratch.drop();
});

/** Resolves once `n` operations hold database slots (they are waiting on the lock). */
async function untilActive(n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (server.admission.active < n) {
    if (Date.now() > deadline) throw new Error(`only ${server.admission.active} of ${n} requests became active`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('health, readiness, metrics', () => {
  it('answers /health and /ready', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('is not ready on a database whose migrations are not applied', async () => {
    const admin = postgres(inject('serverUrl'), { max: 1, onnotice: () => {} });
    const name = `unmigrated_${process.pid}_${Date.now()}`;
    await admin.unsafe(`create database "${name}"`);
    const monitor = new DatabaseMonitor(databaseUrlFor(inject('serverUrl'), name));
    try {
      expect((await monitor.check()).status).toBe('migrations-pending');
    } finally {
      await monitor.stop();
      await admin.unsafe(`drop database "${name}" with (force)`);
      await admin.end();
    }
  });

  it('exposes Prometheus metrics: requests, latency, errors, pool', async () => {
    await graphql(server, 'query Dash { actors(first: 1) { totalCount } }');
    await graphql(server, '{ events(first: 1000) { totalCount } }');
    const response = await fetch(`${server.url}/metrics`, { headers: metricsHeaders });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/graphql_requests_total\{operation="Dash",status="200"\} 1/);
    expect(text).toMatch(/graphql_request_duration_seconds_count\{operation="Dash"\} 1/);
    expect(text).toMatch(/graphql_errors_total\{code="BAD_USER_INPUT"\} 1/);
    expect(text).toMatch(/db_pool_size 3/);
    expect(text).toMatch(/db_pool_requests_active \d/);
    expect(text).toMatch(/database_up 1/);
    expect(text).toMatch(/db_pool_wait_seconds_count\{lane="open"\} [1-9]/);
  });

  it('shows /metrics only to METRICS_TOKEN and admin tokens on the public port', async () => {
    const metricsAs = async (authorization?: string) =>
      (await fetch(`${server.url}/metrics`, authorization ? { headers: { authorization } } : {})).status;
    const admin = (await createToken(scratch.handle.db, 'metrics-admin', 'admin')).token;
    expect(await metricsAs()).toBe(401);
    expect(await metricsAs('Bearer not-a-token')).toBe(401);
    expect(await metricsAs(`Bearer ${clientTokens.get('other')}`)).toBe(403);
    expect(await metricsAs(metricsHeaders.authorization)).toBe(200);
    expect(await metricsAs(`Bearer ${admin}`)).toBe(200);
  });

  it('serves /metrics on METRICS_PORT alone, without a token, when that is set', async () => {
    const internal = await serve(scratch.url, { metrics: { port: 0, host: '127.0.0.1' } });
    try {
      expect(internal.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const scraped = await fetch(`${internal.metricsUrl}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/database_up/);
      // Not on the public port, whatever the token; and nothing but /metrics on the internal one.
      expect((await fetch(`${internal.url}/metrics`, { headers: metricsHeaders })).status).toBe(404);
      expect((await fetch(`${internal.metricsUrl}/graphql?query=%7B__typename%7D`)).status).toBe(404);
    } finally {
      await internal.shutdown();
    }
  });

  it('returns the request id in a header', async () => {
    const answer = await graphql(server, '{ __typename }', { headers: { 'x-request-id': 'dash-7' } });
    expect(answer.headers.get('x-request-id')).toBe('dash-7');
  });
});

describe('deadlines and caps', () => {
  it('sets statement, lock and idle-in-transaction timeouts on every pooled connection', async () => {
    const { connectDatabase } = await import('../src/db/client.ts');
    const pool = connectDatabase(scratch.url, { max: 2, statementTimeoutMs: 4321, lockTimeoutMs: 321, idleInTransactionTimeoutMs: 5432 });
    try {
      const rows = await pool.sql`select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l,
        current_setting('idle_in_transaction_session_timeout') as i`;
      expect(rows[0]).toEqual({ s: '4321ms', l: '321ms', i: '5432ms' });
      // And PostgreSQL enforces it: a statement over the limit is cancelled.
      const tight = connectDatabase(scratch.url, { max: 1, statementTimeoutMs: 100 });
      await expect(tight.sql`select pg_sleep(2)`).rejects.toMatchObject({ code: '57014' });
      await tight.close();
    } finally {
      await pool.close();
    }
  });

  it('cuts a request off at the whole-request deadline with REQUEST_TIMEOUT', async () => {
    const answer = await whileEventsLocked(locker, () => graphql(server, EVENTS));
    expect(answer.status).toBe(503);
    expect(codeOf(answer)).toBe('REQUEST_TIMEOUT');
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.ms).toBeLessThan(5000);
  });

  it('stops a query at lock_timeout with QUERY_TIMEOUT', async () => {
    const quick = await serve(scratch.url, { deadlines: { lockTimeoutMs: 200 } });
    try {
      const answer = await whileEventsLocked(locker, () => graphql(quick, EVENTS));
      expect(answer.status).toBe(503);
      expect(codeOf(answer)).toBe('QUERY_TIMEOUT');
      expect(JSON.stringify(answer.body)).not.toMatch(/lock|select|relation|canceling/i);
    } finally {
      await quick.shutdown();
    }
  });

  it('answers 429 with Retry-After past the per-client cap, and serves other clients', async () => {
    await whileEventsLocked(locker, async () => {
      const a = as('client-a');
      const held = [graphql(server, EVENTS, a), graphql(server, EVENTS, a)];
      await untilActive(2);
      const third = await graphql(server, ACTORS, a);
      expect(third.status).toBe(429);
      expect(codeOf(third)).toBe('TOO_MANY_REQUESTS');
      expect(third.headers.get('retry-after')).toBe('1');
      expect(third.body.errors?.[0]?.message).toMatch(/at most 2/);
      const other = await graphql(server, ACTORS, as('client-b'));
      expect(other.status).toBe(200);
      await Promise.all(held);
    });
  });

  it('answers 503 DATABASE_BUSY when no slot frees within the acquire timeout', async () => {
    await whileEventsLocked(locker, async () => {
      const held = ['x', 'y', 'z'].map((c) => graphql(server, EVENTS, as(c)));
      await untilActive(3);
      const waiting = await graphql(server, ACTORS, as('w'));
      expect(waiting.status).toBe(503);
      expect(codeOf(waiting)).toBe('DATABASE_BUSY');
      expect(waiting.ms).toBeLessThan(3000);
      await Promise.all(held);
    });
    // Slots come back once the lock is gone.
    expect((await graphql(server, EVENTS)).status).toBe(200);
  });

  it('answers a client that keeps sending refused requests with a delayed 429', async () => {
    const strict = await serve(scratch.url, { penalty: { threshold: 3, windowMs: 10_000, penaltyMs: 5000, tarpitMs: 300 } });
    try {
      const deep = `{ places { nodes { ${'parent { '.repeat(20)}name${' }'.repeat(20)} } } }`;
      const who = as('prober');
      for (let i = 0; i < 3; i += 1) expect((await graphql(strict, deep, who)).status).toBe(400);
      const next = await graphql(strict, ACTORS, who);
      expect(next.status).toBe(429);
      expect(codeOf(next)).toBe('TOO_MANY_REFUSED_REQUESTS');
      expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(next.ms).toBeGreaterThanOrEqual(250);
      // Someone else is not affected.
      expect((await graphql(strict, ACTORS, as('other'))).status).toBe(200);
    } finally {
      await strict.shutdown();
    }
  });

  it('boxes an address that sends a new made-up token each time', async () => {
    const strict = await serve(scratch.url, { penalty: { threshold: 3, windowMs: 10_000, penaltyMs: 5000, tarpitMs: 0 } });
    try {
      for (let i = 0; i < 3; i += 1) {
        expect((await graphql(strict, ACTORS, { headers: { authorization: `Bearer made-up-${i}` } })).status).toBe(401);
      }
      // A fourth made-up token is a new client, but the address is boxed: no lookup, a 429.
      const next = await graphql(strict, ACTORS, { headers: { authorization: 'Bearer made-up-3' } });
      expect(next.status).toBe(429);
      expect(codeOf(next)).toBe('TOO_MANY_REFUSED_REQUESTS');
    } finally {
      await strict.shutdown();
    }
  });

  it('remembers a token between requests and forgets it as soon as it is revoked', async () => {
    const { token } = await createToken(scratch.handle.db, 'cached', 'viewer');
    const headers = { authorization: `Bearer ${token}` };
    const status = async () => (await graphql(server, ACTORS, { headers })).status;
    /** Polls: a change is heard through a notification, so it takes effect within moments. */
    const until = async (wanted: number) => {
      const deadline = Date.now() + 3000;
      while ((await status()) !== wanted) {
        if (Date.now() > deadline) throw new Error(`still not ${wanted} after 3 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    expect(await status()).toBe(200);
    // Revoked behind the trigger's back: the instance still knows the token (no lookup)...
    await locker`alter table api_tokens disable trigger api_tokens_changed`;
    try {
      await locker`update api_tokens set revoked_at = now() where name = 'cached'`;
    } finally {
      await locker`alter table api_tokens enable trigger api_tokens_changed`;
    }
    expect(await status()).toBe(200);
    // ...until it hears of a change to that token.
    const [row] = await locker<{ hash: string }[]>`select token_sha256 as hash from api_tokens where name = 'cached'`;
    await locker`select pg_notify('api_tokens_changed', ${row?.hash ?? ''})`;
    await until(401);
    // A plain revocation (as "npm run token -- revoke" does) is heard through the trigger.
    const second = await createToken(scratch.handle.db, 'cached-2', 'viewer');
    headers.authorization = `Bearer ${second.token}`;
    expect(await status()).toBe(200);
    await locker`update api_tokens set revoked_at = now() where name = 'cached-2'`;
    await until(401);
  });

  it('refuses a chunked body over the limit while reading it', async () => {
    const { port } = server;
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // No Content-Length: Node sends it chunked.
      req.write(`{"query":"{ __typename }","variables":{"pad":"`);
      for (let i = 0; i < 30; i += 1) req.write('x'.repeat(10_000));
      req.end('"}}');
    });
    expect(status.status).toBe(400);
    expect(JSON.parse(status.body)).toMatchObject({ errors: [{ extensions: { code: 'BODY_TOO_LARGE' } }] });
  });
});
