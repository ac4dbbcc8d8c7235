-- One-time backfills of derived data, applied after every other file (they may call any function
-- the files define: summaries_rebuild needs geography.sql's place_rollups_rebuild). Each runs once
-- per database: sql_backfill_first_run records its name in sql_backfills_done (with its work, in
-- this transaction) and says whether it was new, so applying the files again skips the backfill
-- without reading the tables its check reads (seconds at a million events, while this transaction
-- holds the triggers' table locks). Where it runs, each still checks whether it is needed.

-- Whether the backfill `backfill` has yet to run here; from now on it has.
CREATE OR REPLACE FUNCTION sql_backfill_first_run(backfill text) RETURNS boolean
LANGUAGE sql AS $$
  WITH recorded AS (INSERT INTO sql_backfills_done (name) VALUES (backfill) ON CONFLICT (name) DO NOTHING RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM recorded)
$$;

DO $$
DECLARE
  tbl text;
BEGIN
  -- Summaries made before casualty vectors existed (the migration adding the columns leaves them
  -- empty) are rebuilt once, so that every sum includes each event's parts; so are doctrine sums
  -- made before events with one perpetrator or claimant counted through event_solo_actors (they
  -- have event_doctrines rows for every event, and no event_solo_actors row). (An event that
  -- gives no casualty figure has an empty vector of its own: only an empty one where the event
  -- gives a figure is left by that migration.)
  IF sql_backfill_first_run('summaries with casualty vectors and solo actors') THEN
    IF EXISTS (SELECT 1 FROM event_rollup_members m JOIN events e ON e.id = m.event_id
                WHERE cardinality(m.casualties) = 0
                  AND num_nonnulls(e.killed_min, e.killed_parts, e.wounded_min, e.wounded_parts) > 0)
       OR (NOT EXISTS (SELECT 1 FROM event_solo_actors) AND EXISTS (SELECT 1 FROM event_doctrines)) THEN
      PERFORM summaries_rebuild();
    END IF;
  END IF;

  -- actor_rollup_by_role_band and _floor, made empty by their migration, are filled once from
  -- actor_event_links (a database whose summaries are empty has nothing to fill them from).
  -- (IFs nested: SQL does not promise to evaluate AND's operands in order, and the first must run.)
  IF sql_backfill_first_run('actor role floors') THEN
    IF NOT EXISTS (SELECT 1 FROM actor_rollup_by_role_band) AND EXISTS (SELECT 1 FROM actor_rollup_by_role) THEN
      PERFORM actor_role_floors_rebuild();
    END IF;
  END IF;

  -- Members made before the summaries kept report grades (the migration adding the columns leaves
  -- them null, and empties event_rollup_by_band_period and _by_band_country): their grades are
  -- filled from the reports once, and the two rollups summed from them.
  IF sql_backfill_first_run('report grades of summary members') THEN
    IF EXISTS (SELECT 1 FROM event_rollup_members WHERE credibility IS NULL)
       OR (NOT EXISTS (SELECT 1 FROM event_rollup_by_band_period) AND EXISTS (SELECT 1 FROM event_rollup_members WHERE confidence IS NOT NULL)) THEN
      PERFORM 1 FROM summary_partitions FOR UPDATE;
      UPDATE event_rollup_members m SET reliability = x.reliability, credibility = x.credibility
        FROM event_rollup_members_expected x
       WHERE x.event_id = m.event_id AND m.credibility IS NULL;
      PERFORM event_rollup_grade_sums_rebuild();
    END IF;
  END IF;

  -- Links made before they kept their actor's sides in the event's dyad (the migration adding the
  -- column leaves it null) get them once, from their events, with the drainers held off. A row the
  -- recomputation does not give (its event's change is still queued) gets 0 until its drain.
  IF sql_backfill_first_run('link sides') THEN
    IF EXISTS (SELECT 1 FROM actor_event_links WHERE sides IS NULL) THEN
      PERFORM 1 FROM summary_partitions FOR UPDATE;
      UPDATE actor_event_links l SET sides = x.sides
        FROM actor_event_links_of(ARRAY(SELECT DISTINCT event_id FROM actor_event_links WHERE sides IS NULL)) x
       WHERE l.sides IS NULL AND x.event_id = l.event_id AND x.actor_id = l.actor_id;
      UPDATE actor_event_links SET sides = 0 WHERE sides IS NULL;
    END IF;
  END IF;

  -- Per-event vectors stored at full length before event_casualty_vector stopped after the last
  -- measure an event gives: shortened once, from their events, with the drainers held off (the
  -- sums do not change: a missing number sums as zero). Only an event without a wounded figure
  -- has a shorter vector now.
  IF sql_backfill_first_run('casualty vectors shortened') THEN
    IF EXISTS (SELECT 1 FROM event_rollup_members m JOIN events e ON e.id = m.event_id
                WHERE cardinality(m.casualties) = {{casualty_vector_length}} AND e.wounded_min IS NULL AND e.wounded_parts IS NULL) THEN
      PERFORM 1 FROM summary_partitions FOR UPDATE;
      FOREACH tbl IN ARRAY ARRAY['event_rollup_members', 'actor_event_links', 'event_doctrines'] LOOP
        EXECUTE format(
          'UPDATE %I t SET casualties = event_casualty_vector(e.killed_min, e.killed_best, e.killed_max, e.killed_parts,
                                                              e.wounded_min, e.wounded_best, e.wounded_max, e.wounded_parts)
             FROM events e
            WHERE e.id = t.event_id AND cardinality(t.casualties) = {{casualty_vector_length}}
              AND e.wounded_min IS NULL AND e.wounded_parts IS NULL', tbl);
      END LOOP;
    END IF;
  END IF;

  -- Long texts stored before their chunk maps were kept (source_text_maps) are mapped once; a text
  -- without a map is still checked, by mapping it in each statement that cites it.
  IF sql_backfill_first_run('long source text maps') THEN
    PERFORM source_text_map_keep(s.id, s.text_sha256, s.text)
       FROM sources s
      WHERE source_text_is_long(s.text) AND NOT EXISTS (SELECT 1 FROM source_text_maps t WHERE t.source_id = s.id);
  END IF;

  -- Dataset records imported before sources kept their dataset: known by the id the importer gave
  -- them (its scheme) and the publisher it wrote, they get it once, and with it (the update
  -- trigger) search documents of their values instead of their column names.
  IF sql_backfill_first_run('datasets of dataset records') THEN
    UPDATE sources s SET dataset = x.dataset::dataset
      FROM external_ids i
      JOIN (VALUES ('UCDP_GED_ID', 'UCDP_GED', 'Uppsala Conflict Data Program (UCDP GED)'),
                   ('ACLED_EVENT_ID', 'ACLED', 'Armed Conflict Location & Event Data (ACLED)'),
                   ('GTD_EVENTID', 'GTD', 'Global Terrorism Database (START, University of Maryland)')) AS x (scheme, dataset, publisher)
        ON x.scheme = i.scheme::text
     WHERE i.source_id = s.id AND s.publisher = x.publisher AND s.dataset IS NULL;
  END IF;
END $$;
