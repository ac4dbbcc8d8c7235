-- The map's summaries (docs/performance.md, "Maps"): per live event at a place, what it adds
-- (event_place_members), and its sums per place and kind (event_rollup_by_place), per place and
-- calendar bucket and per place and year (event_rollup_by_place_period, _year: maps with date
-- bounds, timelines of a box) and
-- per place, kind and set of roles of its participants (event_rollup_by_place_roles: maps by
-- role without an actor). A map aggregate joins these rows to the places' coordinates and bins
-- them, reading a few rows per place however many events there are. Kept like the event rollups
-- (summaries.sql): the drainer recomputes the members of the events whose keys it took and adds
-- the difference to the sums. Coordinates are not copied here: moving a place moves its bin at
-- the next read. A map filtered by actor sums the actor's actor_event_links rows per place instead.
--
-- A member's roles are those of its event's row for any actor (actor 0) in actor_event_links:
-- summaries_drain refreshes the links of its events before their members (actor_links_refresh,
-- then place_rollups_refresh), and summaries_rebuild rebuilds the links first.
CREATE OR REPLACE VIEW event_place_members_expected AS
SELECT e.id AS event_id, e.place_id, e.kind, e.killed_min, e.killed_max,
       event_grain_of(e.date_earliest, e.date_latest) AS grain, event_period_of(e.date_earliest, e.date_latest) AS period,
       -- Actor 0's row of the event, by a probe of its key: as a join, a drain call's plan for
       -- 20,000 new events could hash every event's actor 0 row (a million, ~350 ms a call).
       coalesce((SELECT l.roles FROM actor_event_links l WHERE l.event_id = e.id AND l.actor_id = 0), 0)::smallint AS roles,
       coalesce(e.date_earliest, e.date_latest) AS first_date, coalesce(e.date_latest, e.date_earliest) AS last_date
  FROM events e
  JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
 WHERE e.place_id IS NOT NULL;

CREATE OR REPLACE FUNCTION place_rollups_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS event_place_delta (sign smallint NOT NULL, LIKE event_place_members) ON COMMIT DELETE ROWS;
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN; END IF;
  INSERT INTO event_place_delta (sign, event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date)
  WITH expected AS MATERIALIZED (
         SELECT event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date
           FROM event_place_members_expected WHERE event_id = ANY(event_ids)),
       stored AS MATERIALIZED (
         SELECT event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date
           FROM event_place_members WHERE event_id = ANY(event_ids))
  -- One row per event on both sides: matched by its id, then by the facts (as in event_rollups_refresh).
  SELECT 1, e.* FROM expected e
   WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.event_id = e.event_id
                       AND (s.place_id, s.kind, s.killed_min, s.killed_max, s.grain, s.period, s.roles, s.first_date, s.last_date)
                           IS NOT DISTINCT FROM (e.place_id, e.kind, e.killed_min, e.killed_max, e.grain, e.period, e.roles, e.first_date, e.last_date))
  UNION ALL
  SELECT -1, s.* FROM stored s
   WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE s.event_id = e.event_id
                       AND (s.place_id, s.kind, s.killed_min, s.killed_max, s.grain, s.period, s.roles, s.first_date, s.last_date)
                           IS NOT DISTINCT FROM (e.place_id, e.kind, e.killed_min, e.killed_max, e.grain, e.period, e.roles, e.first_date, e.last_date));
  IF NOT FOUND THEN RETURN; END IF;

  DELETE FROM event_place_members m USING event_place_delta d WHERE d.sign < 0 AND m.event_id = d.event_id;
  INSERT INTO event_place_members (event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date)
  SELECT event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date FROM event_place_delta WHERE sign > 0;
END $$;

