CREATE TYPE "public"."dataset" AS ENUM('UCDP_GED', 'ACLED', 'GTD');--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "dataset" "dataset";