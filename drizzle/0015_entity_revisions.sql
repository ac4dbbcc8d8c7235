CREATE TABLE "actor_revisions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "actor_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"actor_id" integer NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"aliases" text[] NOT NULL,
	"kind" "actor_kind" NOT NULL,
	"description" text,
	"home_country_id" integer,
	"claim_id" integer NOT NULL,
	"revised_at" timestamp with time zone,
	"revision_claim_id" integer,
	"superseded_at" timestamp with time zone NOT NULL,
	"superseded_by" text NOT NULL,
	"superseded_by_claim_id" integer,
	"superseded_by_merge_id" integer,
	CONSTRAINT "actor_revisions_cause_check" CHECK (("actor_revisions"."superseded_by_claim_id" is null) <> ("actor_revisions"."superseded_by_merge_id" is null)),
	CONSTRAINT "actor_revisions_interval_check" CHECK ("actor_revisions"."revised_at" is null or "actor_revisions"."revised_at" <= "actor_revisions"."superseded_at")
);
--> statement-breakpoint
CREATE TABLE "event_revisions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"event_id" integer NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"kind" "event_kind" NOT NULL,
	"description" text,
	"date_text" text,
	"date_earliest" date,
	"date_latest" date,
	"date_precision" date_precision NOT NULL,
	"place_id" integer,
	"killed_min" integer,
	"killed_max" integer,
	"killed_text" text,
	"wounded_min" integer,
	"wounded_max" integer,
	"wounded_text" text,
	"claim_id" integer NOT NULL,
	"revised_at" timestamp with time zone,
	"revision_claim_id" integer,
	"superseded_at" timestamp with time zone NOT NULL,
	"superseded_by" text NOT NULL,
	"superseded_by_claim_id" integer NOT NULL,
	CONSTRAINT "event_revisions_interval_check" CHECK ("event_revisions"."revised_at" is null or "event_revisions"."revised_at" <= "event_revisions"."superseded_at")
);
--> statement-breakpoint
CREATE TABLE "place_revisions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "place_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"place_id" integer NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"kind" "place_kind" NOT NULL,
	"parent_id" integer,
	"country_id" integer,
	"country_code" text,
	"region" text,
	"revised_at" timestamp with time zone,
	"superseded_at" timestamp with time zone NOT NULL,
	"superseded_by" text NOT NULL,
	CONSTRAINT "place_revisions_interval_check" CHECK ("place_revisions"."revised_at" is null or "place_revisions"."revised_at" <= "place_revisions"."superseded_at")
);
--> statement-breakpoint
ALTER TABLE "actors" ADD COLUMN "revised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "actors" ADD COLUMN "revision_claim_id" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "revised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "revision_claim_id" integer;--> statement-breakpoint
ALTER TABLE "places" ADD COLUMN "revised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "actor_revisions" ADD CONSTRAINT "actor_revisions_actor_id_actors_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actor_revisions" ADD CONSTRAINT "actor_revisions_home_country_id_places_id_fk" FOREIGN KEY ("home_country_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actor_revisions" ADD CONSTRAINT "actor_revisions_superseded_by_claim_id_claims_id_fk" FOREIGN KEY ("superseded_by_claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actor_revisions" ADD CONSTRAINT "actor_revisions_superseded_by_merge_id_actor_merges_removed_actor_id_fk" FOREIGN KEY ("superseded_by_merge_id") REFERENCES "public"."actor_merges"("removed_actor_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD CONSTRAINT "event_revisions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD CONSTRAINT "event_revisions_place_id_places_id_fk" FOREIGN KEY ("place_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD CONSTRAINT "event_revisions_superseded_by_claim_id_claims_id_fk" FOREIGN KEY ("superseded_by_claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "place_revisions" ADD CONSTRAINT "place_revisions_place_id_places_id_fk" FOREIGN KEY ("place_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "place_revisions" ADD CONSTRAINT "place_revisions_parent_id_places_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "place_revisions" ADD CONSTRAINT "place_revisions_country_id_places_id_fk" FOREIGN KEY ("country_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actor_revisions_actor_id_idx" ON "actor_revisions" USING btree ("actor_id","superseded_at");--> statement-breakpoint
CREATE INDEX "actor_revisions_superseded_at_idx" ON "actor_revisions" USING btree ("superseded_at");--> statement-breakpoint
CREATE INDEX "actor_revisions_home_country_id_idx" ON "actor_revisions" USING btree ("home_country_id");--> statement-breakpoint
CREATE INDEX "actor_revisions_superseded_by_claim_id_idx" ON "actor_revisions" USING btree ("superseded_by_claim_id");--> statement-breakpoint
CREATE INDEX "actor_revisions_superseded_by_merge_id_idx" ON "actor_revisions" USING btree ("superseded_by_merge_id");--> statement-breakpoint
CREATE INDEX "event_revisions_event_id_idx" ON "event_revisions" USING btree ("event_id","superseded_at");--> statement-breakpoint
CREATE INDEX "event_revisions_superseded_at_idx" ON "event_revisions" USING btree ("superseded_at");--> statement-breakpoint
CREATE INDEX "event_revisions_place_id_idx" ON "event_revisions" USING btree ("place_id");--> statement-breakpoint
CREATE INDEX "event_revisions_superseded_by_claim_id_idx" ON "event_revisions" USING btree ("superseded_by_claim_id");--> statement-breakpoint
CREATE INDEX "place_revisions_place_id_idx" ON "place_revisions" USING btree ("place_id","superseded_at");--> statement-breakpoint
CREATE INDEX "place_revisions_superseded_at_idx" ON "place_revisions" USING btree ("superseded_at");--> statement-breakpoint
CREATE INDEX "place_revisions_parent_id_idx" ON "place_revisions" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "place_revisions_country_id_idx" ON "place_revisions" USING btree ("country_id");--> statement-breakpoint
ALTER TABLE "actors" ADD CONSTRAINT "actors_revision_claim_id_claims_id_fk" FOREIGN KEY ("revision_claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_revision_claim_id_claims_id_fk" FOREIGN KEY ("revision_claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actors_revision_claim_id_idx" ON "actors" USING btree ("revision_claim_id");--> statement-breakpoint
CREATE INDEX "events_revision_claim_id_idx" ON "events" USING btree ("revision_claim_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");