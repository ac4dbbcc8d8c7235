import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';
import * as relations from './relations.ts';

const fullSchema = { ...schema, ...relations };
export type Database = PostgresJsDatabase<typeof fullSchema>;

export interface DatabaseOptions {
  /** Pool size. */
  max?: number;
  /** Called with every statement sent to PostgreSQL (tests count them; logs may trace them). */
  onStatement?: (text: string) => void;
}

export interface DatabaseHandle {
  db: Database;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

export function connectDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  const { onStatement } = options;
  const sql = postgres(url, {
    max: options.max ?? 10,
    // Silence NOTICEs (e.g. "relation already exists, skipping" from the migrator).
    onnotice: () => {},
    ...(onStatement ? { debug: (_connection: number, text: string) => onStatement(text) } : {}),
  });
  const db = drizzle(sql, { schema: fullSchema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
