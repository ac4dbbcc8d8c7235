CREATE TABLE "actor_event_links" (
	"event_id" integer NOT NULL,
	"actor_id" integer NOT NULL,
	"roles" smallint NOT NULL,
	"country_id" integer NOT NULL,
	"kind" "event_kind" NOT NULL,
	"grain" "event_grain" NOT NULL,
	"period" date,
	"killed_min" integer,
	"killed_max" integer,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "actor_event_links_event_id_actor_id_pk" PRIMARY KEY("event_id","actor_id")
);
--> statement-breakpoint
CREATE TABLE "actor_rollup" (
	"actor_id" integer NOT NULL,
	"roles" smallint NOT NULL,
	"country_id" integer,
	"kind" "event_kind",
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "actor_rollup_key" UNIQUE NULLS NOT DISTINCT("actor_id","roles","country_id","kind")
);
--> statement-breakpoint
CREATE TABLE "actor_rollup_by_role" (
	"role" "participation_role",
	"actor_id" integer NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "actor_rollup_by_role_key" UNIQUE NULLS NOT DISTINCT("actor_id","role")
);
--> statement-breakpoint
CREATE TABLE "actor_rollup_timeline" (
	"actor_id" integer NOT NULL,
	"roles" smallint NOT NULL,
	"grain" "event_grain" NOT NULL,
	"period" date,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "actor_rollup_timeline_key" UNIQUE NULLS NOT DISTINCT("actor_id","roles","grain","period")
);
--> statement-breakpoint
CREATE TABLE "doctrine_rollup" (
	"doctrine_id" integer NOT NULL,
	"country_id" integer,
	"kind" "event_kind",
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "doctrine_rollup_key" UNIQUE NULLS NOT DISTINCT("doctrine_id","country_id","kind")
);
--> statement-breakpoint
CREATE TABLE "event_doctrines" (
	"event_id" integer NOT NULL,
	"doctrine_id" integer NOT NULL,
	"country_id" integer NOT NULL,
	"kind" "event_kind" NOT NULL,
	"killed_min" integer,
	"killed_max" integer,
	CONSTRAINT "event_doctrines_event_id_doctrine_id_pk" PRIMARY KEY("event_id","doctrine_id")
);
--> statement-breakpoint
CREATE TABLE "event_rollup_by_country_total" (
	"country_id" integer,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "event_rollup_by_country_total_key" UNIQUE NULLS NOT DISTINCT("country_id")
);
--> statement-breakpoint
CREATE TABLE "event_rollup_by_period" (
	"grain" "event_grain" NOT NULL,
	"period" date,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "event_rollup_by_period_key" UNIQUE NULLS NOT DISTINCT("grain","period")
);
--> statement-breakpoint
ALTER TABLE "event_rollup_by_country_total" ADD CONSTRAINT "event_rollup_by_country_total_country_id_places_id_fk" FOREIGN KEY ("country_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actor_rollup_by_role_events_idx" ON "actor_rollup_by_role" USING btree ("role","events" DESC NULLS LAST,"actor_id");--> statement-breakpoint
CREATE INDEX "actor_rollup_by_role_any_events_idx" ON "actor_rollup_by_role" USING btree ("events" DESC NULLS LAST,"actor_id") WHERE "actor_rollup_by_role"."role" is null;--> statement-breakpoint
CREATE INDEX "events_ungrained_idx" ON "events" USING btree ("place_id") WHERE event_grain_of("events"."date_earliest", "events"."date_latest") = 'NONE';