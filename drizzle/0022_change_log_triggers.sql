-- The changes feed (src/graphql/types/changes.ts). Triggers on every table a write can touch
-- record each create, update, retraction and merge in `changes`, in the writing transaction, so
-- the API, imports and plain SQL all show up. Who: the claim's recorded_by, the retraction's
-- retracted_by, the merge's merged_by, or else the transaction's `knowledge.principal` setting
-- (set by runWrite), else the database user.
CREATE FUNCTION change_principal() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('knowledge.principal', true), ''), 'database:' || session_user)
$$;
--> statement-breakpoint
-- Actors, events and doctrines: rows with an id and an establishing claim; an update names the
-- update claim behind the new values (none for the aliases a merge adds).
CREATE FUNCTION record_entity_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  claim integer;
  recorder text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    claim := NEW.claim_id;
  ELSIF to_jsonb(NEW) ->> 'revision_claim_id' IS DISTINCT FROM to_jsonb(OLD) ->> 'revision_claim_id' THEN
    claim := (to_jsonb(NEW) ->> 'revision_claim_id')::integer;
  END IF;
  SELECT recorded_by INTO recorder FROM claims WHERE id = claim;
  INSERT INTO changes (kind, entity_type, entity_id, claim_id, principal)
  VALUES (CASE TG_OP WHEN 'INSERT' THEN 'CREATED' ELSE 'UPDATED' END::change_kind, TG_ARGV[0], NEW.id, claim,
          coalesce(recorder, change_principal()));
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Adherences, relationships and participations are claims: their id is the claim's.
CREATE FUNCTION record_claim_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, claim_id, principal)
  VALUES ('CREATED', TG_ARGV[0], NEW.claim_id, NEW.claim_id,
          coalesce((SELECT recorded_by FROM claims WHERE id = NEW.claim_id), change_principal()));
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Sources, citations and places: records without a claim of their own.
CREATE FUNCTION record_unclaimed_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, principal)
  VALUES (CASE TG_OP WHEN 'INSERT' THEN 'CREATED' ELSE 'UPDATED' END::change_kind, TG_ARGV[0], NEW.id, change_principal());
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- What a retracted claim stands for in the API: the record it establishes, or the update claim itself.
CREATE FUNCTION retraction_target(retracted claims, OUT entity_type text, OUT entity_id integer) LANGUAGE plpgsql STABLE AS $$
BEGIN
  CASE retracted.kind
    WHEN 'ACTOR_PROFILE' THEN entity_type := 'Actor'; SELECT id INTO entity_id FROM actors WHERE claim_id = retracted.id;
    WHEN 'EVENT_REPORT' THEN entity_type := 'Event'; SELECT id INTO entity_id FROM events WHERE claim_id = retracted.id;
    WHEN 'DOCTRINE_DEFINITION' THEN entity_type := 'Doctrine'; SELECT id INTO entity_id FROM doctrines WHERE claim_id = retracted.id;
    WHEN 'ADHERENCE' THEN entity_type := 'Adherence'; entity_id := retracted.id;
    WHEN 'RELATIONSHIP' THEN entity_type := 'Relationship'; entity_id := retracted.id;
    WHEN 'PARTICIPATION' THEN entity_type := 'Participation'; entity_id := retracted.id;
  END CASE;
  IF entity_id IS NULL THEN
    entity_type := 'UpdateClaim';
    entity_id := retracted.id;
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION record_retraction_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, claim_id, principal)
  SELECT 'RETRACTED', t.entity_type, t.entity_id, NEW.id, coalesce(NEW.retracted_by, change_principal())
    FROM retraction_target(NEW) t;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION record_merge_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, entity_type, entity_id, into_id, principal)
  VALUES ('MERGED', 'Actor', NEW.removed_actor_id, NEW.kept_actor_id, NEW.merged_by);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Commit order. A change's id is taken when its row is written, so with concurrent writers a later
