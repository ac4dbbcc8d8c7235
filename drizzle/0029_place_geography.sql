CREATE TYPE "public"."geo_precision" AS ENUM('EXACT', 'NEAR', 'ADMIN2', 'ADMIN1', 'REGION', 'COUNTRY');--> statement-breakpoint
ALTER TYPE "public"."place_kind" ADD VALUE 'ADMIN1';--> statement-breakpoint
ALTER TYPE "public"."place_kind" ADD VALUE 'ADMIN2';--> statement-breakpoint
CREATE TABLE "event_place_members" (
	"event_id" integer PRIMARY KEY NOT NULL,
	"place_id" integer NOT NULL,
	"kind" "event_kind" NOT NULL,
	"killed_min" integer,
	"killed_max" integer
);
--> statement-breakpoint
CREATE TABLE "event_rollup_by_place" (
	"place_id" integer NOT NULL,
	"kind" "event_kind" NOT NULL,
	"events" integer NOT NULL,
	"killed_min" bigint NOT NULL,
	"killed_max" bigint NOT NULL,
	"killed_open" integer NOT NULL,
	"killed_reported" integer NOT NULL,
	CONSTRAINT "event_rollup_by_place_key" UNIQUE("place_id","kind")
);
--> statement-breakpoint
CREATE TABLE "place_locations" (
	"place_id" integer PRIMARY KEY NOT NULL,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"precision" "geo_precision" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "place_revisions" ADD COLUMN "latitude" double precision;--> statement-breakpoint
ALTER TABLE "place_revisions" ADD COLUMN "longitude" double precision;--> statement-breakpoint
ALTER TABLE "place_revisions" ADD COLUMN "geo_precision" "geo_precision";--> statement-breakpoint
ALTER TABLE "place_revisions" ADD COLUMN "gazetteer" text;--> statement-breakpoint
ALTER TABLE "places" ADD COLUMN "latitude" double precision;--> statement-breakpoint
ALTER TABLE "places" ADD COLUMN "longitude" double precision;--> statement-breakpoint
ALTER TABLE "places" ADD COLUMN "geo_precision" "geo_precision";--> statement-breakpoint
ALTER TABLE "places" ADD COLUMN "gazetteer" text;--> statement-breakpoint
CREATE INDEX "place_locations_position_idx" ON "place_locations" USING btree ("latitude","longitude");--> statement-breakpoint
ALTER TABLE "place_revisions" ADD CONSTRAINT "place_revisions_location_check" CHECK (("place_revisions"."latitude" is null) = ("place_revisions"."longitude" is null) and ("place_revisions"."latitude" is null) = ("place_revisions"."geo_precision" is null));--> statement-breakpoint
ALTER TABLE "place_revisions" ADD CONSTRAINT "place_revisions_latitude_check" CHECK ("place_revisions"."latitude" between -90 and 90);--> statement-breakpoint
ALTER TABLE "place_revisions" ADD CONSTRAINT "place_revisions_longitude_check" CHECK ("place_revisions"."longitude" between -180 and 180);--> statement-breakpoint
ALTER TABLE "places" ADD CONSTRAINT "places_location_check" CHECK (("places"."latitude" is null) = ("places"."longitude" is null) and ("places"."latitude" is null) = ("places"."geo_precision" is null));--> statement-breakpoint
ALTER TABLE "places" ADD CONSTRAINT "places_latitude_check" CHECK ("places"."latitude" between -90 and 90);--> statement-breakpoint
ALTER TABLE "places" ADD CONSTRAINT "places_longitude_check" CHECK ("places"."longitude" between -180 and 180);