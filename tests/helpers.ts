/**
 * What the tests share: the app wired to the run's seeded database, GraphQL requests through
 * `yoga.fetch` (no socket), a count of the SQL statements each request sends, and scratch
 * databases for tests that write.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { createToken } from '../src/auth/tokens.ts';
import { connectDatabase, type DatabaseHandle } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { drainSummaries } from '../src/db/summaries.ts';
import { createApp, type App, type AppOptions } from '../src/yoga.ts';
import { databaseUrlFor } from './database-url.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApi {
  app: App;
  database: DatabaseHandle;
  /** SQL statements sent since the last `resetStatements()`. */
  statements: string[];
  resetStatements: () => void;
  query: <T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string },
  ) => Promise<GraphQLResponse<T>>;
  close: () => Promise<void>;
}

export function openApi(
  databaseUrl: string = inject('databaseUrl'),
  appOptions: Omit<AppOptions, 'db'> = {},
  { drainAfterWrites = true }: { drainAfterWrites?: boolean } = {},
): TestApi {
  const statements: string[] = [];
  const database = connectDatabase(databaseUrl, {
    max: 4,
    // postgres.js looks up array types once per new pooled connection: connection set-up, not
    // work a request causes, so it is left out of per-request counts.
    onStatement: (text) => {
      if (!text.includes('pg_catalog.pg_type')) statements.push(text);
    },
  });
  const app = createApp({ ...appOptions, db: database.db });
  return {
    app,
    database,
    statements,
    resetStatements: () => void statements.splice(0),
    query: async <T,>(query: string, variables?: Record<string, unknown>, options: { token?: string } = {}) => {
      const response = await app.fetch('http://test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
      // Dashboard summaries follow writes off the write path; a test reading them after a write
      // waits for them to catch up, as a client would wait for summaryStatus.caughtUp.
      if (drainAfterWrites && /^\s*mutation\b/.test(query)) await drainSummaries(database.db);
      return { status: response.status, ...body };
    },
    close: () => database.close(),
  };
}

/** A new, migrated, empty database on the run's server; `drop()` removes it. */
export async function scratchDatabase(): Promise<{ url: string; handle: DatabaseHandle; drop: () => Promise<void> }> {
  const serverUrl = inject('serverUrl');
  const name = `scratch_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = databaseUrlFor(serverUrl, name);
  const handle = connectDatabase(url, { max: 2 });
  await migrateDatabase(handle.db);
  return {
    url,
    handle,
    drop: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** Row counts of every table a write may touch, to show a refused write changed nothing. */
export async function tableCounts(sql: postgres.Sql): Promise<Record<string, number>> {
  const tables = [
    'sources', 'citations', 'claims', 'claim_citations', 'places', 'doctrines', 'actors', 'events',
    'adherences', 'relationships', 'participations', 'audit_log', 'idempotency_keys', 'actor_merges',
    'actor_revisions', 'event_revisions', 'place_revisions', 'actor_names', 'external_ids',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`);
    counts[table] = row?.n ?? -1;
  }
  // Retractions change no count; their number is part of the state too.
  const [retracted] = await sql<{ n: number }[]>`select count(*)::int as n from claims where retracted_at is not null`;
  counts['claims retracted'] = retracted?.n ?? -1;
  return counts;
}

export interface WriteFixture {
  scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  api: TestApi;
  tokens: { viewer: string; analyst: string; admin: string };
  close: () => Promise<void>;
}

/** A seeded scratch database, an app on it, and one token per role. */
export async function writeFixture(appOptions: Omit<AppOptions, 'db'> = {}): Promise<WriteFixture> {
  const scratch = await scratchDatabase();
  await loadSeed(scratch.handle.db);
  const api = openApi(scratch.url, appOptions);
  const tokens = {
    viewer: (await createToken(scratch.handle.db, 'test-viewer', 'viewer')).token,
    analyst: (await createToken(scratch.handle.db, 'test-analyst', 'analyst')).token,
    admin: (await createToken(scratch.handle.db, 'test-admin', 'admin')).token,
  };
  return {
    scratch,
    api,
    tokens,
    close: async () => {
      await api.close();
      await scratch.drop();
    },
  };
}
