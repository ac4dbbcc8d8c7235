-- Integrity rules Drizzle's schema cannot express. They hold for every writer (seed, API, psql),
-- not just for the application's own code paths.

-- A source's stored hash must be the sha256 of its text, so a re-worded text cannot pass unnoticed.
CREATE OR REPLACE FUNCTION source_hash_matches_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.text_sha256 IS DISTINCT FROM encode(sha256(convert_to(NEW.text, 'UTF8')), 'hex') THEN
    RAISE EXCEPTION 'source "%": text_sha256 is not the sha256 of its text', NEW.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sources_text_sha256_matches';
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS sources_hash_matches_text ON sources;
CREATE TRIGGER sources_hash_matches_text BEFORE INSERT OR UPDATE OF text, text_sha256 ON sources
  FOR EACH ROW EXECUTE FUNCTION source_hash_matches_text();

-- Cited text is immutable: changing it would silently falsify every quote anchored in it.
CREATE OR REPLACE FUNCTION source_text_frozen_once_cited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.text IS DISTINCT FROM OLD.text AND EXISTS (SELECT 1 FROM citations WHERE source_id = OLD.id) THEN
    RAISE EXCEPTION 'source "%" is cited; its text cannot change (add the new text as a new source)', OLD.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sources_text_frozen_once_cited';
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS sources_text_frozen_once_cited ON sources;
CREATE TRIGGER sources_text_frozen_once_cited BEFORE UPDATE OF text ON sources
  FOR EACH ROW EXECUTE FUNCTION source_text_frozen_once_cited();

-- A citation's quote must be exactly the source text at its offsets (code points, [start, end)),
-- and its prefix/suffix must be the text immediately around it.
CREATE OR REPLACE FUNCTION citation_matches_source() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  source_text text;
BEGIN
  SELECT text INTO source_text FROM sources WHERE id = NEW.source_id;
  IF source_text IS NULL THEN
    RETURN NEW; -- the foreign key reports the missing source
  END IF;
  IF substr(source_text, NEW.start_offset + 1, NEW.end_offset - NEW.start_offset) IS DISTINCT FROM NEW.quote THEN
    RAISE EXCEPTION 'citation quote "%" is not the text of source % at [%, %)',
      left(NEW.quote, 80), NEW.source_id, NEW.start_offset, NEW.end_offset
      USING ERRCODE = 'check_violation', CONSTRAINT = 'citations_quote_matches_source';
  END IF;
  IF right(left(source_text, NEW.start_offset), char_length(NEW.prefix)) IS DISTINCT FROM NEW.prefix
     OR char_length(NEW.prefix) > NEW.start_offset
     OR left(substr(source_text, NEW.end_offset + 1), char_length(NEW.suffix)) IS DISTINCT FROM NEW.suffix
     OR char_length(NEW.suffix) > char_length(source_text) - NEW.end_offset THEN
    RAISE EXCEPTION 'citation prefix/suffix of "%" is not the text around it in source %',
      left(NEW.quote, 80), NEW.source_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'citations_context_matches_source';
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS citations_match_source ON citations;
CREATE TRIGGER citations_match_source BEFORE INSERT OR UPDATE ON citations
  FOR EACH ROW EXECUTE FUNCTION citation_matches_source();

-- No uncited claim: checked at commit, so a claim and its citations can be written in one
-- transaction in any order.
CREATE OR REPLACE FUNCTION claim_has_citation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked_id integer;
BEGIN
  IF TG_TABLE_NAME = 'claims' THEN
    checked_id := NEW.id;
  ELSE
    checked_id := OLD.claim_id;
  END IF;
  IF EXISTS (SELECT 1 FROM claims WHERE id = checked_id)
     AND NOT EXISTS (SELECT 1 FROM claim_citations WHERE claim_id = checked_id) THEN
    RAISE EXCEPTION 'claim % has no citation; every claim must cite at least one quote', checked_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'claims_cited';
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS claims_cited ON claims;
CREATE CONSTRAINT TRIGGER claims_cited AFTER INSERT ON claims
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION claim_has_citation();

DROP TRIGGER IF EXISTS claim_citations_keep_claim_cited ON claim_citations;
CREATE CONSTRAINT TRIGGER claim_citations_keep_claim_cited AFTER DELETE ON claim_citations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION claim_has_citation();

-- Rules for writes through the API (issue 4) that every writer must obey, not just the app.

-- Claims are retracted, never deleted: a deleted claim would silently change what an earlier
-- dashboard (asOf) showed. A retraction is final, and only these columns may change.
CREATE OR REPLACE FUNCTION claims_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER IF EXISTS claims_append_only ON claims;
CREATE TRIGGER claims_append_only BEFORE UPDATE OR DELETE ON claims
  FOR EACH ROW EXECUTE FUNCTION claims_append_only();

-- The audit log is a record of what happened: it is never edited.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only'
    USING ERRCODE = 'check_violation', CONSTRAINT = 'audit_log_append_only';
END $$;

DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- A country is its own country. Set on insert (the identity id is known by then), so creating one
-- needs no second write that would look like a revision.
CREATE OR REPLACE FUNCTION places_country_is_itself() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'COUNTRY' AND NEW.country_id IS NULL THEN
    NEW.country_id := NEW.id;
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS places_country_is_itself ON places;
CREATE TRIGGER places_country_is_itself BEFORE INSERT ON places
  FOR EACH ROW EXECUTE FUNCTION places_country_is_itself();

-- Instances remember the principals of recent tokens (src/auth/token-cache.ts). Any change to a
-- token row, from the CLI, another instance or plain SQL, is announced with the token's sha256
-- so that every listening instance forgets it at once (a revocation takes effect immediately).
CREATE OR REPLACE FUNCTION notify_api_tokens_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('api_tokens_changed', OLD.token_sha256);
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS api_tokens_changed ON api_tokens;
CREATE TRIGGER api_tokens_changed AFTER UPDATE OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION notify_api_tokens_changed();
