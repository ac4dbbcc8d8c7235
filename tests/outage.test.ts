/**
 * A real database outage: this file runs its own embedded PostgreSQL, stops it under a running
 * server and starts it again. While it is away the process stays up, /ready says 503 within 2 s,
 * every request is answered within 3 s with DATABASE_UNAVAILABLE, and a write cut off by the
 * outage leaves nothing behind; once it is back the first request succeeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql as raw } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/db/client.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { RunningServer } from '../src/server.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { codeOf, graphql, serve } from './server-helpers.ts';

const QUERY = '{ actors(first: 3) { totalCount nodes { name } } }';
// Kept between the stop and the start (persistent); removed at the end.
const dataDir = mkdtempSync(join(tmpdir(), 'militant-graph-outage-pg-'));
let port: number;
let postgresServer: EmbeddedServer | undefined;
let server: RunningServer;

async function startPostgres(): Promise<EmbeddedServer> {
  postgresServer = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  return postgresServer;
}

async function stopPostgres(): Promise<void> {
  await postgresServer?.stop();
  postgresServer = undefined;
}

beforeAll(async () => {
  port = await freePort();
  const { url } = await startPostgres();
  const setup = connectDatabase(url, { max: 2 });
  await migrateDatabase(setup.db);
  await loadSeed(setup.db);
  await setup.db.execute(raw`create table outage_writes (n int not null)`);
  await setup.close();
  server = await serve(url);
}, 180_000);

afterAll(async () => {
  await server?.shutdown();
  await stopPostgres();
  rmSync(dataDir, { recursive: true, force: true });
});

async function readyStatus(): Promise<number> {
  return (await fetch(`${server.url}/ready`)).status;
}

describe('database outage', () => {
  it('serves and is ready before the outage', async () => {
    expect((await graphql(server, QUERY)).status).toBe(200);
    expect(await readyStatus()).toBe(200);
  });

  it('fails fast and says so while PostgreSQL is down, then recovers', async () => {
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    // A two-statement write in flight when the server goes: it must leave nothing behind.
    const writer = connectDatabase(url, { max: 1 });
    let stopped!: () => void;
    const isStopped = new Promise<void>((resolve) => (stopped = resolve));
    const write = writer.db.transaction(async (tx) => {
      await tx.execute(raw`insert into outage_writes values (1)`);
      await isStopped;
      await tx.execute(raw`insert into outage_writes values (2)`);
    });
    const writeOutcome = write.then(
      () => 'committed',
      () => 'failed',
    );

    // Requests that are in flight as it stops, and a burst right after.
    const inFlight = Array.from({ length: 10 }, (_, i) => graphql(server, QUERY, { headers: { authorization: `Bearer c${i}` } }));
    const stoppedAt = performance.now();
    await stopPostgres();
    stopped();
    expect(await writeOutcome).toBe('failed');
    await writer.close().catch(() => undefined);

    let readyAfter = Number.POSITIVE_INFINITY;
    while (performance.now() - stoppedAt < 10_000) {
      if ((await readyStatus()) === 503) {
        readyAfter = performance.now() - stoppedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readyAfter).toBeLessThan(2000);

    const burst = await Promise.all(Array.from({ length: 50 }, () => graphql(server, QUERY)));
    for (const answer of burst) {
      expect(answer.status).toBe(503);
      expect(codeOf(answer)).toBe('DATABASE_UNAVAILABLE');
      expect(answer.headers.get('retry-after')).toBeTruthy();
      expect(answer.ms).toBeLessThan(3000);
      expect(JSON.stringify(answer.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres|connect/i);
    }
    // In-flight ones were either served before the stop or refused, each within 3 s of the stop.
    for (const answer of await Promise.all(inFlight)) {
      expect([200, 503]).toContain(answer.status);
      if (answer.status === 503) expect(codeOf(answer)).toBe('DATABASE_UNAVAILABLE');
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    await startPostgres();
    const first = await graphql(server, QUERY);
    expect(first.body.errors).toBeUndefined();
    expect(first.status).toBe(200);
    expect(await readyStatus()).toBe(200);

    const check = connectDatabase(url, { max: 1 });
    const rows = await check.db.execute<{ n: number }>(raw`select count(*)::int as n from outage_writes`);
    await check.close();
    expect(rows[0]?.n).toBe(0);
  }, 120_000);
});
