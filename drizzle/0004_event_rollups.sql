CREATE TYPE "public"."event_grain" AS ENUM('MONTH', 'QUARTER', 'YEAR', 'NONE');--> statement-breakpoint
CREATE TABLE "event_rollup_by_country" (
	"grain" "event_grain" NOT NULL,
	"period" date,
	"country_id" integer,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "event_rollup_by_country_key" UNIQUE NULLS NOT DISTINCT("grain","period","country_id")
);
--> statement-breakpoint
CREATE TABLE "event_rollup_by_kind" (
	"grain" "event_grain" NOT NULL,
	"period" date,
	"kind" "event_kind" NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "event_rollup_by_kind_key" UNIQUE NULLS NOT DISTINCT("grain","period","kind")
);
--> statement-breakpoint
ALTER TABLE "event_rollup_by_country" ADD CONSTRAINT "event_rollup_by_country_country_id_places_id_fk" FOREIGN KEY ("country_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_rollup_by_country_country_id_idx" ON "event_rollup_by_country" USING btree ("country_id");