-- Revisions: an update never loses what an entity said before. A BEFORE UPDATE trigger on each
-- revised table copies the row as it was into its revision table, in the update's transaction,
-- with the knowledge-time interval it was current for. Which columns are copied is listed once,
-- in src/db/revised-entities.ts: `{{actor_copied_columns}}` and `{{actor_copied_old_values}}` below
-- are replaced with that list (and `OLD.` each) when the file is applied (src/db/migrate.ts).
-- Actors and events change only with a cited update claim (revision_claim_id); places are
-- gazetteer data, changed by whoever the transaction names.

-- Who is writing, for revisions that carry no claim (places): runWrite sets `knowledge.principal`
-- for its transaction (src/writes/transaction.ts); other writers are named by their database user.
CREATE OR REPLACE FUNCTION knowledge_principal() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('knowledge.principal', true), ''), 'database:' || session_user)
$$;

CREATE OR REPLACE FUNCTION actors_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- Knowledge time of the change. Two writers of one actor are serialised by its row lock, but the
  -- second may have started (now()) before the first: its change then counts from the first's, so
  -- versions never overlap.
  at timestamptz := greatest(now(), OLD.revised_at);
  update_claim claims;
  merge actor_merges;
BEGIN
  -- A version created or revised in this same transaction was never seen by any reader: changing
  -- it again is part of the same write, not a new revision.
  IF OLD.revised_at = now() OR (OLD.revised_at IS NULL AND (SELECT recorded_at FROM claims WHERE id = OLD.claim_id) = now()) THEN
    NEW.revised_at := OLD.revised_at;
    RETURN NEW;
  END IF;
  IF (to_jsonb(NEW) - 'revised_at' - 'revision_claim_id') = (to_jsonb(OLD) - 'revised_at' - 'revision_claim_id') THEN
    RAISE EXCEPTION 'actor "%": revised_at and revision_claim_id change only together with the values they describe', OLD.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'actors_revision_bookkeeping';
  END IF;
  IF NEW.revision_claim_id IS DISTINCT FROM OLD.revision_claim_id THEN
    SELECT * INTO update_claim FROM claims WHERE id = NEW.revision_claim_id;
    IF update_claim.id IS NULL OR update_claim.kind <> 'ACTOR_PROFILE' OR update_claim.recorded_at <> now() THEN
      RAISE EXCEPTION 'actor "%": revision_claim_id must name an ACTOR_PROFILE claim recorded in the same transaction', OLD.slug
        USING ERRCODE = 'check_violation', CONSTRAINT = 'actors_revised_by_new_claim';
    END IF;
  ELSE
    -- The one change without a claim: the aliases a merge (made in this transaction) adds.
    SELECT * INTO merge FROM actor_merges WHERE kept_actor_id = OLD.id AND merged_at = now() ORDER BY removed_actor_id LIMIT 1;
    IF merge.removed_actor_id IS NULL OR (to_jsonb(NEW) - 'aliases' - 'revised_at') <> (to_jsonb(OLD) - 'aliases' - 'revised_at') THEN
      RAISE EXCEPTION 'actor "%" cannot be changed without a cited claim: record an ACTOR_PROFILE claim in the same transaction and set revision_claim_id to it', OLD.slug
        USING ERRCODE = 'check_violation', CONSTRAINT = 'actors_revised_by_new_claim';
    END IF;
  END IF;
  INSERT INTO actor_revisions (actor_id, {{actor_copied_columns}},
                               superseded_at, superseded_by, superseded_by_claim_id, superseded_by_merge_id)
  VALUES (OLD.id, {{actor_copied_old_values}},
          at, coalesce(update_claim.recorded_by, merge.merged_by), update_claim.id, merge.removed_actor_id);
  NEW.revised_at := at;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS actors_keep_revision ON actors;
CREATE TRIGGER actors_keep_revision BEFORE UPDATE ON actors
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION actors_keep_revision();

CREATE OR REPLACE FUNCTION events_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz := greatest(now(), OLD.revised_at);
  update_claim claims;
BEGIN
  IF OLD.revised_at = now() OR (OLD.revised_at IS NULL AND (SELECT recorded_at FROM claims WHERE id = OLD.claim_id) = now()) THEN
    NEW.revised_at := OLD.revised_at;
    RETURN NEW;
  END IF;
  IF (to_jsonb(NEW) - 'revised_at' - 'revision_claim_id') = (to_jsonb(OLD) - 'revised_at' - 'revision_claim_id') THEN
    RAISE EXCEPTION 'event "%": revised_at and revision_claim_id change only together with the values they describe', OLD.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'events_revision_bookkeeping';
  END IF;
  IF NEW.revision_claim_id IS DISTINCT FROM OLD.revision_claim_id THEN
    SELECT * INTO update_claim FROM claims WHERE id = NEW.revision_claim_id;
  END IF;
  IF update_claim.id IS NULL OR update_claim.kind <> 'EVENT_REPORT' OR update_claim.recorded_at <> now() THEN
    RAISE EXCEPTION 'event "%" cannot be changed without a cited claim: record an EVENT_REPORT claim in the same transaction and set revision_claim_id to it', OLD.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'events_revised_by_new_claim';
  END IF;
  INSERT INTO event_revisions (event_id, {{event_copied_columns}},
                               superseded_at, superseded_by, superseded_by_claim_id)
  VALUES (OLD.id, {{event_copied_old_values}},
          at, update_claim.recorded_by, update_claim.id);
  NEW.revised_at := at;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS events_keep_revision ON events;
CREATE TRIGGER events_keep_revision BEFORE UPDATE ON events
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION events_keep_revision();

CREATE OR REPLACE FUNCTION places_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz := greatest(now(), OLD.revised_at);
BEGIN
  IF OLD.revised_at = now() THEN
    RETURN NEW;
  END IF;
  IF (to_jsonb(NEW) - 'revised_at') = (to_jsonb(OLD) - 'revised_at') THEN
    RAISE EXCEPTION 'place "%": revised_at is kept by the database, not written', OLD.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'places_revision_bookkeeping';
  END IF;
  INSERT INTO place_revisions (place_id, {{place_copied_columns}}, superseded_at, superseded_by)
  VALUES (OLD.id, {{place_copied_old_values}}, at, knowledge_principal());
  NEW.revised_at := at;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS places_keep_revision ON places;
CREATE TRIGGER places_keep_revision BEFORE UPDATE ON places
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION places_keep_revision();

-- Revisions are history: never edited or deleted.
CREATE OR REPLACE FUNCTION revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: revisions are history', TG_TABLE_NAME
    USING ERRCODE = 'check_violation', CONSTRAINT = 'revisions_append_only';
END $$;

DROP TRIGGER IF EXISTS actor_revisions_append_only ON actor_revisions;
CREATE TRIGGER actor_revisions_append_only BEFORE UPDATE OR DELETE ON actor_revisions
  FOR EACH ROW EXECUTE FUNCTION revisions_append_only();

DROP TRIGGER IF EXISTS event_revisions_append_only ON event_revisions;
CREATE TRIGGER event_revisions_append_only BEFORE UPDATE OR DELETE ON event_revisions
  FOR EACH ROW EXECUTE FUNCTION revisions_append_only();

DROP TRIGGER IF EXISTS place_revisions_append_only ON place_revisions;
CREATE TRIGGER place_revisions_append_only BEFORE UPDATE OR DELETE ON place_revisions
  FOR EACH ROW EXECUTE FUNCTION revisions_append_only();
