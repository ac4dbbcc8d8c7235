-- Each actor_event_links row gets its event's place (0 for none), so that a map filtered by actor
-- and role (and dates) sums that actor's rows per place instead of reading its events; and the
-- index that already holds an actor's rows in order (actor, roles, country, kind) carries what
-- such a map reads, so that it is an index-only range read (docs/performance.md, "Maps").
--
-- The rows are rewritten rather than updated in place: at a million events the table holds ~3
-- million rows, and an UPDATE of each would leave as many dead ones behind (and maintain both
-- indexes row by row); copied out, truncated and put back, the table is as compact as before
-- and its indexes are built once, from sorted input.
CREATE TEMP TABLE actor_event_links_placed ON COMMIT DROP AS
SELECT l.event_id, l.actor_id, l.roles, l.country_id, l.kind, l.grain, l.period, l.killed_min, l.killed_max,
       l.casualties, l.first_date, l.last_date, coalesce(e.place_id, 0) AS place_id
  FROM actor_event_links l LEFT JOIN events e ON e.id = l.event_id;
--> statement-breakpoint
TRUNCATE actor_event_links;
--> statement-breakpoint
DROP INDEX IF EXISTS actor_event_links_group_idx;
--> statement-breakpoint
ALTER TABLE "actor_event_links" DROP CONSTRAINT IF EXISTS "actor_event_links_event_id_actor_id_pk";
--> statement-breakpoint
ALTER TABLE "actor_event_links" ADD COLUMN "place_id" integer NOT NULL;
--> statement-breakpoint
INSERT INTO actor_event_links
  (event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, casualties, first_date, last_date, place_id)
SELECT event_id, actor_id, roles, country_id, kind, grain, period, killed_min, killed_max, casualties, first_date, last_date, place_id
  FROM actor_event_links_placed;
--> statement-breakpoint
ALTER TABLE "actor_event_links" ADD CONSTRAINT "actor_event_links_event_id_actor_id_pk" PRIMARY KEY("event_id","actor_id");
--> statement-breakpoint
-- A group's rows, for recomputing its first/last dates after it loses one (actor_rollups_apply_delta);
-- and an actor's rows with what a map sums per place: the place, the killed figures, and the
-- dates and grain that decide a date bound, with the event's id for the few rows whose dates do
-- not (one of the event's two dates unknown: src/graphql/loaders/geography.ts).
CREATE INDEX actor_event_links_group_idx ON actor_event_links (actor_id, roles, country_id, kind)
  INCLUDE (first_date, last_date, place_id, grain, killed_min, killed_max, event_id);
--> statement-breakpoint
ANALYZE actor_event_links;
