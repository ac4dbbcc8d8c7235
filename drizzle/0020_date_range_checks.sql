-- Dates outside DATE_RANGE (src/db/schema.ts) are refused from now on. NOT VALID: rows stored before
-- are not re-checked, so a database holding such a date still migrates (fix those rows, then VALIDATE).
ALTER TABLE "events" ADD CONSTRAINT "events_date_earliest_range_check" CHECK ("events"."date_earliest" is null or "events"."date_earliest" between '1700-01-01' and '2200-12-31') NOT VALID;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_date_latest_range_check" CHECK ("events"."date_latest" is null or "events"."date_latest" between '1700-01-01' and '2200-12-31') NOT VALID;--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_period_start_range_check" CHECK ("relationships"."period_start" is null or "relationships"."period_start" between '1700-01-01' and '2200-12-31') NOT VALID;--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_period_end_range_check" CHECK ("relationships"."period_end" is null or "relationships"."period_end" between '1700-01-01' and '2200-12-31') NOT VALID;--> statement-breakpoint
ALTER TABLE "sources" ADD CONSTRAINT "sources_published_earliest_range_check" CHECK ("sources"."published_earliest" is null or "sources"."published_earliest" between '1700-01-01' and '2200-12-31') NOT VALID;--> statement-breakpoint
ALTER TABLE "sources" ADD CONSTRAINT "sources_published_latest_range_check" CHECK ("sources"."published_latest" is null or "sources"."published_latest" between '1700-01-01' and '2200-12-31') NOT VALID;
