-- Summaries off the write path. Until now every write recomputed the dashboard summaries in its
-- own transaction, under one advisory lock that every writer took and held until commit: writers
-- queued behind each other (an adherence of a large actor, 1-2.5 s; a merge of two large ones,
-- over the statement timeout). Now a write only appends the keys it made stale to summary_queue,
-- and drainers (summaries_drain, called in a loop by every server process, and at the end of an
-- import or seed) recompute those keys in batches.
--
-- Why this cannot lose a change (the race the lock was there for: two writers on one event each
-- computing the summary from their own snapshot):
-- * A key is queued in the transaction that changes the data, so it becomes visible exactly when
--   the change does. A drainer deletes the keys it takes before it recomputes them, and under
--   READ COMMITTED each later statement's snapshot is newer than the one that saw the key, so the
--   recompute sees the change. A change committed after that is queued by its own key and
--   recomputed by a later drain.
-- * The queue is cut into partitions by key (summary_queue.part); a drainer works on the
--   partitions it locked FOR UPDATE SKIP LOCKED in summary_partitions, so the per-event
--   rows (event_rollup_members, actor_event_links, event_doctrines) of one event are only ever
--   recomputed by one drainer at a time. Drainers on other partitions only meet at the sums, which
--   they change by adding differences (ON CONFLICT ... DO UPDATE adds to the latest row version)
--   in key order (no deadlocks); a group that lost a row has its first/last dates recomputed by a
--   statement after that row lock is held, so its snapshot includes every drainer that committed
--   a change to the group before.
-- * Keys that stand for many events (an actor's, a place's) are expanded by the drainer into event
--   keys, read from the base tables after the key was seen: an event linked later is queued by
--   the write that links it.
-- Writers only insert into summary_queue, which has no unique key and no sequence: no writer waits
-- for another because of the summaries, and nothing is shared by every writer of a cluster.

-- 1. The old synchronous triggers go.
DROP TRIGGER events_rollup_insert ON events;
--> statement-breakpoint
DROP TRIGGER events_rollup_delete ON events;
--> statement-breakpoint
DROP TRIGGER events_rollup_update_old ON events;
--> statement-breakpoint
DROP TRIGGER events_rollup_update_new ON events;
--> statement-breakpoint
DROP TRIGGER places_country_rollup ON places;
--> statement-breakpoint
DROP TRIGGER claims_event_report_retracted ON claims;
--> statement-breakpoint
DROP TRIGGER participations_summaries_insert ON participations;
--> statement-breakpoint
DROP TRIGGER participations_summaries_delete ON participations;
--> statement-breakpoint
DROP TRIGGER participations_summaries_update ON participations;
--> statement-breakpoint
DROP TRIGGER events_summaries_update ON events;
--> statement-breakpoint
DROP TRIGGER events_summaries_delete ON events;
--> statement-breakpoint
DROP TRIGGER places_summaries_update ON places;
--> statement-breakpoint
DROP TRIGGER claims_summaries_retracted ON claims;
--> statement-breakpoint
DROP TRIGGER adherences_summaries_insert ON adherences;
--> statement-breakpoint
DROP TRIGGER adherences_summaries_delete ON adherences;
--> statement-breakpoint
DROP TRIGGER adherences_summaries_update ON adherences;
--> statement-breakpoint
DROP TRIGGER actor_merges_summaries_insert ON actor_merges;
--> statement-breakpoint
DROP TRIGGER actor_merges_summaries_delete ON actor_merges;
--> statement-breakpoint
DROP TRIGGER actor_merges_summaries_update ON actor_merges;
--> statement-breakpoint
DROP FUNCTION event_rollup_add();
--> statement-breakpoint
DROP FUNCTION event_rollup_recompute();
--> statement-breakpoint
DROP FUNCTION event_rollup_rebuild_by_country();
--> statement-breakpoint
DROP FUNCTION event_rollup_totals_recompute();
--> statement-breakpoint
DROP FUNCTION live_events_in_bucket(event_grain, date);
--> statement-breakpoint
DROP FUNCTION event_report_retracted();
--> statement-breakpoint
DROP FUNCTION participations_refresh_summaries();
--> statement-breakpoint
DROP FUNCTION events_refresh_summaries();
--> statement-breakpoint
DROP FUNCTION places_refresh_summaries();
--> statement-breakpoint
DROP FUNCTION claims_refresh_summaries();
--> statement-breakpoint
DROP FUNCTION adherences_refresh_summaries();
--> statement-breakpoint
DROP FUNCTION actor_merges_refresh_summaries();
--> statement-breakpoint
DROP FUNCTION actor_summaries_refresh(integer[]);
--> statement-breakpoint
DROP FUNCTION events_owned_by(integer[]);
--> statement-breakpoint

