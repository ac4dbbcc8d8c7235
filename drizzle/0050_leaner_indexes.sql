-- Indexes every write paid for and no read needed: claims by kind (no query picks claims by kind
-- alone), participations by (actor, role) without the covering columns
-- (participations_actor_covering_idx has the same keys), and the mostly-NULL revision and attributor columns, now indexed only
-- where set (an equality lookup implies NOT NULL, so the partial index serves it).
DROP INDEX "claims_kind_idx";--> statement-breakpoint
DROP INDEX "participations_actor_id_idx";--> statement-breakpoint
DROP INDEX "events_revision_claim_id_idx";--> statement-breakpoint
DROP INDEX "participations_attributed_by_id_idx";--> statement-breakpoint
CREATE INDEX "events_revision_claim_id_idx" ON "events" USING btree ("revision_claim_id") WHERE "events"."revision_claim_id" is not null;--> statement-breakpoint
CREATE INDEX "participations_attributed_by_id_idx" ON "participations" USING btree ("attributed_by_id") WHERE "participations"."attributed_by_id" is not null;