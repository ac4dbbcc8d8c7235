-- The changes feed (src/db/changes.ts, src/graphql/types/changes.ts). Triggers on every table a write can touch
-- record each create, update, retraction and merge in `changes`, in the writing transaction, so
-- the API, imports and plain SQL all show up. Who: the claim's recorded_by, the retraction's
-- retracted_by, the merge's merged_by, or else the transaction's `knowledge.principal` setting
-- (set by runWrite), else the database user.
CREATE OR REPLACE FUNCTION change_principal() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('knowledge.principal', true), ''), 'database:' || session_user)
$$;

-- Updates of actors and events: the change names the update claim behind the new values (none
-- for the aliases a merge adds). Their creation is recorded per statement (record_entities_created).
CREATE OR REPLACE FUNCTION record_entity_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  claim integer;
  recorder text;
BEGIN
  IF to_jsonb(NEW) ->> 'revision_claim_id' IS DISTINCT FROM to_jsonb(OLD) ->> 'revision_claim_id' THEN
    claim := (to_jsonb(NEW) ->> 'revision_claim_id')::integer;
  END IF;
  SELECT recorded_by INTO recorder FROM claims WHERE id = claim;
  INSERT INTO changes (kind, entity_type, entity_id, claim_id, principal)
  VALUES ('UPDATED', TG_ARGV[0], NEW.id, claim, coalesce(recorder, change_principal()));
  RETURN NULL;
END
$$;

-- Updates of sources and places: records without a claim of their own. Their creation is recorded
-- per statement (record_unclaimed_created).
CREATE OR REPLACE FUNCTION record_unclaimed_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, principal)
  VALUES ('UPDATED', TG_ARGV[0], NEW.id, change_principal());
  RETURN NULL;
END
$$;

-- What a statement created: one INSERT per statement rather than a trigger call and an INSERT per
-- row, so a bulk load of 100,000 rows pays for the feed in one set-based pass (updates keep their
-- row triggers above: they compare old and new). Rows go in id order, so within a transaction the
-- feed's (transaction id, change id) order follows the records' ids.
CREATE OR REPLACE FUNCTION record_entities_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, claim_id, principal)
  SELECT 'CREATED', TG_ARGV[0], n.id, n.claim_id, coalesce(c.recorded_by, change_principal())
    FROM new_rows n LEFT JOIN claims c ON c.id = n.claim_id
   ORDER BY n.id;
  RETURN NULL;
END
$$;

-- Adherences, relationships and participations are claims: their id is the claim's.
CREATE OR REPLACE FUNCTION record_claim_records_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, claim_id, principal)
  SELECT 'CREATED', TG_ARGV[0], n.claim_id, n.claim_id, coalesce(c.recorded_by, change_principal())
    FROM new_rows n LEFT JOIN claims c ON c.id = n.claim_id
   ORDER BY n.claim_id;
  RETURN NULL;
END
$$;

-- Sources, citations and places created.
CREATE OR REPLACE FUNCTION record_unclaimed_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, principal)
  SELECT 'CREATED', TG_ARGV[0], n.id, change_principal() FROM new_rows n ORDER BY n.id;
  RETURN NULL;
END
$$;

-- What a retracted claim stands for in the API: the record it establishes, or the update claim itself.
CREATE OR REPLACE FUNCTION retraction_target(retracted claims, OUT entity_type text, OUT entity_id integer) LANGUAGE plpgsql STABLE AS $$
BEGIN
  CASE retracted.kind
    WHEN 'ACTOR_PROFILE' THEN entity_type := 'Actor'; SELECT id INTO entity_id FROM actors WHERE claim_id = retracted.id;
    WHEN 'EVENT_REPORT' THEN entity_type := 'Event'; SELECT id INTO entity_id FROM events WHERE claim_id = retracted.id;
    WHEN 'DOCTRINE_DEFINITION' THEN entity_type := 'Doctrine'; SELECT id INTO entity_id FROM doctrines WHERE claim_id = retracted.id;
    WHEN 'ADHERENCE' THEN entity_type := 'Adherence'; entity_id := retracted.id;
    WHEN 'RELATIONSHIP' THEN entity_type := 'Relationship'; entity_id := retracted.id;
    WHEN 'PARTICIPATION' THEN entity_type := 'Participation'; entity_id := retracted.id;
    -- A withdrawn name changes the actor it named.
    WHEN 'ACTOR_NAME' THEN entity_type := 'Actor'; SELECT actor_id INTO entity_id FROM actor_names WHERE claim_id = retracted.id;
  END CASE;
  IF entity_id IS NULL THEN
    entity_type := 'UpdateClaim';
    entity_id := retracted.id;
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION record_retraction_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, claim_id, principal)
  SELECT 'RETRACTED', t.entity_type, t.entity_id, NEW.id, coalesce(NEW.retracted_by, change_principal())
    FROM retraction_target(NEW) t;
  RETURN NULL;
END
$$;

-- Grades given anew (src/db/sql/grades.sql): the source, or the record the claim stands for (as
-- for a retraction), with the claim.
CREATE OR REPLACE FUNCTION record_source_grading() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, principal) VALUES ('GRADED', 'Source', NEW.source_id, NEW.graded_by);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION record_claim_grading() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, claim_id, principal)
  SELECT 'GRADED', t.entity_type, t.entity_id, NEW.claim_id, NEW.graded_by
    FROM claims c, retraction_target(c) t WHERE c.id = NEW.claim_id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION record_merge_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, into_id, principal)
  VALUES ('MERGED', 'Actor', NEW.removed_actor_id, NEW.kept_actor_id, NEW.merged_by);
  RETURN NULL;
