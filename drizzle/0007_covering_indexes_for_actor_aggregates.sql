-- Per-actor aggregates (Actor.reach, eventStats/timeline/breakdown filtered by actor or role)
-- walk an actor's participations, check each claim is live and read each event's date, place
-- and casualties. For the busiest actor of a million-event dataset that is ~78,000 probes into
-- each table; with these covering indexes every probe is index-only (no heap visit), which cut
-- its reach from 4.1 s to 0.6 s (docs/performance.md). Drizzle cannot declare INCLUDE columns,
-- hence a custom migration.
CREATE INDEX participations_actor_covering_idx ON participations (actor_id, role) INCLUDE (event_id, claim_id);
--> statement-breakpoint
CREATE INDEX claims_live_id_idx ON claims (id) WHERE retracted_at IS NULL;
--> statement-breakpoint
CREATE INDEX events_facts_idx ON events (id) INCLUDE (place_id, date_earliest, date_latest, killed_min, killed_max);
