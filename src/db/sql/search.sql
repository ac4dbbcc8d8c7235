-- Full-text search: the documents each searchable record is indexed under and queried with. Actors
-- are indexed by an expression (actors_search_idx). An actor's aliases are a text[]; array_to_string is
-- only STABLE (it calls element output functions), which an index expression may not use, so
-- this wrapper declares the text[] case IMMUTABLE, which it is.
CREATE OR REPLACE FUNCTION actor_search_document(name text, aliases text[]) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('english'::regconfig, name), 'A')
      || setweight(to_tsvector('english'::regconfig, array_to_string(aliases, ' ')), 'A');

-- Events, sources and citations keep their documents in side tables (event_search_documents and
-- so on): the functions that make them, and the triggers that keep them current for every writer.
--
-- Ranking used to parse each candidate's text again (to_tsvector over a 2.5 KB source costs
-- ~0.5 ms); stored, it is read. Every document is defined once, here, and used by the
-- triggers (and the backfill that first filled the tables); queries match and rank with the stored column.
CREATE OR REPLACE FUNCTION event_search_document(title text, description text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('english'::regconfig, title), 'A')
      || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B');

-- A tsvector holds at most 1 MB: a long source with many distinct words (a dataset dump, a
-- report of ~100,000 distinct tokens) cannot be indexed whole, and failing would refuse the
-- source itself. Such a text is indexed by its title and the longest beginning that fits, found
-- by halving; quotes are still checked against the whole text, and README says search stops there.
CREATE OR REPLACE FUNCTION source_search_document(title text, text text) RETURNS tsvector
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  heading tsvector := setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A');
  indexed int := length(text);
BEGIN
  -- Each character of text costs a tsvector a few bytes at most (a lexeme's characters, a 4-byte
  -- entry and 2-byte positions per token, hyphenated words counted whole and in parts), so below
  -- 100,000 characters it fits with room to spare and the usual source skips the exception block
  -- and its subtransaction.
  IF indexed < 100000 THEN
    RETURN heading || to_tsvector('english'::regconfig, text);
  END IF;
  LOOP
    BEGIN
      RETURN heading || to_tsvector('english'::regconfig, left(text, indexed));
    EXCEPTION WHEN program_limit_exceeded THEN
      IF indexed = 0 THEN RAISE; END IF;
      indexed := indexed / 2;
    END;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION citation_search_document(quote text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('english'::regconfig, quote);

-- A dataset record's text (and a quote of it) is one `column: value` line per field. Its column
-- names are the same in every row of its dataset: indexed, "civilians" (deaths_civilians) or
-- "country" would match every row. Only the values are searched. A line within a multi-line value
-- that itself begins like a column name (`word: `) loses that word from the index, not the rest.
CREATE OR REPLACE FUNCTION dataset_record_values(text text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN regexp_replace(text, '^[A-Za-z][A-Za-z0-9_]*: ', '', 'gn');

-- What a source or quote is indexed as: a document's words, or a dataset record's values.
CREATE OR REPLACE FUNCTION searched_text(text text, dataset dataset) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN dataset IS NULL THEN text ELSE dataset_record_values(text) END;

-- Inserts are handled per statement (bulk loads insert a million events in a few statements);
-- the rare edits of a title, description or quote per row.
CREATE OR REPLACE FUNCTION events_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_search_documents (event_id, document)
  SELECT id, event_search_document(title, description) FROM inserted;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_search_document_insert ON events;
CREATE TRIGGER events_search_document_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION events_search_document_insert();

CREATE OR REPLACE FUNCTION events_search_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE event_search_documents SET document = event_search_document(NEW.title, NEW.description) WHERE event_id = NEW.id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_search_document_update ON events;
CREATE TRIGGER events_search_document_update AFTER UPDATE OF title, description ON events
  FOR EACH ROW EXECUTE FUNCTION events_search_document_update();

CREATE OR REPLACE FUNCTION sources_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO source_search_documents (source_id, document)
  SELECT id, source_search_document(title, searched_text(text, dataset)) FROM inserted;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sources_search_document_insert ON sources;
CREATE TRIGGER sources_search_document_insert AFTER INSERT ON sources
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION sources_search_document_insert();

CREATE OR REPLACE FUNCTION sources_search_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE source_search_documents SET document = source_search_document(NEW.title, searched_text(NEW.text, NEW.dataset)) WHERE source_id = NEW.id;
  -- Its quotes are indexed as it is (a document's words or a record's values).
  IF NEW.dataset IS DISTINCT FROM OLD.dataset THEN
    UPDATE citation_search_documents d SET document = citation_search_document(searched_text(c.quote, NEW.dataset))
      FROM citations c WHERE c.source_id = NEW.id AND d.citation_id = c.id;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sources_search_document_update ON sources;
CREATE TRIGGER sources_search_document_update AFTER UPDATE OF title, text, dataset ON sources
  FOR EACH ROW EXECUTE FUNCTION sources_search_document_update();

CREATE OR REPLACE FUNCTION citations_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO citation_search_documents (citation_id, document)
  -- Only the quoted sources are read, by their key: a plain join hashed every stored source for
  -- each part of a bulk load (95,000 by the end of a 100,000-row dataset import).
  WITH quoted AS MATERIALIZED (
    SELECT s.id, s.dataset FROM sources s WHERE s.id = ANY (ARRAY(SELECT DISTINCT source_id FROM inserted)))
  SELECT i.id, citation_search_document(searched_text(i.quote, q.dataset)) FROM inserted i JOIN quoted q ON q.id = i.source_id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS citations_search_document_insert ON citations;
CREATE TRIGGER citations_search_document_insert AFTER INSERT ON citations
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION citations_search_document_insert();

CREATE OR REPLACE FUNCTION citations_search_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE citation_search_documents
     SET document = citation_search_document(searched_text(NEW.quote, (SELECT dataset FROM sources WHERE id = NEW.source_id)))
   WHERE citation_id = NEW.id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS citations_search_document_update ON citations;
CREATE TRIGGER citations_search_document_update AFTER UPDATE OF quote, source_id ON citations
  FOR EACH ROW EXECUTE FUNCTION citations_search_document_update();

-- A record's document goes with it. The documents hold no foreign key (a bulk load paid a
-- per-row key check, ~5 µs, for each document these triggers had just written from the record
-- itself); deleting them here, per statement, is what ON DELETE CASCADE did.
CREATE OR REPLACE FUNCTION search_documents_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CASE TG_TABLE_NAME
    WHEN 'events' THEN DELETE FROM event_search_documents d USING deleted o WHERE d.event_id = o.id;
    WHEN 'sources' THEN DELETE FROM source_search_documents d USING deleted o WHERE d.source_id = o.id;
    WHEN 'citations' THEN DELETE FROM citation_search_documents d USING deleted o WHERE d.citation_id = o.id;
  END CASE;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_search_document_delete ON events;
CREATE TRIGGER events_search_document_delete AFTER DELETE ON events
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION search_documents_delete();
DROP TRIGGER IF EXISTS sources_search_document_delete ON sources;
CREATE TRIGGER sources_search_document_delete AFTER DELETE ON sources
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION search_documents_delete();
DROP TRIGGER IF EXISTS citations_search_document_delete ON citations;
CREATE TRIGGER citations_search_document_delete AFTER DELETE ON citations
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION search_documents_delete();
