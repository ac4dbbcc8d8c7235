-- The dashboard summaries: tables of counts that answer live aggregates (docs/performance.md).
--
-- * event rollups (event_rollup_by_kind, _by_country, _by_period, _by_country_total) count the
--   live events of each calendar bucket, from event_rollup_members (what each event adds);
-- * actor_event_links holds one row per (event, actor as merged now) with the roles of its live
--   participations, plus one per event for "any actor" (actor 0); actor_rollup, _timeline and
--   _by_role are sums over it, and a map by actor sums its rows per place (their place_id);
-- * event_doctrines and doctrine_rollup count events by the doctrines of their perpetrators and
--   claimants; actor_doctrine_sets remembers each (merged) actor's doctrines as counted there.
--
-- The same drain calls make the search documents that bulk statements left out (src/db/sql/search.sql,
-- search_documents_refresh), from source_search and citation_search keys and the event keys.
--
-- Writes do not touch them. Their triggers append the keys they made stale to summary_queue in
-- their own transaction; summaries_drain (called in a loop by every server process, and at the
-- end of an import or seed) recomputes those keys from the base tables and adds the difference
-- to the sums. Why no change can be lost (the race a lock once prevented: two writers on one
-- event each computing the summary from their own snapshot):
-- * A key becomes visible exactly when the change that queued it commits. A drainer deletes the
--   keys it takes before it recomputes them, and under READ COMMITTED each later statement sees at
--   least what the deleting one saw, so the recompute includes the change. A change committed
--   after that is queued by its own key and recomputed by a later drain.
-- * The queue is cut into partitions by key (summary_queue.part); a drainer works on partitions it
--   locked FOR UPDATE SKIP LOCKED in summary_partitions, so the per-event rows of one event
--   (event_rollup_members, actor_event_links, event_doctrines) are only ever recomputed by one
--   drainer at a time. Drainers on other partitions meet only at the sums, which they change by
--   adding differences (ON CONFLICT ... DO UPDATE adds to the latest row version) in key order (no
--   deadlock); a group that lost a row has its first/last dates recomputed by a statement after
--   that row lock is held, so it sees every drainer that committed a change to the group before.
-- * Keys that stand for many events (an actor's, a place's) are expanded by the drainer into event
--   keys, read from the base tables after the key was seen: an event linked later is queued by the
--   write that links it. An adherence is the exception: it changes nothing unless its actor's set
--   of doctrines changes, and then only the rows of that doctrine (summaries_drain).
-- Writers only insert into summary_queue, which has no unique key and no sequence: no writer waits
-- for another because of the summaries, and nothing is shared by every writer of a cluster.

-- 1. What a summary row says about an event. --------------------------------------------------

-- The finest calendar bucket that holds all of an event's possible dates (MONTH, QUARTER, YEAR,
-- or NONE for undated, open or multi-year events), so a timeline never puts an event known only
-- to the year into a month; and the bucket's first day.
-- Each branch is an event_grain constant: a CASE of text cast to the enum as a whole calls
-- enum_in (STABLE) at run time, which stops an IMMUTABLE function from being inlined, and a call
-- per event costs five times the inlined CASE (tests/sql-functions.test.ts).
CREATE OR REPLACE FUNCTION event_grain_of(earliest date, latest date) RETURNS event_grain
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN earliest IS NULL OR latest IS NULL THEN 'NONE'::event_grain
    WHEN date_trunc('month', earliest::timestamp) = date_trunc('month', latest::timestamp) THEN 'MONTH'::event_grain
    WHEN date_trunc('quarter', earliest::timestamp) = date_trunc('quarter', latest::timestamp) THEN 'QUARTER'::event_grain
    WHEN date_trunc('year', earliest::timestamp) = date_trunc('year', latest::timestamp) THEN 'YEAR'::event_grain
    ELSE 'NONE'::event_grain
  END;

CREATE OR REPLACE FUNCTION event_period_of(earliest date, latest date) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE event_grain_of(earliest, latest)
    WHEN 'MONTH' THEN date_trunc('month', earliest::timestamp)::date
    WHEN 'QUARTER' THEN date_trunc('quarter', earliest::timestamp)::date
    WHEN 'YEAR' THEN date_trunc('year', earliest::timestamp)::date
  END;

-- The last day of a rollup bucket, for date bounds: a bucket wholly inside [from, to] is read
-- from the rollup, and only the events of the rest from events.
CREATE OR REPLACE FUNCTION event_period_end(grain event_grain, period date) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE grain
    WHEN 'MONTH' THEN (period + interval '1 month' - interval '1 day')::date
    WHEN 'QUARTER' THEN (period + interval '3 months' - interval '1 day')::date
    WHEN 'YEAR' THEN (period + interval '1 year' - interval '1 day')::date
  END;

