-- Stored full-text search documents (tables in the previous migration): the functions that make
-- them, the triggers that keep them current for every writer, and the backfill.
--
-- Ranking used to parse each candidate's text again (to_tsvector over a 2.5 KB source costs
-- ~0.5 ms); stored, it is read. Every document is defined once, here, and used by both the
-- backfill and the triggers; queries match and rank with the stored column.
CREATE FUNCTION event_search_document(title text, description text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('english'::regconfig, title), 'A')
      || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B');
--> statement-breakpoint
CREATE FUNCTION source_search_document(title text, text text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || to_tsvector('english'::regconfig, text);
--> statement-breakpoint
CREATE FUNCTION citation_search_document(quote text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('english'::regconfig, quote);
--> statement-breakpoint

-- Inserts are handled per statement (bulk loads insert a million events in a few statements);
-- the rare edits of a title, description or quote per row.
CREATE FUNCTION events_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_search_documents (event_id, document)
  SELECT id, event_search_document(title, description) FROM inserted;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER events_search_document_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION events_search_document_insert();
--> statement-breakpoint
CREATE FUNCTION events_search_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE event_search_documents SET document = event_search_document(NEW.title, NEW.description) WHERE event_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER events_search_document_update AFTER UPDATE OF title, description ON events
  FOR EACH ROW EXECUTE FUNCTION events_search_document_update();
--> statement-breakpoint

CREATE FUNCTION sources_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO source_search_documents (source_id, document)
  SELECT id, source_search_document(title, text) FROM inserted;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER sources_search_document_insert AFTER INSERT ON sources
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION sources_search_document_insert();
--> statement-breakpoint
CREATE FUNCTION sources_search_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE source_search_documents SET document = source_search_document(NEW.title, NEW.text) WHERE source_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER sources_search_document_update AFTER UPDATE OF title, text ON sources
  FOR EACH ROW EXECUTE FUNCTION sources_search_document_update();
--> statement-breakpoint

CREATE FUNCTION citations_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO citation_search_documents (citation_id, document)
  SELECT id, citation_search_document(quote) FROM inserted;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER citations_search_document_insert AFTER INSERT ON citations
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION citations_search_document_insert();
--> statement-breakpoint
CREATE FUNCTION citations_search_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE citation_search_documents SET document = citation_search_document(NEW.quote) WHERE citation_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER citations_search_document_update AFTER UPDATE OF quote ON citations
  FOR EACH ROW EXECUTE FUNCTION citations_search_document_update();
--> statement-breakpoint

-- The backfill. A GIN index built in one pass is several times faster than one filled row by
-- row, so the indexes are dropped and built again after it.
DROP INDEX event_search_documents_document_idx;
--> statement-breakpoint
DROP INDEX source_search_documents_document_idx;
--> statement-breakpoint
DROP INDEX citation_search_documents_document_idx;
--> statement-breakpoint
INSERT INTO event_search_documents (event_id, document) SELECT id, event_search_document(title, description) FROM events ORDER BY id;
--> statement-breakpoint
INSERT INTO source_search_documents (source_id, document) SELECT id, source_search_document(title, text) FROM sources ORDER BY id;
--> statement-breakpoint
INSERT INTO citation_search_documents (citation_id, document) SELECT id, citation_search_document(quote) FROM citations ORDER BY id;
--> statement-breakpoint
CREATE INDEX event_search_documents_document_idx ON event_search_documents USING gin (document);
--> statement-breakpoint
CREATE INDEX source_search_documents_document_idx ON source_search_documents USING gin (document);
--> statement-breakpoint
CREATE INDEX citation_search_documents_document_idx ON citation_search_documents USING gin (document);
--> statement-breakpoint
-- Statistics now, so the first searches are planned with them rather than with guesses.
ANALYZE event_search_documents, source_search_documents, citation_search_documents;
