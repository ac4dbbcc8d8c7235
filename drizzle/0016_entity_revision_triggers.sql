-- Revision history for actors, events and places (issue 4: time travel). Every writer (the API,
-- imports, psql) goes through these triggers: an update copies the row as it was into its
-- revision table, in the same transaction, with the knowledge-time interval it was current for
-- ([revised_at, superseded_at), revised_at null meaning "since creation") and what superseded it.
-- Reads `asOf` a time inside that interval use the copy (src/graphql/view.ts), so an earlier
-- dashboard can be reproduced exactly. Actors and events change only with a new cited claim (an
-- update claim, named in revision_claim_id), or for an actor's aliases, with a merge: knowledge is
-- never silently overwritten. Places are gazetteer data: their changes are kept, with who made them
-- (the writing transaction's `knowledge.principal` setting, else the database user).

-- Updates recorded before this migration (their old values only in the audit log, as written by
-- updateActor, updateEvent, updatePlace and mergeActors) become revisions, newest first, walking
-- back from each row's current values.
DO $$
DECLARE
  entity record;
  change record;
  state_actor actors;
  state_event events;
  state_place places;
  before jsonb;
BEGIN
  -- Actors: updates (a full snapshot before) and merges (the kept actor's aliases before).
  FOR entity IN
    SELECT DISTINCT coalesce(details->'actor'->>'id', details->'keep'->>'id')::int AS id
      FROM audit_log WHERE operation IN ('updateActor', 'mergeActors')
  LOOP
    SELECT * INTO state_actor FROM actors WHERE id = entity.id;
    CONTINUE WHEN NOT FOUND;
    FOR change IN
      SELECT a.id, a.at, a.principal, a.operation, a.details,
             lead(a.at) OVER w AS previous_at,
             (SELECT (p.details->>'claimId')::int FROM audit_log p
               WHERE p.operation = 'updateActor' AND (p.details->'actor'->>'id')::int = entity.id AND (p.at, p.id) < (a.at, a.id)
               ORDER BY p.at DESC, p.id DESC LIMIT 1) AS previous_claim_id
        FROM audit_log a
       WHERE (a.operation = 'updateActor' AND (a.details->'actor'->>'id')::int = entity.id)
          OR (a.operation = 'mergeActors' AND (a.details->'keep'->>'id')::int = entity.id)
      WINDOW w AS (ORDER BY a.at DESC, a.id DESC)
       ORDER BY a.at DESC, a.id DESC
    LOOP
      IF change.operation = 'updateActor' THEN
        before := change.details->'before';
        state_actor.slug := before->>'slug';
        state_actor.name := before->>'name';
        state_actor.aliases := ARRAY(SELECT jsonb_array_elements_text(before->'aliases'));
        state_actor.kind := (before->>'kind')::actor_kind;
        state_actor.description := before->>'description';
        state_actor.home_country_id := (before->>'homeCountryId')::int;
      ELSE
        state_actor.aliases := ARRAY(SELECT jsonb_array_elements_text(change.details->'aliasesBefore'));
      END IF;
      INSERT INTO actor_revisions (actor_id, slug, name, aliases, kind, description, home_country_id, claim_id,
                                   revised_at, revision_claim_id, superseded_at, superseded_by,
                                   superseded_by_claim_id, superseded_by_merge_id)
      VALUES (entity.id, state_actor.slug, state_actor.name, state_actor.aliases, state_actor.kind,
              state_actor.description, state_actor.home_country_id, state_actor.claim_id,
              change.previous_at, change.previous_claim_id, change.at, change.principal,
              CASE WHEN change.operation = 'updateActor' THEN (change.details->>'claimId')::int END,
              CASE WHEN change.operation = 'mergeActors' THEN (change.details->'remove'->>'id')::int END);
    END LOOP;
    UPDATE actors SET revised_at = (SELECT max(superseded_at) FROM actor_revisions WHERE actor_id = entity.id),
                      revision_claim_id = (SELECT superseded_by_claim_id FROM actor_revisions
                                            WHERE actor_id = entity.id AND superseded_by_claim_id IS NOT NULL
                                            ORDER BY superseded_at DESC, id DESC LIMIT 1)
     WHERE id = entity.id;
  END LOOP;

  FOR entity IN SELECT DISTINCT (details->'event'->>'id')::int AS id FROM audit_log WHERE operation = 'updateEvent' LOOP
    SELECT * INTO state_event FROM events WHERE id = entity.id;
    CONTINUE WHEN NOT FOUND;
    FOR change IN
      SELECT a.id, a.at, a.principal, a.details, lead(a.at) OVER w AS previous_at,
             (lead(a.details) OVER w)->>'claimId' AS previous_claim_id
        FROM audit_log a
       WHERE a.operation = 'updateEvent' AND (a.details->'event'->>'id')::int = entity.id
      WINDOW w AS (ORDER BY a.at DESC, a.id DESC)
       ORDER BY a.at DESC, a.id DESC
    LOOP
      before := change.details->'before';
      INSERT INTO event_revisions (event_id, slug, title, kind, description, date_text, date_earliest, date_latest,
                                   date_precision, place_id, killed_min, killed_max, killed_text, wounded_min,
                                   wounded_max, wounded_text, claim_id, revised_at, revision_claim_id,
                                   superseded_at, superseded_by, superseded_by_claim_id)
      VALUES (entity.id, before->>'slug', before->>'title', (before->>'kind')::event_kind, before->>'description',
              before->>'dateText', (before->>'dateEarliest')::date, (before->>'dateLatest')::date,
              (before->>'datePrecision')::date_precision, (before->>'placeId')::int, (before->>'killedMin')::int,
              (before->>'killedMax')::int, before->>'killedText', (before->>'woundedMin')::int,
              (before->>'woundedMax')::int, before->>'woundedText', state_event.claim_id,
              change.previous_at, change.previous_claim_id::int, change.at, change.principal,
              (change.details->>'claimId')::int);
    END LOOP;
    UPDATE events SET revised_at = (SELECT max(superseded_at) FROM event_revisions WHERE event_id = entity.id),
                      revision_claim_id = (SELECT superseded_by_claim_id FROM event_revisions WHERE event_id = entity.id
                                            ORDER BY superseded_at DESC, id DESC LIMIT 1)
     WHERE id = entity.id;
  END LOOP;

  FOR entity IN SELECT DISTINCT (details->'place'->>'id')::int AS id FROM audit_log WHERE operation = 'updatePlace' LOOP
    SELECT * INTO state_place FROM places WHERE id = entity.id;
    CONTINUE WHEN NOT FOUND;
    FOR change IN
      SELECT a.id, a.at, a.principal, a.details, lead(a.at) OVER w AS previous_at
        FROM audit_log a
       WHERE a.operation = 'updatePlace' AND (a.details->'place'->>'id')::int = entity.id
      WINDOW w AS (ORDER BY a.at DESC, a.id DESC)
       ORDER BY a.at DESC, a.id DESC
    LOOP
      before := change.details->'before';
      INSERT INTO place_revisions (place_id, slug, name, kind, parent_id, country_id, country_code, region,
                                   revised_at, superseded_at, superseded_by)
      VALUES (entity.id, before->>'slug', before->>'name', (before->>'kind')::place_kind, (before->>'parentId')::int,
              (before->>'countryId')::int, before->>'countryCode', before->>'region',
              change.previous_at, change.at, change.principal);
    END LOOP;
    UPDATE places SET revised_at = (SELECT max(superseded_at) FROM place_revisions WHERE place_id = entity.id)
     WHERE id = entity.id;
  END LOOP;
END $$;
--> statement-breakpoint

-- Who is writing, for revisions that carry no claim (places): runWrite sets `knowledge.principal`
-- for its transaction (src/writes/transaction.ts); other writers are named by their database user.
CREATE FUNCTION knowledge_principal() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('knowledge.principal', true), ''), 'database:' || session_user)
$$;
--> statement-breakpoint

