-- The grades of each event's report (its best source's reliability, its credibility) kept with its
-- event_rollup_members row and as dimensions of event_rollup_by_band_period and _by_band_country,
-- so that totals, timelines and country breakdowns with a grade floor sum summary rows instead of
-- reading every event's report (docs/performance.md, "Grade floors from the summaries"). The two
-- rollups are emptied here (their rows have no grades) and refilled, with the members' grades, by
-- src/db/sql/backfills.sql (event_rollup_grades_rebuild), which the drainer's functions must exist for.
TRUNCATE "event_rollup_by_band_country", "event_rollup_by_band_period";--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_country" DROP CONSTRAINT "event_rollup_by_band_country_key";--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_period" DROP CONSTRAINT "event_rollup_by_band_period_key";--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_country" ADD COLUMN "reliability" "source_reliability" NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_country" ADD COLUMN "credibility" smallint NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_period" ADD COLUMN "reliability" "source_reliability" NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_period" ADD COLUMN "credibility" smallint NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_members" ADD COLUMN "reliability" "source_reliability";--> statement-breakpoint
ALTER TABLE "event_rollup_members" ADD COLUMN "credibility" smallint;--> statement-breakpoint
CREATE INDEX "event_rollup_members_grade_idx" ON "event_rollup_members" USING btree ("country_id","confidence","reliability","credibility") INCLUDE ("first_date","last_date");--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_country" ADD CONSTRAINT "event_rollup_by_band_country_key" UNIQUE NULLS NOT DISTINCT("country_id","band","reliability","credibility");--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_period" ADD CONSTRAINT "event_rollup_by_band_period_key" UNIQUE NULLS NOT DISTINCT("grain","period","band","reliability","credibility");