-- actor_rollup_by_role per confidence band, and summed into the floors each row answers, so that a
-- floored ACTOR breakdown (one role or any) reads the first rows of an index ordered by count
-- instead of grouping every actor's actor_event_links rows (docs/performance.md, "Confidence
-- floors"). The tables are filled from actor_event_links by src/db/sql/backfills.sql (through
-- actor_role_floors_rebuild, which needs the casualty sums of src/db/sql), and kept by the drainer.
CREATE TABLE "actor_rollup_by_role_band" (
	"actor_id" integer NOT NULL,
	"role" "participation_role",
	"band" smallint NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "actor_rollup_by_role_band_key" UNIQUE NULLS NOT DISTINCT("actor_id","role","band")
);
--> statement-breakpoint
CREATE TABLE "actor_rollup_by_role_floor" (
	"actor_id" integer NOT NULL,
	"role" "participation_role",
	"floor_low" smallint NOT NULL,
	"floor_high" smallint NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "actor_rollup_by_role_floor_key" UNIQUE NULLS NOT DISTINCT("actor_id","role","floor_high")
);
--> statement-breakpoint
CREATE INDEX "actor_rollup_by_role_floor_events_idx" ON "actor_rollup_by_role_floor" USING btree ("role","events" DESC NULLS LAST,"actor_id","floor_low","floor_high");--> statement-breakpoint
CREATE INDEX "actor_rollup_by_role_floor_any_events_idx" ON "actor_rollup_by_role_floor" USING btree ("events" DESC NULLS LAST,"actor_id","floor_low","floor_high") WHERE "actor_rollup_by_role_floor"."role" is null;
