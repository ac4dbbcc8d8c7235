/** Settings from the environment, read once at start-up. */
import { fileURLToPath } from 'node:url';

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

export interface Config {
  /** A PostgreSQL URL; without it an embedded server is started. */
  databaseUrl: string | undefined;
  /** Where the embedded server keeps its data (git-ignored). */
  embeddedDataDir: string;
  embeddedPort: number | undefined;
  host: string;
  port: number;
  /** Load seed/data into an empty database on start. */
  seedOnStart: boolean;
  poolSize: number;
}

export function readConfig(): Config {
  const embeddedPort = integer('EMBEDDED_PG_PORT', 0);
  return {
    databaseUrl: process.env.DATABASE_URL || undefined,
    embeddedDataDir:
      process.env.EMBEDDED_PG_DIR || fileURLToPath(new URL('../.data/postgres', import.meta.url)),
    embeddedPort: embeddedPort === 0 ? undefined : embeddedPort,
    host: process.env.HOST || '0.0.0.0',
    port: integer('PORT', 4000),
    seedOnStart: process.env.SEED_ON_START !== 'false',
    poolSize: integer('DATABASE_POOL_SIZE', 10),
  };
}