-- 2. Writers queue the keys they make stale. ------------------------------------------------------

CREATE FUNCTION summaries_queue_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO summary_queue (kind, id) SELECT 'event', id FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO summary_queue (kind, id) SELECT 'event', id FROM old_rows;
  ELSE
    -- Only what a summary reads: an edit of the title or description changes none.
    INSERT INTO summary_queue (kind, id)
    SELECT 'event', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (n.date_earliest, n.date_latest, n.place_id, n.kind, n.killed_min, n.killed_max, n.claim_id)
           IS DISTINCT FROM (o.date_earliest, o.date_latest, o.place_id, o.kind, o.killed_min, o.killed_max, o.claim_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER events_summaries_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_events();
--> statement-breakpoint
CREATE TRIGGER events_summaries_update AFTER UPDATE ON events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_events();
--> statement-breakpoint
CREATE TRIGGER events_summaries_delete AFTER DELETE ON events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_events();
--> statement-breakpoint

CREATE FUNCTION summaries_queue_participations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO summary_queue (kind, id) SELECT DISTINCT 'event', event_id FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO summary_queue (kind, id) SELECT DISTINCT 'event', event_id FROM old_rows;
  ELSE
    INSERT INTO summary_queue (kind, id) SELECT 'event', event_id FROM new_rows UNION SELECT 'event', event_id FROM old_rows;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER participations_summaries_insert AFTER INSERT ON participations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_participations();
--> statement-breakpoint
CREATE TRIGGER participations_summaries_update AFTER UPDATE ON participations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_participations();
--> statement-breakpoint
CREATE TRIGGER participations_summaries_delete AFTER DELETE ON participations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_participations();
--> statement-breakpoint

-- An adherence changes the doctrines of the events its actor (as merged) perpetrated or claimed.
CREATE FUNCTION summaries_queue_adherences() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO summary_queue (kind, id) SELECT DISTINCT 'actor_doctrines', actor_id FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO summary_queue (kind, id) SELECT DISTINCT 'actor_doctrines', actor_id FROM old_rows;
  ELSE
    INSERT INTO summary_queue (kind, id) SELECT 'actor_doctrines', actor_id FROM new_rows UNION SELECT 'actor_doctrines', actor_id FROM old_rows;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER adherences_summaries_insert AFTER INSERT ON adherences
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_adherences();
--> statement-breakpoint
CREATE TRIGGER adherences_summaries_update AFTER UPDATE ON adherences
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_adherences();
--> statement-breakpoint
CREATE TRIGGER adherences_summaries_delete AFTER DELETE ON adherences
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_adherences();
--> statement-breakpoint

-- A retracted (or, in tests, restored) claim: a participation's event, an adherence's actor, a
-- report's event.
CREATE FUNCTION summaries_queue_claims() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'PARTICIPATION' THEN
    INSERT INTO summary_queue (kind, id) SELECT 'event', event_id FROM participations WHERE claim_id = NEW.id;
  ELSIF NEW.kind = 'ADHERENCE' THEN
    INSERT INTO summary_queue (kind, id) SELECT 'actor_doctrines', actor_id FROM adherences WHERE claim_id = NEW.id;
  ELSE
    INSERT INTO summary_queue (kind, id) SELECT 'event', id FROM events WHERE claim_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER claims_summaries_retracted AFTER UPDATE OF retracted_at ON claims
  FOR EACH ROW WHEN (NEW.kind IN ('PARTICIPATION', 'ADHERENCE', 'EVENT_REPORT') AND OLD.retracted_at IS DISTINCT FROM NEW.retracted_at)
  EXECUTE FUNCTION summaries_queue_claims();
--> statement-breakpoint

-- A place moved to another country moves the events there.
CREATE FUNCTION summaries_queue_places() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_queue (kind, id)
  SELECT 'place', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.country_id IS DISTINCT FROM n.country_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER places_summaries_update AFTER UPDATE ON places
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_places();
--> statement-breakpoint

-- A merge (or its undoing) moves the removed actor's links to the kept one, and can change the
-- doctrines of the kept actor's own events.
CREATE FUNCTION summaries_queue_merges() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO summary_queue (kind, id)
    SELECT 'actor_events', removed_actor_id FROM new_rows UNION SELECT 'actor_doctrines', kept_actor_id FROM new_rows;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO summary_queue (kind, id)
    SELECT 'actor_events', removed_actor_id FROM old_rows UNION SELECT 'actor_doctrines', kept_actor_id FROM old_rows;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER actor_merges_summaries_insert AFTER INSERT ON actor_merges
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_merges();
--> statement-breakpoint
CREATE TRIGGER actor_merges_summaries_update AFTER UPDATE ON actor_merges
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_merges();
--> statement-breakpoint
CREATE TRIGGER actor_merges_summaries_delete AFTER DELETE ON actor_merges
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_merges();
--> statement-breakpoint

-- 3. The drainer's recomputations. -----------------------------------------------------------------

-- What each live event adds to the event rollups, from the base tables.
CREATE VIEW event_rollup_members_expected AS
SELECT e.id AS event_id, event_grain_of(e.date_earliest, e.date_latest) AS grain,
       event_period_of(e.date_earliest, e.date_latest) AS period, e.kind, pl.country_id,
       e.killed_min, e.killed_max,
       coalesce(e.date_earliest, e.date_latest) AS first_date, coalesce(e.date_latest, e.date_earliest) AS last_date
  FROM events e
  JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
  LEFT JOIN places pl ON pl.id = e.place_id;
--> statement-breakpoint

-- Recomputes the event_rollup_members rows of these events and adds the difference to the four
-- event rollups (in key order), then recomputes first/last dates of the groups that lost a row.
CREATE FUNCTION event_rollups_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN; END IF;
  CREATE TEMP TABLE IF NOT EXISTS event_rollup_delta (sign smallint NOT NULL, LIKE event_rollup_members) ON COMMIT DELETE ROWS;
  INSERT INTO event_rollup_delta
    (sign, event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date)
  WITH expected AS MATERIALIZED (
         SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date
           FROM event_rollup_members_expected WHERE event_id = ANY(event_ids)),
       stored AS MATERIALIZED (
         SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date
           FROM event_rollup_members WHERE event_id = ANY(event_ids))
  SELECT 1, * FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) added
  UNION ALL
  SELECT -1, * FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected) removed;
  IF NOT FOUND THEN RETURN; END IF;

  DELETE FROM event_rollup_members m USING event_rollup_delta d WHERE d.sign < 0 AND m.event_id = d.event_id;
  INSERT INTO event_rollup_members (event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date)
  SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date
    FROM event_rollup_delta WHERE sign > 0;

  INSERT INTO event_rollup_by_kind AS r
    (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT d.grain, d.period, d.kind, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0), coalesce(sum(d.sign * d.killed_max), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0),
         min(d.first_date) FILTER (WHERE d.sign > 0), max(d.last_date) FILTER (WHERE d.sign > 0)
    FROM event_rollup_delta d GROUP BY d.grain, d.period, d.kind ORDER BY d.grain, d.period, d.kind
  ON CONFLICT ON CONSTRAINT event_rollup_by_kind_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_country AS r
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT d.grain, d.period, d.country_id, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0), coalesce(sum(d.sign * d.killed_max), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0),
         min(d.first_date) FILTER (WHERE d.sign > 0), max(d.last_date) FILTER (WHERE d.sign > 0)
    FROM event_rollup_delta d GROUP BY d.grain, d.period, d.country_id ORDER BY d.grain, d.period, d.country_id
  ON CONFLICT ON CONSTRAINT event_rollup_by_country_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_period AS r
    (grain, period, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT d.grain, d.period, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0), coalesce(sum(d.sign * d.killed_max), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0),
         min(d.first_date) FILTER (WHERE d.sign > 0), max(d.last_date) FILTER (WHERE d.sign > 0)
    FROM event_rollup_delta d GROUP BY d.grain, d.period ORDER BY d.grain, d.period
  ON CONFLICT ON CONSTRAINT event_rollup_by_period_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_country_total AS r
    (country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT d.country_id, sum(d.sign), coalesce(sum(d.sign * d.killed_min), 0), coalesce(sum(d.sign * d.killed_max), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL AND d.killed_max IS NULL), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.killed_min IS NOT NULL), 0),
         min(d.first_date) FILTER (WHERE d.sign > 0), max(d.last_date) FILTER (WHERE d.sign > 0)
    FROM event_rollup_delta d GROUP BY d.country_id ORDER BY d.country_id
  ON CONFLICT ON CONSTRAINT event_rollup_by_country_total_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported,
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  IF EXISTS (SELECT 1 FROM event_rollup_delta WHERE sign < 0) THEN
    DELETE FROM event_rollup_by_kind r USING (SELECT DISTINCT grain, period, kind FROM event_rollup_delta WHERE sign < 0) k
     WHERE r.grain = k.grain AND r.period IS NOT DISTINCT FROM k.period AND r.kind = k.kind AND r.events = 0;
    DELETE FROM event_rollup_by_country r USING (SELECT DISTINCT grain, period, country_id FROM event_rollup_delta WHERE sign < 0) k
     WHERE r.grain = k.grain AND r.period IS NOT DISTINCT FROM k.period AND r.country_id IS NOT DISTINCT FROM k.country_id AND r.events = 0;
    DELETE FROM event_rollup_by_period r USING (SELECT DISTINCT grain, period FROM event_rollup_delta WHERE sign < 0) k
     WHERE r.grain = k.grain AND r.period IS NOT DISTINCT FROM k.period AND r.events = 0;
    DELETE FROM event_rollup_by_country_total r USING (SELECT DISTINCT country_id FROM event_rollup_delta WHERE sign < 0) k
     WHERE r.country_id IS NOT DISTINCT FROM k.country_id AND r.events = 0;

    -- First/last dates of the groups that lost a member, from the members (each branch of the
    -- UNION ALL is an index range; a null period or country gets its own branch).
    UPDATE event_rollup_by_kind r SET first_date = x.first_date, last_date = x.last_date
      FROM (SELECT DISTINCT grain, period, kind FROM event_rollup_delta WHERE sign < 0) k
      CROSS JOIN LATERAL (
        SELECT min(m.first_date) AS first_date, max(m.last_date) AS last_date FROM (
          SELECT first_date, last_date FROM event_rollup_members
           WHERE k.period IS NOT NULL AND grain = k.grain AND period = k.period AND kind = k.kind
          UNION ALL
          SELECT first_date, last_date FROM event_rollup_members
           WHERE k.period IS NULL AND grain = k.grain AND period IS NULL AND kind = k.kind) m) x
     WHERE r.grain = k.grain AND r.period IS NOT DISTINCT FROM k.period AND r.kind = k.kind;
    UPDATE event_rollup_by_country r SET first_date = x.first_date, last_date = x.last_date
      FROM (SELECT DISTINCT grain, period, country_id FROM event_rollup_delta WHERE sign < 0) k
      CROSS JOIN LATERAL (
        SELECT min(m.first_date) AS first_date, max(m.last_date) AS last_date FROM (
          SELECT first_date, last_date FROM event_rollup_members
           WHERE k.period IS NOT NULL AND grain = k.grain AND period = k.period AND country_id IS NOT DISTINCT FROM k.country_id
          UNION ALL
          SELECT first_date, last_date FROM event_rollup_members
           WHERE k.period IS NULL AND grain = k.grain AND period IS NULL AND country_id IS NOT DISTINCT FROM k.country_id) m) x
     WHERE r.grain = k.grain AND r.period IS NOT DISTINCT FROM k.period AND r.country_id IS NOT DISTINCT FROM k.country_id;
    UPDATE event_rollup_by_period r SET first_date = x.first_date, last_date = x.last_date
      FROM (SELECT DISTINCT grain, period FROM event_rollup_delta WHERE sign < 0) k
      CROSS JOIN LATERAL (
        SELECT min(m.first_date) AS first_date, max(m.last_date) AS last_date FROM (
          SELECT first_date, last_date FROM event_rollup_members WHERE k.period IS NOT NULL AND grain = k.grain AND period = k.period
          UNION ALL
          SELECT first_date, last_date FROM event_rollup_members WHERE k.period IS NULL AND grain = k.grain AND period IS NULL) m) x
     WHERE r.grain = k.grain AND r.period IS NOT DISTINCT FROM k.period;
    UPDATE event_rollup_by_country_total r SET first_date = x.first_date, last_date = x.last_date
      FROM (SELECT DISTINCT country_id FROM event_rollup_delta WHERE sign < 0) k
      CROSS JOIN LATERAL (
        SELECT min(m.first_date) AS first_date, max(m.last_date) AS last_date FROM (
          SELECT first_date, last_date FROM event_rollup_members WHERE k.country_id IS NOT NULL AND country_id = k.country_id
          UNION ALL
          SELECT first_date, last_date FROM event_rollup_members WHERE k.country_id IS NULL AND country_id IS NULL) m) x
     WHERE r.country_id IS NOT DISTINCT FROM k.country_id;
  END IF;
  TRUNCATE event_rollup_delta;
