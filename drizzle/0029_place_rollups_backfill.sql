-- The map's per-place summaries from the base tables, for a database that had events before they
-- existed (what place_rollups_rebuild in src/db/sql/geography.sql does; that file runs after the
-- migrations). Events still queued are recomputed by the drain as usual.
INSERT INTO event_place_members (event_id, place_id, kind, killed_min, killed_max)
SELECT e.id, e.place_id, e.kind, e.killed_min, e.killed_max
  FROM events e
  JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
 WHERE e.place_id IS NOT NULL;
--> statement-breakpoint
INSERT INTO event_rollup_by_place (place_id, kind, events, killed_min, killed_max, killed_open, killed_reported)
SELECT place_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
       count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
  FROM event_place_members GROUP BY place_id, kind;
