CREATE TYPE "public"."actor_kind" AS ENUM('ARMED_ORGANIZATION', 'STATE', 'GOVERNMENT', 'STATE_AGENCY', 'PERSON', 'COMMUNITY', 'OFFICIALS');--> statement-breakpoint
CREATE TYPE "public"."claim_kind" AS ENUM('ACTOR_PROFILE', 'EVENT_REPORT', 'DOCTRINE_DEFINITION', 'ADHERENCE', 'RELATIONSHIP', 'PARTICIPATION');--> statement-breakpoint
CREATE TYPE "public"."date_precision" AS ENUM('DAY', 'MONTH', 'YEAR', 'RANGE');--> statement-breakpoint
CREATE TYPE "public"."event_kind" AS ENUM('ATTACK', 'SUICIDE_ATTACK', 'SUICIDE_BOMBING', 'MASS_SHOOTING', 'STORMING', 'ASSASSINATION_ATTEMPT', 'PLOT', 'ATTACKS_AND_PLOTS', 'CAMPAIGN', 'INSURGENCY', 'MILITARY_OPERATION', 'WITHDRAWAL', 'TAKEOVER', 'FOUNDING');--> statement-breakpoint
CREATE TYPE "public"."participation_role" AS ENUM('PERPETRATOR', 'CLAIMED_RESPONSIBILITY', 'ATTRIBUTED', 'IMPLICATED', 'INSPIRED', 'TARGET', 'VICTIM');--> statement-breakpoint
CREATE TYPE "public"."place_kind" AS ENUM('COUNTRY', 'REGION', 'CITY', 'SITE');--> statement-breakpoint
CREATE TYPE "public"."relationship_type" AS ENUM('AFFILIATE_OF', 'RIVAL_OF', 'AT_WAR_WITH', 'AT_ODDS_WITH', 'ALLIED_WITH', 'SHELTERS', 'TACIT_COOPERATION_WITH', 'ENGAGES_DIPLOMATICALLY', 'FAVORS_RECOGNITION_OF', 'LEADS', 'MEMBER_OF', 'FORMED_FROM', 'RECRUITS_FROM', 'SUPPORTS', 'SUSPECTED_TIES_WITH');--> statement-breakpoint
CREATE TABLE "actors" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "actors_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"aliases" text[] DEFAULT '{}'::text[] NOT NULL,
	"kind" "actor_kind" NOT NULL,
	"description" text,
	"home_country_id" integer,
	"claim_id" integer NOT NULL,
	CONSTRAINT "actors_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "adherences" (
	"claim_id" integer PRIMARY KEY NOT NULL,
	"actor_id" integer NOT NULL,
	"doctrine_id" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "citations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "citations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"source_id" integer NOT NULL,
	"quote" text NOT NULL,
	"start_offset" integer NOT NULL,
	"end_offset" integer NOT NULL,
	"prefix" text NOT NULL,
	"suffix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "citations_source_span_key" UNIQUE("source_id","start_offset","end_offset"),
	CONSTRAINT "citations_offsets_check" CHECK ("citations"."start_offset" >= 0 and "citations"."end_offset" > "citations"."start_offset"),
	CONSTRAINT "citations_quote_length_check" CHECK (char_length("citations"."quote") = "citations"."end_offset" - "citations"."start_offset")
);
--> statement-breakpoint
CREATE TABLE "claim_citations" (
	"claim_id" integer NOT NULL,
	"citation_id" integer NOT NULL,
	CONSTRAINT "claim_citations_claim_id_citation_id_pk" PRIMARY KEY("claim_id","citation_id")
);
--> statement-breakpoint
CREATE TABLE "claims" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "claims_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"key" text,
	"kind" "claim_kind" NOT NULL,
	"confidence" smallint NOT NULL,
	"note" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" text NOT NULL,
	"retracted_at" timestamp with time zone,
	"retraction_reason" text,
	CONSTRAINT "claims_key_unique" UNIQUE("key"),
	CONSTRAINT "claims_confidence_check" CHECK ("claims"."confidence" between 0 and 100),
	CONSTRAINT "claims_retraction_check" CHECK (("claims"."retracted_at" is null) = ("claims"."retraction_reason" is null))
);
--> statement-breakpoint
CREATE TABLE "doctrines" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "doctrines_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"parent_id" integer,
	"claim_id" integer NOT NULL,
	CONSTRAINT "doctrines_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
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
	CONSTRAINT "events_slug_unique" UNIQUE("slug"),
	CONSTRAINT "events_date_order_check" CHECK ("events"."date_earliest" is null or "events"."date_latest" is null or "events"."date_earliest" <= "events"."date_latest"),
	CONSTRAINT "events_killed_check" CHECK ("events"."killed_min" >= 0 and ("events"."killed_max" is null or "events"."killed_max" >= "events"."killed_min") or "events"."killed_min" is null and "events"."killed_max" is null),
	CONSTRAINT "events_wounded_check" CHECK ("events"."wounded_min" >= 0 and ("events"."wounded_max" is null or "events"."wounded_max" >= "events"."wounded_min") or "events"."wounded_min" is null and "events"."wounded_max" is null)
);
--> statement-breakpoint
CREATE TABLE "participations" (
	"claim_id" integer PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"actor_id" integer NOT NULL,
	"role" "participation_role" NOT NULL,
	"attributed_by_id" integer,
	CONSTRAINT "participations_attribution_check" CHECK (("participations"."role" = 'ATTRIBUTED') = ("participations"."attributed_by_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "places" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "places_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"kind" "place_kind" NOT NULL,
	"parent_id" integer,
	"country_id" integer,
	"country_code" text,
	"region" text,
	CONSTRAINT "places_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "relationships" (
	"claim_id" integer PRIMARY KEY NOT NULL,
	"type" "relationship_type" NOT NULL,
	"from_actor_id" integer NOT NULL,
	"to_actor_id" integer NOT NULL,
	"period_text" text,
	"period_start" date,
	"period_end" date,
	"period_precision" date_precision,
	CONSTRAINT "relationships_not_self_check" CHECK ("relationships"."from_actor_id" <> "relationships"."to_actor_id")
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sources_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"title" text,
	"publisher" text NOT NULL,
	"author" text,
	"url" text,
	"published_text" text,
	"published_earliest" date,
	"published_latest" date,
	"published_precision" date_precision,
	"text" text NOT NULL,
	"text_sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sources_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "actors" ADD CONSTRAINT "actors_home_country_id_places_id_fk" FOREIGN KEY ("home_country_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actors" ADD CONSTRAINT "actors_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_actor_id_actors_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "adherences" ADD CONSTRAINT "adherences_doctrine_id_doctrines_id_fk" FOREIGN KEY ("doctrine_id") REFERENCES "public"."doctrines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "citations" ADD CONSTRAINT "citations_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claim_citations" ADD CONSTRAINT "claim_citations_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claim_citations" ADD CONSTRAINT "claim_citations_citation_id_citations_id_fk" FOREIGN KEY ("citation_id") REFERENCES "public"."citations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doctrines" ADD CONSTRAINT "doctrines_parent_id_doctrines_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."doctrines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doctrines" ADD CONSTRAINT "doctrines_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_place_id_places_id_fk" FOREIGN KEY ("place_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participations" ADD CONSTRAINT "participations_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participations" ADD CONSTRAINT "participations_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participations" ADD CONSTRAINT "participations_actor_id_actors_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participations" ADD CONSTRAINT "participations_attributed_by_id_actors_id_fk" FOREIGN KEY ("attributed_by_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "places" ADD CONSTRAINT "places_parent_id_places_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "places" ADD CONSTRAINT "places_country_id_places_id_fk" FOREIGN KEY ("country_id") REFERENCES "public"."places"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_from_actor_id_actors_id_fk" FOREIGN KEY ("from_actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relationships" ADD CONSTRAINT "relationships_to_actor_id_actors_id_fk" FOREIGN KEY ("to_actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actors_kind_idx" ON "actors" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "actors_home_country_id_idx" ON "actors" USING btree ("home_country_id");--> statement-breakpoint
CREATE INDEX "actors_claim_id_idx" ON "actors" USING btree ("claim_id");--> statement-breakpoint
CREATE INDEX "adherences_actor_id_idx" ON "adherences" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "adherences_doctrine_id_idx" ON "adherences" USING btree ("doctrine_id");--> statement-breakpoint
CREATE INDEX "claim_citations_citation_id_idx" ON "claim_citations" USING btree ("citation_id");--> statement-breakpoint
CREATE INDEX "claims_kind_idx" ON "claims" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "doctrines_parent_id_idx" ON "doctrines" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "doctrines_claim_id_idx" ON "doctrines" USING btree ("claim_id");--> statement-breakpoint
CREATE INDEX "events_kind_idx" ON "events" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "events_place_id_idx" ON "events" USING btree ("place_id");--> statement-breakpoint
CREATE INDEX "events_claim_id_idx" ON "events" USING btree ("claim_id");--> statement-breakpoint
CREATE INDEX "events_sort_date_idx" ON "events" USING btree (coalesce("date_earliest", "date_latest"),"id");--> statement-breakpoint
CREATE INDEX "participations_event_id_idx" ON "participations" USING btree ("event_id","role");--> statement-breakpoint
CREATE INDEX "participations_actor_id_idx" ON "participations" USING btree ("actor_id","role");--> statement-breakpoint
CREATE INDEX "participations_attributed_by_id_idx" ON "participations" USING btree ("attributed_by_id");--> statement-breakpoint
CREATE INDEX "places_parent_id_idx" ON "places" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "places_country_id_idx" ON "places" USING btree ("country_id");--> statement-breakpoint
CREATE INDEX "relationships_from_actor_id_idx" ON "relationships" USING btree ("from_actor_id","type");--> statement-breakpoint
CREATE INDEX "relationships_to_actor_id_idx" ON "relationships" USING btree ("to_actor_id","type");