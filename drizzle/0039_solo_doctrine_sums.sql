CREATE TABLE "actor_solo_rollup" (
	"actor_id" integer NOT NULL,
	"country_id" integer,
	"kind" "event_kind",
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL,
	CONSTRAINT "actor_solo_rollup_key" UNIQUE NULLS NOT DISTINCT("actor_id","country_id","kind")
);
--> statement-breakpoint
CREATE TABLE "event_solo_actors" (
	"event_id" integer PRIMARY KEY NOT NULL,
	"actor_id" integer NOT NULL,
	"country_id" integer NOT NULL,
	"kind" "event_kind" NOT NULL,
	"killed_min" integer,
	"killed_max" integer,
	"casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL
);
--> statement-breakpoint
CREATE INDEX "event_solo_actors_actor_idx" ON "event_solo_actors" USING btree ("actor_id");