-- One-time backfills of derived data, applied after every other file (they may call any function
-- the files define: summaries_rebuild needs geography.sql's place_rollups_rebuild). Each runs once
-- per database: it checks whether it is needed, does what is, and records its name in
-- sql_backfills_done, so applying the files again skips it without reading the tables its check
-- reads (seconds at a million events, while this transaction holds the triggers' table locks).

-- Summaries made before casualty vectors existed (the migration adding the columns leaves them
-- empty) are rebuilt once, so that every sum includes each event's parts; so are doctrine sums
-- made before events with one perpetrator or claimant counted through event_solo_actors (they
-- have event_doctrines rows for every event, and no event_solo_actors row).
-- (An event that gives no casualty figure has an empty vector of its own: only an empty one where
-- the event gives a figure is left by that migration.)
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sql_backfills_done WHERE name = 'summaries with casualty vectors and solo actors') THEN
    IF EXISTS (SELECT 1 FROM event_rollup_members m JOIN events e ON e.id = m.event_id
                WHERE cardinality(m.casualties) = 0
                  AND num_nonnulls(e.killed_min, e.killed_parts, e.wounded_min, e.wounded_parts) > 0)
       OR (NOT EXISTS (SELECT 1 FROM event_solo_actors) AND EXISTS (SELECT 1 FROM event_doctrines)) THEN
      PERFORM summaries_rebuild();
    END IF;
    INSERT INTO sql_backfills_done (name) VALUES ('summaries with casualty vectors and solo actors');
  END IF;
END $$;

-- actor_rollup_by_role_band and _floor, made empty by their migration, are filled once from
-- actor_event_links (a database whose summaries are empty has nothing to fill them from).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sql_backfills_done WHERE name = 'actor role floors') THEN
    IF NOT EXISTS (SELECT 1 FROM actor_rollup_by_role_band) AND EXISTS (SELECT 1 FROM actor_rollup_by_role) THEN
      PERFORM actor_role_floors_rebuild();
    END IF;
    INSERT INTO sql_backfills_done (name) VALUES ('actor role floors');
  END IF;
END $$;

-- Members made before the summaries kept report grades (the migration adding the columns leaves
-- them null, and empties event_rollup_by_band_period and _by_band_country): their grades are
-- filled from the reports once, and the two rollups summed from them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sql_backfills_done WHERE name = 'report grades of summary members') THEN
    IF EXISTS (SELECT 1 FROM event_rollup_members WHERE credibility IS NULL)
       OR (NOT EXISTS (SELECT 1 FROM event_rollup_by_band_period) AND EXISTS (SELECT 1 FROM event_rollup_members WHERE confidence IS NOT NULL)) THEN
      PERFORM 1 FROM summary_partitions FOR UPDATE;
      UPDATE event_rollup_members m SET reliability = x.reliability, credibility = x.credibility
        FROM event_rollup_members_expected x
       WHERE x.event_id = m.event_id AND m.credibility IS NULL;
      PERFORM event_rollup_grade_sums_rebuild();
    END IF;
    INSERT INTO sql_backfills_done (name) VALUES ('report grades of summary members');
  END IF;
END $$;

-- Links made before they kept their actor's sides in the event's dyad (the migration adding the
-- column leaves it null) get them once, from their events, with the drainers held off. A row the
-- recomputation does not give (its event's change is still queued) gets 0 until its drain.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sql_backfills_done WHERE name = 'link sides') THEN
    IF EXISTS (SELECT 1 FROM actor_event_links WHERE sides IS NULL) THEN
      PERFORM 1 FROM summary_partitions FOR UPDATE;
      UPDATE actor_event_links l SET sides = x.sides
        FROM actor_event_links_of(ARRAY(SELECT DISTINCT event_id FROM actor_event_links WHERE sides IS NULL)) x
       WHERE l.sides IS NULL AND x.event_id = l.event_id AND x.actor_id = l.actor_id;
      UPDATE actor_event_links SET sides = 0 WHERE sides IS NULL;
    END IF;
    INSERT INTO sql_backfills_done (name) VALUES ('link sides');
  END IF;
END $$;

-- Per-event vectors stored at full length before event_casualty_vector stopped after the last
-- measure an event gives: shortened once, from their events, with the drainers held off (the sums
-- do not change: a missing number sums as zero). Only an event without a wounded figure has a
-- shorter vector now.
DO $$
DECLARE
  tbl text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sql_backfills_done WHERE name = 'casualty vectors shortened') THEN
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
    INSERT INTO sql_backfills_done (name) VALUES ('casualty vectors shortened');
  END IF;
END $$;

-- Long texts stored before their chunk maps were kept (source_text_maps) are mapped once; a text
-- without a map is still checked, by mapping it in each statement that cites it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sql_backfills_done WHERE name = 'long source text maps') THEN
    PERFORM source_text_map_keep(s.id, s.text_sha256, s.text)
       FROM sources s
      WHERE source_text_is_long(s.text) AND NOT EXISTS (SELECT 1 FROM source_text_maps t WHERE t.source_id = s.id);
    INSERT INTO sql_backfills_done (name) VALUES ('long source text maps');
  END IF;
END $$;

-- Dataset records imported before sources kept their dataset: known by the id the importer gave
-- them (its scheme) and the publisher it wrote, they get it once, and with it (the update trigger)
-- search documents of their values instead of their column names.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sql_backfills_done WHERE name = 'datasets of dataset records') THEN
    UPDATE sources s SET dataset = x.dataset::dataset
      FROM external_ids i
      JOIN (VALUES ('UCDP_GED_ID', 'UCDP_GED', 'Uppsala Conflict Data Program (UCDP GED)'),
                   ('ACLED_EVENT_ID', 'ACLED', 'Armed Conflict Location & Event Data (ACLED)'),
                   ('GTD_EVENTID', 'GTD', 'Global Terrorism Database (START, University of Maryland)')) AS x (scheme, dataset, publisher)
        ON x.scheme = i.scheme::text
     WHERE i.source_id = s.id AND s.publisher = x.publisher AND s.dataset IS NULL;
    INSERT INTO sql_backfills_done (name) VALUES ('datasets of dataset records');
  END IF;
END $$;
