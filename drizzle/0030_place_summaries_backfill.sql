-- The map's per-place summaries and every place's point, from the base tables, for a database
-- that had places and events before they existed (what place_rollups_rebuild and
-- place_locations_refresh_for in src/db/sql/geography.sql do; that file runs after the migrations).
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
--> statement-breakpoint
-- Filled from the places as they are (the triggers in src/db/sql/geography.sql keep it after).
INSERT INTO "place_locations" ("place_id", "latitude", "longitude", "precision")
WITH RECURSIVE chain AS (
  SELECT pl.id AS place_id, pl.parent_id, pl.latitude, pl.longitude, pl.geo_precision, 0 AS depth FROM places pl
  UNION ALL
  SELECT c.place_id, up.parent_id, up.latitude, up.longitude, up.geo_precision, c.depth + 1
    FROM chain c JOIN places up ON up.id = c.parent_id WHERE c.latitude IS NULL AND c.depth < 16)
SELECT place_id, latitude, longitude,
       CASE WHEN depth = 0 THEN geo_precision ELSE greatest(geo_precision, 'NEAR'::geo_precision) END
  FROM chain WHERE latitude IS NOT NULL;
