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

-- Inserts are handled per statement; the rare edits of a title, description or quote per row.
--
-- A document is derived data. A statement that adds a few records (every API write) makes their
-- documents itself, so a record is found by search as soon as its write commits (a source text of
-- over a megabyte excepted: search_documents_inline_bytes). A bulk statement (an import's part,
-- more than search_documents_inline_rows records) leaves them to the summary drainer, which
-- makes them after the commit (search_documents_refresh): to_tsvector and the GIN
-- entries were a fifth of a dataset import's transaction, on the one core its backend runs on,
-- where the import's two drain loops share the machine's cores (docs/performance.md). New
-- events are queued for the drainer anyway (summaries_queue_events); sources queue their ids
-- (source_search keys), citations the blocks of 1,024 ids they fall in (citation_search keys,
-- citation_search_block): a hundred keys for 100,000 quotes, spread over the queue's partitions
-- even when they all quote one source. Such records are found once the summaries are complete up
-- to the load's commit, the lag the dashboards already have (summaries_complete_up_to).
--
-- Why no document can be left stale: the drainer only adds documents that are missing (ON
-- CONFLICT DO NOTHING), and every edit writes its record's whole document (an upsert). An edit
-- racing the drainer either comes after its insert (and overwrites it, waiting for it to commit)
-- or before (and the drainer's insert then does nothing); the drainer cannot overwrite an edit.
CREATE OR REPLACE FUNCTION search_documents_inline_rows() RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN 1000;

-- The longest source text indexed in the statement that adds it. Indexing costs ~0.3 µs a byte
-- (to_tsvector): a 7.5 MB source took its write 2 s longer. A longer text is indexed by the
-- drainer, a moment after its write commits; octet_length reads a stored text's size without
-- reading the text.
CREATE OR REPLACE FUNCTION search_documents_inline_bytes() RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN 1000000;

-- The block of citation ids a citation_search key stands for: ids block * 1024 to block * 1024 + 1023.
CREATE OR REPLACE FUNCTION citation_search_block(id integer) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN id / 1024;

-- Whether a statement's transition table holds more rows than are made inline (reads at most that many).
CREATE OR REPLACE FUNCTION search_documents_bulk(rows bigint) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN rows > search_documents_inline_rows();

CREATE OR REPLACE FUNCTION events_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A bulk statement's events are in summary_queue already, as 'event' keys.
  IF NOT search_documents_bulk((SELECT count(*) FROM (SELECT FROM inserted LIMIT search_documents_inline_rows() + 1) n)) THEN
    INSERT INTO event_search_documents (event_id, document)
    SELECT id, event_search_document(title, description) FROM inserted;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_search_document_insert ON events;
CREATE TRIGGER events_search_document_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION events_search_document_insert();

CREATE OR REPLACE FUNCTION events_search_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_search_documents (event_id, document) VALUES (NEW.id, event_search_document(NEW.title, NEW.description))
  ON CONFLICT (event_id) DO UPDATE SET document = excluded.document;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_search_document_update ON events;
CREATE TRIGGER events_search_document_update AFTER UPDATE OF title, description ON events
  FOR EACH ROW EXECUTE FUNCTION events_search_document_update();

CREATE OR REPLACE FUNCTION sources_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bulk boolean := search_documents_bulk((SELECT count(*) FROM (SELECT FROM inserted LIMIT search_documents_inline_rows() + 1) n));
BEGIN
  -- A bulk statement's sources, and a text over search_documents_inline_bytes whoever writes it,
  -- are indexed by the drainer; the rest here.
  INSERT INTO summary_queue (kind, id)
  SELECT 'source_search', id FROM inserted WHERE bulk OR octet_length(text) > search_documents_inline_bytes();
  INSERT INTO source_search_documents (source_id, document)
  SELECT id, source_search_document(title, searched_text(text, dataset)) FROM inserted
   WHERE NOT bulk AND octet_length(text) <= search_documents_inline_bytes();
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sources_search_document_insert ON sources;
CREATE TRIGGER sources_search_document_insert AFTER INSERT ON sources
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION sources_search_document_insert();

CREATE OR REPLACE FUNCTION sources_search_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO source_search_documents (source_id, document)
  VALUES (NEW.id, source_search_document(NEW.title, searched_text(NEW.text, NEW.dataset)))
  ON CONFLICT (source_id) DO UPDATE SET document = excluded.document;
  -- Its quotes are indexed as it is (a document's words or a record's values), those the drainer
  -- has yet to make included.
  IF NEW.dataset IS DISTINCT FROM OLD.dataset THEN
    INSERT INTO citation_search_documents (citation_id, document)
    SELECT c.id, citation_search_document(searched_text(c.quote, NEW.dataset)) FROM citations c WHERE c.source_id = NEW.id
    ON CONFLICT (citation_id) DO UPDATE SET document = excluded.document;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sources_search_document_update ON sources;
CREATE TRIGGER sources_search_document_update AFTER UPDATE OF title, text, dataset ON sources
  FOR EACH ROW EXECUTE FUNCTION sources_search_document_update();

CREATE OR REPLACE FUNCTION citations_search_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF search_documents_bulk((SELECT count(*) FROM (SELECT FROM inserted LIMIT search_documents_inline_rows() + 1) n)) THEN
    INSERT INTO summary_queue (kind, id) SELECT DISTINCT 'citation_search', citation_search_block(id) FROM inserted;
    RETURN NULL;
  END IF;
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
  INSERT INTO citation_search_documents (citation_id, document)
  VALUES (NEW.id, citation_search_document(searched_text(NEW.quote, (SELECT dataset FROM sources WHERE id = NEW.source_id))))
  ON CONFLICT (citation_id) DO UPDATE SET document = excluded.document;
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

-- The missing documents of the events a drain call refreshes (event keys: every new event has one),
-- of the sources it took source_search keys of and of the citations in the blocks it took
-- citation_search keys of; made from the records as they are now. Only missing documents are
-- added: one that exists was written by its statement or by an edit, from a state at least as new
-- as this call's (see search_documents_inline_rows). A record deleted since it was queued has no
-- row to read here, and gets no document. (One deleted while this call makes its document would
-- leave that document behind; events, sources and citations are append-only, deleted only by
-- tests.)
--
-- The documents a call already has are found by key, and the rest left out with a hashed NOT IN:
-- as anti-joins, planned from statistics taken before a bulk load filled these tables, they were
-- nested loops that read the whole side table for each record (49 s for 20,000 dataset rows' drain).
CREATE OR REPLACE FUNCTION search_documents_refresh(event_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  source_ids integer[] := ARRAY(SELECT DISTINCT id FROM summary_taken WHERE kind = 'source_search');
  blocks integer[] := ARRAY(SELECT DISTINCT id FROM summary_taken WHERE kind = 'citation_search');
BEGIN
  WITH have AS MATERIALIZED (SELECT event_id AS id FROM event_search_documents WHERE event_id = ANY(event_ids))
  INSERT INTO event_search_documents (event_id, document)
  SELECT e.id, event_search_document(e.title, e.description) FROM events e
   WHERE e.id = ANY(event_ids) AND e.id NOT IN (SELECT id FROM have)
  ON CONFLICT (event_id) DO NOTHING;
  IF cardinality(source_ids) > 0 THEN
    WITH have AS MATERIALIZED (SELECT source_id AS id FROM source_search_documents WHERE source_id = ANY(source_ids))
    INSERT INTO source_search_documents (source_id, document)
    SELECT s.id, source_search_document(s.title, searched_text(s.text, s.dataset)) FROM sources s
     WHERE s.id = ANY(source_ids) AND s.id NOT IN (SELECT id FROM have)
    ON CONFLICT (source_id) DO NOTHING;
  END IF;
  IF cardinality(blocks) > 0 THEN
    -- Each block one range of the primary key (bigint: the last block ends at 2^31).
    WITH quoted AS MATERIALIZED (
           SELECT c.id, c.quote, c.source_id FROM unnest(blocks) b
             JOIN citations c ON c.id >= b::bigint * 1024 AND c.id < (b::bigint + 1) * 1024),
         have AS MATERIALIZED (SELECT citation_id AS id FROM citation_search_documents WHERE citation_id = ANY(ARRAY(SELECT id FROM quoted))),
         -- Most quotes of a call are of one source, or of a few thousand dataset rows.
         quoting AS MATERIALIZED (SELECT s.id, s.dataset FROM sources s WHERE s.id = ANY(ARRAY(SELECT DISTINCT source_id FROM quoted)))
    INSERT INTO citation_search_documents (citation_id, document)
    SELECT q.id, citation_search_document(searched_text(q.quote, s.dataset))
      FROM quoted q JOIN quoting s ON s.id = q.source_id
     WHERE q.id NOT IN (SELECT id FROM have)
    ON CONFLICT (citation_id) DO NOTHING;
  END IF;
END $$;

-- Every missing document, for summaries_rebuild, which empties the queue its keys were in. It runs
-- after bulk loads (seed:synthetic's million events). Each table's missing ids are found whole
-- first, into a temporary table, and only then are their documents inserted: one statement that
-- both inserted documents and looked for missing ones in the same table was planned, when the table
-- was empty, as a nested loop over its sequential scan, which reread every document the statement
-- had inserted so far for each record (invisible to it, but read). That made a million-event seed's
-- 101,702 source documents take a quarter of an hour.
CREATE OR REPLACE FUNCTION search_documents_complete() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS search_documents_missing (id integer PRIMARY KEY) ON COMMIT DROP;
  ANALYZE events, sources, citations, event_search_documents, source_search_documents, citation_search_documents;

  TRUNCATE search_documents_missing;
  INSERT INTO search_documents_missing
  SELECT e.id FROM events e WHERE NOT EXISTS (SELECT FROM event_search_documents d WHERE d.event_id = e.id);
  ANALYZE search_documents_missing;
  INSERT INTO event_search_documents (event_id, document)
  SELECT e.id, event_search_document(e.title, e.description) FROM search_documents_missing m JOIN events e ON e.id = m.id
  ON CONFLICT (event_id) DO NOTHING;

  TRUNCATE search_documents_missing;
  INSERT INTO search_documents_missing
  SELECT s.id FROM sources s WHERE NOT EXISTS (SELECT FROM source_search_documents d WHERE d.source_id = s.id);
  ANALYZE search_documents_missing;
  INSERT INTO source_search_documents (source_id, document)
  SELECT s.id, source_search_document(s.title, searched_text(s.text, s.dataset)) FROM search_documents_missing m JOIN sources s ON s.id = m.id
  ON CONFLICT (source_id) DO NOTHING;

  TRUNCATE search_documents_missing;
  INSERT INTO search_documents_missing
  SELECT c.id FROM citations c WHERE NOT EXISTS (SELECT FROM citation_search_documents d WHERE d.citation_id = c.id);
  ANALYZE search_documents_missing;
  INSERT INTO citation_search_documents (citation_id, document)
  SELECT c.id, citation_search_document(searched_text(c.quote, s.dataset))
    FROM search_documents_missing m JOIN citations c ON c.id = m.id JOIN sources s ON s.id = c.source_id
  ON CONFLICT (citation_id) DO NOTHING;
END $$;
