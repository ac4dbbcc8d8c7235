CREATE TABLE "event_rollup_by_band" (
	"grain" "event_grain" NOT NULL,
	"period" date,
	"country_id" integer,
	"kind" "event_kind" NOT NULL,
	"band" smallint NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "event_rollup_by_band_key" UNIQUE NULLS NOT DISTINCT("grain","period","country_id","kind","band")
);
--> statement-breakpoint
CREATE TABLE "event_rollup_by_band_country" (
	"country_id" integer,
	"band" smallint NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "event_rollup_by_band_country_key" UNIQUE NULLS NOT DISTINCT("country_id","band")
);
--> statement-breakpoint
CREATE TABLE "event_rollup_by_band_period" (
	"grain" "event_grain" NOT NULL,
	"period" date,
	"band" smallint NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	"first_date" date,
	"last_date" date,
	CONSTRAINT "event_rollup_by_band_period_key" UNIQUE NULLS NOT DISTINCT("grain","period","band")
);
--> statement-breakpoint
ALTER TABLE "event_rollup_members" ADD COLUMN "confidence" smallint;--> statement-breakpoint
CREATE INDEX "event_rollup_by_band_country_idx" ON "event_rollup_by_band" USING btree ("country_id","band");