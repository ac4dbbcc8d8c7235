/**
 * Planner statistics after a bulk load. A load of 100,000 rows leaves PostgreSQL planning the
 * next statements on the tables' old sizes until autovacuum analyzes them (a minute away at best;
 * never where it is off, as on this project's CI machine): a regrade just after a 100,000-row
 * dataset import planned its per-source lookups as hash joins over every citation, 1.4 s a source
 * instead of 0.3 ms. ANALYZE samples a fixed number of rows, so it costs about a second however
 * many rows the load added: a tenth of a 100,000-event import's time, a third of a 10,000-event
 * one's into a million events, where no table's statistics had moved.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';

/** The tables a knowledge or dataset import writes to, and the queue its drain reads. */
const BULK_LOADED_TABLES = ['sources', 'citations', 'claims', 'claim_citations', 'events', 'participations', 'actors', 'places', 'external_ids', 'summary_queue'] as const;

/**
 * How much a table may have grown since it was last measured and keep its statistics: a tenth,
 * autovacuum's default (autovacuum_analyze_scale_factor), which the planner's row estimates
 * absorb anyway, since it scales a table's last-measured rows per page by its pages now.
 */
const GROWTH_KEPT = 0.1;

/**
 * Analyzes the bulk-loaded tables that grew by more than GROWTH_KEPT since PostgreSQL last
 * measured them (their pages now against pg_class.relpages, which ANALYZE and VACUUM set), and
 * the summary queue, which a load fills from empty and the drain that follows plans on. Returns
 * the tables analyzed.
 */
export async function analyzeBulkLoadedTables(db: Database): Promise<string[]> {
  const rows = await db.execute<{ name: string }>(sql`
    select c.relname as name from pg_class c
     where c.oid = any(array(select to_regclass(t) from unnest(${sql.param([...BULK_LOADED_TABLES])}::text[]) t))
       and (c.relname = 'summary_queue' or c.relpages = 0
            or pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages * ${1 + GROWTH_KEPT}::float8)
     order by c.relname`);
  const grown = rows.map((row) => row.name);
  // Names from pg_class, matched against BULK_LOADED_TABLES above: safe to splice.
  if (grown.length > 0) await db.execute(sql.raw(`analyze ${grown.join(', ')}`));
  return grown;
}
