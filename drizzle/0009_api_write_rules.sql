-- Rules for writes through the API (issue 4) that every writer must obey, not just the app.

-- Claims are retracted, never deleted: a deleted claim would silently change what an earlier
-- dashboard (asOf) showed. A retraction is final, and only these columns may change.
CREATE FUNCTION claims_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'claim % cannot be deleted; retract it instead', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'claims_never_deleted';
  END IF;
  IF OLD.retracted_at IS NOT NULL AND (NEW.retracted_at IS DISTINCT FROM OLD.retracted_at
      OR NEW.retraction_reason IS DISTINCT FROM OLD.retraction_reason
      OR NEW.retracted_by IS DISTINCT FROM OLD.retracted_by
      OR NEW.retraction_citation_id IS DISTINCT FROM OLD.retraction_citation_id) THEN
    RAISE EXCEPTION 'claim % is already retracted; a retraction cannot be changed', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'claims_retraction_final';
  END IF;
  IF NEW.kind IS DISTINCT FROM OLD.kind OR NEW.confidence IS DISTINCT FROM OLD.confidence
     OR NEW.note IS DISTINCT FROM OLD.note OR NEW.recorded_at IS DISTINCT FROM OLD.recorded_at
     OR NEW.recorded_by IS DISTINCT FROM OLD.recorded_by OR NEW.key IS DISTINCT FROM OLD.key THEN
    RAISE EXCEPTION 'claim % cannot be overwritten; retract it and record a new claim', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'claims_never_overwritten';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER claims_append_only BEFORE UPDATE OR DELETE ON claims
  FOR EACH ROW EXECUTE FUNCTION claims_append_only();
--> statement-breakpoint

-- The audit log is a record of what happened: it is never edited.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only'
    USING ERRCODE = 'check_violation', CONSTRAINT = 'audit_log_append_only';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint

-- Merges are resolved at read time, as of the time asked about (`at`; 'infinity' for now), so a
-- read before a merge answers as it did then. The actor an id stands for at `at`, following
-- chains (A into B, later B into C); merges refuse cycles, the depth cap is a backstop.
CREATE FUNCTION canonical_actor(actor_id integer, at timestamptz) RETURNS integer
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chain(id, depth) AS (
    SELECT actor_id, 0
    UNION ALL
    SELECT m.kept_actor_id, c.depth + 1
      FROM chain c JOIN actor_merges m ON m.removed_actor_id = c.id AND m.merged_at <= at
     WHERE c.depth < 32
  )
  SELECT id FROM chain ORDER BY depth DESC LIMIT 1
$$;
--> statement-breakpoint

-- Every actor folded (directly or through a chain) into one of `ids` by `at`, with the id it
-- was folded into; each of `ids` is listed as folded into itself.
CREATE FUNCTION actors_folded_into(ids integer[], at timestamptz)
RETURNS TABLE (actor_id integer, canonical_id integer)
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE tree(id, canonical, depth) AS (
    SELECT i, i, 0 FROM unnest(ids) AS i
    UNION ALL
    SELECT m.removed_actor_id, t.canonical, t.depth + 1
      FROM tree t JOIN actor_merges m ON m.kept_actor_id = t.id AND m.merged_at <= at
     WHERE t.depth < 32
  )
  SELECT id, canonical FROM tree
$$;