END
$$;

-- When each writing transaction went to commit, for the feed's committedAt: a deferred trigger, so
-- it runs once, at commit. Its row is keyed by the transaction's own id, so writers never wait for
-- each other here. (The feed is ordered by transaction id, not by this: src/db/changes.ts.)
DROP TRIGGER IF EXISTS changes_commit_position ON changes;
DROP FUNCTION IF EXISTS position_change_commit();
CREATE OR REPLACE FUNCTION record_change_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('knowledge.change_commit_recorded', true) = 'yes' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('knowledge.change_commit_recorded', 'yes', true);
  INSERT INTO change_commits (xid) VALUES (pg_current_xact_id());
  RETURN NULL;
END
$$;

-- The deferred trigger above is queued for the transaction's first change only (the WHEN runs as
-- the row is written), not once per change row: a bulk load writes 100,000s of change rows. A
-- savepoint rolled back undoes the setting together with the queued trigger.
CREATE OR REPLACE FUNCTION change_commit_unqueued() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF current_setting('knowledge.change_commit_queued', true) = 'yes' THEN
    RETURN false;
  END IF;
  PERFORM set_config('knowledge.change_commit_queued', 'yes', true);
  RETURN true;
END
$$;

DROP TRIGGER IF EXISTS changes_commit_time ON changes;
CREATE CONSTRAINT TRIGGER changes_commit_time AFTER INSERT ON changes
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (change_commit_unqueued()) EXECUTE FUNCTION record_change_commit();

DROP TRIGGER IF EXISTS actors_created ON actors;
CREATE TRIGGER actors_created AFTER INSERT ON actors
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_entities_created('Actor');

DROP TRIGGER IF EXISTS actors_updated ON actors;
CREATE TRIGGER actors_updated AFTER UPDATE ON actors
  FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION record_entity_change('Actor');

DROP TRIGGER IF EXISTS events_created ON events;
CREATE TRIGGER events_created AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_entities_created('Event');

DROP TRIGGER IF EXISTS events_updated ON events;
CREATE TRIGGER events_updated AFTER UPDATE ON events
  FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION record_entity_change('Event');

DROP TRIGGER IF EXISTS doctrines_change ON doctrines;
CREATE TRIGGER doctrines_change AFTER INSERT ON doctrines
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_entities_created('Doctrine');

DROP TRIGGER IF EXISTS adherences_change ON adherences;
CREATE TRIGGER adherences_change AFTER INSERT ON adherences
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_claim_records_created('Adherence');

DROP TRIGGER IF EXISTS relationships_change ON relationships;
CREATE TRIGGER relationships_change AFTER INSERT ON relationships
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_claim_records_created('Relationship');

DROP TRIGGER IF EXISTS participations_change ON participations;
CREATE TRIGGER participations_change AFTER INSERT ON participations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_claim_records_created('Participation');

-- The row function the claim records' inserts used before they were recorded per statement.
DROP FUNCTION IF EXISTS record_claim_record_change();

DROP TRIGGER IF EXISTS sources_created ON sources;
CREATE TRIGGER sources_created AFTER INSERT ON sources
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_unclaimed_created('Source');

-- A new reliability grade alone is recorded as GRADED, by its grading (record_source_grading).
DROP TRIGGER IF EXISTS sources_updated ON sources;
CREATE TRIGGER sources_updated AFTER UPDATE ON sources
  FOR EACH ROW WHEN (to_jsonb(OLD) - 'reliability' IS DISTINCT FROM to_jsonb(NEW) - 'reliability') EXECUTE FUNCTION record_unclaimed_change('Source');

DROP TRIGGER IF EXISTS citations_change ON citations;
CREATE TRIGGER citations_change AFTER INSERT ON citations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_unclaimed_created('Citation');

DROP TRIGGER IF EXISTS places_created ON places;
CREATE TRIGGER places_created AFTER INSERT ON places
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_unclaimed_created('Place');

DROP TRIGGER IF EXISTS places_updated ON places;
CREATE TRIGGER places_updated AFTER UPDATE ON places
  FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION record_unclaimed_change('Place');

DROP TRIGGER IF EXISTS claims_retraction_change ON claims;
CREATE TRIGGER claims_retraction_change AFTER UPDATE OF retracted_at ON claims
  FOR EACH ROW WHEN (OLD.retracted_at IS NULL AND NEW.retracted_at IS NOT NULL) EXECUTE FUNCTION record_retraction_change();

DROP TRIGGER IF EXISTS source_gradings_change ON source_gradings;
CREATE TRIGGER source_gradings_change AFTER INSERT ON source_gradings
  FOR EACH ROW EXECUTE FUNCTION record_source_grading();

DROP TRIGGER IF EXISTS claim_gradings_change ON claim_gradings;
CREATE TRIGGER claim_gradings_change AFTER INSERT ON claim_gradings
  FOR EACH ROW EXECUTE FUNCTION record_claim_grading();

DROP TRIGGER IF EXISTS actor_merges_change ON actor_merges;
CREATE TRIGGER actor_merges_change AFTER INSERT ON actor_merges
  FOR EACH ROW EXECUTE FUNCTION record_merge_change();
