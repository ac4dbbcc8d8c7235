ALTER TABLE "actor_event_links" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "actor_rollup" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "actor_rollup_by_role" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "actor_rollup_timeline" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "doctrine_rollup" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_doctrines" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD COLUMN "killed_best" integer;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD COLUMN "wounded_best" integer;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD COLUMN "killed_parts" jsonb;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD COLUMN "wounded_parts" jsonb;--> statement-breakpoint
ALTER TABLE "event_rollup_by_country" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_by_country_total" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_by_kind" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_by_period" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rollup_members" ADD COLUMN "casualties" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "killed_best" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "wounded_best" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "killed_parts" jsonb;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "wounded_parts" jsonb;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_killed_best_check" CHECK ("events"."killed_best" is null or "events"."killed_best" >= "events"."killed_min" and ("events"."killed_max" is null or "events"."killed_best" <= "events"."killed_max"));--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_wounded_best_check" CHECK ("events"."wounded_best" is null or "events"."wounded_best" >= "events"."wounded_min" and ("events"."wounded_max" is null or "events"."wounded_best" <= "events"."wounded_max"));