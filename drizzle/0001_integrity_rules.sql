-- Integrity rules Drizzle's schema cannot express. They hold for every writer (seed, API, psql),
-- not just for the application's own code paths.

-- A source's stored hash must be the sha256 of its text, so a re-worded text cannot pass unnoticed.
CREATE FUNCTION source_hash_matches_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.text_sha256 IS DISTINCT FROM encode(sha256(convert_to(NEW.text, 'UTF8')), 'hex') THEN
    RAISE EXCEPTION 'source "%": text_sha256 is not the sha256 of its text', NEW.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sources_text_sha256_matches';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER sources_hash_matches_text BEFORE INSERT OR UPDATE OF text, text_sha256 ON sources
  FOR EACH ROW EXECUTE FUNCTION source_hash_matches_text();
--> statement-breakpoint

-- Cited text is immutable: changing it would silently falsify every quote anchored in it.
CREATE FUNCTION source_text_frozen_once_cited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.text IS DISTINCT FROM OLD.text AND EXISTS (SELECT 1 FROM citations WHERE source_id = OLD.id) THEN
    RAISE EXCEPTION 'source "%" is cited; its text cannot change (add the new text as a new source)', OLD.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sources_text_frozen_once_cited';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER sources_text_frozen_once_cited BEFORE UPDATE OF text ON sources
  FOR EACH ROW EXECUTE FUNCTION source_text_frozen_once_cited();
--> statement-breakpoint

-- A citation's quote must be exactly the source text at its offsets (code points, [start, end)),
-- and its prefix/suffix must be the text immediately around it.
CREATE FUNCTION citation_matches_source() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
CREATE TRIGGER citations_match_source BEFORE INSERT OR UPDATE ON citations
  FOR EACH ROW EXECUTE FUNCTION citation_matches_source();
--> statement-breakpoint

-- No uncited claim: checked at commit, so a claim and its citations can be written in one
-- transaction in any order.
CREATE FUNCTION claim_has_citation() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER claims_cited AFTER INSERT ON claims
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION claim_has_citation();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER claim_citations_keep_claim_cited AFTER DELETE ON claim_citations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION claim_has_citation();
