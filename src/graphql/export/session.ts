/**
 * One export's hold on PostgreSQL: a reserved connection in a read-only REPEATABLE READ
 * transaction, so every statement of the export (a STIX bundle runs several) sees one snapshot,
 * and rows come through cursors a batch at a time, so a million events never sit in memory.
 *
 * statement_timeout runs from a cursor's first fetch to its last (PostgreSQL times the whole
 * portal, including the pauses while a slow client reads), so the connection's usual few seconds
 * would cut any large export: the transaction sets its own limit (EXPORT_TIMEOUT_MS) instead.
 */
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';

const dialect = new PgDialect();

export interface ExportSession {
  /** Rows of `query`, `batch` at a time, fetched as the caller asks for them. */
  cursor<T>(query: SQL, batch: number): AsyncIterable<T[]>;
  /** Ends the transaction and gives the connection back (idempotent). */
  close(): Promise<void>;
}

/** `onRows` hears of every batch a cursor fetches (metrics: exports read only as fast as clients do). */
export async function openExportSession(sql: postgres.Sql, timeoutMs: number, onRows?: (n: number) => void): Promise<ExportSession> {
  const reserved = await sql.reserve();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await reserved`rollback`;
    } catch {
      // A broken connection has no transaction left to end; release is all that is needed.
    } finally {
      reserved.release();
    }
  };
  try {
    await reserved`begin isolation level repeatable read read only`;
    await reserved.unsafe(`set local statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    // Named in pg_stat_activity while it lasts, so an operator (or a test) can tell a long export
    // from the server's other connections; the name goes with the transaction.
    await reserved`set local application_name = 'export'`;
  } catch (error) {
    await close();
    throw error;
  }
  return {
    cursor<T>(query: SQL, batch: number): AsyncIterable<T[]> {
      const { sql: text, params } = dialect.sqlToQuery(query);
      const rows = reserved.unsafe(text, params as never[]).cursor(batch) as unknown as AsyncIterable<T[]>;
      if (!onRows) return rows;
      return (async function* counted() {
        for await (const chunk of rows) {
          onRows(chunk.length);
          yield chunk;
        }
      })();
    },
    close,
  };
}
