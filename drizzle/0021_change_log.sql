CREATE TYPE "public"."change_kind" AS ENUM('CREATED', 'UPDATED', 'RETRACTED', 'MERGED');--> statement-breakpoint
CREATE TABLE "change_commits" (
	"position" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "change_commits_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"xid" "xid8" NOT NULL,
	"committed_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "change_commits_xid_unique" UNIQUE("xid")
);
--> statement-breakpoint
CREATE TABLE "changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" "change_kind" NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" integer NOT NULL,
	"claim_id" integer,
	"into_id" integer,
	"principal" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "changes_xid_idx" ON "changes" USING btree ("xid","id");