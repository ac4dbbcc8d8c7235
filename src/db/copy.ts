/**
 * COPY … FROM STDIN in PostgreSQL's text format: the fastest way to move many rows into a table
 * (the synthetic-dataset generator and the bulk loader stage their rows this way).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type postgres from 'postgres';

export type CopyCell = string | number | boolean | null | readonly string[];

/** One value in COPY's text format: \N for null, arrays as array literals, specials escaped. */
export function copyCell(value: CopyCell): string {
  if (value === null) return '\\N';
  if (typeof value === 'object') return copyCell(`{${value.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);
  return String(value).replace(/[\\\t\n\r]/g, (c: string) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\'));
}

/** One row of COPY's text format (without the line end). */
export function copyLine(values: readonly CopyCell[]): string {
  return values.map(copyCell).join('\t');
}

function* joined(lines: readonly string[]): Generator<string> {
  for (let i = 0; i < lines.length; i += 5000) yield `${lines.slice(i, i + 5000).join('\n')}\n`;
}

/** Streams `lines` (made by copyLine) into `table (columns)` on the transaction's connection. */
export async function copyLines(sql: postgres.Sql | postgres.TransactionSql, table: string, columns: readonly string[], lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const writable = await sql.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable();
  await pipeline(Readable.from(joined(lines)), writable);
}