-- Adds the difference place_rollups_refresh (which creates event_place_delta, earlier in the same
-- transaction) left there to the per-place sums, and empties it (summaries_drain calls it last).
CREATE OR REPLACE FUNCTION place_rollups_apply() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  emptied_periods tid[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM event_place_delta) THEN RETURN; END IF;
  -- In key order, so two drainers changing the same places lock their rows in the same order.
  INSERT INTO event_rollup_by_place AS r (place_id, kind, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT d.place_id, d.kind, {{signed_killed_sums_of_d}}
    FROM event_place_delta d GROUP BY d.place_id, d.kind ORDER BY d.place_id, d.kind
  ON CONFLICT ON CONSTRAINT event_rollup_by_place_key DO UPDATE SET
    {{killed_sums_plus_excluded}};
  -- The rows this leaves empty, by their row ids (locked by this call), for the DELETE below.
  WITH upserted AS (
    INSERT INTO event_rollup_by_place_period AS r (place_id, grain, period, events, killed_min, killed_max, killed_open, killed_reported)
    SELECT d.place_id, d.grain, d.period, {{signed_killed_sums_of_d}}
      FROM event_place_delta d GROUP BY d.place_id, d.grain, d.period ORDER BY d.place_id, d.grain, d.period
    ON CONFLICT ON CONSTRAINT event_rollup_by_place_period_key DO UPDATE SET
      {{killed_sums_plus_excluded}}
    RETURNING r.ctid AS row_id, r.events)
  SELECT array_agg(row_id) FILTER (WHERE events = 0) INTO emptied_periods FROM upserted;
  INSERT INTO event_rollup_by_place_roles AS r (place_id, kind, roles, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT d.place_id, d.kind, d.roles, {{signed_killed_sums_of_d}}
    FROM event_place_delta d GROUP BY d.place_id, d.kind, d.roles ORDER BY d.place_id, d.kind, d.roles
  ON CONFLICT ON CONSTRAINT event_rollup_by_place_roles_key DO UPDATE SET
    {{killed_sums_plus_excluded}};

  DELETE FROM event_rollup_by_place r USING (SELECT DISTINCT place_id, kind FROM event_place_delta WHERE sign < 0) k
   WHERE r.place_id = k.place_id AND r.kind = k.kind AND r.events = 0;
  -- Matched by place and period instead, each lookup read every period of the place at its grain
  -- (the period's equality or null is no index condition): 2.5 ms a call for the busiest synthetic
  -- place, at nearly every call of the writes benchmark, to delete nothing.
  IF emptied_periods IS NOT NULL THEN
    DELETE FROM event_rollup_by_place_period r WHERE r.ctid = ANY(emptied_periods) AND r.events = 0;
  END IF;
  -- Years of the members with a bucket (grain NONE has none), in key order like the others.
  INSERT INTO event_rollup_by_place_year AS r (place_id, year, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT d.place_id, date_trunc('year', d.period::timestamp)::date, {{signed_killed_sums_of_d}}
    FROM event_place_delta d WHERE d.grain <> 'NONE' GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ON CONSTRAINT event_rollup_by_place_year_key DO UPDATE SET
    {{killed_sums_plus_excluded}};

  DELETE FROM event_rollup_by_place_year r
   USING (SELECT DISTINCT place_id, date_trunc('year', period::timestamp)::date AS year FROM event_place_delta WHERE sign < 0 AND grain <> 'NONE') k
   WHERE r.place_id = k.place_id AND r.year = k.year AND r.events = 0;
  DELETE FROM event_rollup_by_place_roles r USING (SELECT DISTINCT place_id, kind, roles FROM event_place_delta WHERE sign < 0) k
   WHERE r.place_id = k.place_id AND r.kind = k.kind AND r.roles = k.roles AND r.events = 0;
  DELETE FROM event_place_delta;
END $$;

-- The same from scratch, for summaries_rebuild (a bulk load), after actor_event_links.
CREATE OR REPLACE FUNCTION place_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE event_place_members, event_rollup_by_place, event_rollup_by_place_period, event_rollup_by_place_year, event_rollup_by_place_roles;
  INSERT INTO event_place_members (event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date)
  SELECT event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date FROM event_place_members_expected;
  INSERT INTO event_rollup_by_place (place_id, kind, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT place_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
    FROM event_place_members GROUP BY place_id, kind;
  INSERT INTO event_rollup_by_place_period (place_id, grain, period, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT place_id, grain, period, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
    FROM event_place_members GROUP BY place_id, grain, period;
  INSERT INTO event_rollup_by_place_year (place_id, year, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT place_id, date_trunc('year', period::timestamp)::date, sum(events), sum(killed_min), sum(killed_max), sum(killed_open), sum(killed_reported)
    FROM event_rollup_by_place_period WHERE grain <> 'NONE' GROUP BY 1, 2;
  INSERT INTO event_rollup_by_place_roles (place_id, kind, roles, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT place_id, kind, roles, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
    FROM event_place_members GROUP BY place_id, kind, roles;
END $$;

-- place_locations: every place's point as of now (its own, or its nearest located ancestor's, at
-- least NEAR). A statement that writes places recomputes the rows of the places it wrote and of
-- every place inside them; writers of unrelated places touch different rows and never wait for
-- each other. (Two transactions writing a place and, at once, a place inside it can leave the
-- inner one's row computed from the outer one's old point until the next write of either: places
-- are reference data, rarely written.)
CREATE OR REPLACE FUNCTION place_locations_refresh_for(ids integer[]) RETURNS void LANGUAGE sql AS $$
  WITH RECURSIVE subtree AS (
    SELECT id FROM places WHERE id = ANY(ids)
    UNION
    SELECT p.id FROM places p JOIN subtree s ON p.parent_id = s.id),
  chain AS (
    SELECT pl.id AS place_id, pl.parent_id, pl.latitude, pl.longitude, pl.geo_precision, 0 AS depth
      FROM places pl JOIN subtree s ON s.id = pl.id
    UNION ALL
    SELECT c.place_id, up.parent_id, up.latitude, up.longitude, up.geo_precision, c.depth + 1
      FROM chain c JOIN places up ON up.id = c.parent_id WHERE c.latitude IS NULL AND c.depth < 16),
  located AS (
    SELECT place_id, latitude, longitude,
           CASE WHEN depth = 0 THEN geo_precision ELSE greatest(geo_precision, 'NEAR'::geo_precision) END AS precision
      FROM chain WHERE latitude IS NOT NULL),
  gone AS (
    DELETE FROM place_locations l
     WHERE (l.place_id = ANY(ids) OR l.place_id IN (SELECT id FROM subtree))
       AND l.place_id NOT IN (SELECT place_id FROM located))
  INSERT INTO place_locations AS l (place_id, latitude, longitude, precision)
  SELECT place_id, latitude, longitude, precision FROM located
  ON CONFLICT (place_id) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude, precision = excluded.precision
   WHERE (l.latitude, l.longitude, l.precision) IS DISTINCT FROM (excluded.latitude, excluded.longitude, excluded.precision)
$$;

CREATE OR REPLACE FUNCTION place_locations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM place_locations_refresh_for(ARRAY(SELECT id FROM old_rows));
  ELSE
    PERFORM place_locations_refresh_for(ARRAY(SELECT id FROM new_rows));
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS places_locations_insert ON places;
CREATE TRIGGER places_locations_insert AFTER INSERT ON places
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION place_locations_changed();

DROP TRIGGER IF EXISTS places_locations_update ON places;
CREATE TRIGGER places_locations_update AFTER UPDATE ON places
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION place_locations_changed();

DROP TRIGGER IF EXISTS places_locations_delete ON places;
CREATE TRIGGER places_locations_delete AFTER DELETE ON places
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION place_locations_changed();
