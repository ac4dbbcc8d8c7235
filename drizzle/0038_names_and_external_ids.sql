CREATE TYPE "public"."external_id_scheme" AS ENUM('WIKIDATA', 'ACLED_EVENT_ID', 'ACLED_ACTOR', 'UCDP_GED_ID', 'UCDP_ACTOR_ID', 'GTD_EVENTID');--> statement-breakpoint
ALTER TYPE "public"."claim_kind" ADD VALUE 'ACTOR_NAME';--> statement-breakpoint
CREATE TABLE "actor_names" (
	"claim_id" integer PRIMARY KEY NOT NULL,
	"actor_id" integer NOT NULL,
	"name" text NOT NULL,
	"language" text NOT NULL,
	"script" text
);
--> statement-breakpoint
CREATE TABLE "external_ids" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "external_ids_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"scheme" "external_id_scheme" NOT NULL,
	"value" text NOT NULL,
	"actor_id" integer,
	"place_id" integer,
	"event_id" integer,
	"source_id" integer,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" text NOT NULL,
	CONSTRAINT "external_ids_one_record_check" CHECK (num_nonnulls("external_ids"."actor_id", "external_ids"."place_id", "external_ids"."event_id", "external_ids"."source_id") = 1),
	CONSTRAINT "external_ids_value_check" CHECK (char_length("external_ids"."value") between 1 and 500)
);
--> statement-breakpoint
ALTER TABLE "actor_names" ADD CONSTRAINT "actor_names_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actor_names" ADD CONSTRAINT "actor_names_actor_id_actors_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_actor_id_actors_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_place_id_places_id_fk" FOREIGN KEY ("place_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actor_names_actor_id_idx" ON "actor_names" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "actor_names_normalized_idx" ON "actor_names" USING btree (normalized_name("name"));--> statement-breakpoint
CREATE INDEX "actor_names_search_idx" ON "actor_names" USING gin (actor_name_search_document("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "external_ids_actor_key" ON "external_ids" USING btree ("scheme","value","actor_id") WHERE "external_ids"."actor_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "external_ids_place_key" ON "external_ids" USING btree ("scheme","value","place_id") WHERE "external_ids"."place_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "external_ids_event_key" ON "external_ids" USING btree ("scheme","value","event_id") WHERE "external_ids"."event_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "external_ids_source_key" ON "external_ids" USING btree ("scheme","value","source_id") WHERE "external_ids"."source_id" is not null;--> statement-breakpoint
CREATE INDEX "external_ids_actor_id_idx" ON "external_ids" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "external_ids_place_id_idx" ON "external_ids" USING btree ("place_id");--> statement-breakpoint
CREATE INDEX "external_ids_event_id_idx" ON "external_ids" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "external_ids_source_id_idx" ON "external_ids" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "actors_normalized_name_idx" ON "actors" USING btree (normalized_name("name"));--> statement-breakpoint
CREATE INDEX "places_normalized_name_idx" ON "places" USING btree (normalized_name("name"),"country_id");--> statement-breakpoint
CREATE INDEX "sources_text_sha256_idx" ON "sources" USING btree ("text_sha256");--> statement-breakpoint
CREATE INDEX "sources_url_idx" ON "sources" USING btree ("url");