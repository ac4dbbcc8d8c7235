-- The map's summaries (docs/performance.md, "Map aggregate"): per live event at a place, what it
-- adds (event_place_members), and the sums per place and kind (event_rollup_by_place). A map
-- aggregate joins these rows to the places' coordinates and bins them, reading a few thousand
-- rows however many events there are. Kept like the event rollups (summaries.sql): the drainer
-- recomputes the members of the events whose keys it took and adds the difference to the sums.
-- Coordinates are not copied here: moving a place moves its bin at the next read.

CREATE OR REPLACE VIEW event_place_members_expected AS
SELECT e.id AS event_id, e.place_id, e.kind, e.killed_min, e.killed_max
  FROM events e
  JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
 WHERE e.place_id IS NOT NULL;

CREATE OR REPLACE FUNCTION place_rollups_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN; END IF;
  CREATE TEMP TABLE IF NOT EXISTS event_place_delta (sign smallint NOT NULL, LIKE event_place_members) ON COMMIT DELETE ROWS;
  INSERT INTO event_place_delta (sign, event_id, place_id, kind, killed_min, killed_max)
  WITH expected AS MATERIALIZED (
         SELECT event_id, place_id, kind, killed_min, killed_max FROM event_place_members_expected WHERE event_id = ANY(event_ids)),
       stored AS MATERIALIZED (
         SELECT event_id, place_id, kind, killed_min, killed_max FROM event_place_members WHERE event_id = ANY(event_ids))
  SELECT 1, * FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) added
  UNION ALL
  SELECT -1, * FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected) removed;
  IF NOT FOUND THEN RETURN; END IF;

  DELETE FROM event_place_members m USING event_place_delta d WHERE d.sign < 0 AND m.event_id = d.event_id;
  INSERT INTO event_place_members (event_id, place_id, kind, killed_min, killed_max)
  SELECT event_id, place_id, kind, killed_min, killed_max FROM event_place_delta WHERE sign > 0;

  -- In key order, so two drainers changing the same places lock their rows in the same order.
  INSERT INTO event_rollup_by_place AS r (place_id, kind, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT d.place_id, d.kind, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0), coalesce(sum(d.sign * d.killed_max), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0)
    FROM event_place_delta d GROUP BY d.place_id, d.kind ORDER BY d.place_id, d.kind
  ON CONFLICT ON CONSTRAINT event_rollup_by_place_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported;
  DELETE FROM event_rollup_by_place r USING (SELECT DISTINCT place_id, kind FROM event_place_delta WHERE sign < 0) k
   WHERE r.place_id = k.place_id AND r.kind = k.kind AND r.events = 0;
  TRUNCATE event_place_delta;
END $$;

-- The same from scratch, for summaries_rebuild (a bulk load).
CREATE OR REPLACE FUNCTION place_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE event_place_members, event_rollup_by_place;
  INSERT INTO event_place_members (event_id, place_id, kind, killed_min, killed_max)
  SELECT event_id, place_id, kind, killed_min, killed_max FROM event_place_members_expected;
  INSERT INTO event_rollup_by_place (place_id, kind, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT place_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
    FROM event_place_members GROUP BY place_id, kind;
END $$;

-- place_locations: every place's point as of now (its own, or its nearest located ancestor's, at
-- least NEAR), recomputed whole after any statement that changes places. Places are reference
-- data, few and rarely written; a transaction lock keeps two writers from rewriting it at once
-- (the second then reads the first's committed places, statement snapshots being READ COMMITTED).
CREATE OR REPLACE FUNCTION place_locations_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('place_locations', 0));
  DELETE FROM place_locations;
  INSERT INTO place_locations (place_id, latitude, longitude, precision)
  WITH RECURSIVE chain AS (
    SELECT pl.id AS place_id, pl.parent_id, pl.latitude, pl.longitude, pl.geo_precision, 0 AS depth FROM places pl
    UNION ALL
    SELECT c.place_id, up.parent_id, up.latitude, up.longitude, up.geo_precision, c.depth + 1
      FROM chain c JOIN places up ON up.id = c.parent_id WHERE c.latitude IS NULL AND c.depth < 16)
  SELECT place_id, latitude, longitude,
         CASE WHEN depth = 0 THEN geo_precision ELSE greatest(geo_precision, 'NEAR'::geo_precision) END
    FROM chain WHERE latitude IS NOT NULL;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS places_locations_changed ON places;
CREATE TRIGGER places_locations_changed AFTER INSERT OR UPDATE OR DELETE ON places
  FOR EACH STATEMENT EXECUTE FUNCTION place_locations_refresh();
