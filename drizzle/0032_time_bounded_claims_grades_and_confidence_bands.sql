CREATE TYPE "public"."source_reliability" AS ENUM('A', 'B', 'C', 'D', 'E', 'F');--> statement-breakpoint
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
ALTER TABLE "adherences" ADD COLUMN "start_text" text;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "start_earliest" date;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "start_latest" date;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "start_precision" date_precision;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "end_text" text;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "end_earliest" date;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "end_latest" date;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "end_precision" date_precision;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "credibility" smallint;--> statement-breakpoint
ALTER TABLE "event_rollup_members" ADD COLUMN "confidence" smallint;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "start_text" text;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "start_earliest" date;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "start_latest" date;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "start_precision" date_precision;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "end_text" text;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "end_earliest" date;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "end_latest" date;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "end_precision" date_precision;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "reliability" "source_reliability";--> statement-breakpoint
CREATE INDEX "event_rollup_by_band_country_idx" ON "event_rollup_by_band" USING btree ("country_id","band");--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_start_earliest_range_check" CHECK ("adherences"."start_earliest" is null or "adherences"."start_earliest" between '1700-01-01' and '2200-12-31');--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_start_latest_range_check" CHECK ("adherences"."start_latest" is null or "adherences"."start_latest" between '1700-01-01' and '2200-12-31');--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_end_earliest_range_check" CHECK ("adherences"."end_earliest" is null or "adherences"."end_earliest" between '1700-01-01' and '2200-12-31');--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_end_latest_range_check" CHECK ("adherences"."end_latest" is null or "adherences"."end_latest" between '1700-01-01' and '2200-12-31');--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_start_order_check" CHECK ("adherences"."start_earliest" is null or "adherences"."start_latest" is null or "adherences"."start_earliest" <= "adherences"."start_latest");--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_end_order_check" CHECK ("adherences"."end_earliest" is null or "adherences"."end_latest" is null or "adherences"."end_earliest" <= "adherences"."end_latest");--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_end_after_start_check" CHECK ("adherences"."start_earliest" is null or "adherences"."end_latest" is null or "adherences"."start_earliest" <= "adherences"."end_latest");--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_credibility_check" CHECK ("claims"."credibility" between 1 and 6);--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_start_earliest_range_check" CHECK ("relationships"."start_earliest" is null or "relationships"."start_earliest" between '1700-01-01' and '2200-12-31');--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_start_latest_range_check" CHECK ("relationships"."start_latest" is null or "relationships"."start_latest" between '1700-01-01' and '2200-12-31');--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_end_earliest_range_check" CHECK ("relationships"."end_earliest" is null or "relationships"."end_earliest" between '1700-01-01' and '2200-12-31');--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_end_latest_range_check" CHECK ("relationships"."end_latest" is null or "relationships"."end_latest" between '1700-01-01' and '2200-12-31');--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_start_order_check" CHECK ("relationships"."start_earliest" is null or "relationships"."start_latest" is null or "relationships"."start_earliest" <= "relationships"."start_latest");--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_end_order_check" CHECK ("relationships"."end_earliest" is null or "relationships"."end_latest" is null or "relationships"."end_earliest" <= "relationships"."end_latest");--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_end_after_start_check" CHECK ("relationships"."start_earliest" is null or "relationships"."end_latest" is null or "relationships"."start_earliest" <= "relationships"."end_latest");