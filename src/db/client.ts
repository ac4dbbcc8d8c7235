import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';

/** With the postgres.js client, for the few hot statements sent prepared (src/graphql/loaders/batch.ts). */
export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

/** A transaction of `Database`: what every write runs in. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseOptions {
  /** Pool size. */
  max?: number;
  /** Called with every statement sent to PostgreSQL (tests count them; logs may trace them). */
  onStatement?: (text: string) => void;
  /** Server-side limits, ms, set on every connection (PostgreSQL's own defaults: none). */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /** How long one connection attempt may take, seconds (postgres.js defaults to 30). */
  connectTimeoutSeconds?: number;
}

export interface DatabaseHandle {
  db: Database;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

/**
 * postgres.js waits between reconnection attempts for up to 20 s by default, so after an outage
 * the first queries could hang that long; half a second at most brings the pool back promptly.
 */
export function reconnectDelaySeconds(attempt: number): number {
  return Math.min(0.05 * 2 ** attempt, 0.5);
}

export function connectDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  const { onStatement } = options;
  const connection: Record<string, string> = {};
  if (options.statementTimeoutMs !== undefined) connection.statement_timeout = String(options.statementTimeoutMs);
  if (options.lockTimeoutMs !== undefined) connection.lock_timeout = String(options.lockTimeoutMs);
  if (options.idleInTransactionTimeoutMs !== undefined) {
    connection.idle_in_transaction_session_timeout = String(options.idleInTransactionTimeoutMs);
  }
  const sql = postgres(url, {
    max: options.max ?? 10,
    connection,
    connect_timeout: options.connectTimeoutSeconds ?? 30,
    backoff: reconnectDelaySeconds,
    // Silence NOTICEs (e.g. "relation already exists, skipping" from the migrator).
    onnotice: () => {},
    ...(onStatement ? { debug: (_connection: number, text: string) => onStatement(text) } : {}),
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
