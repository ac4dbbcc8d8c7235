ALTER TYPE "public"."change_kind" ADD VALUE 'GRADED';--> statement-breakpoint
CREATE TABLE "claim_gradings" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "claim_gradings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"claim_id" integer NOT NULL,
	"previous" smallint,
	"credibility" smallint,
	"reason" text NOT NULL,
	"graded_by" text NOT NULL,
	"graded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "claim_gradings_credibility_check" CHECK ("claim_gradings"."credibility" between 1 and 6)
);
--> statement-breakpoint
CREATE TABLE "source_gradings" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "source_gradings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"source_id" integer NOT NULL,
	"previous" "source_reliability",
	"reliability" "source_reliability",
	"reason" text NOT NULL,
	"graded_by" text NOT NULL,
	"graded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "claim_gradings" ADD CONSTRAINT "claim_gradings_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_gradings" ADD CONSTRAINT "source_gradings_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "claim_gradings_claim_id_idx" ON "claim_gradings" USING btree ("claim_id","id");--> statement-breakpoint
CREATE INDEX "source_gradings_source_id_idx" ON "source_gradings" USING btree ("source_id","id");