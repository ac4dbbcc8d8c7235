/**
 * Unexpected errors are masked (the client sees no SQL, stack, host or driver text) while the
 * log keeps the cause under the request id the client got back; metrics count what happened.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../src/db/client.ts';
import { createLogger } from '../src/observability/logger.ts';
import { Metrics } from '../src/observability/metrics.ts';
import { createApp, type App } from '../src/yoga.ts';
import { scratchDatabase } from './helpers.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let database: DatabaseHandle;
let app: App;
const metrics = new Metrics();

beforeAll(async () => {
  scratch = await scratchDatabase();
  await loadSeed(scratch.handle.db);
  // A table gone from under the code: its queries fail inside the driver with SQL in the message.
  await scratch.handle.sql`alter table places rename to places_gone`;
  database = connectDatabase(scratch.url, { max: 2 });
  app = createApp({ db: database.db, logger: createLogger('info', sink), metrics });
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});

async function post(query: string, headers: Record<string, string> = {}, to: App = app) {
  const response = await to.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { response, text: await response.text() };
}

describe('errors, logs and metrics', () => {
  it('masks a driver error and logs its cause under the request id', async () => {
    const { response, text } = await post('query Gazetteer { places { nodes { name } } }');
    const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.message).toBe('Unexpected error.');
    expect(body.errors[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    for (const secret of [/select/i, /places_gone|from "places"/, /postgres/i, /127\.0\.0\.1|localhost/, /\bat .*\.(ts|js):\d+/, /does not exist/]) {
      expect(text).not.toMatch(secret);
    }
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const logged = lines.filter((l) => l.reqId === requestId);
    // The cause, with its SQL, is in the server's log only.
    expect(logged.find((l) => l.msg === 'unexpected error')).toMatchObject({
      cause: { message: 'relation "places" does not exist', code: '42P01' },
    });
    expect(logged.find((l) => l.msg === 'request')).toMatchObject({ operation: 'Gazetteer', status: 200, errorCodes: ['INTERNAL_SERVER_ERROR'] });
  });

  it('keeps a plain client request id and replaces one that is not', async () => {
    const kept = await post('{ __typename }', { 'x-request-id': 'trace-42.a' });
    expect(kept.response.headers.get('x-request-id')).toBe('trace-42.a');
    const replaced = await post('{ __typename }', { 'x-request-id': 'evil\u0000"}{"level":60' });
    expect(replaced.response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes intended errors through with their code', async () => {
    const { text } = await post('{ events(first: 500) { totalCount } }');
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('counts requests per operation and errors per code', async () => {
    await post('query Named { __typename }');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/graphql_requests_total\{operation="Named",status="200"\} 1/);
    expect(text).toMatch(/graphql_errors_total\{code="INTERNAL_SERVER_ERROR"\} [1-9]/);
    expect(text).toMatch(/graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(text).toMatch(/graphql_request_duration_seconds_bucket\{le="[0-9.]+",operation="Named"\}/);
  });

  it('logs plain successes at debug only, refusals and slow requests at info', async () => {
    const PINO_DEBUG = 20;
    const PINO_INFO = 30;
    const requestLine = (id: string) => lines.find((l) => l.reqId === id && l.msg === 'request');
    const relaxed = createApp({ db: database.db, logger: createLogger('info', sink), slowRequestMs: 60_000 });
    await post('{ actors(first: 1) { totalCount } }', { 'x-request-id': 'plain-at-info' }, relaxed);
    await post('{ events(first: 500) { totalCount } }', { 'x-request-id': 'refused-at-info' }, relaxed);
    expect(requestLine('plain-at-info')).toBeUndefined();
    expect(requestLine('refused-at-info')).toMatchObject({ level: PINO_INFO, errorCodes: ['BAD_USER_INPUT'] });

    const strict = createApp({ db: database.db, logger: createLogger('info', sink), slowRequestMs: 1 });
    await post('{ actors(first: 5) { totalCount nodes { name } } }', { 'x-request-id': 'slow-at-info' }, strict);
    expect(requestLine('slow-at-info')).toMatchObject({ level: PINO_INFO, slow: true, status: 200 });

    const verbose = createApp({ db: database.db, logger: createLogger('debug', sink), slowRequestMs: 60_000 });
    await post('{ actors(first: 1) { totalCount } }', { 'x-request-id': 'plain-at-debug' }, verbose);
    expect(requestLine('plain-at-debug')).toMatchObject({ level: PINO_DEBUG, status: 200 });
    expect(requestLine('plain-at-debug')).not.toHaveProperty('slow');
  });

  it('bounds operation-name labels', () => {
    expect(metrics.operationLabel('x"} 1\nfake_metric 2')).toBe('other');
    expect(metrics.operationLabel(undefined)).toBe('anonymous');
  });
});
