/**
 * Planner statistics after a bulk load. A load of 100,000 rows leaves PostgreSQL planning the
 * next statements on the tables' old sizes until autovacuum analyzes them (a minute away at best;
 * never where it is off, as on this project's CI machine): a regrade just after a 100,000-row
 * dataset import planned its per-source lookups as hash joins over every citation, 1.4 s a source
 * instead of 0.3 ms. ANALYZE samples a fixed number of rows, so it costs about a second however
 * big the tables are.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';

/** The tables a knowledge or dataset import writes to, and the queue its drain reads. */
const BULK_LOADED_TABLES = ['sources', 'citations', 'claims', 'claim_citations', 'events', 'participations', 'actors', 'places', 'external_ids', 'summary_queue'] as const;

export async function analyzeBulkLoadedTables(db: Database): Promise<void> {
  await db.execute(sql.raw(`analyze ${BULK_LOADED_TABLES.join(', ')}`));
}
