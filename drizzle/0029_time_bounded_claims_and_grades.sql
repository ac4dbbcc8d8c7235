CREATE TYPE "public"."source_reliability" AS ENUM('A', 'B', 'C', 'D', 'E', 'F');--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "start_text" text;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "start_earliest" date;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "start_latest" date;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "start_precision" date_precision;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "end_text" text;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "end_earliest" date;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "end_latest" date;--> statement-breakpoint
ALTER TABLE "adherences" ADD COLUMN "end_precision" date_precision;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "credibility" smallint;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "start_text" text;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "start_earliest" date;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "start_latest" date;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "start_precision" date_precision;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "end_text" text;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "end_earliest" date;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "end_latest" date;--> statement-breakpoint
ALTER TABLE "relationships" ADD COLUMN "end_precision" date_precision;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "reliability" "source_reliability";--> statement-breakpoint
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