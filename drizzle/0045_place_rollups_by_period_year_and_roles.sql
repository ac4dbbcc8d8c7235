-- Per-place sums by calendar bucket, by year and by the roles of an event's participants, so that
-- a map with date bounds or a role without an actor, and a timeline or breakdown of a box, read a
-- few rows per place instead of events or actor 0's link per event (docs/performance.md, "Maps").
-- They are kept from event_place_members like event_rollup_by_place (place_rollups_refresh,
-- src/db/sql/geography.sql), so each member row now carries its event's bucket, first and last
-- possible days and participants' roles.
CREATE TABLE "event_rollup_by_place_period" (
	"place_id" integer NOT NULL,
	"grain" "event_grain" NOT NULL,
	"period" date,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "event_rollup_by_place_period_key" UNIQUE NULLS NOT DISTINCT("place_id","grain","period")
);
--> statement-breakpoint
CREATE TABLE "event_rollup_by_place_roles" (
	"place_id" integer NOT NULL,
	"kind" "event_kind" NOT NULL,
	"roles" smallint NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "event_rollup_by_place_roles_key" UNIQUE("place_id","kind","roles")
);
--> statement-breakpoint
CREATE TABLE "event_rollup_by_place_year" (
	"place_id" integer NOT NULL,
	"year" date NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "event_rollup_by_place_year_key" UNIQUE("place_id","year")
);
--> statement-breakpoint
-- The members are copied out, truncated and put back with the new columns (as actor_event_links
-- was for its place): an UPDATE of a million rows would leave as many dead ones. The bucket and
-- days are those event_rollup_members holds for the event and the roles actor 0's link's, all
-- written by the same drain as the member (this runs before src/db/sql is applied, so without
-- its functions); an event queued but not yet drained is recomputed by the drainer as before.
CREATE TEMP TABLE event_place_members_dated ON COMMIT DROP AS
SELECT m.event_id, m.place_id, m.kind, m.killed_min, m.killed_max,
       coalesce(r.grain, 'NONE') AS grain, r.period, coalesce(l.roles, 0)::smallint AS roles, r.first_date, r.last_date
  FROM event_place_members m
  LEFT JOIN event_rollup_members r ON r.event_id = m.event_id
  LEFT JOIN actor_event_links l ON l.event_id = m.event_id AND l.actor_id = 0;
--> statement-breakpoint
TRUNCATE event_place_members;
--> statement-breakpoint
ALTER TABLE "event_place_members" ADD COLUMN "grain" "event_grain" NOT NULL;--> statement-breakpoint
ALTER TABLE "event_place_members" ADD COLUMN "period" date;--> statement-breakpoint
ALTER TABLE "event_place_members" ADD COLUMN "roles" smallint NOT NULL;--> statement-breakpoint
ALTER TABLE "event_place_members" ADD COLUMN "first_date" date;--> statement-breakpoint
ALTER TABLE "event_place_members" ADD COLUMN "last_date" date;--> statement-breakpoint
INSERT INTO event_place_members (event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date)
SELECT event_id, place_id, kind, killed_min, killed_max, grain, period, roles, first_date, last_date FROM event_place_members_dated;
--> statement-breakpoint
INSERT INTO event_rollup_by_place_period (place_id, grain, period, events, killed_min, killed_max, killed_open, killed_reported)
SELECT place_id, grain, period, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
       count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
  FROM event_place_members GROUP BY place_id, grain, period;
--> statement-breakpoint
INSERT INTO event_rollup_by_place_year (place_id, year, events, killed_min, killed_max, killed_open, killed_reported)
SELECT place_id, date_trunc('year', period::timestamp)::date, sum(events), sum(killed_min), sum(killed_max), sum(killed_open), sum(killed_reported)
  FROM event_rollup_by_place_period WHERE grain <> 'NONE' GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO event_rollup_by_place_roles (place_id, kind, roles, events, killed_min, killed_max, killed_open, killed_reported)
SELECT place_id, kind, roles, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
       count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min)
  FROM event_place_members GROUP BY place_id, kind, roles;
--> statement-breakpoint
CREATE INDEX "event_rollup_by_place_period_period_idx" ON "event_rollup_by_place_period" USING btree ("period");--> statement-breakpoint
CREATE INDEX "event_rollup_by_place_year_year_idx" ON "event_rollup_by_place_year" USING btree ("year");--> statement-breakpoint
CREATE INDEX "event_place_members_bucket_idx" ON "event_place_members" USING btree ("grain","period");--> statement-breakpoint
ANALYZE event_place_members;--> statement-breakpoint
ANALYZE event_rollup_by_place_period;--> statement-breakpoint
ANALYZE event_rollup_by_place_year;--> statement-breakpoint
ANALYZE event_rollup_by_place_roles;