CREATE FUNCTION actors_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
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
  INSERT INTO actor_revisions (actor_id, slug, name, aliases, kind, description, home_country_id, claim_id,
                               revised_at, revision_claim_id, superseded_at, superseded_by,
                               superseded_by_claim_id, superseded_by_merge_id)
  VALUES (OLD.id, OLD.slug, OLD.name, OLD.aliases, OLD.kind, OLD.description, OLD.home_country_id, OLD.claim_id,
          OLD.revised_at, OLD.revision_claim_id, at, coalesce(update_claim.recorded_by, merge.merged_by),
          update_claim.id, merge.removed_actor_id);
  NEW.revised_at := at;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER actors_keep_revision BEFORE UPDATE ON actors
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION actors_keep_revision();
--> statement-breakpoint

CREATE FUNCTION events_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
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
  INSERT INTO event_revisions (event_id, slug, title, kind, description, date_text, date_earliest, date_latest,
                               date_precision, place_id, killed_min, killed_max, killed_text, wounded_min,
                               wounded_max, wounded_text, claim_id, revised_at, revision_claim_id,
                               superseded_at, superseded_by, superseded_by_claim_id)
  VALUES (OLD.id, OLD.slug, OLD.title, OLD.kind, OLD.description, OLD.date_text, OLD.date_earliest, OLD.date_latest,
          OLD.date_precision, OLD.place_id, OLD.killed_min, OLD.killed_max, OLD.killed_text, OLD.wounded_min,
          OLD.wounded_max, OLD.wounded_text, OLD.claim_id, OLD.revised_at, OLD.revision_claim_id,
          at, update_claim.recorded_by, update_claim.id);
  NEW.revised_at := at;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER events_keep_revision BEFORE UPDATE ON events
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION events_keep_revision();
--> statement-breakpoint

