-- A country's first/last date (event_rollup_by_country_total), and a country and band's
-- (event_rollup_by_band_country), when a lost member may have taken it, are read from the rows of
-- the finer rollup (event_rollup_settle): the country's buckets in event_rollup_by_country, the
-- country and band's buckets and kinds in event_rollup_by_band. With the dates in the indexes that
-- find those rows, the read is index-only: 20 index pages for the busiest country and band, where
-- its 4,136 rows of event_rollup_by_band lie on 3,929 pages (0.7 s when not cached). Same names and
-- keys, so the reads that used them still do. A rollup row's update keeps its index entries (and
-- stays a heap-only update) unless its first or last date changes, which few updates do.
DROP INDEX IF EXISTS "event_rollup_by_band_country_idx";--> statement-breakpoint
CREATE INDEX "event_rollup_by_band_country_idx" ON "event_rollup_by_band" USING btree ("country_id","band") INCLUDE ("first_date","last_date");--> statement-breakpoint
DROP INDEX IF EXISTS "event_rollup_by_country_country_id_idx";--> statement-breakpoint
CREATE INDEX "event_rollup_by_country_country_id_idx" ON "event_rollup_by_country" USING btree ("country_id") INCLUDE ("first_date","last_date");
