-- Each actor_event_links row gets role_confidence: per role (element i for bit 2^(i-1) of
-- participation_role_bit), the best confidence of the actor's live links to the event in that
-- role, capped by the confidence of the event's report (-1: no live link in that role). With it a
-- confidence floor on an aggregate by actor or role is decided from the actor's rows, as the
-- floor on events decides it from participations and claims (docs/performance.md, "Confidence
-- floors"); actor_event_links_group_idx carries it, and the bucket (period), so that such an
-- aggregate is an index-only range read of the actor's rows.
--
-- As for the place (actor_links_by_place), the rows are copied out, truncated and put back, so
-- the table stays compact and its indexes are built once. The confidences are computed here from
-- participations and claims (this runs before src/db/sql is applied, so without its functions);
-- a row whose event is queued but not yet drained is recomputed by the drainer as before.
CREATE TEMP TABLE actor_link_best ON COMMIT DROP AS
SELECT p.event_id, coalesce(m.canonical_id, p.actor_id) AS actor_id,
       ARRAY[coalesce(max(least(c.confidence, r.confidence)) FILTER (WHERE p.role = 'PERPETRATOR'), -1),
             coalesce(max(least(c.confidence, r.confidence)) FILTER (WHERE p.role = 'CLAIMED_RESPONSIBILITY'), -1),
             coalesce(max(least(c.confidence, r.confidence)) FILTER (WHERE p.role = 'ATTRIBUTED'), -1),
             coalesce(max(least(c.confidence, r.confidence)) FILTER (WHERE p.role = 'IMPLICATED'), -1),
             coalesce(max(least(c.confidence, r.confidence)) FILTER (WHERE p.role = 'INSPIRED'), -1),
             coalesce(max(least(c.confidence, r.confidence)) FILTER (WHERE p.role = 'TARGET'), -1),
             coalesce(max(least(c.confidence, r.confidence)) FILTER (WHERE p.role = 'VICTIM'), -1)]::smallint[] AS role_confidence
  FROM participations p
  JOIN claims c ON c.id = p.claim_id AND c.retracted_at IS NULL
  JOIN events e ON e.id = p.event_id
  JOIN claims r ON r.id = e.claim_id
  LEFT JOIN actor_folds('infinity') m ON m.actor_id = p.actor_id
 GROUP BY GROUPING SETS ((p.event_id, coalesce(m.canonical_id, p.actor_id)), (p.event_id));
--> statement-breakpoint
CREATE TEMP TABLE actor_event_links_confident ON COMMIT DROP AS
SELECT l.event_id, l.actor_id, l.roles, l.country_id, l.kind, l.grain, l.period, l.killed_min, l.killed_max,
       l.casualties, l.first_date, l.last_date, l.place_id,
       coalesce(b.role_confidence, '{-1,-1,-1,-1,-1,-1,-1}'::smallint[]) AS role_confidence
  FROM actor_event_links l
  LEFT JOIN actor_link_best b ON b.event_id = l.event_id AND coalesce(b.actor_id, 0) = l.actor_id;
--> statement-breakpoint
TRUNCATE actor_event_links;
--> statement-breakpoint
DROP INDEX IF EXISTS actor_event_links_group_idx;
--> statement-breakpoint
ALTER TABLE "actor_event_links" DROP CONSTRAINT IF EXISTS "actor_event_links_event_id_actor_id_pk";
--> statement-breakpoint
ALTER TABLE "actor_event_links" ADD COLUMN "role_confidence" smallint[] NOT NULL;
--> statement-breakpoint
INSERT INTO actor_event_links
  (event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, casualties, first_date, last_date, place_id, role_confidence)
SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, casualties, first_date, last_date, place_id, role_confidence
  FROM actor_event_links_confident;
--> statement-breakpoint
ALTER TABLE "actor_event_links" ADD CONSTRAINT "actor_event_links_event_id_actor_id_pk" PRIMARY KEY("event_id","actor_id");
--> statement-breakpoint
-- A group's rows, for recomputing its first/last dates after it loses one (actor_rollups_apply_delta);
-- and an actor's rows with what a map or a floored aggregate sums: the place, the killed figures,
-- the dates, grain and bucket, the confidence per role, and the event's id for the few rows whose
-- dates do not decide a date bound (src/graphql/loaders/geography.ts).
CREATE INDEX actor_event_links_group_idx ON actor_event_links (actor_id, roles, country_id, kind)
  INCLUDE (first_date, last_date, place_id, grain, killed_min, killed_max, event_id, period, role_confidence);
--> statement-breakpoint
ANALYZE actor_event_links;
