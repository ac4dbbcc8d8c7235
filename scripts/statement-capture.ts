/**
 * The synthetic database (SYNTHETIC_DATABASE_URL), migrated, behind a client that records every SQL
 * statement the app sends with its parameters: what the EXPLAIN benchmarks (bench-as-of,
 * bench-floors) re-run to time PostgreSQL alone (executionMs).
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { migrateDatabase } from '../src/db/migrate.ts';

export interface SentStatement {
  text: string;
  parameters: unknown[];
}

export async function capturingSyntheticDatabase() {
  const url = process.env.SYNTHETIC_DATABASE_URL;
  if (!url) throw new Error('set SYNTHETIC_DATABASE_URL to the synthetic database');
  const sent: SentStatement[] = [];
  const client = postgres(url, {
    max: 2,
    onnotice: () => {},
    debug: (_connection: number, text: string, parameters: unknown[]) => {
      // The driver's own array-type lookup on each new connection is not the app's.
      if (!text.includes('pg_catalog.pg_type')) sent.push({ text, parameters });
    },
  });
  const db = drizzle(client);
  await migrateDatabase(db);
  return { client, db, sent };
}

/** Median over `runs` of the summed EXPLAIN ANALYZE execution time of the statements, ms. */
export async function executionMs(client: postgres.Sql, statements: SentStatement[], runs: number): Promise<number> {
  const totals: number[] = [];
  for (let run = 0; run < runs; run++) {
    let total = 0;
    for (const s of statements) {
      const [row] = await client.unsafe<{ 'QUERY PLAN': { 'Execution Time': number }[] }[]>(
        `explain (analyze, buffers, format json) ${s.text}`,
        s.parameters as never[],
      );
      total += row?.['QUERY PLAN'][0]?.['Execution Time'] ?? 0;
    }
    totals.push(total);
  }
  totals.sort((a, b) => a - b);
  return totals[Math.floor(totals.length / 2)] ?? 0;
}
