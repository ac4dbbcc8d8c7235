-- Keeps the summary tables of migration 0011 equal to what the base tables say for live reads,
-- for every writer, and fills them from existing data. Reads as of a past time or including
-- retracted claims do not use them (src/graphql/types/analytics.ts).
--
-- 1. event_rollup_by_period and event_rollup_by_country_total: the event rollups summed over
--    kinds and over buckets, kept by the event rollup triggers of 0005/0010.
-- 2. actor_event_links: one row per (event, actor as merged now), plus one per event for "any
--    actor" (actor 0), with the roles of its live participation claims as a bitmask. Any write
--    that can change what those rows should be (a participation, its claim's retraction, the
--    event's date/place/kind/casualties or report retraction, a place's country, a merge)
--    recomputes the rows of the events it touches from the base tables (actor_event_links_expected),
--    and the difference (old rows out, new rows in) is added to the sums built on them:
--    actor_rollup, actor_rollup_timeline, actor_rollup_by_role. Counts and casualties are sums,
--    so they take differences; first/last dates are recomputed for the groups that lost a row.
-- 3. event_doctrines and doctrine_rollup: the same for doctrines, which also change when an
--    adherence is added, retracted or merged.

-- 0. Writers that change a summary take turns, until they commit. A trigger computes what the
--    summary should hold from its own snapshot; two writers touching the same event or group at
--    once would each miss the other's change (a place moved to another country while an event
--    there is edited left the country rollups wrong). Every trigger function below takes the
--    turn first, so its queries (READ COMMITTED: a snapshot per statement) see what the previous
--    writer committed. Reads never wait.
CREATE FUNCTION summaries_lock() RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtextextended('dashboard summaries', 0))
$$;
--> statement-breakpoint

-- 1. Totals over kinds and over buckets -----------------------------------------------------

-- The last day of a rollup bucket, for date bounds: a bucket wholly inside [from, to] is read
-- from the rollup, and only the events of the rest from events.
CREATE FUNCTION event_period_end(grain event_grain, period date) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE grain
    WHEN 'MONTH' THEN (period + interval '1 month' - interval '1 day')::date
    WHEN 'QUARTER' THEN (period + interval '3 months' - interval '1 day')::date
    WHEN 'YEAR' THEN (period + interval '1 year' - interval '1 day')::date
  END;
--> statement-breakpoint


