/**
 * `npm start`: a database (DATABASE_URL, or an embedded PostgreSQL in .data/), migrations, the
 * seed when the database is empty, then GraphQL on http://localhost:4000/graphql. Ctrl-C or
 * SIGTERM stops the HTTP server, the pool and the embedded database, in that order.
 */
import { createServer } from 'node:http';
import { readConfig } from './config.ts';
import { connectDatabase } from './db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts';
import { migrateDatabase } from './db/migrate.ts';
import { isDatabaseEmpty, loadSeed } from '../seed/loader.ts';
import { connectRedisPubSub } from './pubsub-redis.ts';
import { createApp } from './yoga.ts';

const config = readConfig();
let embedded: EmbeddedServer | undefined;
if (!config.databaseUrl) {
  console.log(`No DATABASE_URL: starting an embedded PostgreSQL in ${config.embeddedDataDir}`);
  embedded = await startEmbeddedPostgres({
    dataDir: config.embeddedDataDir,
    port: config.embeddedPort,
    persistent: true,
  });
}
const url = config.databaseUrl ?? embedded?.url ?? '';
const database = connectDatabase(url, { max: config.poolSize });

try {
  await migrateDatabase(database.db);
  if (config.seedOnStart && (await isDatabaseEmpty(database.db))) {
    for (const s of await loadSeed(database.db)) console.log(`Seeded ${s.file}: ${s.created} records`);
  }
} catch (error) {
  console.error('Start-up failed:', error instanceof Error ? error.message : error);
  await database.close();
  await embedded?.stop();
  process.exit(1);
}

const shared = config.redisUrl ? connectRedisPubSub(config.redisUrl) : undefined;
if (shared) console.log('Live updates go through Redis (REDIS_URL)');
const app = createApp({ db: database.db, anonymousReads: config.anonymousReads, ...(shared ? { pubsub: shared.pubsub } : {}) });
const server = createServer(app);
server.listen(config.port, config.host, () => {
  console.log(`GraphQL (with GraphiQL) at http://localhost:${config.port}${app.graphqlEndpoint}`);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await shared?.close();
  await database.close();
  await embedded?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
