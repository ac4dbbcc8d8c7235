CREATE TABLE "place_locations" (
	"place_id" integer PRIMARY KEY NOT NULL,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"precision" "geo_precision" NOT NULL
);
--> statement-breakpoint
CREATE INDEX "place_locations_position_idx" ON "place_locations" USING btree ("latitude","longitude");--> statement-breakpoint
-- Filled from the places as they are (place_locations_refresh in src/db/sql/geography.sql keeps it after).
INSERT INTO "place_locations" ("place_id", "latitude", "longitude", "precision")
WITH RECURSIVE chain AS (
  SELECT pl.id AS place_id, pl.parent_id, pl.latitude, pl.longitude, pl.geo_precision, 0 AS depth FROM places pl
  UNION ALL
  SELECT c.place_id, up.parent_id, up.latitude, up.longitude, up.geo_precision, c.depth + 1
    FROM chain c JOIN places up ON up.id = c.parent_id WHERE c.latitude IS NULL AND c.depth < 16)
SELECT place_id, latitude, longitude,
       CASE WHEN depth = 0 THEN geo_precision ELSE greatest(geo_precision, 'NEAR'::geo_precision) END
  FROM chain WHERE latitude IS NOT NULL;
