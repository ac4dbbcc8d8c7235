CREATE TABLE "event_rollup_members" (
	"event_id" integer PRIMARY KEY NOT NULL,
	"grain" "event_grain" NOT NULL,
	"period" date,
	"kind" "event_kind" NOT NULL,
	"country_id" integer,
	"killed_min" integer,
	"killed_max" integer,
	"first_date" date,
	"last_date" date
);
--> statement-breakpoint
CREATE TABLE "summary_partitions" (
	"part" smallint PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "summary_queue" (
	"kind" text NOT NULL,
	"id" integer NOT NULL,
	"part" smallint GENERATED ALWAYS AS ((id % 16)::smallint) STORED NOT NULL,
	"marked_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "summary_queue_kind_check" CHECK ("summary_queue"."kind" in ('event', 'event_doctrines', 'actor_events', 'actor_doctrines', 'place'))
);
--> statement-breakpoint
CREATE INDEX "event_rollup_members_bucket_idx" ON "event_rollup_members" USING btree ("grain","period","kind","country_id","first_date","last_date");--> statement-breakpoint
CREATE INDEX "event_rollup_members_country_idx" ON "event_rollup_members" USING btree ("country_id","first_date","last_date");--> statement-breakpoint
CREATE INDEX "summary_queue_part_idx" ON "summary_queue" USING btree ("part","marked_at");--> statement-breakpoint
CREATE INDEX "summary_queue_marked_at_idx" ON "summary_queue" USING btree ("marked_at");