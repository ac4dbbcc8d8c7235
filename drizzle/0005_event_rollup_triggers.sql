-- Keeps event_rollup_by_kind and event_rollup_by_country (migration 0004) equal to aggregates of
-- events, for every writer. Inserts (the bulk of writes) add their counts in one statement-level
-- upsert; updates and deletes recompute the groups they touch from events, since a minimum or
-- maximum date cannot be subtracted.

CREATE FUNCTION event_grain_of(earliest date, latest date) RETURNS event_grain
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN earliest IS NULL OR latest IS NULL THEN 'NONE'
    WHEN date_trunc('month', earliest::timestamp) = date_trunc('month', latest::timestamp) THEN 'MONTH'
    WHEN date_trunc('quarter', earliest::timestamp) = date_trunc('quarter', latest::timestamp) THEN 'QUARTER'
    WHEN date_trunc('year', earliest::timestamp) = date_trunc('year', latest::timestamp) THEN 'YEAR'
    ELSE 'NONE'
  END::event_grain;
--> statement-breakpoint
CREATE FUNCTION event_period_of(earliest date, latest date) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE event_grain_of(earliest, latest)
    WHEN 'MONTH' THEN date_trunc('month', earliest::timestamp)::date
    WHEN 'QUARTER' THEN date_trunc('quarter', earliest::timestamp)::date
    WHEN 'YEAR' THEN date_trunc('year', earliest::timestamp)::date
  END;
--> statement-breakpoint

-- Adds (sign 1) the events in the transition table `changed` to both rollups.
CREATE FUNCTION event_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_rollup_by_kind AS r
    (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT event_grain_of(n.date_earliest, n.date_latest), event_period_of(n.date_earliest, n.date_latest), n.kind,
         count(*), coalesce(sum(n.killed_min), 0), coalesce(sum(n.killed_max), 0),
         count(*) FILTER (WHERE n.killed_min IS NOT NULL AND n.killed_max IS NULL), count(n.killed_min),
         min(coalesce(n.date_earliest, n.date_latest)), max(coalesce(n.date_latest, n.date_earliest))
    FROM changed n GROUP BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT event_rollup_by_kind_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_country AS r
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT event_grain_of(n.date_earliest, n.date_latest), event_period_of(n.date_earliest, n.date_latest), pl.country_id,
         count(*), coalesce(sum(n.killed_min), 0), coalesce(sum(n.killed_max), 0),
         count(*) FILTER (WHERE n.killed_min IS NOT NULL AND n.killed_max IS NULL), count(n.killed_min),
         min(coalesce(n.date_earliest, n.date_latest)), max(coalesce(n.date_latest, n.date_earliest))
    FROM changed n LEFT JOIN places pl ON pl.id = n.place_id GROUP BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT event_rollup_by_country_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);
  RETURN NULL;
END $$;
--> statement-breakpoint

-- Recomputes from events every rollup group that a row of `changed` belongs to (or belonged to).
-- A dated group's events lie within its period, so the date index narrows the scan.
CREATE FUNCTION event_rollup_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS event_rollup_touched (grain event_grain, period date, kind event_kind, country_id integer) ON COMMIT DROP;
  INSERT INTO event_rollup_touched
  SELECT event_grain_of(c.date_earliest, c.date_latest), event_period_of(c.date_earliest, c.date_latest), c.kind, pl.country_id
    FROM changed c LEFT JOIN places pl ON pl.id = c.place_id;

  DELETE FROM event_rollup_by_kind r USING (SELECT DISTINCT grain, period, kind FROM event_rollup_touched) t
   WHERE r.grain = t.grain AND r.period IS NOT DISTINCT FROM t.period AND r.kind = t.kind;
  INSERT INTO event_rollup_by_kind
    (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT t.grain, t.period, t.kind, count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
         count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
         min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
    FROM (SELECT DISTINCT grain, period, kind FROM event_rollup_touched) t
    JOIN events e ON e.kind = t.kind
     AND event_grain_of(e.date_earliest, e.date_latest) = t.grain
     AND event_period_of(e.date_earliest, e.date_latest) IS NOT DISTINCT FROM t.period
     AND (t.period IS NULL OR coalesce(e.date_earliest, e.date_latest) BETWEEN t.period AND t.period + interval '1 year')
   GROUP BY t.grain, t.period, t.kind;

  DELETE FROM event_rollup_by_country r USING (SELECT DISTINCT grain, period, country_id FROM event_rollup_touched) t
   WHERE r.grain = t.grain AND r.period IS NOT DISTINCT FROM t.period AND r.country_id IS NOT DISTINCT FROM t.country_id;
  INSERT INTO event_rollup_by_country
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT t.grain, t.period, t.country_id, count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
         count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
         min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
    FROM (SELECT DISTINCT grain, period, country_id FROM event_rollup_touched) t
    JOIN events e ON event_grain_of(e.date_earliest, e.date_latest) = t.grain
     AND event_period_of(e.date_earliest, e.date_latest) IS NOT DISTINCT FROM t.period
     AND (t.period IS NULL OR coalesce(e.date_earliest, e.date_latest) BETWEEN t.period AND t.period + interval '1 year')
    LEFT JOIN places pl ON pl.id = e.place_id
   WHERE pl.country_id IS NOT DISTINCT FROM t.country_id
   GROUP BY t.grain, t.period, t.country_id;

  TRUNCATE event_rollup_touched;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER events_rollup_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION event_rollup_add();
--> statement-breakpoint
CREATE TRIGGER events_rollup_delete AFTER DELETE ON events
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION event_rollup_recompute();
--> statement-breakpoint
-- An update is recomputed for the groups of the old rows and of the new ones.
CREATE TRIGGER events_rollup_update_old AFTER UPDATE ON events
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION event_rollup_recompute();
--> statement-breakpoint
CREATE TRIGGER events_rollup_update_new AFTER UPDATE ON events
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION event_rollup_recompute();
--> statement-breakpoint

-- A place moved to another country moves its events between country groups: rebuild that rollup.
CREATE FUNCTION event_rollup_rebuild_by_country() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM event_rollup_by_country;
  INSERT INTO event_rollup_by_country
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT event_grain_of(e.date_earliest, e.date_latest), event_period_of(e.date_earliest, e.date_latest), pl.country_id,
         count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
         count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
         min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
    FROM events e LEFT JOIN places pl ON pl.id = e.place_id GROUP BY 1, 2, 3;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER places_country_rollup AFTER UPDATE OF country_id ON places
  FOR EACH STATEMENT EXECUTE FUNCTION event_rollup_rebuild_by_country();
--> statement-breakpoint

-- Existing events.
INSERT INTO event_rollup_by_kind
  (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
SELECT event_grain_of(e.date_earliest, e.date_latest), event_period_of(e.date_earliest, e.date_latest), e.kind,
       count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
       count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
       min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
  FROM events e GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO event_rollup_by_country
  (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
SELECT event_grain_of(e.date_earliest, e.date_latest), event_period_of(e.date_earliest, e.date_latest), pl.country_id,
       count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
       count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
       min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
  FROM events e LEFT JOIN places pl ON pl.id = e.place_id GROUP BY 1, 2, 3;
