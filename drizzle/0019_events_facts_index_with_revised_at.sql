-- Reads as of a past time (src/graphql/view.ts) keep an event's current row only if its values
-- were already current then (revised_at), so per-actor aggregates as of a time (reach, breakdowns
-- by actor) need revised_at beside the facts they read: with it in the covering index of 0007 each
-- of their ~78,000 event probes stays index-only, as live reads' are (docs/performance.md).
CREATE INDEX events_facts_as_of_idx ON events (id) INCLUDE (place_id, date_earliest, date_latest, killed_min, killed_max, revised_at);
--> statement-breakpoint
DROP INDEX events_facts_idx;
