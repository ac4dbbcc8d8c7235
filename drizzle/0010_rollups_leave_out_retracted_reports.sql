-- The dashboard summary tables (0004, 0005) count the events the live knowledge base holds: an
-- event whose report (its EVENT_REPORT claim) is retracted no longer counts, as in `events`.
-- Recomputing groups now leaves such events out, and a retraction recomputes its event's groups
-- (by touching the event row, which fires the existing recompute triggers). Reads as of a past
-- time or including retracted claims do not use the summary tables (src/graphql/types/analytics.ts).

CREATE OR REPLACE FUNCTION event_rollup_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS event_rollup_touched (grain event_grain, period date, kind event_kind, country_id integer) ON COMMIT DROP;
  INSERT INTO event_rollup_touched
  SELECT event_grain_of(c.date_earliest, c.date_latest), event_period_of(c.date_earliest, c.date_latest), c.kind, pl.country_id
    FROM changed c LEFT JOIN places pl ON pl.id = c.place_id;

  DELETE FROM event_rollup_by_kind r USING (SELECT DISTINCT grain, period, kind FROM event_rollup_touched) t
   WHERE r.grain = t.grain AND r.period IS NOT DISTINCT FROM t.period AND r.kind = t.kind;
  INSERT INTO event_rollup_by_kind
    (grain, period, kind, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT t.grain, t.period, t.kind, count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
         count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
         min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
    FROM (SELECT DISTINCT grain, period, kind FROM event_rollup_touched) t
    JOIN events e ON e.kind = t.kind
    JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
     AND event_grain_of(e.date_earliest, e.date_latest) = t.grain
     AND event_period_of(e.date_earliest, e.date_latest) IS NOT DISTINCT FROM t.period
     AND (t.period IS NULL OR coalesce(e.date_earliest, e.date_latest) BETWEEN t.period AND t.period + interval '1 year')
   GROUP BY t.grain, t.period, t.kind;

  DELETE FROM event_rollup_by_country r USING (SELECT DISTINCT grain, period, country_id FROM event_rollup_touched) t
   WHERE r.grain = t.grain AND r.period IS NOT DISTINCT FROM t.period AND r.country_id IS NOT DISTINCT FROM t.country_id;
  INSERT INTO event_rollup_by_country
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT t.grain, t.period, t.country_id, count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
         count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
         min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
    FROM (SELECT DISTINCT grain, period, country_id FROM event_rollup_touched) t
    JOIN events e ON event_grain_of(e.date_earliest, e.date_latest) = t.grain
     AND event_period_of(e.date_earliest, e.date_latest) IS NOT DISTINCT FROM t.period
     AND (t.period IS NULL OR coalesce(e.date_earliest, e.date_latest) BETWEEN t.period AND t.period + interval '1 year')
    JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
    LEFT JOIN places pl ON pl.id = e.place_id
   WHERE pl.country_id IS NOT DISTINCT FROM t.country_id
   GROUP BY t.grain, t.period, t.country_id;

  TRUNCATE event_rollup_touched;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION event_rollup_rebuild_by_country() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM event_rollup_by_country;
  INSERT INTO event_rollup_by_country
    (grain, period, country_id, events, killed_min, killed_max, killed_open, killed_reported, first_date, last_date)
  SELECT event_grain_of(e.date_earliest, e.date_latest), event_period_of(e.date_earliest, e.date_latest), pl.country_id,
         count(*), coalesce(sum(e.killed_min), 0), coalesce(sum(e.killed_max), 0),
         count(*) FILTER (WHERE e.killed_min IS NOT NULL AND e.killed_max IS NULL), count(e.killed_min),
         min(coalesce(e.date_earliest, e.date_latest)), max(coalesce(e.date_latest, e.date_earliest))
    FROM events e JOIN claims report ON report.id = e.claim_id AND report.retracted_at IS NULL
    LEFT JOIN places pl ON pl.id = e.place_id GROUP BY 1, 2, 3;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION event_report_retracted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE events SET claim_id = claim_id WHERE claim_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER claims_event_report_retracted AFTER UPDATE OF retracted_at ON claims
  FOR EACH ROW WHEN (NEW.kind = 'EVENT_REPORT' AND OLD.retracted_at IS NULL AND NEW.retracted_at IS NOT NULL)
  EXECUTE FUNCTION event_report_retracted();