CREATE FUNCTION places_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
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
  INSERT INTO place_revisions (place_id, slug, name, kind, parent_id, country_id, country_code, region,
                               revised_at, superseded_at, superseded_by)
  VALUES (OLD.id, OLD.slug, OLD.name, OLD.kind, OLD.parent_id, OLD.country_id, OLD.country_code, OLD.region,
          OLD.revised_at, at, knowledge_principal());
  NEW.revised_at := at;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER places_keep_revision BEFORE UPDATE ON places
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION places_keep_revision();
--> statement-breakpoint

-- A country is its own country. Set on insert (the identity id is known by then), so creating one
-- needs no second write that would look like a revision.
CREATE FUNCTION places_country_is_itself() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'COUNTRY' AND NEW.country_id IS NULL THEN
    NEW.country_id := NEW.id;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER places_country_is_itself BEFORE INSERT ON places
  FOR EACH ROW EXECUTE FUNCTION places_country_is_itself();
--> statement-breakpoint

-- Revisions are history: never edited or deleted.
CREATE FUNCTION revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: revisions are history', TG_TABLE_NAME
    USING ERRCODE = 'check_violation', CONSTRAINT = 'revisions_append_only';
END $$;
--> statement-breakpoint
CREATE TRIGGER actor_revisions_append_only BEFORE UPDATE OR DELETE ON actor_revisions
  FOR EACH ROW EXECUTE FUNCTION revisions_append_only();
--> statement-breakpoint
CREATE TRIGGER event_revisions_append_only BEFORE UPDATE OR DELETE ON event_revisions
  FOR EACH ROW EXECUTE FUNCTION revisions_append_only();
--> statement-breakpoint
CREATE TRIGGER place_revisions_append_only BEFORE UPDATE OR DELETE ON place_revisions
  FOR EACH ROW EXECUTE FUNCTION revisions_append_only();