-- An event's casualty vector (src/db/casualties.ts): for killed then wounded, the total and then
-- each category, six numbers: low, best, whether a best is known, high, whether the high is open
-- ("over 100"), whether a figure is given at all. An exact figure (low = high) is its own best.
-- event_casualty_vector stops after the last measure the event gives (empty for no figure at all):
-- every sum reads a missing number as zero.
CREATE OR REPLACE FUNCTION casualty_slot(low integer, best integer, high integer) RETURNS bigint[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN low IS NULL THEN ARRAY[0, 0, 0, 0, 0, 0]::bigint[]
              ELSE ARRAY[low, coalesce(best, CASE WHEN high = low THEN low END, 0),
                         (best IS NOT NULL OR high = low)::int, coalesce(high, 0), (high IS NULL)::int, 1]::bigint[] END;

-- Each category's slot of one measure's parts (src/db/casualties.ts writes the body).
CREATE OR REPLACE FUNCTION casualty_parts_slots(parts jsonb) RETURNS bigint[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN {{casualty_parts_slots}};
-- Its former helper, a subquery per category.
DROP FUNCTION IF EXISTS casualty_part_slot(jsonb, text);

CREATE OR REPLACE FUNCTION event_casualty_vector(killed_min integer, killed_best integer, killed_max integer, killed_parts jsonb,
                                                 wounded_min integer, wounded_best integer, wounded_max integer, wounded_parts jsonb)
RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN {{casualty_vector_of_event}};

-- Two sums of vectors added element by element (an empty vector, left by the migration that added
-- the column until the rebuild at the end of this file, counts as zeros).
CREATE OR REPLACE FUNCTION casualty_vector_add(a bigint[], b bigint[]) RETURNS bigint[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ARRAY(SELECT coalesce(x, 0) + coalesce(y, 0) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i) ORDER BY i);

-- 2. Actors ------------------------------------------------------------------------------------

-- Each role's bit in a `roles` mask. Written out, not taken from the enum's order, so that a role
-- added to the enum later cannot shift the bits of stored masks; tests/actor-rollup.test.ts
-- fails if a role has no bit.
CREATE OR REPLACE FUNCTION participation_role_bit(role participation_role) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE role
    WHEN 'PERPETRATOR' THEN 1 WHEN 'CLAIMED_RESPONSIBILITY' THEN 2 WHEN 'ATTRIBUTED' THEN 4
    WHEN 'IMPLICATED' THEN 8 WHEN 'INSPIRED' THEN 16 WHEN 'TARGET' THEN 32 WHEN 'VICTIM' THEN 64
  END::smallint;

-- The sides of a dyad (src/domain/events/dyads.ts, sidesOf; the TS constants SIDE_A_ROLES,
-- SIDE_B_ROLES and FIGHT_KINDS say the same, and tests/field-standards.test.ts checks that they
-- agree). A role's side: 1 (side A) who acted, 2 (side B) who was acted against, null for roles too
-- weak to make a side.
CREATE OR REPLACE FUNCTION participation_side_role(role participation_role) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE role
    WHEN 'PERPETRATOR' THEN 1 WHEN 'CLAIMED_RESPONSIBILITY' THEN 1 WHEN 'ATTRIBUTED' THEN 1
    WHEN 'TARGET' THEN 2 WHEN 'VICTIM' THEN 2
  END::smallint;

-- The kinds whose sides both fought (those ACLED codes as Battles: standard-types.ts).
CREATE OR REPLACE FUNCTION event_kind_is_fight(kind event_kind) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN kind IN ('ARMED_CLASH', 'STORMING', 'TAKEOVER');

-- Whether a side-making participation is on side A: acted against, side B; acted naming a side, that
-- side; acted naming none, side A, except in a fight where no participation names a side and no one
-- was acted against (`unnamed_fight`, a window over the event's side-making participations), where
-- only the first actor recorded as acting (`first_actor`, the one with the lowest claim id) is.
-- Called by actor_event_links_of and by eventSidesSql (src/graphql/loaders/dyads.ts), which compute
-- the two windows alike.
CREATE OR REPLACE FUNCTION participation_on_side_a(acted_against boolean, side dyad_side, unnamed_fight boolean,
                                                   first_actor integer, actor integer) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN acted_against THEN false
              WHEN side IS NOT NULL THEN side = 'A'
              WHEN unnamed_fight THEN actor = first_actor
              ELSE true END;

-- The mask of a filter's roles: null (no filter) stays null, an empty list is 0 (matches nothing).
CREATE OR REPLACE FUNCTION participation_roles_mask(roles participation_role[]) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN roles IS NULL THEN NULL
              ELSE coalesce((SELECT bit_or(participation_role_bit(r)) FROM unnest(roles) r), 0)::smallint END;

-- A link row's confidence per role (actor_event_links.role_confidence): element i is for the
-- role of bit 2^(i-1) (participation_role_bit), and holds the best confidence of the actor's live
-- links to the event in that role, capped by the confidence of the event's report; -1 where the
-- actor has no live link in that role. An event counts for an actor under a floor F when one of
-- its links passes F and its report does (src/graphql/types/event.ts, eventConditions), i.e. when
-- some element is >= F; with roles, some element of those roles.
-- Written out per element (seven roles, as link_roles_at), not as a subquery over unnest, so that
-- it is inlined into the drainer's view instead of called once per link.
CREATE OR REPLACE FUNCTION link_role_confidence(best smallint[], report smallint) RETURNS smallint[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ARRAY[CASE WHEN best[1] < 0 THEN -1::smallint ELSE least(best[1], report) END,
               CASE WHEN best[2] < 0 THEN -1::smallint ELSE least(best[2], report) END,
               CASE WHEN best[3] < 0 THEN -1::smallint ELSE least(best[3], report) END,
               CASE WHEN best[4] < 0 THEN -1::smallint ELSE least(best[4], report) END,
               CASE WHEN best[5] < 0 THEN -1::smallint ELSE least(best[5], report) END,
               CASE WHEN best[6] < 0 THEN -1::smallint ELSE least(best[6], report) END,
               CASE WHEN best[7] < 0 THEN -1::smallint ELSE least(best[7], report) END];

-- The mask of the roles whose element of a role_confidence array is at least `floor`: a floored
-- read matches a row when this shares a bit with its roles (or is not 0, without roles).
-- Written out per element, so that it costs a few comparisons per row of an index-only scan.
CREATE OR REPLACE FUNCTION link_roles_at(conf smallint[], floor integer) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ((CASE WHEN conf[1] >= floor THEN 1 ELSE 0 END) | (CASE WHEN conf[2] >= floor THEN 2 ELSE 0 END)
        | (CASE WHEN conf[3] >= floor THEN 4 ELSE 0 END) | (CASE WHEN conf[4] >= floor THEN 8 ELSE 0 END)
        | (CASE WHEN conf[5] >= floor THEN 16 ELSE 0 END) | (CASE WHEN conf[6] >= floor THEN 32 ELSE 0 END)
        | (CASE WHEN conf[7] >= floor THEN 64 ELSE 0 END))::smallint;

-- The element of a role_confidence array that holds a role's confidence (bit 2^(i-1) of
-- participation_role_bit is element i); src/graphql/loaders/analytics.ts spells the same (ROLE_SLOTS).
CREATE OR REPLACE FUNCTION participation_role_slot(role participation_role) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE role
    WHEN 'PERPETRATOR' THEN 1 WHEN 'CLAIMED_RESPONSIBILITY' THEN 2 WHEN 'ATTRIBUTED' THEN 3
    WHEN 'IMPLICATED' THEN 4 WHEN 'INSPIRED' THEN 5 WHEN 'TARGET' THEN 6 WHEN 'VICTIM' THEN 7
  END;

-- The confidence bands a link row counts in for the top-actor floors: one row per role of its set
-- (that role's element of role_confidence) and one for any role (role null: its best element).
-- Read by the drainer (actor_role_floors_apply_delta) and the rebuild (actor_role_floors_rebuild).
CREATE OR REPLACE FUNCTION link_role_bands(roles smallint, conf smallint[])
  RETURNS TABLE (role participation_role, band smallint) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT r, conf[participation_role_slot(r)] FROM unnest(enum_range(NULL::participation_role)) r
   WHERE roles & participation_role_bit(r) <> 0
  UNION ALL SELECT NULL, (SELECT max(c) FROM unnest(conf) c)
$$;

-- 3. Writers queue the keys they make stale. ------------------------------------------------------

CREATE OR REPLACE FUNCTION summaries_queue_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO summary_queue (kind, id) SELECT 'event', id FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO summary_queue (kind, id) SELECT 'event', id FROM old_rows;
  ELSE
    -- Only what a summary reads: an edit of the title or description changes none.
    INSERT INTO summary_queue (kind, id)
    SELECT 'event', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (n.date_earliest, n.date_latest, n.place_id, n.kind, n.claim_id, n.killed_min, n.killed_best, n.killed_max,
            n.killed_parts, n.wounded_min, n.wounded_best, n.wounded_max, n.wounded_parts)
           IS DISTINCT FROM (o.date_earliest, o.date_latest, o.place_id, o.kind, o.claim_id, o.killed_min, o.killed_best, o.killed_max,
            o.killed_parts, o.wounded_min, o.wounded_best, o.wounded_max, o.wounded_parts);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_summaries_insert ON events;
CREATE TRIGGER events_summaries_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_events();

DROP TRIGGER IF EXISTS events_summaries_update ON events;
CREATE TRIGGER events_summaries_update AFTER UPDATE ON events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_events();

DROP TRIGGER IF EXISTS events_summaries_delete ON events;
CREATE TRIGGER events_summaries_delete AFTER DELETE ON events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_events();

CREATE OR REPLACE FUNCTION summaries_queue_participations() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER IF EXISTS participations_summaries_insert ON participations;
CREATE TRIGGER participations_summaries_insert AFTER INSERT ON participations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_participations();

DROP TRIGGER IF EXISTS participations_summaries_update ON participations;
CREATE TRIGGER participations_summaries_update AFTER UPDATE ON participations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_participations();

DROP TRIGGER IF EXISTS participations_summaries_delete ON participations;
CREATE TRIGGER participations_summaries_delete AFTER DELETE ON participations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_participations();

-- An adherence changes the doctrines of the events its actor (as merged) perpetrated or claimed.
CREATE OR REPLACE FUNCTION summaries_queue_adherences() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER IF EXISTS adherences_summaries_insert ON adherences;
CREATE TRIGGER adherences_summaries_insert AFTER INSERT ON adherences
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_adherences();

DROP TRIGGER IF EXISTS adherences_summaries_update ON adherences;
CREATE TRIGGER adherences_summaries_update AFTER UPDATE ON adherences
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_adherences();

DROP TRIGGER IF EXISTS adherences_summaries_delete ON adherences;
CREATE TRIGGER adherences_summaries_delete AFTER DELETE ON adherences
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_adherences();

-- A retracted (or, in tests, restored) claim: a participation's event, an adherence's actor, a
-- report's event; and a report graded anew (claims_summaries_regraded): its event.
CREATE OR REPLACE FUNCTION summaries_queue_claims() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER IF EXISTS claims_summaries_retracted ON claims;
CREATE TRIGGER claims_summaries_retracted AFTER UPDATE OF retracted_at ON claims
  FOR EACH ROW WHEN (NEW.kind IN ('PARTICIPATION', 'ADHERENCE', 'EVENT_REPORT') AND OLD.retracted_at IS DISTINCT FROM NEW.retracted_at)
  EXECUTE FUNCTION summaries_queue_claims();

-- A report graded anew (its source's reliability changed, or a citation of another source came or
-- went; or its credibility) moves its event between the grade groups of event_rollup_by_band_period
-- and _by_band_country. Only reports: links keep no grades.
DROP TRIGGER IF EXISTS claims_summaries_regraded ON claims;
CREATE TRIGGER claims_summaries_regraded AFTER UPDATE OF source_reliability, credibility ON claims
  FOR EACH ROW WHEN (NEW.kind = 'EVENT_REPORT' AND NEW.retracted_at IS NULL
                     AND (OLD.source_reliability, OLD.credibility) IS DISTINCT FROM (NEW.source_reliability, NEW.credibility))
  EXECUTE FUNCTION summaries_queue_claims();

-- A place moved to another country moves the events there.
CREATE OR REPLACE FUNCTION summaries_queue_places() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_queue (kind, id)
  SELECT 'place', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.country_id IS DISTINCT FROM n.country_id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS places_summaries_update ON places;
CREATE TRIGGER places_summaries_update AFTER UPDATE ON places
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_places();

-- A merge (or its undoing) moves the removed actor's links to the kept one, and can change the
-- doctrines of the kept actor's own events.
CREATE OR REPLACE FUNCTION summaries_queue_merges() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER IF EXISTS actor_merges_summaries_insert ON actor_merges;
CREATE TRIGGER actor_merges_summaries_insert AFTER INSERT ON actor_merges
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_merges();

DROP TRIGGER IF EXISTS actor_merges_summaries_update ON actor_merges;
CREATE TRIGGER actor_merges_summaries_update AFTER UPDATE ON actor_merges
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_merges();

DROP TRIGGER IF EXISTS actor_merges_summaries_delete ON actor_merges;
CREATE TRIGGER actor_merges_summaries_delete AFTER DELETE ON actor_merges
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION summaries_queue_merges();

-- What a summary row says about an event, for events whose report is live (as `events` lists them);
-- and the report's confidence, which caps its links' (actor_event_links.role_confidence).
CREATE OR REPLACE VIEW live_event_facts AS
SELECT e.id AS event_id, coalesce(pl.country_id, 0) AS country_id, e.kind,
       event_grain_of(e.date_earliest, e.date_latest) AS grain, event_period_of(e.date_earliest, e.date_latest) AS period,
       e.killed_min, e.killed_max,
       coalesce(e.date_earliest, e.date_latest) AS first_date, coalesce(e.date_latest, e.date_earliest) AS last_date,
       event_casualty_vector(e.killed_min, e.killed_best, e.killed_max, e.killed_parts,
                             e.wounded_min, e.wounded_best, e.wounded_max, e.wounded_parts) AS casualties,
       coalesce(e.place_id, 0) AS place_id, report.confidence
  FROM events e
  JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
  LEFT JOIN places pl ON pl.id = e.place_id;

-- 4. The drainer's recomputations. -----------------------------------------------------------------

-- What each live event adds to the event rollups, from the base tables.
CREATE OR REPLACE VIEW event_rollup_members_expected AS
SELECT e.id AS event_id, event_grain_of(e.date_earliest, e.date_latest) AS grain,
       event_period_of(e.date_earliest, e.date_latest) AS period, e.kind, pl.country_id,
       e.killed_min, e.killed_max,
       coalesce(e.date_earliest, e.date_latest) AS first_date, coalesce(e.date_latest, e.date_earliest) AS last_date,
       event_casualty_vector(e.killed_min, e.killed_best, e.killed_max, e.killed_parts,
                             e.wounded_min, e.wounded_best, e.wounded_max, e.wounded_parts) AS casualties,
       report.confidence,
       -- The report's grades as a floor compares them (claimPasses): no graded source counts as F,
       -- no credibility as 6 (cannot be judged).
       coalesce(report.source_reliability, 'F') AS reliability, coalesce(report.credibility, 6)::smallint AS credibility
  FROM events e
  JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
  LEFT JOIN places pl ON pl.id = e.place_id;

-- What actor_event_links must hold for these events, from the base tables: a row per event and
-- actor (as merged now) it has a live link with, and one for all actors (actor 0). The event's
-- place (0 for none) is kept for maps by actor; its coordinates are not (place_locations is
-- joined when a map is read), so moving a place changes no row here. role_confidence: per role,
-- the best live link's confidence capped by the report's (link_role_confidence), for floors.
-- The per-role maxima are spelled in participation_role_bit's order (bit 2^(i-1) is element i).
-- Each event's facts are computed once and its actor-0 row is folded from its actors' rows (the
-- union of their roles, the best of their bests): as a view joining the facts to every link row and
-- reading the participations a second time for actor 0, 10,000 dataset events (two actors each,
-- casualties split by category) took ~1.0 s against ~0.5 s.
DROP VIEW IF EXISTS actor_event_links_expected;
-- Dropped first: its rows gained a column (sides), which CREATE OR REPLACE cannot add.
DROP FUNCTION IF EXISTS actor_event_links_of(integer[]);
CREATE OR REPLACE FUNCTION actor_event_links_of(event_ids integer[])
RETURNS TABLE (event_id integer, actor_id integer, roles smallint, country_id integer, kind event_kind, grain event_grain,
               period date, killed_min integer, killed_max integer, first_date date, last_date date, casualties bigint[],
               place_id integer, role_confidence smallint[], sides smallint)
LANGUAGE sql STABLE AS $$
  WITH live AS MATERIALIZED (
         SELECT p.event_id, coalesce(m.canonical_id, p.actor_id) AS actor_id, p.role, p.side, p.claim_id, c.confidence
           FROM participations p
           JOIN claims c ON c.id = p.claim_id AND c.retracted_at IS NULL
           LEFT JOIN actor_folds('infinity') m ON m.actor_id = p.actor_id
          WHERE p.event_id = ANY(event_ids)),
       links AS MATERIALIZED (
         SELECT p.event_id, p.actor_id,
                bit_or(participation_role_bit(p.role))::smallint AS roles,
                ARRAY[coalesce(max(p.confidence) FILTER (WHERE p.role = 'PERPETRATOR'), -1),
                      coalesce(max(p.confidence) FILTER (WHERE p.role = 'CLAIMED_RESPONSIBILITY'), -1),
                      coalesce(max(p.confidence) FILTER (WHERE p.role = 'ATTRIBUTED'), -1),
                      coalesce(max(p.confidence) FILTER (WHERE p.role = 'IMPLICATED'), -1),
                      coalesce(max(p.confidence) FILTER (WHERE p.role = 'INSPIRED'), -1),
                      coalesce(max(p.confidence) FILTER (WHERE p.role = 'TARGET'), -1),
                      coalesce(max(p.confidence) FILTER (WHERE p.role = 'VICTIM'), -1)]::smallint[] AS best
           FROM live p
          GROUP BY 1, 2),
       facts AS MATERIALIZED (SELECT * FROM live_event_facts f WHERE f.event_id = ANY(event_ids)),
       -- Each actor's sides in its event's dyad (bit 1 side A, bit 2 side B), as eventSidesSql gives
       -- them live and without a floor: the OPPONENT breakdown reads them from these rows.
       sided AS (
         SELECT s.event_id, s.actor_id,
                participation_on_side_a(s.acted_against, s.side,
                  event_kind_is_fight(f.kind) AND bool_and(NOT s.acted_against AND s.side IS NULL) OVER (PARTITION BY s.event_id),
                  first_value(s.actor_id) OVER (PARTITION BY s.event_id ORDER BY s.claim_id), s.actor_id) AS on_side_a
           FROM (SELECT p.*, participation_side_role(p.role) = 2 AS acted_against FROM live p
                  WHERE participation_side_role(p.role) IS NOT NULL) s
           JOIN facts f ON f.event_id = s.event_id),
       sides AS (
         SELECT s.event_id, s.actor_id, bit_or(CASE WHEN s.on_side_a THEN 1 ELSE 2 END)::smallint AS sides
           FROM sided s GROUP BY 1, 2),
       everyone AS (
         SELECT l.event_id, 0 AS actor_id, bit_or(l.roles)::smallint AS roles,
                ARRAY[max(l.best[1]), max(l.best[2]), max(l.best[3]), max(l.best[4]), max(l.best[5]), max(l.best[6]), max(l.best[7])]::smallint[] AS best
           FROM links l GROUP BY l.event_id)
  SELECT l.event_id, l.actor_id, l.roles, f.country_id, f.kind, f.grain, f.period,
         f.killed_min, f.killed_max, f.first_date, f.last_date, f.casualties, f.place_id,
         link_role_confidence(l.best, f.confidence), coalesce(sd.sides, 0)::smallint
    FROM (SELECT * FROM links UNION ALL SELECT * FROM everyone) l
    JOIN facts f ON f.event_id = l.event_id
    LEFT JOIN sides sd ON sd.event_id = l.event_id AND sd.actor_id = l.actor_id
$$;

-- What event_doctrines must hold: the doctrines that an event's perpetrators or claimants, as
-- merged now, adhere to through a live claim (their own adherences and those of actors merged
-- into them), from actor_event_links; the event's facts from its row for all actors (actor 0).
-- Pairs first, facts after: an actor with many adherences to one doctrine (each its own claim)
-- would otherwise multiply its events' wide rows before DISTINCT folds them again.
CREATE OR REPLACE VIEW event_doctrines_expected AS
SELECT x.event_id, x.doctrine_id, f.country_id, f.kind, f.killed_min, f.killed_max, f.casualties
  FROM (SELECT DISTINCT l.event_id, d.doctrine_id
          FROM actor_event_links l
          JOIN (SELECT DISTINCT coalesce(m.canonical_id, ad.actor_id) AS actor_id, ad.doctrine_id
                  FROM adherences ad
                  JOIN claims c ON c.id = ad.claim_id AND c.retracted_at IS NULL
                  LEFT JOIN actor_folds('infinity') m ON m.actor_id = ad.actor_id) d ON d.actor_id = l.actor_id
         WHERE l.actor_id <> 0
           AND l.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0) x
  JOIN actor_event_links f ON f.event_id = x.event_id AND f.actor_id = 0;

-- The groups of one event rollup (`tbl`, keyed by `keys`; `band` is the members' `confidence`)
-- that lost a member in event_rollup_delta, after its sums were changed: an emptied group is
-- dropped, and one whose first or last date may have left with a lost member has that date
-- recomputed (a minimum cannot be subtracted). Group by group, each key column matched with = or
-- IS NULL, so that every statement is an index lookup: a join on IS NOT DISTINCT FROM (a period or
-- country may be null) could only scan the rollup, 166 MB for the band rollup at a million events.
-- The groups' rows are locked already by the sums' upsert in this transaction.
--
-- When a date needs no recompute. Let M be a group's members before this delta, R those the delta
-- removed from it and A those it added. The stored first_date was min(M) (each drain leaves its
-- groups exact, and a drainer changing the group after us waits for our row lock), and the upsert
-- made it least(min(M), min(A)); the members now are (M − R) ∪ A. If min(A) <= min(R), then
-- min(M ∪ A) = least(min(M − R), min(R), min(A)) = least(min(M − R), min(A)) = min((M − R) ∪ A):
-- the stored first_date is exact. If min(R) > first_date, no removed member was at it, and it is
-- exact too. Only otherwise is it recomputed; last_date likewise with max and >=. (min and max
-- skip undated members, as least and greatest skip nulls; a delta that adds only undated members
-- proves nothing.) An update that rewrites an event's member row with the same dates (a new
-- killed count) removes and adds the same dates in every group of the event: nothing recomputed.
--
-- Where a date is recomputed from (`source`): event_rollup_members, or, for a coarse rollup, a
-- finer one keyed by its columns and more, whose rows with the group's keys split the group's
-- members between them (every event is in one bucket): a country's buckets (by_country) for the
-- country (by_country_total), a bucket's kinds (by_kind) for the bucket (by_period), by_band for a
-- bucket's or a country's band. A minimum of minima, read from a few hundred or thousand rows by
-- index, where the members of the busiest country are 228,000 (1.7 s to read for one band). The
-- finer groups this delta changed are settled before (event_rollups_apply calls them in that
-- order); another drainer's uncommitted change to a finer group is invisible here, but that drainer
-- changes this group too, so it waits for our row lock and settles the group after us.
-- (No default for `source`: beside the two-argument form it replaces, which an older copy of this
-- file would create again, a call with two arguments would be ambiguous.)
DROP FUNCTION IF EXISTS event_rollup_settle(text, text[]);
CREATE OR REPLACE FUNCTION event_rollup_settle(tbl text, keys text[], source text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  member_keys text[] := ARRAY(SELECT CASE WHEN k = 'band' THEN 'confidence' ELSE k END FROM unnest(keys) k);
  source_keys text[] := CASE WHEN source = 'event_rollup_members' THEN member_keys ELSE keys END;
  member_list text := array_to_string(member_keys, ', ');
  lost record;
  key_values jsonb;
  matches text;
  source_matches text;
  stored_first date;
  stored_last date;
  first_stale boolean;
  last_stale boolean;
  found_rows integer;
BEGIN
  FOR lost IN EXECUTE format(
      'SELECT to_jsonb(g) AS v, g.gained, g.lost_first, g.lost_last, g.added_first, g.added_last FROM (
         SELECT %1$s, bool_or(sign > 0) AS gained,
                min(first_date) FILTER (WHERE sign < 0) AS lost_first, max(last_date) FILTER (WHERE sign < 0) AS lost_last,
                min(first_date) FILTER (WHERE sign > 0) AS added_first, max(last_date) FILTER (WHERE sign > 0) AS added_last
           FROM event_rollup_delta GROUP BY %1$s HAVING bool_or(sign < 0) ORDER BY %1$s) g',
      member_list) LOOP
    key_values := lost.v;
    matches := (SELECT string_agg(CASE WHEN key_values ->> m IS NULL THEN format('%I IS NULL', k) ELSE format('%I = %L', k, key_values ->> m) END, ' AND ')
                  FROM unnest(keys, member_keys) AS x(k, m));
    -- A group that gained a member in this delta is not empty.
    IF NOT lost.gained THEN
      EXECUTE format('DELETE FROM %I WHERE %s AND events = 0', tbl, matches);
    END IF;
    first_stale := lost.lost_first IS NOT NULL AND NOT coalesce(lost.added_first <= lost.lost_first, false);
    last_stale := lost.lost_last IS NOT NULL AND NOT coalesce(lost.added_last >= lost.lost_last, false);
    CONTINUE WHEN NOT (first_stale OR last_stale);
    EXECUTE format('SELECT first_date, last_date FROM %I WHERE %s', tbl, matches) INTO stored_first, stored_last;
    GET DIAGNOSTICS found_rows = ROW_COUNT;  -- (EXECUTE does not set FOUND)
    CONTINUE WHEN found_rows = 0;
    first_stale := first_stale AND coalesce(lost.lost_first <= stored_first, true);
    last_stale := last_stale AND coalesce(lost.lost_last >= stored_last, true);
    CONTINUE WHEN NOT (first_stale OR last_stale);
    source_matches := (SELECT string_agg(CASE WHEN key_values ->> m IS NULL THEN format('%I IS NULL', k) ELSE format('%I = %L', k, key_values ->> m) END, ' AND ')
                         FROM unnest(source_keys, member_keys) AS x(k, m));
    -- Each date on its own: a minimum alone can be read from an index in its order (a band's
    -- bucket from event_rollup_members_bucket_idx), and the date that is exact is not read.
    IF first_stale THEN
      EXECUTE format('SELECT min(first_date) FROM %I WHERE %s', source, source_matches) INTO stored_first;
    END IF;
    IF last_stale THEN
      EXECUTE format('SELECT max(last_date) FROM %I WHERE %s', source, source_matches) INTO stored_last;
    END IF;
    EXECUTE format('UPDATE %I SET first_date = $1, last_date = $2 WHERE %s', tbl, matches) USING stored_first, stored_last;
  END LOOP;
END $$;

-- Recomputes the event_rollup_members rows of these events, and sums the difference by the keys of
-- the event rollups (event_rollup_delta_sums) for event_rollups_apply to add to them. The two halves
-- are apart so that a drain call computes everything first and only then locks the sums, which other
-- drainers add to as well (summaries_drain).
CREATE OR REPLACE FUNCTION event_rollups_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS event_rollup_delta (sign smallint NOT NULL, LIKE event_rollup_members) ON COMMIT DELETE ROWS;
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN; END IF;
  INSERT INTO event_rollup_delta
    (sign, event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date, casualties, confidence, reliability, credibility)
  WITH expected AS MATERIALIZED (
         SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date, casualties, confidence, reliability, credibility
           FROM event_rollup_members_expected WHERE event_id = ANY(event_ids)),
       stored AS MATERIALIZED (
         SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date, casualties, confidence, reliability, credibility
           FROM event_rollup_members WHERE event_id = ANY(event_ids))
  -- One row per event on both sides: matched by its id, then by the facts. (EXCEPT ALL hashed whole
  -- rows, the sixty casualty slots too: for 8,000 events' actor links, 650 ms against 360 ms keyed
  -- when they were stored, 245 ms against 215 ms when not.)
  SELECT 1, e.* FROM expected e
   WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.event_id = e.event_id
                       AND (s.grain, s.period, s.kind, s.country_id, s.killed_min, s.killed_max, s.first_date, s.last_date, s.casualties, s.confidence, s.reliability, s.credibility)
                           IS NOT DISTINCT FROM (e.grain, e.period, e.kind, e.country_id, e.killed_min, e.killed_max, e.first_date, e.last_date, e.casualties, e.confidence, e.reliability, e.credibility))
  UNION ALL
  SELECT -1, s.* FROM stored s
   WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE s.event_id = e.event_id
                       AND (s.grain, s.period, s.kind, s.country_id, s.killed_min, s.killed_max, s.first_date, s.last_date, s.casualties, s.confidence, s.reliability, s.credibility)
                           IS NOT DISTINCT FROM (e.grain, e.period, e.kind, e.country_id, e.killed_min, e.killed_max, e.first_date, e.last_date, e.casualties, e.confidence, e.reliability, e.credibility));
  IF NOT FOUND THEN RETURN; END IF;

  DELETE FROM event_rollup_members m USING event_rollup_delta d WHERE d.sign < 0 AND m.event_id = d.event_id;
  INSERT INTO event_rollup_members (event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date, casualties, confidence, reliability, credibility)
  SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date, casualties, confidence, reliability, credibility
    FROM event_rollup_delta WHERE sign > 0;

  -- The delta summed once by every key the rollups below group by: each of the seven then sums a
  -- few dozen rows instead of every delta row and its sixty casualty slots again (an import's drain
  -- call of 900 events spent ~4 ms on each of the seven sums).
  CREATE TEMP TABLE IF NOT EXISTS event_rollup_delta_sums (
    grain event_grain NOT NULL, period date, kind event_kind NOT NULL, country_id integer, confidence smallint,
    reliability source_reliability, credibility smallint, events bigint NOT NULL, killed_min bigint NOT NULL,
    killed_max bigint NOT NULL, killed_open bigint NOT NULL, killed_reported bigint NOT NULL, casualties bigint[] NOT NULL,
    first_date date, last_date date) ON COMMIT DELETE ROWS;
  INSERT INTO event_rollup_delta_sums (grain, period, kind, country_id, confidence, reliability, credibility, events,
                                       killed_min, killed_max, killed_open, killed_reported, casualties, first_date, last_date)
  SELECT d.grain, d.period, d.kind, d.country_id, d.confidence, d.reliability, d.credibility, {{signed_sums_of_d}},
         min(d.first_date) FILTER (WHERE d.sign > 0), max(d.last_date) FILTER (WHERE d.sign > 0)
    FROM event_rollup_delta d
   GROUP BY d.grain, d.period, d.kind, d.country_id, d.confidence, d.reliability, d.credibility;
END $$;

-- Adds the difference event_rollups_refresh left to the seven event rollups (each in key order),
-- then recomputes first/last dates of the groups that lost a row. event_rollup_by_band (and its sums
-- _by_band_period, _by_band_country) keep the report's confidence as a dimension, for aggregates
-- with a floor. Called after event_rollups_refresh in the same transaction, which creates the
-- delta tables.
CREATE OR REPLACE FUNCTION event_rollups_apply() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM event_rollup_delta) THEN RETURN; END IF;
  INSERT INTO event_rollup_by_kind AS r
    (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT d.grain, d.period, d.kind, {{killed_sums_of_d}},
         min(d.first_date), max(d.last_date), {{casualty_sum_of_d_casualties}}
    FROM event_rollup_delta_sums d GROUP BY d.grain, d.period, d.kind ORDER BY d.grain, d.period, d.kind
  ON CONFLICT ON CONSTRAINT event_rollup_by_kind_key DO UPDATE SET
    {{sums_plus_excluded}},
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_country AS r
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT d.grain, d.period, d.country_id, {{killed_sums_of_d}},
         min(d.first_date), max(d.last_date), {{casualty_sum_of_d_casualties}}
    FROM event_rollup_delta_sums d GROUP BY d.grain, d.period, d.country_id ORDER BY d.grain, d.period, d.country_id
  ON CONFLICT ON CONSTRAINT event_rollup_by_country_key DO UPDATE SET
    {{sums_plus_excluded}},
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_period AS r
    (grain, period, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT d.grain, d.period, {{killed_sums_of_d}},
         min(d.first_date), max(d.last_date), {{casualty_sum_of_d_casualties}}
    FROM event_rollup_delta_sums d GROUP BY d.grain, d.period ORDER BY d.grain, d.period
  ON CONFLICT ON CONSTRAINT event_rollup_by_period_key DO UPDATE SET
    {{sums_plus_excluded}},
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_band AS r
    (grain, period, country_id, kind, band, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT d.grain, d.period, d.country_id, d.kind, d.confidence, {{killed_sums_of_d}},
         min(d.first_date), max(d.last_date), {{casualty_sum_of_d_casualties}}
    FROM event_rollup_delta_sums d WHERE d.confidence IS NOT NULL
   GROUP BY d.grain, d.period, d.country_id, d.kind, d.confidence ORDER BY d.grain, d.period, d.country_id, d.kind, d.confidence
  ON CONFLICT ON CONSTRAINT event_rollup_by_band_key DO UPDATE SET
    {{sums_plus_excluded}},
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_band_period AS r
    (grain, period, band, reliability, credibility, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT d.grain, d.period, d.confidence, d.reliability, d.credibility, {{killed_sums_of_d}},
         min(d.first_date), max(d.last_date), {{casualty_sum_of_d_casualties}}
    FROM event_rollup_delta_sums d WHERE d.confidence IS NOT NULL
   GROUP BY d.grain, d.period, d.confidence, d.reliability, d.credibility
   ORDER BY d.grain, d.period, d.confidence, d.reliability, d.credibility
  ON CONFLICT ON CONSTRAINT event_rollup_by_band_period_key DO UPDATE SET
    {{sums_plus_excluded}},
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_band_country AS r
    (country_id, band, reliability, credibility, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT d.country_id, d.confidence, d.reliability, d.credibility, {{killed_sums_of_d}},
         min(d.first_date), max(d.last_date), {{casualty_sum_of_d_casualties}}
    FROM event_rollup_delta_sums d WHERE d.confidence IS NOT NULL
   GROUP BY d.country_id, d.confidence, d.reliability, d.credibility ORDER BY d.country_id, d.confidence, d.reliability, d.credibility
  ON CONFLICT ON CONSTRAINT event_rollup_by_band_country_key DO UPDATE SET
    {{sums_plus_excluded}},
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  INSERT INTO event_rollup_by_country_total AS r
    (country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT d.country_id, {{killed_sums_of_d}},
         min(d.first_date), max(d.last_date), {{casualty_sum_of_d_casualties}}
    FROM event_rollup_delta_sums d GROUP BY d.country_id ORDER BY d.country_id
  ON CONFLICT ON CONSTRAINT event_rollup_by_country_total_key DO UPDATE SET
    {{sums_plus_excluded}},
    first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date);

  IF EXISTS (SELECT 1 FROM event_rollup_delta WHERE sign < 0) THEN
    -- Finer rollups first: a coarse group's dates are read from the rows of a finer rollup
    -- settled before it (event_rollup_settle).
    PERFORM event_rollup_settle('event_rollup_by_kind', ARRAY['grain', 'period', 'kind'], 'event_rollup_members');
    PERFORM event_rollup_settle('event_rollup_by_country', ARRAY['grain', 'period', 'country_id'], 'event_rollup_members');
    PERFORM event_rollup_settle('event_rollup_by_period', ARRAY['grain', 'period'], 'event_rollup_by_kind');
    PERFORM event_rollup_settle('event_rollup_by_country_total', ARRAY['country_id'], 'event_rollup_by_country');
    PERFORM event_rollup_settle('event_rollup_by_band', ARRAY['grain', 'period', 'country_id', 'kind', 'band'], 'event_rollup_members');
    -- The band rollup keeps no grades: these two read the members of the group (a bucket's by
    -- event_rollup_members_bucket_idx, a country's band and grades by event_rollup_members_grade_idx).
    PERFORM event_rollup_settle('event_rollup_by_band_period', ARRAY['grain', 'period', 'band', 'reliability', 'credibility'], 'event_rollup_members');
    PERFORM event_rollup_settle('event_rollup_by_band_country', ARRAY['country_id', 'band', 'reliability', 'credibility'], 'event_rollup_members');
  END IF;
  DELETE FROM event_rollup_delta;
  DELETE FROM event_rollup_delta_sums;
END $$;

-- actor_rollup_by_role per band (actor_rollup_by_role_band: a row counts in each role of its mask
-- at that role's element of role_confidence, and in "any role" at its best element) and per floor
-- (actor_rollup_by_role_floor: for each band, the sum of the bands at or above it, answering the
-- floors from one above the next lower band up to it). A band's change is added to the floor rows
-- at or below it; an actor's role whose set of bands changed (a band came or emptied) has its floor
-- rows recomputed from its band rows instead. Both are safe beside other drainers because every
-- delta row of an actor changes its "any role" row of actor_rollup_by_role, whose row lock the
-- caller took first: a drainer changing the same actor's sums waits for this one to commit, and
-- then reads these rows.
CREATE OR REPLACE FUNCTION actor_role_floors_apply_delta() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS actor_band_delta (
    actor_id integer, role participation_role, band smallint, events bigint, killed_min bigint, killed_max bigint,
    killed_open bigint, killed_reported bigint, new_band boolean) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS actor_role_floor_pairs (actor_id integer, role participation_role) ON COMMIT DELETE ROWS;
  INSERT INTO actor_band_delta (actor_id, role, band, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT d.actor_id, x.role, x.band, {{signed_killed_sums_of_d}}
    FROM actor_link_delta d
    CROSS JOIN LATERAL link_role_bands(d.roles, d.role_confidence) x
   WHERE d.actor_id <> 0
   GROUP BY d.actor_id, x.role, x.band;
  IF NOT FOUND THEN RETURN; END IF;
  UPDATE actor_band_delta d SET new_band = NOT EXISTS (
    SELECT 1 FROM actor_rollup_by_role_band r WHERE r.actor_id = d.actor_id AND r.role IS NOT DISTINCT FROM d.role AND r.band = d.band);

  INSERT INTO actor_rollup_by_role_band AS r
    (actor_id, role, band, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT actor_id, role, band, events, killed_min, killed_max, killed_open, killed_reported
    FROM actor_band_delta ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT actor_rollup_by_role_band_key DO UPDATE SET
    {{killed_sums_plus_excluded}};

  -- The roles whose bands came or emptied.
  INSERT INTO actor_role_floor_pairs SELECT DISTINCT actor_id, role FROM actor_band_delta WHERE new_band;
  WITH emptied AS (
    DELETE FROM actor_rollup_by_role_band r USING actor_band_delta d
     WHERE d.events < 0 AND r.actor_id = d.actor_id AND r.role IS NOT DISTINCT FROM d.role AND r.band = d.band AND r.events = 0
    RETURNING r.actor_id, r.role)
  INSERT INTO actor_role_floor_pairs SELECT DISTINCT actor_id, role FROM emptied;

  -- The others: each floor row adds the changes of the bands at or above it.
  UPDATE actor_rollup_by_role_floor f
     SET events = f.events + x.events, killed_min = f.killed_min + x.killed_min, killed_max = f.killed_max + x.killed_max,
         killed_open = f.killed_open + x.killed_open, killed_reported = f.killed_reported + x.killed_reported
    FROM (SELECT o.actor_id, o.role, o.floor_high, sum(d.events) AS events, sum(d.killed_min) AS killed_min, sum(d.killed_max) AS killed_max,
                 sum(d.killed_open) AS killed_open, sum(d.killed_reported) AS killed_reported
            FROM actor_band_delta d
            JOIN actor_rollup_by_role_floor o ON o.actor_id = d.actor_id AND o.role IS NOT DISTINCT FROM d.role AND o.floor_high <= d.band
           WHERE NOT EXISTS (SELECT 1 FROM actor_role_floor_pairs p WHERE p.actor_id = d.actor_id AND p.role IS NOT DISTINCT FROM d.role)
           GROUP BY o.actor_id, o.role, o.floor_high) x
   WHERE f.actor_id = x.actor_id AND f.role IS NOT DISTINCT FROM x.role AND f.floor_high = x.floor_high;
  PERFORM actor_role_floors_recompute();
  DELETE FROM actor_band_delta;
END $$;

-- Recomputes the floor rows of the actors' roles listed in actor_role_floor_pairs from their band
-- rows, and empties the list.
CREATE OR REPLACE FUNCTION actor_role_floors_recompute() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM actor_rollup_by_role_floor f USING actor_role_floor_pairs p
   WHERE f.actor_id = p.actor_id AND f.role IS NOT DISTINCT FROM p.role;
  INSERT INTO actor_rollup_by_role_floor
    (actor_id, role, floor_low, floor_high, events, killed_min, killed_max, killed_open, killed_reported)
  WITH bands AS MATERIALIZED (
         SELECT b.*, coalesce(b.role::text, '') AS role_key,
                coalesce(lag(b.band) OVER (PARTITION BY b.actor_id, b.role ORDER BY b.band) + 1, 0) AS floor_low
           FROM actor_role_floor_pairs p
           JOIN actor_rollup_by_role_band b ON b.actor_id = p.actor_id AND b.role IS NOT DISTINCT FROM p.role)
  SELECT f.actor_id, f.role, f.floor_low, f.band, sum(l.events), sum(l.killed_min), sum(l.killed_max), sum(l.killed_open),
         sum(l.killed_reported)
    FROM bands f
    JOIN bands l ON l.actor_id = f.actor_id AND l.role_key = f.role_key AND l.band >= f.band
   GROUP BY f.actor_id, f.role, f.floor_low, f.band
   ORDER BY 1, 2, 4;
  DELETE FROM actor_role_floor_pairs;
END $$;

-- The actor link delta summed by the finest group of the actor rollups (actor_links_refresh writes
-- it, actor_rollups_apply_delta adds it to the rollups).
CREATE OR REPLACE FUNCTION actor_link_delta_sums_create() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS actor_link_delta_sums (
    actor_id integer NOT NULL, roles smallint NOT NULL, country_id integer NOT NULL, kind event_kind NOT NULL,
    grain event_grain NOT NULL, period date, events bigint NOT NULL, killed_min bigint NOT NULL, killed_max bigint NOT NULL,
    killed_open bigint NOT NULL, killed_reported bigint NOT NULL, casualties bigint[] NOT NULL, first_date date, last_date date)
    ON COMMIT DELETE ROWS;
END $$;

-- As before, without the lock, and with the sums changed in key order, so that two drainers
-- changing the same groups lock them in the same order.
CREATE OR REPLACE FUNCTION actor_rollups_apply_delta() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  emptied tid[];
BEGIN
  -- From the delta's sums by the finest group (actor_links_refresh): these statements run while the
  -- call holds the busiest rows' locks, which other drainers wait for.
  PERFORM actor_link_delta_sums_create();
  -- Every row the delta changes is upserted here, so the rows it leaves empty are among those it
  -- returns: kept (by their row ids, locked by this call until it commits) for the DELETE below.
  WITH upserted AS (
    INSERT INTO actor_rollup AS r
      (actor_id, roles, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
    SELECT d.actor_id, d.roles, d.country_id, d.kind, {{killed_sums_of_d}},
           min(d.first_date), max(d.last_date), {{casualty_sum_of_d_casualties}}
      FROM actor_link_delta_sums d
     GROUP BY GROUPING SETS ((d.actor_id, d.roles), (d.actor_id, d.roles, d.country_id), (d.actor_id, d.roles, d.country_id, d.kind))
     ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT actor_rollup_key DO UPDATE SET
      {{sums_plus_excluded}},
      first_date = least(r.first_date, excluded.first_date), last_date = greatest(r.last_date, excluded.last_date)
    RETURNING r.ctid AS row_id, r.events)
  SELECT array_agg(row_id) FILTER (WHERE events = 0) INTO emptied FROM upserted;

  INSERT INTO actor_rollup_timeline AS r
    (actor_id, roles, grain, period, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT d.actor_id, d.roles, d.grain, d.period, {{killed_sums_of_d}}, {{casualty_sum_of_d_casualties}}
    FROM actor_link_delta_sums d
   GROUP BY d.actor_id, d.roles, d.grain, d.period
   ORDER BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT actor_rollup_timeline_key DO UPDATE SET
    {{sums_plus_excluded}};

  -- Each row counts for every role in its mask, and (role null) for any role.
  INSERT INTO actor_rollup_by_role AS r
    (actor_id, role, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT d.actor_id, x.role, {{killed_sums_of_d}}, {{casualty_sum_of_d_casualties}}
    FROM actor_link_delta_sums d
    CROSS JOIN LATERAL (SELECT r AS role FROM unnest(enum_range(NULL::participation_role)) r
                         WHERE d.roles & participation_role_bit(r) <> 0
                        UNION ALL SELECT NULL) x
   WHERE d.actor_id <> 0
   GROUP BY d.actor_id, x.role
   ORDER BY 1, 2
  ON CONFLICT ON CONSTRAINT actor_rollup_by_role_key DO UPDATE SET
    {{sums_plus_excluded}};

  PERFORM actor_role_floors_apply_delta();

  IF NOT EXISTS (SELECT 1 FROM actor_link_delta WHERE sign < 0) THEN RETURN; END IF;
  -- Groups that lost rows: the emptied ones go, and a first or last date that may have left with a
  -- lost row is recomputed (a minimum cannot be subtracted), each level from the one below it. Not
  -- when a row added to the group by this delta is at or before the lost first date (at or after
  -- the lost last date): the upsert's least (greatest) is then exact (event_rollup_settle says why);
  -- nor when no lost row was at the stored date. A new casualty count for an event (its links
  -- removed and added with the same dates) recomputes nothing. This drainer holds the groups' row
  -- locks since the upserts above, and each statement below reads a newer snapshot.
  --
  -- The rows actor_rollup's upsert left empty go by their row ids (emptied): looked up by actor and
  -- role mask, they were searched among all of that actor's rows (2,500 for the busiest synthetic
  -- actor, 3.4 ms a call, a row deleted in a hundred calls). For the sums below, only a group that
  -- this delta takes more rows from than it adds can have emptied, and a role's (whose mask groups
  -- it sums) only if one of its finest groups did: the empty rows are looked for among the rows of
  -- those actors only (not of every actor whose event was rewritten: actor 0's are 19,000).
  IF emptied IS NOT NULL THEN
    DELETE FROM actor_rollup r WHERE r.ctid = ANY(emptied) AND r.events = 0;
  END IF;
  -- A timeline row is its own finest group: only the rows of the periods that lost rows are looked
  -- at (not every period of the actor: ~500 rows a role mask for the busiest synthetic actor, 4.6 ms a
  -- call), by the whole key; an undated period (null) apart, as equality cannot match it.
  DELETE FROM actor_rollup_timeline r
   USING (SELECT actor_id, roles, grain, period FROM actor_link_delta WHERE period IS NOT NULL
           GROUP BY actor_id, roles, grain, period HAVING sum(sign) < 0) k
   WHERE r.actor_id = k.actor_id AND r.roles = k.roles AND r.grain = k.grain AND r.period = k.period AND r.events = 0;
  DELETE FROM actor_rollup_timeline r
   USING (SELECT actor_id, roles, grain FROM actor_link_delta WHERE period IS NULL
           GROUP BY actor_id, roles, grain HAVING sum(sign) < 0) k
   WHERE r.actor_id = k.actor_id AND r.roles = k.roles AND r.grain = k.grain AND r.period IS NULL AND r.events = 0;
  DELETE FROM actor_rollup_by_role r
   USING (SELECT DISTINCT actor_id FROM actor_link_delta GROUP BY actor_id, roles, country_id, kind HAVING sum(sign) < 0) k
   WHERE r.actor_id = k.actor_id AND r.events = 0;

  CREATE TEMP TABLE IF NOT EXISTS actor_rollup_stale (
    actor_id integer, roles smallint, country_id integer, kind event_kind, lost_first date, lost_last date,
    first_stale boolean, last_stale boolean) ON COMMIT DELETE ROWS;
  DELETE FROM actor_rollup_stale;
  INSERT INTO actor_rollup_stale
  SELECT k.* FROM (
    SELECT d.actor_id, d.roles, d.country_id, d.kind, min(d.first_date) FILTER (WHERE d.sign < 0), max(d.last_date) FILTER (WHERE d.sign < 0),
           coalesce(NOT (min(d.first_date) FILTER (WHERE d.sign > 0) <= min(d.first_date) FILTER (WHERE d.sign < 0)), true)
             AND min(d.first_date) FILTER (WHERE d.sign < 0) IS NOT NULL,
           coalesce(NOT (max(d.last_date) FILTER (WHERE d.sign > 0) >= max(d.last_date) FILTER (WHERE d.sign < 0)), true)
             AND max(d.last_date) FILTER (WHERE d.sign < 0) IS NOT NULL
      FROM actor_link_delta d
     GROUP BY GROUPING SETS ((d.actor_id, d.roles), (d.actor_id, d.roles, d.country_id), (d.actor_id, d.roles, d.country_id, d.kind))
    HAVING bool_or(d.sign < 0)) k(actor_id, roles, country_id, kind, lost_first, lost_last, first_stale, last_stale)
   WHERE k.first_stale OR k.last_stale;
  IF NOT FOUND THEN RETURN; END IF;

  UPDATE actor_rollup r
     SET first_date = CASE WHEN k.first_stale AND k.lost_first <= r.first_date THEN x.first_date ELSE r.first_date END,
         last_date = CASE WHEN k.last_stale AND k.lost_last >= r.last_date THEN x.last_date ELSE r.last_date END
    FROM actor_rollup_stale k
    CROSS JOIN LATERAL (
      SELECT min(l.first_date) AS first_date, max(l.last_date) AS last_date FROM actor_event_links l
       WHERE l.actor_id = k.actor_id AND l.roles = k.roles AND l.country_id = k.country_id AND l.kind = k.kind) x
   WHERE k.kind IS NOT NULL AND r.actor_id = k.actor_id AND r.roles = k.roles AND r.country_id = k.country_id AND r.kind = k.kind
     AND (k.first_stale AND k.lost_first <= r.first_date OR k.last_stale AND k.lost_last >= r.last_date);
  UPDATE actor_rollup r
     SET first_date = CASE WHEN k.first_stale AND k.lost_first <= r.first_date THEN x.first_date ELSE r.first_date END,
         last_date = CASE WHEN k.last_stale AND k.lost_last >= r.last_date THEN x.last_date ELSE r.last_date END
    FROM actor_rollup_stale k
    CROSS JOIN LATERAL (
      SELECT min(f.first_date) AS first_date, max(f.last_date) AS last_date FROM actor_rollup f
       WHERE f.actor_id = k.actor_id AND f.roles = k.roles AND f.country_id = k.country_id AND f.kind IS NOT NULL) x
   WHERE k.country_id IS NOT NULL AND k.kind IS NULL
     AND r.actor_id = k.actor_id AND r.roles = k.roles AND r.country_id = k.country_id AND r.kind IS NULL
     AND (k.first_stale AND k.lost_first <= r.first_date OR k.last_stale AND k.lost_last >= r.last_date);
  UPDATE actor_rollup r
     SET first_date = CASE WHEN k.first_stale AND k.lost_first <= r.first_date THEN x.first_date ELSE r.first_date END,
         last_date = CASE WHEN k.last_stale AND k.lost_last >= r.last_date THEN x.last_date ELSE r.last_date END
    FROM actor_rollup_stale k
    CROSS JOIN LATERAL (
      SELECT min(f.first_date) AS first_date, max(f.last_date) AS last_date FROM actor_rollup f
       WHERE f.actor_id = k.actor_id AND f.roles = k.roles AND f.country_id IS NOT NULL AND f.kind IS NULL) x
   WHERE k.country_id IS NULL AND k.kind IS NULL
     AND r.actor_id = k.actor_id AND r.roles = k.roles AND r.country_id IS NULL AND r.kind IS NULL
     AND (k.first_stale AND k.lost_first <= r.first_date OR k.last_stale AND k.lost_last >= r.last_date);
END $$;

-- Recomputes these events' rows of actor_event_links, leaving the difference in actor_link_delta for
-- actor_rollups_apply.
CREATE OR REPLACE FUNCTION actor_links_refresh(event_ids integer[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS actor_link_delta (sign smallint NOT NULL, LIKE actor_event_links) ON COMMIT DELETE ROWS;
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN 0; END IF;
  INSERT INTO actor_link_delta
    (sign, event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date, casualties, place_id, role_confidence, sides)
  WITH expected AS MATERIALIZED (
         SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date, casualties, place_id, role_confidence, sides
           FROM actor_event_links_of(event_ids)),
       stored AS MATERIALIZED (
         SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date, casualties, place_id, role_confidence, sides
           FROM actor_event_links WHERE event_id = ANY(event_ids))
  -- One row per event and actor on both sides: matched by those, then by the facts (as in
  -- event_rollups_refresh).
  SELECT 1, e.* FROM expected e
   WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.event_id = e.event_id AND s.actor_id = e.actor_id
                       AND (s.roles, s.country_id, s.kind, s.grain, s.period, s.killed_min, s.killed_max, s.first_date, s.last_date, s.casualties, s.place_id, s.role_confidence, s.sides)
                           IS NOT DISTINCT FROM (e.roles, e.country_id, e.kind, e.grain, e.period, e.killed_min, e.killed_max, e.first_date, e.last_date, e.casualties, e.place_id, e.role_confidence, e.sides))
  UNION ALL
  SELECT -1, s.* FROM stored s
   WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE s.event_id = e.event_id AND s.actor_id = e.actor_id
                       AND (s.roles, s.country_id, s.kind, s.grain, s.period, s.killed_min, s.killed_max, s.first_date, s.last_date, s.casualties, s.place_id, s.role_confidence, s.sides)
                           IS NOT DISTINCT FROM (e.roles, e.country_id, e.kind, e.grain, e.period, e.killed_min, e.killed_max, e.first_date, e.last_date, e.casualties, e.place_id, e.role_confidence, e.sides));
  GET DIAGNOSTICS changed = ROW_COUNT;
  IF changed > 0 THEN
    DELETE FROM actor_event_links l USING actor_link_delta d
     WHERE d.sign < 0 AND l.event_id = d.event_id AND l.actor_id = d.actor_id;
    INSERT INTO actor_event_links
      (event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date, casualties, place_id, role_confidence, sides)
    SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date, casualties, place_id, role_confidence, sides
      FROM actor_link_delta WHERE sign > 0;
    -- The delta summed by the finest group of the actor rollups, here, before the call locks any
    -- sum: actor_rollups_apply_delta then sums these few rows while it holds the busiest rows'
    -- locks, which an import's other drain loop waits for, instead of every delta row and its
    -- sixty casualty slots three times over.
    PERFORM actor_link_delta_sums_create();
    INSERT INTO actor_link_delta_sums
    SELECT d.actor_id, d.roles, d.country_id, d.kind, d.grain, d.period, {{signed_sums_of_d}},
           min(d.first_date) FILTER (WHERE d.sign > 0), max(d.last_date) FILTER (WHERE d.sign > 0)
      FROM actor_link_delta d GROUP BY d.actor_id, d.roles, d.country_id, d.kind, d.grain, d.period;
  END IF;
  RETURN changed;
END $$;

-- Adds the difference actor_links_refresh (which creates actor_link_delta, earlier in the same
-- transaction) left there to the actor rollups, and empties it.
CREATE OR REPLACE FUNCTION actor_rollups_apply() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM actor_link_delta) THEN RETURN; END IF;
  PERFORM actor_rollups_apply_delta();
  DELETE FROM actor_link_delta;
  DELETE FROM actor_link_delta_sums;
END $$;

-- Recomputes what these events add to the doctrine sums: the event_doctrines rows of those with
-- two or more perpetrators or claimants, and the event_solo_actors row of those with one (both
-- written, their sums kept in doctrine_sum_delta and event_solo_delta_sums); event_doctrine_sums_apply
-- then adds the differences (actor_solo_rollup, then one upsert of doctrine_rollup, in key order).
DROP FUNCTION IF EXISTS event_doctrines_refresh(integer[], integer[]);
CREATE OR REPLACE FUNCTION event_doctrines_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(event_ids), 0) = 0 THEN RETURN; END IF;
  CREATE TEMP TABLE IF NOT EXISTS event_doctrine_delta (sign smallint NOT NULL, LIKE event_doctrines) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS event_solo_delta (sign smallint NOT NULL, LIKE event_solo_actors) ON COMMIT DELETE ROWS;
  -- The events' perpetrator and claimant links (every link of an event carries the event's facts),
  -- with how many each event has: read once for both kinds of event.
  CREATE TEMP TABLE IF NOT EXISTS event_perpetrator_links (LIKE actor_event_links, actors bigint NOT NULL) ON COMMIT DELETE ROWS;
  INSERT INTO event_perpetrator_links
  SELECT l.*, count(*) OVER (PARTITION BY l.event_id) FROM actor_event_links l
   WHERE l.event_id = ANY(event_ids) AND l.actor_id <> 0
     AND l.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0;

  -- event_doctrines_expected for the shared events only: the adherences read are those of their
  -- perpetrators and claimants (and of actors merged into them), by actor, rather than every live
  -- adherence joined with every claim.
  INSERT INTO event_doctrine_delta (sign, event_id, doctrine_id, country_id, kind, killed_min, killed_max, casualties)
  WITH held AS MATERIALIZED (
         SELECT DISTINCT f.canonical_id AS actor_id, ad.doctrine_id
           FROM actors_folded_into(ARRAY(SELECT DISTINCT actor_id FROM event_perpetrator_links WHERE actors > 1), 'infinity') f
           JOIN adherences ad ON ad.actor_id = f.actor_id
           -- Each adherence's claim by its id (OFFSET 0 keeps the lookup per row: as a join, the
           -- planner would merge with the whole claims index, 3.5 million ids at a million events).
           CROSS JOIN LATERAL (SELECT 1 FROM claims c WHERE c.id = ad.claim_id AND c.retracted_at IS NULL OFFSET 0) live),
       expected AS MATERIALIZED (
         SELECT DISTINCT ON (k.event_id, h.doctrine_id) k.event_id, h.doctrine_id, k.country_id, k.kind, k.killed_min, k.killed_max, k.casualties
           FROM event_perpetrator_links k JOIN held h ON h.actor_id = k.actor_id
          WHERE k.actors > 1
          ORDER BY k.event_id, h.doctrine_id),
       stored AS MATERIALIZED (
         SELECT event_id, doctrine_id, country_id, kind, killed_min, killed_max, casualties
           FROM event_doctrines WHERE event_id = ANY(event_ids))
  -- Rows are unique by (event, doctrine) on both sides: matched by those two integers, then by
  -- their facts (hashing whole rows, casualty arrays and all, cost seconds per 100,000 rows).
  SELECT 1, e.* FROM expected e
   WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.event_id = e.event_id AND s.doctrine_id = e.doctrine_id
                       AND (s.country_id, s.kind, s.killed_min, s.killed_max, s.casualties)
                           IS NOT DISTINCT FROM (e.country_id, e.kind, e.killed_min, e.killed_max, e.casualties))
  UNION ALL
  SELECT -1, s.* FROM stored s
   WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.event_id = s.event_id AND e.doctrine_id = s.doctrine_id
                       AND (s.country_id, s.kind, s.killed_min, s.killed_max, s.casualties)
                           IS NOT DISTINCT FROM (e.country_id, e.kind, e.killed_min, e.killed_max, e.casualties));

  INSERT INTO event_solo_delta (sign, event_id, actor_id, country_id, kind, killed_min, killed_max, casualties)
  WITH expected AS MATERIALIZED (
         SELECT event_id, actor_id, country_id, kind, killed_min, killed_max, casualties FROM event_perpetrator_links WHERE actors = 1),
       stored AS MATERIALIZED (
         SELECT event_id, actor_id, country_id, kind, killed_min, killed_max, casualties
           FROM event_solo_actors WHERE event_id = ANY(event_ids))
  SELECT 1, e.* FROM expected e
   WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.event_id = e.event_id
                       AND (s.actor_id, s.country_id, s.kind, s.killed_min, s.killed_max, s.casualties)
                           IS NOT DISTINCT FROM (e.actor_id, e.country_id, e.kind, e.killed_min, e.killed_max, e.casualties))
  UNION ALL
  SELECT -1, s.* FROM stored s
   WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.event_id = s.event_id
                       AND (s.actor_id, s.country_id, s.kind, s.killed_min, s.killed_max, s.casualties)
                           IS NOT DISTINCT FROM (e.actor_id, e.country_id, e.kind, e.killed_min, e.killed_max, e.casualties));
  DELETE FROM event_perpetrator_links;
  PERFORM event_doctrines_apply_delta();
  PERFORM event_solo_apply_rows();
END $$;

-- What event_doctrines_refresh left for the sums: the solo events' rows and their actor and doctrine
-- sums, then the doctrine sums.
CREATE OR REPLACE FUNCTION event_doctrine_sums_apply() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM event_solo_apply_delta();
  PERFORM doctrine_sums_apply();
END $$;

-- The doctrine sums' pending differences, per doctrine, country and kind, from event_doctrines
-- rows and from event_solo_actors rows (times their actors' doctrines); doctrine_sums_apply adds
-- them to doctrine_rollup in one statement.
CREATE OR REPLACE FUNCTION doctrine_sum_delta_create() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS doctrine_sum_delta (
    doctrine_id integer NOT NULL, country_id integer NOT NULL, kind event_kind NOT NULL, events bigint NOT NULL,
    killed_min bigint NOT NULL, killed_max bigint NOT NULL, killed_open bigint NOT NULL, killed_reported bigint NOT NULL,
    casualties bigint[] NOT NULL) ON COMMIT DELETE ROWS;
END $$;

-- Writes event_doctrine_delta (rows to add, sign 1, and to remove, sign -1) to event_doctrines and
-- its sums to doctrine_sum_delta.
CREATE OR REPLACE FUNCTION event_doctrines_apply_delta() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM doctrine_sum_delta_create();
  CREATE TEMP TABLE IF NOT EXISTS event_doctrine_delta (sign smallint NOT NULL, LIKE event_doctrines) ON COMMIT DELETE ROWS;
  IF NOT EXISTS (SELECT 1 FROM event_doctrine_delta) THEN RETURN; END IF;
  DELETE FROM event_doctrines l USING event_doctrine_delta d
   WHERE d.sign < 0 AND l.event_id = d.event_id AND l.doctrine_id = d.doctrine_id;
  INSERT INTO event_doctrines (event_id, doctrine_id, country_id, kind, killed_min, killed_max, casualties)
  SELECT event_id, doctrine_id, country_id, kind, killed_min, killed_max, casualties FROM event_doctrine_delta WHERE sign > 0;
  INSERT INTO doctrine_sum_delta
  SELECT d.doctrine_id, d.country_id, d.kind, {{signed_sums_of_d}}
    FROM event_doctrine_delta d GROUP BY d.doctrine_id, d.country_id, d.kind;
  DELETE FROM event_doctrine_delta;
END $$;

-- The solo delta summed per actor, country and kind: the rows of actor_solo_rollup's finest group
-- (event_solo_apply_rows writes it, event_solo_apply_delta adds it to actor_solo_rollup).
CREATE OR REPLACE FUNCTION event_solo_delta_sums_create() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS event_solo_delta_sums (LIKE actor_solo_rollup) ON COMMIT DELETE ROWS;
END $$;

-- Writes event_solo_delta to event_solo_actors, and its sums per actor, country and kind to
-- event_solo_delta_sums and (once per doctrine of each row's actor: actor_doctrine_sets, which a
-- set's change keeps equal to what the doctrine sums hold) to doctrine_sum_delta. Part of the
-- refresh, before the call locks any sum: these are the events' own rows, which no other drainer
-- writes (written while the call held the busiest sums' locks, they kept the import's other drain
-- loop waiting ~130 ms a call). The drainer holds its partitions from its start, and a set changes
-- only while its changer holds every partition (summaries_apply_doctrine_sets), so the sets read
-- here are those the sums are added under.
CREATE OR REPLACE FUNCTION event_solo_apply_rows() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM doctrine_sum_delta_create();
  CREATE TEMP TABLE IF NOT EXISTS event_solo_delta (sign smallint NOT NULL, LIKE event_solo_actors) ON COMMIT DELETE ROWS;
  PERFORM event_solo_delta_sums_create();
  IF NOT EXISTS (SELECT 1 FROM event_solo_delta) THEN RETURN; END IF;
  DELETE FROM event_solo_actors l USING event_solo_delta d WHERE d.sign < 0 AND l.event_id = d.event_id;
  INSERT INTO event_solo_actors (event_id, actor_id, country_id, kind, killed_min, killed_max, casualties)
  SELECT event_id, actor_id, country_id, kind, killed_min, killed_max, casualties FROM event_solo_delta WHERE sign > 0;
  -- The delta summed per actor, country and kind once, for both sums: the actor's two grouping
  -- sets, and each of its doctrines (summed before the join, each row would be summed, its sixty
  -- casualty slots too, once per doctrine of its actor, and the busiest synthetic group has
  -- fourteen: an import's drain call of 900 of its events summed 12,600 rows, 36 ms).
  INSERT INTO event_solo_delta_sums (actor_id, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT d.actor_id, d.country_id, d.kind, {{signed_sums_of_d}}
    FROM event_solo_delta d GROUP BY d.actor_id, d.country_id, d.kind;
  INSERT INTO doctrine_sum_delta
  SELECT s.doctrine_id, d.country_id, d.kind, {{killed_sums_of_d}}, {{casualty_sum_of_d_casualties}}
    FROM event_solo_delta_sums d JOIN actor_doctrine_sets s ON s.actor_id = d.actor_id
   GROUP BY s.doctrine_id, d.country_id, d.kind;
  DELETE FROM event_solo_delta;
END $$;

-- Adds event_solo_delta_sums (event_solo_apply_rows) to actor_solo_rollup, in key order, and drops
-- emptied rows.
CREATE OR REPLACE FUNCTION event_solo_apply_delta() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM event_solo_delta_sums_create();
  IF NOT EXISTS (SELECT 1 FROM event_solo_delta_sums) THEN RETURN; END IF;
  INSERT INTO actor_solo_rollup AS r
    (actor_id, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT d.actor_id, d.country_id, d.kind, {{killed_sums_of_d}}, {{casualty_sum_of_d_casualties}}
    FROM event_solo_delta_sums d
   GROUP BY GROUPING SETS ((d.actor_id), (d.actor_id, d.country_id, d.kind))
   ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT actor_solo_rollup_key DO UPDATE SET
    {{sums_plus_excluded}};
  -- Emptied rows, of actors that lost more events of a country and kind than they gained.
  DELETE FROM actor_solo_rollup r
   USING (SELECT DISTINCT actor_id FROM event_solo_delta_sums WHERE events < 0) k
   WHERE r.actor_id = k.actor_id AND r.events = 0;
  DELETE FROM event_solo_delta_sums;
END $$;

-- Adds doctrine_sum_delta to doctrine_rollup, per country and kind and in all, in key order (two
-- drainers adding to one doctrine lock its rows in the same order), and drops emptied rows.
CREATE OR REPLACE FUNCTION doctrine_sums_apply() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM doctrine_sum_delta_create();
  IF NOT EXISTS (SELECT 1 FROM doctrine_sum_delta) THEN RETURN; END IF;
  INSERT INTO doctrine_rollup AS r
    (doctrine_id, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT d.doctrine_id, d.country_id, d.kind, sum(d.events), sum(d.killed_min), sum(d.killed_max), sum(d.killed_open),
         sum(d.killed_reported), {{casualty_sum_of_d_casualties}}
    FROM doctrine_sum_delta d
   GROUP BY GROUPING SETS ((d.doctrine_id), (d.doctrine_id, d.country_id, d.kind))
   ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT doctrine_rollup_key DO UPDATE SET
    {{sums_plus_excluded}};
  -- Emptied rows, of doctrines that lost more events of a country and kind than they gained (most
  -- deltas lose none: an event's new casualty count takes and adds it once each).
  DELETE FROM doctrine_rollup r
   USING (SELECT DISTINCT doctrine_id FROM doctrine_sum_delta GROUP BY doctrine_id, country_id, kind HAVING sum(events) < 0) k
   WHERE r.doctrine_id = k.doctrine_id AND r.events = 0;
  DELETE FROM doctrine_sum_delta;
END $$;

-- 5. The drain. -------------------------------------------------------------------------------------

-- Takes up to max_keys keys, oldest first, from partitions no other drainer holds (up to half of
-- them, so that one call covers writes spread over many partitions and another drainer still
-- finds some to take), and brings their summaries up to date; returns how many keys it took (0:
-- nothing to do, or every partition with work is being drained). Each call is meant to be its own
-- transaction. Planned without JIT: its statements read temp tables PostgreSQL has no statistics
-- for, and the doctrine delta after an adherence of the busiest synthetic actor is estimated at
-- 440,000 (jit_above_cost is 100,000), so a JIT-enabled server would compile it on each call that
-- takes such a key, for a statement that runs in milliseconds.
-- Planned as for data in memory (random_page_cost 1.1, not PostgreSQL's default of 4, a spinning
-- disk's): a call reads the rows of the events it was given by key, events just written. With 4, a
-- bulk call of 17,000 events read all 3.7 million claims twice and all of actor_event_links rather
-- than probe their indexes 17,000 times (actor_links_refresh 1.9 s against 0.5 s), and a
-- 100,000-event import's drain took 12.0 s against 6.7 s (docs/performance.md).
CREATE OR REPLACE FUNCTION summaries_drain(max_keys integer DEFAULT 500) RETURNS integer LANGUAGE plpgsql
SET jit = off SET random_page_cost = 1.1 AS $$
DECLARE
  claimed smallint[];
  taken integer;
  twin_count integer;
  full_refresh integer[];
  doctrines_only integer[];
  plan_mode text := current_setting('plan_cache_mode');
BEGIN
  -- A server's drainer takes a few keys per call, and its refresh statements (views expanded,
  -- their SQL functions inlined) took longer to plan than to run: half of each call was planning,
  -- because each call's custom plan looked cheaper than the generic one. Small calls reuse one
  -- generic plan per statement; an import's bulk calls keep plans made for their sizes.
  IF max_keys <= 1000 THEN PERFORM set_config('plan_cache_mode', 'force_generic_plan', true); END IF;
  -- Each partition's oldest key, one probe of summary_queue_part_idx each. A semi-join over the
  -- queue read its heap, which stays as large as its longest backlog until a vacuum truncates it:
  -- with 200,000 keys queued and up to 150,000 of them drained, 2–5 ms a call against 0.3–1.4 ms.
  claimed := ARRAY(
    SELECT s.part FROM summary_partitions s
     CROSS JOIN LATERAL (SELECT q.marked_at FROM summary_queue q WHERE q.part = s.part ORDER BY q.marked_at LIMIT 1) oldest
     ORDER BY oldest.marked_at, s.part
     LIMIT 8 FOR UPDATE OF s SKIP LOCKED);
  IF cardinality(claimed) = 0 THEN
    PERFORM set_config('plan_cache_mode', plan_mode, true);
    RETURN 0;
  END IF;

  CREATE TEMP TABLE IF NOT EXISTS summary_taken (kind text, id integer, marked_at timestamptz) ON COMMIT DELETE ROWS;
  WITH gone AS (
    DELETE FROM summary_queue q
     WHERE q.ctid = ANY(ARRAY(SELECT ctid FROM summary_queue WHERE part = ANY(claimed) ORDER BY marked_at LIMIT max_keys))
    RETURNING q.kind, q.id, q.marked_at)
  INSERT INTO summary_taken SELECT kind, id, marked_at FROM gone;
  GET DIAGNOSTICS taken = ROW_COUNT;
  -- The same keys queued again later (a bulk load queues each new event once for its events
  -- statement and once for its participations statement, seconds apart, so the two fall into
  -- different calls): this call's refresh reads every write committed before it, theirs included,
  -- so take them now rather than recompute those events a second time in a later call.
  WITH twins AS (
    DELETE FROM summary_queue q
     WHERE q.part = ANY(claimed) AND (q.kind, q.id) IN (SELECT t.kind, t.id FROM summary_taken t)
    RETURNING q.kind, q.id, q.marked_at)
  INSERT INTO summary_taken SELECT kind, id, marked_at FROM twins;
  GET DIAGNOSTICS twin_count = ROW_COUNT;
  taken := taken + twin_count;

  -- First (before this call holds any summary row lock), adherences: see summaries_apply_doctrine_sets.
  PERFORM summaries_apply_doctrine_sets(
    ARRAY(SELECT DISTINCT canonical_actor(id, 'infinity') FROM summary_taken WHERE kind = 'actor_doctrines'),
    ARRAY(SELECT f.actor_id FROM summary_taken t CROSS JOIN LATERAL actors_folded_into(ARRAY[t.id], 'infinity') f
           WHERE t.kind = 'actor_events'),
    claimed);

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
  SELECT 'event', e.id, min(t.marked_at)
    FROM summary_taken t JOIN events e ON e.place_id = t.id
   WHERE t.kind = 'place'
   GROUP BY e.id;

  full_refresh := ARRAY(SELECT DISTINCT id FROM summary_taken WHERE kind = 'event' ORDER BY id);
  -- The search documents of bulk statements' records (search_documents_refresh), before this call
  -- locks any sum row: another drainer waiting for those rows would wait for them too.
  PERFORM search_documents_refresh(full_refresh);
  doctrines_only := ARRAY(SELECT DISTINCT id FROM summary_taken WHERE kind = 'event_doctrines' AND id <> ALL(full_refresh) ORDER BY id);
  -- The events' own rows first (no other drainer writes rows of these events), with the differences
  -- they make to the sums kept aside; then the sums, which every drainer adds to. A drainer holds a
  -- sum's row lock from its upsert to its commit, and the busiest rows (a month and kind, actor 0,
  -- the busiest actor) are in every call of a bulk load's drain: computed before any lock is taken,
  -- two drainers' calls wait for each other only while they add (with the sums first, an import's
  -- drain and the server's took turns for whole calls).
  PERFORM event_rollups_refresh(full_refresh);
  PERFORM actor_links_refresh(full_refresh);
  -- Doctrine rows carry the event's country, kind and casualties: an event refresh redoes them too.
  PERFORM event_doctrines_refresh(full_refresh || doctrines_only);
  PERFORM place_rollups_refresh(full_refresh);
  -- In this order in every drainer (and each sum in key order): no two lock rows in opposite orders.
  PERFORM event_rollups_apply();
  PERFORM actor_rollups_apply();
  PERFORM event_doctrine_sums_apply();
  PERFORM place_rollups_apply();
  DELETE FROM summary_taken;
  PERFORM set_config('plan_cache_mode', plan_mode, true);
  RETURN taken;
END $$;

-- An adherence added or retracted (or a merge) changes the doctrine sums only if it changes the
-- set of doctrines of the actor as merged now (actor_doctrine_sets), and then only for the
-- doctrines that came or went. Most adherences repeat a doctrine the actor has: comparing the set
-- with the adherences settles them without reading any event. A change moves the doctrine's sums
-- by the actor's events with no other perpetrator or claimant at once (its actor_solo_rollup rows,
-- a few hundred for the busiest synthetic group, whose 51,000 events once meant 51,000 rows), and
-- by the actor's shared events one event_doctrines row each.
--
-- `clusters`: the (canonical) actors whose adherences changed. `unmerged`: actors whose merge
-- changed (an actor_events key). Each one's set is recomputed: an actor merged into another has
-- none (its adherences count for the one it was merged into). Each actor's set is compared and
-- changed under a transaction lock of its own, taken only by drainers, so two drainers of one actor
-- take turns and the second sees the first's set. A change touches rows of events in every
-- partition, so the drainer then waits for all the partitions it does not hold (other drain calls
-- are short): no other drainer changes any event's rows, or reads a set, meanwhile.
CREATE OR REPLACE FUNCTION summaries_apply_doctrine_sets(clusters integer[], unmerged integer[], claimed smallint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  actor integer;
  actors integer[] := ARRAY(SELECT DISTINCT a FROM unnest(clusters || unmerged) a WHERE a IS NOT NULL ORDER BY a);
  sharing integer[];
BEGIN
  IF cardinality(actors) = 0 THEN RETURN; END IF;
  FOREACH actor IN ARRAY actors LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended('actor doctrine set', actor));
  END LOOP;

  CREATE TEMP TABLE IF NOT EXISTS doctrine_set_change (actor_id integer, doctrine_id integer, sign smallint) ON COMMIT DELETE ROWS;
  INSERT INTO doctrine_set_change (actor_id, doctrine_id, sign)
  WITH expected AS (
         SELECT DISTINCT c.actor_id, ad.doctrine_id
           FROM unnest(actors) c(actor_id)
           CROSS JOIN LATERAL actors_folded_into(ARRAY[c.actor_id], 'infinity') f
           JOIN adherences ad ON ad.actor_id = f.actor_id
           CROSS JOIN LATERAL (SELECT 1 FROM claims c WHERE c.id = ad.claim_id AND c.retracted_at IS NULL OFFSET 0) live
          WHERE canonical_actor(c.actor_id, 'infinity') = c.actor_id),
       stored AS (
         SELECT s.actor_id, s.doctrine_id FROM actor_doctrine_sets s WHERE s.actor_id = ANY(actors))
  SELECT actor_id, doctrine_id, 1 FROM (SELECT * FROM expected EXCEPT SELECT * FROM stored) came
  UNION ALL
  SELECT actor_id, doctrine_id, -1 FROM (SELECT * FROM stored EXCEPT SELECT * FROM expected) went;
  IF NOT FOUND THEN RETURN; END IF;

  PERFORM 1 FROM summary_partitions WHERE part <> ALL(claimed) ORDER BY part FOR UPDATE;
  DELETE FROM actor_doctrine_sets s USING doctrine_set_change d
   WHERE d.sign < 0 AND s.actor_id = d.actor_id AND s.doctrine_id = d.doctrine_id;
  INSERT INTO actor_doctrine_sets (actor_id, doctrine_id) SELECT actor_id, doctrine_id FROM doctrine_set_change WHERE sign > 0;

  -- The actor's solo events, by their sums.
  PERFORM doctrine_sum_delta_create();
  INSERT INTO doctrine_sum_delta
  SELECT c.doctrine_id, r.country_id, r.kind, sum(c.sign * r.events), sum(c.sign * r.killed_min), sum(c.sign * r.killed_max),
         sum(c.sign * r.killed_open), sum(c.sign * r.killed_reported), {{casualty_sum_of_signed_r_casualties}}
    FROM doctrine_set_change c
    -- Per actor (LATERAL): as a join, the planner, blind to this temp table's size, merged it with
    -- the whole actor_solo_rollup_key index from its first actor.
    CROSS JOIN LATERAL (SELECT * FROM actor_solo_rollup r
                         WHERE r.actor_id = c.actor_id AND r.country_id IS NOT NULL AND r.kind IS NOT NULL OFFSET 0) r
   GROUP BY c.doctrine_id, r.country_id, r.kind;

  -- Its shared events, by their rows. Only actors that have any are read event by event: an
  -- actor whose perpetrated or claimed events (actor_rollup) are all solo (actor_solo_rollup)
  -- has none, and reading its 51,000 links to find that out took a second.
  sharing := ARRAY(
    SELECT c.actor_id FROM (SELECT DISTINCT actor_id FROM doctrine_set_change) c
     WHERE (SELECT coalesce(sum(r.events), 0) FROM actor_rollup r
             WHERE r.actor_id = c.actor_id AND r.country_id IS NULL AND r.kind IS NULL
               AND r.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0)
        <> (SELECT coalesce(sum(s.events), 0) FROM actor_solo_rollup s
             WHERE s.actor_id = c.actor_id AND s.country_id IS NULL AND s.kind IS NULL));
  -- A doctrine that came is added to each shared event that lacks it.
  CREATE TEMP TABLE IF NOT EXISTS event_doctrine_delta (sign smallint NOT NULL, LIKE event_doctrines) ON COMMIT DELETE ROWS;
  INSERT INTO event_doctrine_delta (sign, event_id, doctrine_id, country_id, kind, killed_min, killed_max, casualties)
  SELECT DISTINCT ON (l.event_id, c.doctrine_id) 1, l.event_id, c.doctrine_id, l.country_id, l.kind, l.killed_min, l.killed_max, l.casualties
    FROM doctrine_set_change c
    JOIN actor_event_links l ON l.actor_id = c.actor_id
   WHERE c.sign > 0 AND c.actor_id = ANY(sharing)
     AND l.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0
     -- Looked up per event (OFFSET 0: as an anti-join the planner would read all of
     -- event_solo_actors, a row per event of the database).
     AND NOT EXISTS (SELECT 1 FROM event_solo_actors so WHERE so.event_id = l.event_id OFFSET 0)
     AND NOT EXISTS (SELECT 1 FROM event_doctrines ed WHERE ed.event_id = l.event_id AND ed.doctrine_id = c.doctrine_id)
   ORDER BY l.event_id, c.doctrine_id;
  -- A doctrine that went leaves each unless another of its perpetrators or claimants (as merged
  -- now) still adheres to it through a live claim.
  IF EXISTS (SELECT 1 FROM doctrine_set_change WHERE sign < 0 AND actor_id = ANY(sharing)) THEN
    INSERT INTO event_doctrine_delta (sign, event_id, doctrine_id, country_id, kind, killed_min, killed_max, casualties)
    WITH holders AS MATERIALIZED (
           SELECT DISTINCT coalesce(m.canonical_id, ad.actor_id) AS actor_id, ad.doctrine_id
             FROM adherences ad
             CROSS JOIN LATERAL (SELECT 1 FROM claims c WHERE c.id = ad.claim_id AND c.retracted_at IS NULL OFFSET 0) live
             LEFT JOIN actor_folds('infinity') m ON m.actor_id = ad.actor_id
            WHERE ad.doctrine_id IN (SELECT doctrine_id FROM doctrine_set_change WHERE sign < 0))
    SELECT DISTINCT ON (ed.event_id, ed.doctrine_id) -1, ed.event_id, ed.doctrine_id, ed.country_id, ed.kind, ed.killed_min, ed.killed_max, ed.casualties
      FROM doctrine_set_change c
      JOIN actor_event_links l ON l.actor_id = c.actor_id
      JOIN event_doctrines ed ON ed.event_id = l.event_id AND ed.doctrine_id = c.doctrine_id
     WHERE c.sign < 0 AND c.actor_id = ANY(sharing)
       AND l.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0
       AND NOT EXISTS (
             SELECT 1 FROM actor_event_links o JOIN holders h ON h.actor_id = o.actor_id AND h.doctrine_id = c.doctrine_id
              WHERE o.event_id = l.event_id AND o.actor_id <> 0
                AND o.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0)
     ORDER BY ed.event_id, ed.doctrine_id;
  END IF;
  PERFORM event_doctrines_apply_delta();
  PERFORM doctrine_sums_apply();
  DELETE FROM doctrine_set_change;
END $$;

-- Up to when every committed write is in the summaries: the start of the oldest write whose keys
-- are still queued, or now when none is.
CREATE OR REPLACE FUNCTION summaries_complete_up_to() RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT min(marked_at) FROM summary_queue), now())
$$;

-- event_rollup_by_band_period and _by_band_country from event_rollup_members (summaries_rebuild,
-- and once, by src/db/sql/backfills.sql, for summaries made before they kept grades). The caller
-- holds every partition, or is the migration: no drainer changes the members meanwhile.
CREATE OR REPLACE FUNCTION event_rollup_grade_sums_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE event_rollup_by_band_period, event_rollup_by_band_country;
  INSERT INTO event_rollup_by_band_period
    (grain, period, band, reliability, credibility, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT grain, period, confidence, reliability, credibility, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date),
         {{casualty_sum_of_casualties}}
    FROM event_rollup_members WHERE confidence IS NOT NULL GROUP BY grain, period, confidence, reliability, credibility;
  INSERT INTO event_rollup_by_band_country
    (country_id, band, reliability, credibility, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT country_id, confidence, reliability, credibility, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date),
         {{casualty_sum_of_casualties}}
    FROM event_rollup_members WHERE confidence IS NOT NULL GROUP BY country_id, confidence, reliability, credibility;
END $$;

-- Rebuilds every summary from the base tables, set-based, and empties the queue: for a bulk load
-- (seed:synthetic) that queued millions of keys, which a set-based rebuild summarizes far faster
-- than batches of keys would. It holds every partition meanwhile, so no drainer works beside it.
CREATE OR REPLACE FUNCTION summaries_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM summary_partitions FOR UPDATE;
  DELETE FROM summary_queue;
  -- The queue also held bulk statements' records waiting for their search documents.
  PERFORM search_documents_complete();
  TRUNCATE event_rollup_members, event_rollup_by_kind, event_rollup_by_country, event_rollup_by_period,
    event_rollup_by_country_total, event_rollup_by_band, event_rollup_by_band_period, event_rollup_by_band_country, actor_event_links, actor_rollup, actor_rollup_timeline, actor_rollup_by_role,
    actor_rollup_by_role_band, actor_rollup_by_role_floor,
    event_doctrines, doctrine_rollup, actor_doctrine_sets, event_solo_actors, actor_solo_rollup;
  INSERT INTO event_rollup_members (event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date, casualties, confidence, reliability, credibility)
  SELECT event_id, grain, period, kind, country_id, killed_min, killed_max, first_date, last_date, casualties, confidence, reliability, credibility
    FROM event_rollup_members_expected;
  INSERT INTO event_rollup_by_band (grain, period, country_id, kind, band, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT grain, period, country_id, kind, confidence, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date),
         {{casualty_sum_of_casualties}}
    FROM event_rollup_members WHERE confidence IS NOT NULL GROUP BY grain, period, country_id, kind, confidence;
  PERFORM event_rollup_grade_sums_rebuild();
  INSERT INTO event_rollup_by_kind (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT grain, period, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date), {{casualty_sum_of_casualties}}
    FROM event_rollup_members GROUP BY grain, period, kind;
  INSERT INTO event_rollup_by_country (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT grain, period, country_id, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date), {{casualty_sum_of_casualties}}
    FROM event_rollup_members GROUP BY grain, period, country_id;
  INSERT INTO event_rollup_by_period (grain, period, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT grain, period, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date), {{casualty_sum_of_casualties}}
    FROM event_rollup_members GROUP BY grain, period;
  INSERT INTO event_rollup_by_country_total (country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT country_id, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date), {{casualty_sum_of_casualties}}
    FROM event_rollup_members GROUP BY country_id;

  INSERT INTO actor_event_links
    (event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date, casualties, place_id, role_confidence, sides)
  SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, first_date, last_date, casualties, place_id, role_confidence, sides
    FROM actor_event_links_of(ARRAY(SELECT id FROM events));
  INSERT INTO actor_rollup
    (actor_id, roles, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date, casualties)
  SELECT actor_id, roles, country_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date), {{casualty_sum_of_casualties}}
    FROM actor_event_links
   GROUP BY GROUPING SETS ((actor_id, roles), (actor_id, roles, country_id), (actor_id, roles, country_id, kind));
  INSERT INTO actor_rollup_timeline (actor_id, roles, grain, period, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT actor_id, roles, grain, period, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), {{casualty_sum_of_casualties}}
    FROM actor_event_links GROUP BY actor_id, roles, grain, period;
  INSERT INTO actor_rollup_by_role (actor_id, role, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT l.actor_id, x.role, count(*), coalesce(sum(l.killed_min), 0), coalesce(sum(l.killed_max), 0),
         count(*) FILTER (WHERE l.killed_min IS NOT NULL AND l.killed_max IS NULL), count(l.killed_min), {{casualty_sum_of_l_casualties}}
    FROM actor_event_links l
    CROSS JOIN LATERAL (SELECT r AS role FROM unnest(enum_range(NULL::participation_role)) r
                         WHERE l.roles & participation_role_bit(r) <> 0
                        UNION ALL SELECT NULL) x
   WHERE l.actor_id <> 0
   GROUP BY l.actor_id, x.role;
  PERFORM actor_role_floors_rebuild();
  INSERT INTO actor_doctrine_sets (actor_id, doctrine_id)
  SELECT DISTINCT coalesce(f.canonical_id, ad.actor_id), ad.doctrine_id
    FROM adherences ad
    JOIN claims live ON live.id = ad.claim_id AND live.retracted_at IS NULL
    LEFT JOIN actor_folds('infinity') f ON f.actor_id = ad.actor_id;
  -- Events with one perpetrator or claimant count through their actor; the others by a row per doctrine.
  INSERT INTO event_solo_actors (event_id, actor_id, country_id, kind, killed_min, killed_max, casualties)
  SELECT event_id, actor_id, country_id, kind, killed_min, killed_max, casualties FROM (
    SELECT l.*, count(*) OVER (PARTITION BY l.event_id) AS actors FROM actor_event_links l
     WHERE l.actor_id <> 0 AND l.roles & participation_roles_mask('{PERPETRATOR,CLAIMED_RESPONSIBILITY}') <> 0) x
   WHERE actors = 1;
  INSERT INTO actor_solo_rollup (actor_id, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT actor_id, country_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), {{casualty_sum_of_casualties}}
    FROM event_solo_actors
   GROUP BY GROUPING SETS ((actor_id), (actor_id, country_id, kind));
  INSERT INTO event_doctrines (event_id, doctrine_id, country_id, kind, killed_min, killed_max, casualties)
  SELECT d.event_id, d.doctrine_id, d.country_id, d.kind, d.killed_min, d.killed_max, d.casualties
    FROM event_doctrines_expected d WHERE NOT EXISTS (SELECT 1 FROM event_solo_actors so WHERE so.event_id = d.event_id);
  INSERT INTO doctrine_rollup (doctrine_id, country_id, kind, events, killed_min, killed_max, killed_open, killed_reported, casualties)
  SELECT doctrine_id, country_id, kind, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
         count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), {{casualty_sum_of_casualties}}
    FROM (SELECT d.doctrine_id, d.country_id, d.kind, d.killed_min, d.killed_max, d.casualties FROM event_doctrines d
          UNION ALL
          SELECT s.doctrine_id, so.country_id, so.kind, so.killed_min, so.killed_max, so.casualties
            FROM event_solo_actors so JOIN actor_doctrine_sets s ON s.actor_id = so.actor_id) t
   GROUP BY GROUPING SETS ((doctrine_id), (doctrine_id, country_id, kind));
  PERFORM place_rollups_rebuild();
END $$;

-- actor_rollup_by_role_band and _floor from actor_event_links, every actor (summaries_rebuild, and
-- once after the migration that made the tables, src/db/sql/backfills.sql).
CREATE OR REPLACE FUNCTION actor_role_floors_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE actor_rollup_by_role_band, actor_rollup_by_role_floor;
  INSERT INTO actor_rollup_by_role_band (actor_id, role, band, events, killed_min, killed_max, killed_open, killed_reported)
  SELECT l.actor_id, x.role, x.band, count(*), coalesce(sum(l.killed_min), 0), coalesce(sum(l.killed_max), 0),
         count(*) FILTER (WHERE l.killed_min IS NOT NULL AND l.killed_max IS NULL), count(l.killed_min)
    FROM actor_event_links l
    CROSS JOIN LATERAL link_role_bands(l.roles, l.role_confidence) x
   WHERE l.actor_id <> 0
   GROUP BY l.actor_id, x.role, x.band;
  CREATE TEMP TABLE IF NOT EXISTS actor_role_floor_pairs (actor_id integer, role participation_role) ON COMMIT DELETE ROWS;
  INSERT INTO actor_role_floor_pairs SELECT DISTINCT actor_id, role FROM actor_rollup_by_role_band;
  PERFORM actor_role_floors_recompute();
END $$;

-- Retired: actors_merged_now() said what actor_folds('infinity') says (the views above now use that).
DROP FUNCTION IF EXISTS actors_merged_now();
