CREATE TYPE "public"."role" AS ENUM('viewer', 'analyst', 'admin');--> statement-breakpoint
CREATE TABLE "actor_merges" (
	"removed_actor_id" integer PRIMARY KEY NOT NULL,
	"kept_actor_id" integer NOT NULL,
	"merged_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merged_by" text NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "actor_merges_not_self_check" CHECK ("actor_merges"."removed_actor_id" <> "actor_merges"."kept_actor_id")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"role" "role" NOT NULL,
	"token_sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_name_unique" UNIQUE("name"),
	CONSTRAINT "api_tokens_token_sha256_unique" UNIQUE("token_sha256")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"principal" text NOT NULL,
	"operation" text NOT NULL,
	"request_id" text,
	"idempotency_key" text,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"principal" text NOT NULL,
	"key" text NOT NULL,
	"operation" text NOT NULL,
	"request_sha256" text NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_principal_key_pk" PRIMARY KEY("principal","key")
);
--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "retracted_by" text;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "retraction_citation_id" integer;--> statement-breakpoint
ALTER TABLE "actor_merges" ADD CONSTRAINT "actor_merges_removed_actor_id_actors_id_fk" FOREIGN KEY ("removed_actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actor_merges" ADD CONSTRAINT "actor_merges_kept_actor_id_actors_id_fk" FOREIGN KEY ("kept_actor_id") REFERENCES "public"."actors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "actor_merges_kept_actor_id_idx" ON "actor_merges" USING btree ("kept_actor_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at","id");--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_retraction_citation_id_citations_id_fk" FOREIGN KEY ("retraction_citation_id") REFERENCES "public"."citations"("id") ON DELETE no action ON UPDATE no action;