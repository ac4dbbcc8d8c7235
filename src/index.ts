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
import { isDatabaseEmpty, loadSeed } from './domain/knowledge/seed.ts';
import { createLogger } from './observability/logger.ts';
import { loadEnvFile } from './env-file.ts';
import { startServer } from './server.ts';
import { connectRedisPubSub } from './pubsub-redis.ts';

// Before the configuration is read: the environment wins over .env.
const envFile = loadEnvFile();
let config: Config;
try {
  config = readConfig();
} catch (error) {
  console.error(`Bad configuration: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const logger = createLogger(config.logLevel);

if (envFile) logger.info({ file: envFile }, 'settings read from .env (the environment wins over it)');

let embedded: EmbeddedServer | undefined;
if (!config.databaseUrl) {
  logger.info({ dir: config.embeddedDataDir }, 'no DATABASE_URL: starting an embedded PostgreSQL');
  try {
    embedded = await startEmbeddedPostgres({
      dataDir: config.embeddedDataDir,
      port: config.embeddedPort,
      persistent: true,
    });
  } catch (error) {
    // Plain words on stderr: the reason spans lines (PostgreSQL's own log) and ends with what to do.
    console.error(`Cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (embedded.recovered) logger.warn(`recovered from an earlier crash: ${embedded.recovered}`);
  // Other commands (npm run token, npm run import) find this server by themselves; anything else can use the URL.
  logger.info({ url: embedded.url }, `embedded PostgreSQL ready: DATABASE_URL=${embedded.url}`);
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
let server: Awaited<ReturnType<typeof startServer>>;
try {
  server = await startServer({ config, database, databaseUrl: url, readDatabase, logger, pubsub: shared?.pubsub });
} catch (error) {
  const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  console.error(
    inUse
      ? `Cannot start: port ${(error as { port?: number }).port ?? config.port} is in use (another npm start?). Stop that process or choose another port (PORT, METRICS_PORT).`
      : `Cannot start the HTTP server: ${error instanceof Error ? error.message : String(error)}`,
  );
  await shared?.close();
  await database.close();
  await readDatabase?.close();
  await embedded?.stop();
  process.exit(1);
}
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
