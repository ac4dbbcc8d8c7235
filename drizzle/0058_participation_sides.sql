CREATE TYPE "public"."dyad_side" AS ENUM('A', 'B');--> statement-breakpoint
ALTER TABLE "participations" ADD COLUMN "side" "dyad_side";--> statement-breakpoint
ALTER TABLE "participations" ADD CONSTRAINT "participations_side_check" CHECK ("participations"."side" is null or "participations"."role" in ('PERPETRATOR', 'CLAIMED_RESPONSIBILITY', 'ATTRIBUTED'));