END $$;
--> statement-breakpoint

-- As before, without the lock, and with the sums changed in key order, so that two drainers
-- changing the same groups lock them in the same order.
CREATE OR REPLACE FUNCTION actor_rollups_apply_delta() RETURNS void LANGUAGE plpgsql AS $$
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
   ORDER BY 1, 2, 3, 4
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
   ORDER BY 1, 2, 3, 4
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
   ORDER BY 1, 2
  ON CONFLICT ON CONSTRAINT actor_rollup_by_role_key DO UPDATE SET
    events = r.events + excluded.events, killed_min = r.killed_min + excluded.killed_min,
    killed_max = r.killed_max + excluded.killed_max, killed_open = r.killed_open + excluded.killed_open,
    killed_reported = r.killed_reported + excluded.killed_reported;

  IF NOT EXISTS (SELECT 1 FROM actor_link_delta WHERE sign < 0) THEN RETURN; END IF;
  -- Groups that lost rows: the emptied ones go, the others get their first/last dates again (a
  -- minimum cannot be subtracted), each level from the one below it. This drainer holds their
  -- row locks since the upserts above, and each statement below reads a newer snapshot.
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

CREATE OR REPLACE FUNCTION actor_links_refresh(event_ids integer[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN 0; END IF;
  CREATE TEMP TABLE IF NOT EXISTS actor_link_delta (sign smallint NOT NULL, LIKE actor_event_links) ON COMMIT DELETE ROWS;
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

CREATE OR REPLACE FUNCTION event_doctrines_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN; END IF;
  CREATE TEMP TABLE IF NOT EXISTS event_doctrine_delta (sign smallint NOT NULL, LIKE event_doctrines) ON COMMIT DELETE ROWS;
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
     ORDER BY 1, 2, 3
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
DROP FUNCTION summaries_lock();
--> statement-breakpoint

-- 4. The drain. -------------------------------------------------------------------------------------

-- Takes up to max_keys keys, oldest first, from partitions no other drainer holds (up to half of
-- them, so that one call covers writes spread over many partitions and another drainer still
-- finds some to take), and brings their summaries up to date; returns how many keys it took (0:
-- nothing to do, or every partition with work is being drained). Each call is meant to be its own
-- transaction.
CREATE FUNCTION summaries_drain(max_keys integer DEFAULT 500) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  claimed smallint[];
  taken integer;
  full_refresh integer[];
  doctrines_only integer[];
BEGIN
  claimed := ARRAY(
    SELECT s.part FROM summary_partitions s
     WHERE EXISTS (SELECT 1 FROM summary_queue q WHERE q.part = s.part)
     ORDER BY (SELECT min(q.marked_at) FROM summary_queue q WHERE q.part = s.part), s.part
     LIMIT 8 FOR UPDATE OF s SKIP LOCKED);
  IF cardinality(claimed) = 0 THEN RETURN 0; END IF;

  CREATE TEMP TABLE IF NOT EXISTS summary_taken (kind text, id integer, marked_at timestamptz) ON COMMIT DELETE ROWS;
  WITH gone AS (
    DELETE FROM summary_queue q
     WHERE q.ctid = ANY(ARRAY(SELECT ctid FROM summary_queue WHERE part = ANY(claimed) ORDER BY marked_at LIMIT max_keys))
    RETURNING q.kind, q.id, q.marked_at)
  INSERT INTO summary_taken SELECT kind, id, marked_at FROM gone;
  GET DIAGNOSTICS taken = ROW_COUNT;

  -- Keys standing for many events become event keys (keeping when their write queued them), drained
  -- by later calls in the events' own partitions.
  INSERT INTO summary_queue (kind, id, marked_at)
  SELECT 'event', p.event_id, min(t.marked_at)
    FROM summary_taken t
    CROSS JOIN LATERAL actors_folded_into(ARRAY[t.id], 'infinity') f
    JOIN participations p ON p.actor_id = f.actor_id
   WHERE t.kind = 'actor_events'
   GROUP BY p.event_id;
  INSERT INTO summary_queue (kind, id, marked_at)
  SELECT 'event_doctrines', p.event_id, min(t.marked_at)
    FROM summary_taken t
    CROSS JOIN LATERAL actors_folded_into(ARRAY[canonical_actor(t.id, 'infinity')], 'infinity') f
    JOIN participations p ON p.actor_id = f.actor_id AND p.role IN ('PERPETRATOR', 'CLAIMED_RESPONSIBILITY')
   WHERE t.kind = 'actor_doctrines'
   GROUP BY p.event_id;
  INSERT INTO summary_queue (kind, id, marked_at)
  SELECT 'event', e.id, min(t.marked_at)
    FROM summary_taken t JOIN events e ON e.place_id = t.id
   WHERE t.kind = 'place'
   GROUP BY e.id;

  full_refresh := ARRAY(SELECT DISTINCT id FROM summary_taken WHERE kind = 'event' ORDER BY id);
  doctrines_only := ARRAY(SELECT DISTINCT id FROM summary_taken WHERE kind = 'event_doctrines' AND id <> ALL(full_refresh) ORDER BY id);
  PERFORM event_rollups_refresh(full_refresh);
  PERFORM actor_links_refresh(full_refresh);
  -- Doctrine rows carry the event's country, kind and casualties: an event refresh redoes them too.
  PERFORM event_doctrines_refresh(full_refresh || doctrines_only);
  TRUNCATE summary_taken;
  RETURN taken;
END $$;
--> statement-breakpoint

-- Up to when every committed write is in the summaries: the start of the oldest write whose keys
-- are still queued, or now when none is.
CREATE FUNCTION summaries_complete_up_to() RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT min(marked_at) FROM summary_queue), now())
$$;
--> statement-breakpoint