-- id can commit first: a reader that had passed it would never see the earlier one. Instead each
-- writing transaction takes its position at commit (this trigger is deferred), under a lock held
-- until the commit is visible, so positions become visible in increasing order. It also wakes
-- the servers' feed followers; pg_notify is delivered only when the transaction commits.
CREATE FUNCTION position_change_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  placed bigint;
BEGIN
  IF current_setting('knowledge.changes_positioned', true) = 'yes' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('knowledge.changes_positioned', 'yes', true);
  PERFORM pg_advisory_xact_lock(hashtextextended('change_commits', 0));
  INSERT INTO change_commits (xid) VALUES (pg_current_xact_id()) RETURNING position INTO placed;
  PERFORM pg_notify('knowledge_changes', placed::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER changes_commit_position AFTER INSERT ON changes
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION position_change_commit();
--> statement-breakpoint
CREATE TRIGGER actors_created AFTER INSERT ON actors
  FOR EACH ROW EXECUTE FUNCTION record_entity_change('Actor');
--> statement-breakpoint
CREATE TRIGGER actors_updated AFTER UPDATE ON actors
  FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION record_entity_change('Actor');
--> statement-breakpoint
CREATE TRIGGER events_created AFTER INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION record_entity_change('Event');
--> statement-breakpoint
CREATE TRIGGER events_updated AFTER UPDATE ON events
  FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION record_entity_change('Event');
--> statement-breakpoint
CREATE TRIGGER doctrines_change AFTER INSERT ON doctrines
  FOR EACH ROW EXECUTE FUNCTION record_entity_change('Doctrine');
--> statement-breakpoint
CREATE TRIGGER adherences_change AFTER INSERT ON adherences
  FOR EACH ROW EXECUTE FUNCTION record_claim_record_change('Adherence');
--> statement-breakpoint
CREATE TRIGGER relationships_change AFTER INSERT ON relationships
  FOR EACH ROW EXECUTE FUNCTION record_claim_record_change('Relationship');
--> statement-breakpoint
CREATE TRIGGER participations_change AFTER INSERT ON participations
  FOR EACH ROW EXECUTE FUNCTION record_claim_record_change('Participation');
--> statement-breakpoint
CREATE TRIGGER sources_created AFTER INSERT ON sources
  FOR EACH ROW EXECUTE FUNCTION record_unclaimed_change('Source');
--> statement-breakpoint
CREATE TRIGGER sources_updated AFTER UPDATE ON sources
  FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION record_unclaimed_change('Source');
--> statement-breakpoint
CREATE TRIGGER citations_change AFTER INSERT ON citations
  FOR EACH ROW EXECUTE FUNCTION record_unclaimed_change('Citation');
--> statement-breakpoint
CREATE TRIGGER places_created AFTER INSERT ON places
  FOR EACH ROW EXECUTE FUNCTION record_unclaimed_change('Place');
--> statement-breakpoint
CREATE TRIGGER places_updated AFTER UPDATE ON places
  FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION record_unclaimed_change('Place');
--> statement-breakpoint
CREATE TRIGGER claims_retraction_change AFTER UPDATE OF retracted_at ON claims
  FOR EACH ROW WHEN (OLD.retracted_at IS NULL AND NEW.retracted_at IS NOT NULL) EXECUTE FUNCTION record_retraction_change();
--> statement-breakpoint
CREATE TRIGGER actor_merges_change AFTER INSERT ON actor_merges
  FOR EACH ROW EXECUTE FUNCTION record_merge_change();
--> statement-breakpoint
-- What was stored before the feed existed: every record as created, then retractions and merges,
-- all at this migration's commit position.
INSERT INTO changes (kind, entity_type, entity_id, claim_id, into_id, principal, at)
SELECT kind::change_kind, entity_type, entity_id, claim_id, into_id, principal, at FROM (
  SELECT 'CREATED' AS kind, 'Source' AS entity_type, s.id AS entity_id, NULL::integer AS claim_id, NULL::integer AS into_id, 'database:backfill' AS principal, s.created_at AS at, 1 AS rank FROM sources s
  UNION ALL SELECT 'CREATED', 'Citation', c.id, NULL, NULL, 'database:backfill', c.created_at, 2 FROM citations c
  UNION ALL SELECT 'CREATED', 'Place', p.id, NULL, NULL, 'database:backfill', now(), 3 FROM places p
  UNION ALL SELECT 'CREATED', 'Doctrine', d.id, d.claim_id, NULL, k.recorded_by, k.recorded_at, 4 FROM doctrines d JOIN claims k ON k.id = d.claim_id
  UNION ALL SELECT 'CREATED', 'Actor', a.id, a.claim_id, NULL, k.recorded_by, k.recorded_at, 5 FROM actors a JOIN claims k ON k.id = a.claim_id
  UNION ALL SELECT 'CREATED', 'Event', e.id, e.claim_id, NULL, k.recorded_by, k.recorded_at, 6 FROM events e JOIN claims k ON k.id = e.claim_id
  UNION ALL SELECT 'CREATED', 'Adherence', r.claim_id, r.claim_id, NULL, k.recorded_by, k.recorded_at, 7 FROM adherences r JOIN claims k ON k.id = r.claim_id
  UNION ALL SELECT 'CREATED', 'Relationship', r.claim_id, r.claim_id, NULL, k.recorded_by, k.recorded_at, 8 FROM relationships r JOIN claims k ON k.id = r.claim_id
  UNION ALL SELECT 'CREATED', 'Participation', r.claim_id, r.claim_id, NULL, k.recorded_by, k.recorded_at, 9 FROM participations r JOIN claims k ON k.id = r.claim_id
  UNION ALL SELECT 'RETRACTED', t.entity_type, t.entity_id, k.id, NULL, coalesce(k.retracted_by, 'database:backfill'), k.retracted_at, 10
    FROM claims k CROSS JOIN LATERAL retraction_target(k) t WHERE k.retracted_at IS NOT NULL
  UNION ALL SELECT 'MERGED', 'Actor', m.removed_actor_id, NULL, m.kept_actor_id, m.merged_by, m.merged_at, 11 FROM actor_merges m
) stored ORDER BY rank, at, entity_id;
