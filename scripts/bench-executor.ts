/**
 * `npx tsx scripts/bench-executor.ts [--requests 200]`: Node CPU per request of the benchmark's
 * nested list query, in-process against the synthetic database, for three ways of executing it:
 * the app as served (src/yoga.ts, with every plugin), bare graphql-yoga on the same schema, and
 * bare graphql-yoga with the graphql-jit executor (@envelop/graphql-jit). It says where the Node
 * CPU of the nested query goes, and what a JIT executor would save, before src/yoga.ts adopts one.
 */
import { parseArgs } from 'node:util';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga } from 'graphql-yoga';
import { connectDatabase } from '../src/db/client.ts';
import type { Context } from '../src/graphql/context.ts';
import { makePubSub } from '../src/graphql/pubsub.ts';
import { LIVE_VIEW } from '../src/graphql/view.ts';
import { DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S } from '../src/writes/transaction.ts';
import { schema } from '../src/graphql/schema.ts';
import { createApp } from '../src/yoga.ts';
import { NESTED_QUERY } from './bench-queries.ts';
import { startSyntheticServer } from './synthetic-db.ts';

const { values: options } = parseArgs({ options: { requests: { type: 'string', default: '200' } } });
const REQUESTS = Number(options.requests);

interface Fetcher {
  fetch: (url: string, init: RequestInit) => Promise<Response> | Response;
}

async function measure(name: string, app: Fetcher, statements: string[]): Promise<void> {
  const body = JSON.stringify({ query: NESTED_QUERY });
  const once = async () => {
    const response = await app.fetch('http://bench/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await response.text();
    if (!response.ok || text.includes('"errors"')) throw new Error(`${name}: ${text.slice(0, 300)}`);
    return text.length;
  };
  for (let i = 0; i < 30; i++) await once(); // warm-up: V8, JIT compilation, prepared statements
  statements.splice(0);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < REQUESTS; i++) bytes = await once();
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  console.log(
    `| ${name} | ${((used.user + used.system) / 1000 / REQUESTS).toFixed(2)} | ${(wall / REQUESTS).toFixed(1)} | ${statements.length / REQUESTS} | ${bytes} |`,
  );
}

const server = await startSyntheticServer();
const statements: string[] = [];
const database = connectDatabase(server.databaseUrl, { max: 4, onStatement: (text) => statements.push(text) });
const pubsub = makePubSub();
const context = (): Context => ({
  db: database.db,
  principal: null,
  anonymousReads: true,
  requestId: 'bench',
  view: LIVE_VIEW,
  pubsub,
  idempotencyKeyLifetimeS: DEFAULT_IDEMPOTENCY_KEY_LIFETIME_S,
});
console.log(`nested query, ${REQUESTS} sequential requests in-process\n`);
console.log('| executor | Node CPU ms/request | wall ms/request | SQL statements/request | response bytes |');
console.log('| --- | ---: | ---: | ---: | ---: |');
await measure('src/yoga.ts as served (all plugins)', createApp({ db: database.db }), statements);
await measure('bare graphql-yoga, graphql-js executor', createYoga<Record<string, unknown>, Context>({ schema, context, logging: false }), statements);
await measure(
  'bare graphql-yoga, graphql-jit executor',
  createYoga<Record<string, unknown>, Context>({ schema, context, logging: false, plugins: [useGraphQlJit()] }),
  statements,
);
await database.close();
await server.stop();