-- Rebuilds every summary from the base tables, set-based, and empties the queue: for a bulk load
-- (seed:synthetic) that queued millions of keys, which a set-based rebuild summarizes far faster
-- than batches of keys would. It holds every partition meanwhile, so no drainer works beside it.
CREATE FUNCTION summaries_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM summary_partitions FOR UPDATE;
  DELETE FROM summary_queue;
  TRUNCATE event_rollup_members, event_rollup_by_kind, event_rollup_by_country, event_rollup_by_period,
    event_rollup_by_country_total, actor_event_links, actor_rollup, actor_rollup_timeline, actor_rollup_by_role,
    event_doctrines, doctrine_rollup;
  INSERT INTO event_rollup_members (event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date)
  SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date FROM event_rollup_members_expected;
  INSERT INTO event_rollup_by_kind (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT grain, period, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date)
    FROM event_rollup_members GROUP BY grain, period, kind;
  INSERT INTO event_rollup_by_country (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT grain, period, country_id, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date)
    FROM event_rollup_members GROUP BY grain, period, country_id;
  INSERT INTO event_rollup_by_period (grain, period, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT grain, period, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date)
    FROM event_rollup_members GROUP BY grain, period;
  INSERT INTO event_rollup_by_country_total (country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT country_id, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date)
    FROM event_rollup_members GROUP BY country_id;

  INSERT INTO actor_event_links
    (event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date)
  SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date
    FROM actor_event_links_expected;
  INSERT INTO actor_rollup
    (actor_id, roles, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT actor_id, roles, country_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date)
    FROM actor_event_links
   GROUP BY GROUPING SETS ((actor_id, roles), (actor_id, roles, country_id), (actor_id, roles, country_id, kind));
  INSERT INTO actor_rollup_timeline (actor_id, roles, grain, period, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT actor_id, roles, grain, period, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
    FROM actor_event_links GROUP BY actor_id, roles, grain, period;
  INSERT INTO actor_rollup_by_role (actor_id, role, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT l.actor_id, x.role, count(*), coalesce(sum(l.killed_min), 0), coalesce(sum(l.killed_max), 0),
         count(*) FILTER (WHERE l.killed_min IS NOT NULL AND l.killed_max IS NULL), count(l.killed_min)
    FROM actor_event_links l
    CROSS JOIN LATERAL (SELECT r AS role FROM unnest(enum_range(NULL::participation_role)) r
                         WHERE l.roles & participation_role_bit(r) <> 0
                        UNION ALL SELECT NULL) x
   WHERE l.actor_id <> 0
   GROUP BY l.actor_id, x.role;
  INSERT INTO event_doctrines (event_id, doctrine_id, country_id, kind, killed_min, killed_max)
  SELECT event_id, doctrine_id, country_id, kind, killed_min, killed_max FROM event_doctrines_expected;
  INSERT INTO doctrine_rollup (doctrine_id, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT doctrine_id, country_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
    FROM event_doctrines
   GROUP BY GROUPING SETS ((doctrine_id), (doctrine_id, country_id, kind));
END $$;
--> statement-breakpoint

INSERT INTO summary_partitions (part) SELECT generate_series(0, 15);
--> statement-breakpoint

-- 5. Existing events: what they add to the event rollups (which the old triggers kept exact).
INSERT INTO event_rollup_members (event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date)
SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date FROM event_rollup_members_expected;
--> statement-breakpoint
ANALYZE event_rollup_members;
