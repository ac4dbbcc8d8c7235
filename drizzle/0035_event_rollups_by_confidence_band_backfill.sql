-- Each summarized event's report confidence, and the banded rollup summed from the members, as
-- summaries_rebuild and event_rollups_refresh (src/db/sql/summaries.sql) keep them from now on.
-- Members of events still queued are recomputed by the drainer, which compares confidence too.
UPDATE event_rollup_members m SET confidence = c.confidence
  FROM events e JOIN claims c ON c.id = e.claim_id
 WHERE e.id = m.event_id;
--> statement-breakpoint
INSERT INTO event_rollup_by_band (grain, period, country_id, kind, band, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
SELECT grain, period, country_id, kind, confidence, count(*), coalesce(sum(killed_min), 0), coalesce(sum(killed_max), 0),
       count(*) FILTER (WHERE killed_min IS NOT NULL AND killed_max IS NULL), count(killed_min), min(first_date), max(last_date)
  FROM event_rollup_members WHERE confidence IS NOT NULL
 GROUP BY grain, period, country_id, kind, confidence;
--> statement-breakpoint
INSERT INTO event_rollup_by_band_period (grain, period, band, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
SELECT grain, period, band, sum(events), sum(killed_min), sum(killed_max), sum(killed_open), sum(killed_reported), min(first_date), max(last_date)
  FROM event_rollup_by_band GROUP BY grain, period, band;
--> statement-breakpoint
INSERT INTO event_rollup_by_band_country (country_id, band, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
SELECT country_id, band, sum(events), sum(killed_min), sum(killed_max), sum(killed_open), sum(killed_reported), min(first_date), max(last_date)
  FROM event_rollup_by_band GROUP BY country_id, band;
