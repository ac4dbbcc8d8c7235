CREATE TABLE "source_text_maps" (
	"source_id" integer PRIMARY KEY NOT NULL,
	"text_sha256" text NOT NULL,
	"points" integer[] NOT NULL,
	"starts" integer[] NOT NULL,
	"ends" integer[] NOT NULL,
	"single_byte" boolean[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "source_text_maps" ADD CONSTRAINT "source_text_maps_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE cascade ON UPDATE no action;