CREATE OR REPLACE FUNCTION event_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM summaries_lock();
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

  INSERT INTO event_rollup_by_period AS r
    (grain, period, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT event_grain_of(n.date_earliest, n.date_latest), event_period_of(n.date_earliest, n.date_latest),
         count(*), coalesce(sum(n.killed_min), 0), coalesce(sum(n.killed_max), 0),
         count(*) FILTER (WHERE n.killed_min IS NOT NULL AND n.killed_max IS NULL), count(n.killed_min),
         min(coalesce(n.date_earliest, n.date_latest)), max(coalesce(n.date_latest, n.date_earliest))
    FROM changed n GROUP BY 1, 2
  ON CONFLICT ON CONSTRAINT event_rollup_by_period_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_country_total AS r
    (country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT pl.country_id, count(*), coalesce(sum(n.killed_min), 0), coalesce(sum(n.killed_max), 0),
         count(*) FILTER (WHERE n.killed_min IS NOT NULL AND n.killed_max IS NULL), count(n.killed_min),
         min(coalesce(n.date_earliest, n.date_latest)), max(coalesce(n.date_latest, n.date_earliest))
    FROM changed n LEFT JOIN places pl ON pl.id = n.place_id GROUP BY 1
  ON CONFLICT ON CONSTRAINT event_rollup_by_country_total_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);
  RETURN NULL;
END $$;
--> statement-breakpoint

-- Recomputes the touched totals from the finer rollups, which the caller has just recomputed:
-- a bucket's total sums at most 14 kinds, a country's at most a few hundred buckets.
CREATE FUNCTION event_rollup_totals_recompute() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM event_rollup_by_period r USING (SELECT DISTINCT grain, period FROM event_rollup_touched) t
   WHERE r.grain = t.grain AND r.period IS NOT DISTINCT FROM t.period;
  INSERT INTO event_rollup_by_period
    (grain, period, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT t.grain, t.period, sum(k.events), sum(k.killed_min), sum(k.killed_max), sum(k.killed_open),
         sum(k.killed_reported), min(k.first_date), max(k.last_date)
    FROM (SELECT DISTINCT grain, period FROM event_rollup_touched) t
    JOIN event_rollup_by_kind k ON k.grain = t.grain AND (k.period = t.period OR k.period IS NULL AND t.period IS NULL)
   GROUP BY t.grain, t.period;

  DELETE FROM event_rollup_by_country_total r USING (SELECT DISTINCT country_id FROM event_rollup_touched) t
   WHERE r.country_id IS NOT DISTINCT FROM t.country_id;
  INSERT INTO event_rollup_by_country_total
    (country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT t.country_id, sum(c.events), sum(c.killed_min), sum(c.killed_max), sum(c.killed_open),
         sum(c.killed_reported), min(c.first_date), max(c.last_date)
    FROM (SELECT DISTINCT country_id FROM event_rollup_touched) t
    JOIN event_rollup_by_country c ON c.country_id = t.country_id OR c.country_id IS NULL AND t.country_id IS NULL
   GROUP BY t.country_id;
END $$;
--> statement-breakpoint

-- The live events of one rollup bucket, through an index: a dated bucket's events lie within
-- it (the date index), an undated one's are the few of events_ungrained_idx. Inlined into the
-- caller's query, with the bucket as parameters.
CREATE FUNCTION live_events_in_bucket(bucket_grain event_grain, bucket_period date) RETURNS SETOF events
LANGUAGE sql STABLE AS $$
  SELECT e.* FROM events e JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
   WHERE bucket_grain = 'NONE' AND event_grain_of(e.date_earliest, e.date_latest) = 'NONE'
  UNION ALL
  SELECT e.* FROM events e JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
   WHERE bucket_grain <> 'NONE'
     AND coalesce(e.date_earliest, e.date_latest) BETWEEN bucket_period AND event_period_end(bucket_grain, bucket_period)
     AND event_grain_of(e.date_earliest, e.date_latest) = bucket_grain
     AND event_period_of(e.date_earliest, e.date_latest) = bucket_period
$$;
--> statement-breakpoint

-- As in 0010, but each touched group is recomputed from its own bucket's events through an
-- index: 0010's join of all touched groups to events was planned as a sort of all events (the
-- temporary table has no statistics), 27 s per edited event at a million events.
CREATE OR REPLACE FUNCTION event_rollup_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM summaries_lock();
  CREATE TEMP TABLE IF NOT EXISTS event_rollup_touched (grain event_grain, period date, kind event_kind, country_id integer) ON COMMIT DROP;
  INSERT INTO event_rollup_touched
  SELECT event_grain_of(c.date_earliest, c.date_latest), event_period_of(c.date_earliest, c.date_latest), c.kind, pl.country_id
    FROM changed c LEFT JOIN places pl ON pl.id = c.place_id;

  DELETE FROM event_rollup_by_kind r USING (SELECT DISTINCT grain, period, kind FROM event_rollup_touched) t
   WHERE r.grain = t.grain AND r.period IS NOT DISTINCT FROM t.period AND r.kind = t.kind;
  INSERT INTO event_rollup_by_kind
    (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT t.grain, t.period, t.kind, x.*
    FROM (SELECT DISTINCT grain, period, kind FROM event_rollup_touched) t
    CROSS JOIN LATERAL (
      SELECT count(*) AS events, coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
             count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
             min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
        FROM live_events_in_bucket(t.grain, t.period) e WHERE e.kind = t.kind) x
   WHERE x.events > 0;

  DELETE FROM event_rollup_by_country r USING (SELECT DISTINCT grain, period, country_id FROM event_rollup_touched) t
   WHERE r.grain = t.grain AND r.period IS NOT DISTINCT FROM t.period AND r.country_id IS NOT DISTINCT FROM t.country_id;
  INSERT INTO event_rollup_by_country
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT t.grain, t.period, t.country_id, x.*
    FROM (SELECT DISTINCT grain, period, country_id FROM event_rollup_touched) t
    CROSS JOIN LATERAL (
      SELECT count(*) AS events, coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
             count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
             min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
        FROM live_events_in_bucket(t.grain, t.period) e LEFT JOIN places pl ON pl.id = e.place_id
       WHERE pl.country_id IS NOT DISTINCT FROM t.country_id) x
   WHERE x.events > 0;

  PERFORM event_rollup_totals_recompute();
  TRUNCATE event_rollup_touched;
  RETURN NULL;
END $$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION event_rollup_rebuild_by_country() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM summaries_lock();
  DELETE FROM event_rollup_by_country;
  INSERT INTO event_rollup_by_country
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT event_grain_of(e.date_earliest, e.date_latest), event_period_of(e.date_earliest, e.date_latest), pl.country_id,
         count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
         count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
         min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
    FROM events e JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
    LEFT JOIN places pl ON pl.id = e.place_id GROUP BY 1, 2, 3;
  DELETE FROM event_rollup_by_country_total;
  INSERT INTO event_rollup_by_country_total
    (country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT country_id, sum(events), sum(killed_min), sum(killed_max), sum(killed_open), sum(killed_reported),
         min(first_date), max(last_date)
    FROM event_rollup_by_country GROUP BY country_id;
  RETURN NULL;
END $$;
--> statement-breakpoint

INSERT INTO event_rollup_by_period
  (grain, period, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
SELECT grain, period, sum(events), sum(killed_min), sum(killed_max), sum(killed_open), sum(killed_reported),
       min(first_date), max(last_date)
  FROM event_rollup_by_kind GROUP BY grain, period;
--> statement-breakpoint
INSERT INTO event_rollup_by_country_total
  (country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
SELECT country_id, sum(events), sum(killed_min), sum(killed_max), sum(killed_open), sum(killed_reported),
       min(first_date), max(last_date)
  FROM event_rollup_by_country GROUP BY country_id;
--> statement-breakpoint

-- How many events have each grain: without it the planner guesses 0.5 % for grain NONE (357 of a
-- million in the synthetic data) and reads events_ungrained_idx together with a place index.
CREATE STATISTICS events_grain_stats ON (event_grain_of(date_earliest, date_latest)) FROM events;
--> statement-breakpoint
ANALYZE events;
--> statement-breakpoint


-- 2. Actors ------------------------------------------------------------------------------------

-- Each role's bit in a `roles` mask. Written out, not taken from the enum's order, so that a role
-- added to the enum later cannot shift the bits of stored masks; tests/actor-rollup.test.ts
-- fails if a role has no bit.
CREATE FUNCTION participation_role_bit(role participation_role) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE role
    WHEN 'PERPETRATOR' THEN 1 WHEN 'CLAIMED_RESPONSIBILITY' THEN 2 WHEN 'ATTRIBUTED' THEN 4
    WHEN 'IMPLICATED' THEN 8 WHEN 'INSPIRED' THEN 16 WHEN 'TARGET' THEN 32 WHEN 'VICTIM' THEN 64
  END::smallint;
--> statement-breakpoint
-- The mask of a filter's roles: null (no filter) stays null, an empty list is 0 (matches nothing).
CREATE FUNCTION participation_roles_mask(roles participation_role[]) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN roles IS NULL THEN NULL
              ELSE coalesce((SELECT bit_or(participation_role_bit(r)) FROM unnest(roles) r), 0)::smallint END;
--> statement-breakpoint

-- Every merged-away actor with the actor it resolves to now: canonical_actor(id, 'infinity')
-- for all of them at once.
CREATE FUNCTION actors_merged_now() RETURNS TABLE (actor_id integer, canonical_id integer)
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chain(actor_id, canonical_id, depth) AS (
    SELECT removed_actor_id, kept_actor_id, 1 FROM actor_merges
    UNION ALL
    SELECT c.actor_id, m.kept_actor_id, c.depth + 1
      FROM chain c JOIN actor_merges m ON m.removed_actor_id = c.canonical_id
     WHERE c.depth < 32
  )
  SELECT DISTINCT ON (actor_id) actor_id, canonical_id FROM chain ORDER BY actor_id, depth DESC
$$;
--> statement-breakpoint

-- What a summary row says about an event, for events whose report is live (as `events` lists them).
CREATE VIEW live_event_facts AS
SELECT e.id AS event_id, coalesce(pl.country_id, 0) AS country_id, e.kind,
       event_grain_of(e.date_earliest, e.date_latest) AS grain, event_period_of(e.date_earliest, e.date_latest) AS period,
       e.killed_min, e.killed_max,
       coalesce(e.date_earliest, e.date_latest) AS first_date, coalesce(e.date_latest, e.date_earliest) AS last_date
  FROM events e
  JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
  LEFT JOIN places pl ON pl.id = e.place_id;
--> statement-breakpoint

-- What actor_event_links must hold, from the base tables. Queried per event
-- (WHERE event_id = ANY(...)), which the planner pushes into both grouped subqueries.
CREATE VIEW actor_event_links_expected AS
SELECT l.event_id, l.actor_id, l.roles, f.country_id, f.kind, f.grain, f.period,
       f.killed_min, f.killed_max, f.first_date, f.last_date
  FROM (SELECT p.event_id, coalesce(m.canonical_id, p.actor_id) AS actor_id,
               bit_or(participation_role_bit(p.role))::smallint AS roles
          FROM participations p
          JOIN claims c ON c.id = p.claim_id AND c.retracted_at IS NULL
          LEFT JOIN actors_merged_now() m ON m.actor_id = p.actor_id
         GROUP BY 1, 2) l
  JOIN live_event_facts f ON f.event_id = l.event_id
UNION ALL
SELECT l.event_id, 0, l.roles, f.country_id, f.kind, f.grain, f.period,
       f.killed_min, f.killed_max, f.first_date, f.last_date
  FROM (SELECT p.event_id, bit_or(participation_role_bit(p.role))::smallint AS roles
          FROM participations p
          JOIN claims c ON c.id = p.claim_id AND c.retracted_at IS NULL
         GROUP BY 1) l
  JOIN live_event_facts f ON f.event_id = l.event_id;
--> statement-breakpoint

-- What event_doctrines must hold: the doctrines that an event's perpetrators or claimants, as
-- merged now, adhere to through a live claim (their own adherences and those of actors merged
-- into them), from actor_event_links.
CREATE VIEW event_doctrines_expected AS
SELECT DISTINCT l.event_id, d.doctrine_id, l.country_id, l.kind, l.killed_min, l.killed_max
  FROM actor_event_links l
  JOIN (SELECT coalesce(m.canonical_id, ad.actor_id) AS actor_id, ad.doctrine_id
          FROM adherences ad
          JOIN claims c ON c.id = ad.claim_id AND c.retracted_at IS NULL
          LEFT JOIN actors_merged_now() m ON m.actor_id = ad.actor_id) d ON d.actor_id = l.actor_id
 WHERE l.actor_id <> 0
   AND l.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0;
--> statement-breakpoint

-- Adds the signed rows of actor_link_delta (+1 new, -1 gone) to the sums built on actor_event_links.
CREATE FUNCTION actor_rollups_apply_delta() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO actor_rollup AS r
    (actor_id, roles, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT d.actor_id, d.roles, d.country_id, d.kind, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0),
         coalesce(sum(d.sign * d.killed_max), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0),
         min(d.first_date) FILTER (WHERE d.sign > 0), max(d.last_date) FILTER (WHERE d.sign > 0)
    FROM actor_link_delta d
   GROUP BY GROUPING SETS ((d.actor_id, d.roles), (d.actor_id, d.roles, d.country_id), (d.actor_id, d.roles, d.country_id, d.kind))
  ON CONFLICT ON CONSTRAINT actor_rollup_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO actor_rollup_timeline AS r
    (actor_id, roles, grain, period, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT d.actor_id, d.roles, d.grain, d.period, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0),
         coalesce(sum(d.sign * d.killed_max), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0)
    FROM actor_link_delta d
   GROUP BY d.actor_id, d.roles, d.grain, d.period
  ON CONFLICT ON CONSTRAINT actor_rollup_timeline_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported;

  -- Each row counts for every role in its mask, and (role null) for any role.
  INSERT INTO actor_rollup_by_role AS r
    (actor_id, role, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT d.actor_id, x.role, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0),
         coalesce(sum(d.sign * d.killed_max), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0)
    FROM actor_link_delta d
    CROSS JOIN LATERAL (SELECT r AS role FROM unnest(enum_range(NULL::participation_role)) r
                         WHERE d.roles & participation_role_bit(r) <> 0
                        UNION ALL SELECT NULL) x
   WHERE d.actor_id <> 0
   GROUP BY d.actor_id, x.role
  ON CONFLICT ON CONSTRAINT actor_rollup_by_role_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported;

  IF NOT EXISTS (SELECT 1 FROM actor_link_delta WHERE sign < 0) THEN RETURN; END IF;
  -- Groups that lost rows: the emptied ones go, the others get their first/last dates again (a
  -- minimum cannot be subtracted), each level from the one below it.
  DELETE FROM actor_rollup r USING (SELECT DISTINCT actor_id, roles FROM actor_link_delta WHERE sign < 0) k
   WHERE r.actor_id = k.actor_id AND r.roles = k.roles AND r.events = 0;
  DELETE FROM actor_rollup_timeline r USING (SELECT DISTINCT actor_id, roles FROM actor_link_delta WHERE sign < 0) k
   WHERE r.actor_id = k.actor_id AND r.roles = k.roles AND r.events = 0;
  DELETE FROM actor_rollup_by_role r USING (SELECT DISTINCT actor_id FROM actor_link_delta WHERE sign < 0) k
   WHERE r.actor_id = k.actor_id AND r.events = 0;

  UPDATE actor_rollup r SET first_date = x.first_date, last_date = x.last_date
    FROM (SELECT DISTINCT actor_id, roles, country_id, kind FROM actor_link_delta WHERE sign < 0) k
    CROSS JOIN LATERAL (
      SELECT min(l.first_date) AS first_date, max(l.last_date) AS last_date FROM actor_event_links l
       WHERE l.actor_id = k.actor_id AND l.roles = k.roles AND l.country_id = k.country_id AND l.kind = k.kind) x
   WHERE r.actor_id = k.actor_id AND r.roles = k.roles AND r.country_id = k.country_id AND r.kind = k.kind;
  UPDATE actor_rollup r SET first_date = x.first_date, last_date = x.last_date
    FROM (SELECT DISTINCT actor_id, roles, country_id FROM actor_link_delta WHERE sign < 0) k
    CROSS JOIN LATERAL (
      SELECT min(f.first_date) AS first_date, max(f.last_date) AS last_date FROM actor_rollup f
       WHERE f.actor_id = k.actor_id AND f.roles = k.roles AND f.country_id = k.country_id AND f.kind IS NOT NULL) x
   WHERE r.actor_id = k.actor_id AND r.roles = k.roles AND r.country_id = k.country_id AND r.kind IS NULL;
  UPDATE actor_rollup r SET first_date = x.first_date, last_date = x.last_date
    FROM (SELECT DISTINCT actor_id, roles FROM actor_link_delta WHERE sign < 0) k
    CROSS JOIN LATERAL (
      SELECT min(f.first_date) AS first_date, max(f.last_date) AS last_date FROM actor_rollup f
       WHERE f.actor_id = k.actor_id AND f.roles = k.roles AND f.country_id IS NOT NULL AND f.kind IS NULL) x
   WHERE r.actor_id = k.actor_id AND r.roles = k.roles AND r.country_id IS NULL AND r.kind IS NULL;
END $$;
--> statement-breakpoint

-- Recomputes the actor_event_links rows of these events and applies the difference; returns
-- how many rows changed (0 when, say, a second source repeats a link already there).
CREATE FUNCTION actor_links_refresh(event_ids integer[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN 0; END IF;
  PERFORM summaries_lock();
  CREATE TEMP TABLE IF NOT EXISTS actor_link_delta (sign smallint NOT NULL, LIKE actor_event_links) ON COMMIT DROP;
  INSERT INTO actor_link_delta
    (sign, event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date)
  WITH expected AS MATERIALIZED (
         SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date
           FROM actor_event_links_expected WHERE event_id = ANY(event_ids)),
       stored AS MATERIALIZED (
         SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date
           FROM actor_event_links WHERE event_id = ANY(event_ids))
  SELECT 1, * FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) added
  UNION ALL
  SELECT -1, * FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected) removed;
  GET DIAGNOSTICS changed = ROW_COUNT;
  IF changed > 0 THEN
    DELETE FROM actor_event_links l USING actor_link_delta d
     WHERE d.sign < 0 AND l.event_id = d.event_id AND l.actor_id = d.actor_id;
    INSERT INTO actor_event_links
      (event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date)
    SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date
      FROM actor_link_delta WHERE sign > 0;
    PERFORM actor_rollups_apply_delta();
  END IF;
  TRUNCATE actor_link_delta;
  RETURN changed;
END $$;
--> statement-breakpoint

-- The same for event_doctrines and doctrine_rollup (no dates there: nothing to recompute).
CREATE FUNCTION event_doctrines_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN; END IF;
  PERFORM summaries_lock();
  CREATE TEMP TABLE IF NOT EXISTS event_doctrine_delta (sign smallint NOT NULL, LIKE event_doctrines) ON COMMIT DROP;
  INSERT INTO event_doctrine_delta (sign, event_id, doctrine_id, country_id, kind, killed_min, killed_max)
  WITH expected AS MATERIALIZED (
         SELECT event_id, doctrine_id, country_id, kind, killed_min, killed_max
           FROM event_doctrines_expected WHERE event_id = ANY(event_ids)),
       stored AS MATERIALIZED (
         SELECT event_id, doctrine_id, country_id, kind, killed_min, killed_max
           FROM event_doctrines WHERE event_id = ANY(event_ids))
  SELECT 1, * FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) added
  UNION ALL
  SELECT -1, * FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected) removed;
  IF FOUND THEN
    DELETE FROM event_doctrines l USING event_doctrine_delta d
     WHERE d.sign < 0 AND l.event_id = d.event_id AND l.doctrine_id = d.doctrine_id;
    INSERT INTO event_doctrines (event_id, doctrine_id, country_id, kind, killed_min, killed_max)
    SELECT event_id, doctrine_id, country_id, kind, killed_min, killed_max FROM event_doctrine_delta WHERE sign > 0;
    INSERT INTO doctrine_rollup AS r
      (doctrine_id, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported)
    SELECT d.doctrine_id, d.country_id, d.kind, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0),
           coalesce(sum(d.sign * d.killed_max), 0),
           coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
           coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0)
      FROM event_doctrine_delta d
     GROUP BY GROUPING SETS ((d.doctrine_id), (d.doctrine_id, d.country_id, d.kind))
    ON CONFLICT ON CONSTRAINT doctrine_rollup_key DO UPDATE SET
      events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
      killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
      killed_reported = r.killed_reported + excluded.killed_reported;
    DELETE FROM doctrine_rollup r USING (SELECT DISTINCT doctrine_id FROM event_doctrine_delta WHERE sign < 0) k
     WHERE r.doctrine_id = k.doctrine_id AND r.events = 0;
  END IF;
  TRUNCATE event_doctrine_delta;
END $$;
--> statement-breakpoint

-- The events in which these actors' clusters (as merged now) are perpetrators or claimants:
-- those whose doctrines change when the actors' adherences do.
CREATE FUNCTION events_owned_by(actor_ids integer[]) RETURNS integer[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(
    SELECT DISTINCT l.event_id FROM actor_event_links l
     WHERE l.actor_id IN (SELECT coalesce(m.canonical_id, a) FROM unnest(actor_ids) a LEFT JOIN actors_merged_now() m ON m.actor_id = a)
       AND l.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0)
$$;
--> statement-breakpoint

-- Links, then doctrines (which are read from the links), of these events.
CREATE FUNCTION actor_summaries_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF actor_links_refresh(event_ids) > 0 THEN PERFORM event_doctrines_refresh(event_ids); END IF;
END $$;
--> statement-breakpoint

-- Triggers. Transition tables cannot serve several events or column lists in one trigger, hence
-- one trigger per event, sharing a function that looks at TG_OP. Each takes the writers' turn
-- first, so that the events it goes on to pick are read after the previous writer committed.
CREATE FUNCTION participations_refresh_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM summaries_lock();
  IF TG_OP = 'INSERT' THEN
    PERFORM actor_summaries_refresh(ARRAY(SELECT DISTINCT event_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM actor_summaries_refresh(ARRAY(SELECT DISTINCT event_id FROM old_rows));
  ELSE
    PERFORM actor_summaries_refresh(ARRAY(SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER participations_summaries_insert AFTER INSERT ON participations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participations_refresh_summaries();
--> statement-breakpoint
CREATE TRIGGER participations_summaries_delete AFTER DELETE ON participations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION participations_refresh_summaries();
--> statement-breakpoint
CREATE TRIGGER participations_summaries_update AFTER UPDATE ON participations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participations_refresh_summaries();
--> statement-breakpoint

-- An event's date, place, kind or casualties changed, or its report was retracted (0010 touches
-- the event row then), or it was deleted. A new event has no participations yet: nothing to do.
CREATE FUNCTION events_refresh_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM summaries_lock();
  IF TG_OP = 'DELETE' THEN
    PERFORM actor_summaries_refresh(ARRAY(SELECT id FROM old_rows));
  ELSE
    PERFORM actor_summaries_refresh(ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER events_summaries_update AFTER UPDATE ON events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_refresh_summaries();
--> statement-breakpoint
CREATE TRIGGER events_summaries_delete AFTER DELETE ON events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_refresh_summaries();
--> statement-breakpoint

-- A place moved to another country moves its events.
CREATE FUNCTION places_refresh_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM summaries_lock();
  PERFORM actor_summaries_refresh(ARRAY(
    SELECT e.id FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN events e ON e.place_id = n.id
     WHERE o.country_id IS DISTINCT FROM n.country_id));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER places_summaries_update AFTER UPDATE ON places
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION places_refresh_summaries();
--> statement-breakpoint

-- A participation or adherence claim retracted (retractions go one claim at a time).
CREATE FUNCTION claims_refresh_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM summaries_lock();
  IF NEW.kind = 'PARTICIPATION' THEN
    PERFORM actor_summaries_refresh(ARRAY(SELECT event_id FROM participations WHERE claim_id = NEW.id));
  ELSE
    PERFORM event_doctrines_refresh(events_owned_by(ARRAY(SELECT actor_id FROM adherences WHERE claim_id = NEW.id)));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER claims_summaries_retracted AFTER UPDATE OF retracted_at ON claims
  FOR EACH ROW WHEN (NEW.kind IN ('PARTICIPATION', 'ADHERENCE') AND OLD.retracted_at IS DISTINCT FROM NEW.retracted_at)
  EXECUTE FUNCTION claims_refresh_summaries();
--> statement-breakpoint

-- An adherence added, changed or removed changes the doctrines of its actor's own events.
CREATE FUNCTION adherences_refresh_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM summaries_lock();
  IF TG_OP = 'INSERT' THEN
    PERFORM event_doctrines_refresh(events_owned_by(ARRAY(SELECT DISTINCT actor_id FROM new_rows)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM event_doctrines_refresh(events_owned_by(ARRAY(SELECT DISTINCT actor_id FROM old_rows)));
  ELSE
    PERFORM event_doctrines_refresh(events_owned_by(ARRAY(SELECT actor_id FROM new_rows UNION SELECT actor_id FROM old_rows)));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER adherences_summaries_insert AFTER INSERT ON adherences
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION adherences_refresh_summaries();
--> statement-breakpoint
CREATE TRIGGER adherences_summaries_delete AFTER DELETE ON adherences
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION adherences_refresh_summaries();
--> statement-breakpoint
CREATE TRIGGER adherences_summaries_update AFTER UPDATE ON adherences
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION adherences_refresh_summaries();
--> statement-breakpoint

-- A merge moves the links of the removed actor (and of actors merged into it before) to the
-- kept one: their events are recomputed, which counts an event both were linked to once. The
-- kept actor's other events keep their links; their doctrines change only if the removed side
-- brings a doctrine the kept side lacks (undoing a merge: takes away), and only then are all
-- of them recomputed (a merge into the busiest synthetic actor: seconds instead of ~20).
CREATE FUNCTION actor_merges_refresh_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed integer[];
  kept integer[];
  moved integer[];
  moved_events integer[];
BEGIN
  PERFORM summaries_lock();
  IF TG_OP = 'INSERT' THEN
    removed := ARRAY(SELECT removed_actor_id FROM new_rows);
    kept := ARRAY(SELECT kept_actor_id FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    removed := ARRAY(SELECT removed_actor_id FROM old_rows);
    kept := ARRAY(SELECT kept_actor_id FROM old_rows);
  ELSE
    removed := ARRAY(SELECT removed_actor_id FROM new_rows UNION SELECT removed_actor_id FROM old_rows);
    kept := ARRAY(SELECT kept_actor_id FROM new_rows UNION SELECT kept_actor_id FROM old_rows);
  END IF;
  moved := ARRAY(SELECT f.actor_id FROM actors_folded_into(removed, 'infinity') f);
  moved_events := ARRAY(SELECT DISTINCT p.event_id FROM participations p WHERE p.actor_id = ANY(moved));
  PERFORM actor_links_refresh(moved_events);
  IF EXISTS (
    SELECT 1 FROM adherences ad JOIN claims c ON c.id = ad.claim_id AND c.retracted_at IS NULL
     WHERE ad.actor_id = ANY(moved)
       AND NOT EXISTS (
         SELECT 1 FROM adherences other JOIN claims oc ON oc.id = other.claim_id AND oc.retracted_at IS NULL
          WHERE other.doctrine_id = ad.doctrine_id AND other.actor_id <> ALL(moved)
            AND other.actor_id IN (SELECT f.actor_id FROM actors_folded_into(
                  ARRAY(SELECT canonical_actor(k, 'infinity') FROM unnest(kept) k), 'infinity') f))) THEN
    PERFORM event_doctrines_refresh(ARRAY(SELECT unnest(moved_events) UNION SELECT unnest(events_owned_by(kept))));
  ELSE
    PERFORM event_doctrines_refresh(moved_events);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER actor_merges_summaries_insert AFTER INSERT ON actor_merges
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION actor_merges_refresh_summaries();
--> statement-breakpoint
CREATE TRIGGER actor_merges_summaries_delete AFTER DELETE ON actor_merges
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION actor_merges_refresh_summaries();
--> statement-breakpoint
CREATE TRIGGER actor_merges_summaries_update AFTER UPDATE ON actor_merges
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION actor_merges_refresh_summaries();
--> statement-breakpoint

-- Existing data, set-based. ---------------------------------------------------------------------

INSERT INTO actor_event_links
  (event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date)
SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date
  FROM actor_event_links_expected;
--> statement-breakpoint
-- A group's rows, for recomputing its first/last dates after it loses one.
CREATE INDEX actor_event_links_group_idx ON actor_event_links (actor_id, roles, country_id, kind) INCLUDE (first_date, last_date);
--> statement-breakpoint
INSERT INTO actor_rollup
  (actor_id, roles, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
SELECT actor_id, roles, country_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
       count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min),
       min(first_date), max(last_date)
  FROM actor_event_links
 GROUP BY GROUPING SETS ((actor_id, roles), (actor_id, roles, country_id), (actor_id, roles, country_id, kind));
--> statement-breakpoint
-- Every actor's rows in a country, for a breakdown by actor of one country's events (index-only).
CREATE INDEX actor_rollup_country_idx ON actor_rollup (country_id, kind)
  INCLUDE (actor_id, roles, events, killed_min, killed_max, killed_open, killed_reported);
--> statement-breakpoint
-- The all-countries rows of every actor, for breakdowns over actors with several roles.
CREATE INDEX actor_rollup_totals_idx ON actor_rollup (actor_id, roles)
  INCLUDE (events, killed_min, killed_max, killed_open, killed_reported) WHERE country_id IS NULL;
--> statement-breakpoint
INSERT INTO actor_rollup_timeline
  (actor_id, roles, grain, period, events, killed_min, killed_max, killed_open, killed_reported)
SELECT actor_id, roles, grain, period, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
       count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
  FROM actor_event_links
 GROUP BY actor_id, roles, grain, period;
--> statement-breakpoint
INSERT INTO actor_rollup_by_role
  (actor_id, role, events, killed_min, killed_max, killed_open, killed_reported)
SELECT l.actor_id, x.role, count(*), coalesce(sum(l.killed_min), 0), coalesce(sum(l.killed_max), 0),
       count(*) FILTER (WHERE l.killed_min IS NOT NULL AND l.killed_max IS NULL), count(l.killed_min)
  FROM actor_event_links l
  CROSS JOIN LATERAL (SELECT r AS role FROM unnest(enum_range(NULL::participation_role)) r
                       WHERE l.roles & participation_role_bit(r) <> 0
                      UNION ALL SELECT NULL) x
 WHERE l.actor_id <> 0
 GROUP BY l.actor_id, x.role;
--> statement-breakpoint
INSERT INTO event_doctrines (event_id, doctrine_id, country_id, kind, killed_min, killed_max)
SELECT event_id, doctrine_id, country_id, kind, killed_min, killed_max FROM event_doctrines_expected;
--> statement-breakpoint
INSERT INTO doctrine_rollup
  (doctrine_id, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported)
SELECT doctrine_id, country_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
       count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
  FROM event_doctrines
 GROUP BY GROUPING SETS ((doctrine_id), (doctrine_id, country_id, kind));
--> statement-breakpoint
ANALYZE actor_event_links, actor_rollup, actor_rollup_timeline, actor_rollup_by_role, event_doctrines, doctrine_rollup,
  event_rollup_by_period, event_rollup_by_country_total;
