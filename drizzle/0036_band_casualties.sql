ALTER TABLE "event_rollup_by_band" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_country" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_by_band_period" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;
