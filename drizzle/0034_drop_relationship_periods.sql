ALTER TABLE "relationships" DROP CONSTRAINT "relationships_period_start_range_check";--> statement-breakpoint
ALTER TABLE "relationships" DROP CONSTRAINT "relationships_period_end_range_check";--> statement-breakpoint
ALTER TABLE "relationships" DROP COLUMN "period_text";--> statement-breakpoint
ALTER TABLE "relationships" DROP COLUMN "period_start";--> statement-breakpoint
ALTER TABLE "relationships" DROP COLUMN "period_end";--> statement-breakpoint
ALTER TABLE "relationships" DROP COLUMN "period_precision";