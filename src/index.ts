/**
 * `npm start`: a database (DATABASE_URL, or an embedded PostgreSQL in .data/), migrations, the
 * seed when the database is empty, then GraphQL on http://localhost:4000/graphql, with /health,
 * /ready and /metrics beside it. SIGTERM or Ctrl-C: readiness off at once, in-flight requests
 * finish (up to DRAIN_TIMEOUT_MS), then the pools and the embedded database close; exit 0.
 */
import { readConfig, type Config } from './config.ts';
import { connectDatabase, type DatabaseOptions } from './db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts';
import { migrateDatabase } from './db/migrate.ts';
import { isDatabaseEmpty, loadSeed } from '../seed/loader.ts';
import { createLogger } from './observability/logger.ts';
import { startServer } from './server.ts';
import { connectRedisPubSub } from './pubsub-redis.ts';

let config: Config;
try {
  config = readConfig();
} catch (error) {
  console.error(`Bad configuration: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const logger = createLogger(config.logLevel);

let embedded: EmbeddedServer | undefined;
if (!config.databaseUrl) {
  logger.info({ dir: config.embeddedDataDir }, 'no DATABASE_URL: starting an embedded PostgreSQL');
  embedded = await startEmbeddedPostgres({
    dataDir: config.embeddedDataDir,
    port: config.embeddedPort,
    persistent: true,
  });
}
const url = config.databaseUrl ?? embedded?.url ?? '';
const { deadlines } = config;
const poolOptions: DatabaseOptions = {
  max: config.poolSize,
  statementTimeoutMs: deadlines.statementTimeoutMs,
  lockTimeoutMs: deadlines.lockTimeoutMs,
  idleInTransactionTimeoutMs: deadlines.idleInTransactionTimeoutMs,
  connectTimeoutSeconds: deadlines.connectTimeoutSeconds,
};
const database = connectDatabase(url, poolOptions);
const readDatabase = config.databaseReadUrl ? connectDatabase(config.databaseReadUrl, poolOptions) : undefined;

try {
  await migrateDatabase(database.db);
  if (config.seedOnStart && (await isDatabaseEmpty(database.db))) {
    for (const s of await loadSeed(database.db)) logger.info({ file: s.file, created: s.created }, 'seeded');
  }
} catch (error) {
  logger.fatal({ err: error }, 'start-up failed');
  await database.close();
  await readDatabase?.close();
  await embedded?.stop();
  process.exit(1);
}

// With REDIS_URL, live updates published here reach subscribers on every instance.
const shared = config.redisUrl ? connectRedisPubSub(config.redisUrl) : undefined;
if (shared) logger.info('live updates go through Redis (REDIS_URL)');
const server = await startServer({ config, database, databaseUrl: url, readDatabase, logger, pubsub: shared?.pubsub });
logger.info(`GraphQL (with GraphiQL) at http://localhost:${server.port}${server.app.graphqlEndpoint}`);

async function stop(signal: string): Promise<void> {
  await server.shutdown(signal);
  await shared?.close();
  await embedded?.stop();
  process.exit(0);
}
// `on`, not `once`: tsx exits the process itself when a signal finds no listener left.
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
