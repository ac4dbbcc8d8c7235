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

-- A dataset row's later version (applyDatasetCorrections) names its record's first version, and
-- keeps naming it: which claims rest on the record's own versions is read from that link.
CREATE OR REPLACE FUNCTION source_version_of_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.version_of_id IS DISTINCT FROM OLD.version_of_id THEN
    RAISE EXCEPTION 'source "%": the record it is a version of cannot change', OLD.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sources_version_of_first';
  END IF;
  IF EXISTS (SELECT 1 FROM sources WHERE id = NEW.version_of_id AND version_of_id IS NOT NULL) THEN
    RAISE EXCEPTION 'source "%": a later version names its record''s first version, not another later one', NEW.slug
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sources_version_of_first';
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS sources_version_of_first ON sources;
CREATE TRIGGER sources_version_of_first BEFORE INSERT OR UPDATE OF version_of_id ON sources
  FOR EACH ROW WHEN (NEW.version_of_id IS NOT NULL) EXECUTE FUNCTION source_version_of_first();
DROP TRIGGER IF EXISTS sources_version_of_fixed ON sources;
CREATE TRIGGER sources_version_of_fixed BEFORE UPDATE OF version_of_id ON sources
  FOR EACH ROW WHEN (OLD.version_of_id IS NOT NULL) EXECUTE FUNCTION source_version_of_first();

-- The error for a citation the check below found wrong: its quote, else its context.
CREATE OR REPLACE FUNCTION citation_mismatch_raise(quote_ok boolean, quote text, source_id integer, start_offset integer, end_offset integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF quote_ok IS NOT TRUE THEN
    RAISE EXCEPTION 'citation quote "%" is not the text of source % at [%, %)', left(quote, 80), source_id, start_offset, end_offset
      USING ERRCODE = 'check_violation', CONSTRAINT = 'citations_quote_matches_source';
  END IF;
  RAISE EXCEPTION 'citation prefix/suffix of "%" is not the text around it in source %', left(quote, 80), source_id
    USING ERRCODE = 'check_violation', CONSTRAINT = 'citations_context_matches_source';
END $$;

-- Where each 1,024-byte chunk of a long text starts, in code points and bytes: a chunk starts
-- every 1,024 bytes, moved forward to the first byte of a character. A chunk of one-byte
-- characters only (most of an English text) maps code points to bytes by addition; the others are
-- decoded again per citation. Kept in source_text_maps for texts over 16 KB (below).
CREATE OR REPLACE FUNCTION source_text_map(bytes bytea, OUT points integer[], OUT starts integer[], OUT ends integer[], OUT single_byte boolean[])
LANGUAGE sql IMMUTABLE STRICT AS $$
  WITH bounds AS (
    SELECT g AS k,
           (SELECT min(x) FROM generate_series(g * 1024, least(g * 1024 + 3, octet_length(bytes))) x
             WHERE x = octet_length(bytes) OR get_byte(bytes, x) NOT BETWEEN 128 AND 191) AS first_byte
      FROM generate_series(0, greatest(octet_length(bytes) - 1, 0) / 1024) g
  ), chunks AS (
    SELECT k, first_byte, lead(first_byte, 1, octet_length(bytes)) OVER (ORDER BY k) AS end_byte FROM bounds
  ), sized AS (
    SELECT k, first_byte, end_byte,
           char_length(convert_from(substring(bytes FROM first_byte + 1 FOR end_byte - first_byte), 'UTF8')) AS points_in
      FROM chunks
  ), counted AS (
    SELECT k, first_byte, end_byte, points_in,
           (coalesce(sum(points_in) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::integer AS first_point
      FROM sized
  )
  SELECT array_agg(first_point ORDER BY k), array_agg(first_byte ORDER BY k),
         array_agg(end_byte ORDER BY k), array_agg(points_in = end_byte - first_byte ORDER BY k)
    FROM counted
$$;

-- A text long enough to keep a chunk map for and to check by it (the bytes LONG_TEXT_BYTES names
-- in src/domain/sources/long-texts.ts); shorter texts are cut by code points directly. Inlined
-- where it is used.
CREATE OR REPLACE FUNCTION source_text_is_long(source_text text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN octet_length(source_text) > 16384;

-- A long text's map is written with the text, in the statement that writes it: mapping a 6 MB
-- text took ~45 ms, and every statement citing it (a single cited write too) paid that again. A
-- text may still change while nothing cites it (sources_text_frozen_once_cited); the map follows.
-- Also called by backfills.sql for texts stored before maps were kept.
CREATE OR REPLACE FUNCTION source_text_map_keep(source integer, sha256 text, source_text text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM source_text_maps WHERE source_id = source;
  IF source_text_is_long(source_text) THEN
    INSERT INTO source_text_maps (source_id, text_sha256, points, starts, ends, single_byte)
    SELECT source, sha256, m.points, m.starts, m.ends, m.single_byte
      FROM source_text_map(convert_to(source_text, 'UTF8')) m;
  END IF;
END $$;

-- Inserts call this only for long texts (the trigger's WHEN costs a dataset import's many short
-- sources no call).
CREATE OR REPLACE FUNCTION sources_text_map_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM source_text_map_keep(NEW.id, NEW.text_sha256, NEW.text);
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sources_text_map_insert ON sources;
CREATE TRIGGER sources_text_map_insert AFTER INSERT ON sources
  FOR EACH ROW WHEN (source_text_is_long(NEW.text)) EXECUTE FUNCTION sources_text_map_write();

DROP TRIGGER IF EXISTS sources_text_map_update ON sources;
CREATE TRIGGER sources_text_map_update AFTER UPDATE OF text ON sources
  FOR EACH ROW EXECUTE FUNCTION sources_text_map_write();

-- A citation's quote must be exactly the source text at its offsets (code points, [start, end)),
-- and its prefix/suffix must be the text immediately around it. Checked once per statement, so a
-- bulk load of many citations of one long text reads that text once: each statement finds its
-- code points' bytes through the text's chunk map (source_text_maps, made when the text was
-- written; made here if it is missing or of another text) and compares bytes, so the cost per
-- citation does not grow with the text (a row trigger counting code points from the start cost N
-- times the text).
-- Generic plans: a custom plan of the long-text statement holds the text's bytes (a PL/pgSQL
-- variable) as a constant, copied wherever the statement names it while it is planned: for the
-- 100,000 citations of a 10 MB text, 2.3–2.9 s a statement against 0.6–0.7 s.
CREATE OR REPLACE FUNCTION citations_match_sources() RETURNS trigger LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  src record;
  bytes bytea;
  total integer;
  bad record;
  any_short boolean;
  long_ids integer[];
BEGIN
  -- The cited sources, short and long, each looked up by its id. A statement of this function
  -- that names no variable keeps the plan of its first call in a session, made for that call's
  -- number of new rows; each source is therefore reached by an index probe behind OFFSET 0, which
  -- no plan can turn into a join reading every source (a plan made for 100,000 new rows hashed
  -- every source's text, ~1 s at 100,000 sources, and a later call of one row would reuse it).
  SELECT coalesce(bool_or(s.short), false), coalesce(array_agg(d.source_id) FILTER (WHERE NOT s.short), '{}')
    INTO any_short, long_ids
    FROM (SELECT DISTINCT n.source_id FROM new_rows n) d
    CROSS JOIN LATERAL (SELECT NOT source_text_is_long(s.text) AS short FROM sources s WHERE s.id = d.source_id OFFSET 0) s;
  -- Short texts (a dataset record is a few kilobytes): cutting the quote and its context out by
  -- code points costs little per citation, and one statement checks every citation of every such
  -- source (a dataset import cites 100,000 sources in a statement; a statement per source would
  -- read all the new citations once per source). Prefix, quote and suffix are cut out as one
  -- piece: a piece that runs off either end of the text comes out shorter than the three together
  -- and differs, so no bound needs checking apart (each check apart counted code points from the
  -- start of the text again: 163,534 citations of 10,000 UCDP GED rows, ~1.8 s against 0.6–0.9 s).
  IF any_short THEN
    SELECT c.quote, c.source_id, c.start_offset, c.end_offset,
           substr(s.text, c.start_offset + 1, c.end_offset - c.start_offset) = c.quote AS quote_ok
      INTO bad
      FROM new_rows c
      CROSS JOIN LATERAL (SELECT s.text FROM sources s WHERE s.id = c.source_id AND NOT source_text_is_long(s.text) OFFSET 0) s
     WHERE substr(s.text, c.start_offset + 1 - char_length(c.prefix), char_length(c.prefix) + (c.end_offset - c.start_offset) + char_length(c.suffix))
           IS DISTINCT FROM c.prefix || c.quote || c.suffix
     ORDER BY 5, c.id LIMIT 1;
    IF FOUND THEN PERFORM citation_mismatch_raise(bad.quote_ok, bad.quote, bad.source_id, bad.start_offset, bad.end_offset); END IF;
  END IF;
  -- Longer texts: each is read once, its code points found through its chunk map.
  FOR src IN SELECT s.id, s.text, s.text_sha256 FROM sources s WHERE s.id = ANY(long_ids) LOOP
    bytes := convert_to(src.text, 'UTF8');
    total := octet_length(bytes);
    WITH map AS MATERIALIZED (
      -- The stored map, decompressed once here (`|| '{}'` returns an array detoasted): a stored
      -- array's fields were decompressed again at every reference (14 s for the 100,000
      -- citations of an 8 MB text, against ~1 s), and a PL/pgSQL array variable is copied flat for
      -- every call of width_bucket. Without one, the map is made here.
      SELECT m.points || '{}'::integer[] AS points, m.starts || '{}'::integer[] AS starts,
             m.ends || '{}'::integer[] AS ends, m.single_byte || '{}'::boolean[] AS single_byte
        FROM source_text_maps m WHERE m.source_id = src.id AND m.text_sha256 = src.text_sha256
      UNION ALL
      SELECT f.points, f.starts, f.ends, f.single_byte FROM source_text_map(bytes) f
       WHERE NOT EXISTS (SELECT 1 FROM source_text_maps m WHERE m.source_id = src.id AND m.text_sha256 = src.text_sha256)
    ), located AS (
      -- Where each citation's quote starts, in bytes: its chunk's first byte plus the bytes of the
      -- code points before it in the chunk; and the quote and its context as bytes, once each.
      SELECT c.id, c.quote, c.start_offset, c.end_offset,
             convert_to(c.quote, 'UTF8') AS quote_bytes, convert_to(c.prefix, 'UTF8') AS prefix_bytes,
             convert_to(c.suffix, 'UTF8') AS suffix_bytes, char_length(c.prefix) <= c.start_offset AS prefix_fits,
             CASE WHEN m.single_byte[w.k] THEN m.starts[w.k] + (c.start_offset - m.points[w.k])
                  ELSE m.starts[w.k] + octet_length(convert_to(
                    left(convert_from(substring(bytes FROM m.starts[w.k] + 1 FOR m.ends[w.k] - m.starts[w.k]), 'UTF8'), c.start_offset - m.points[w.k]),
                    'UTF8')) END AS quote_byte,
             CASE WHEN m.single_byte[w.k] THEN c.start_offset - m.points[w.k] <= m.ends[w.k] - m.starts[w.k]
                  ELSE c.start_offset - m.points[w.k] <= char_length(convert_from(substring(bytes FROM m.starts[w.k] + 1 FOR m.ends[w.k] - m.starts[w.k]), 'UTF8')) END AS inside
        FROM new_rows c
        CROSS JOIN map m
        CROSS JOIN LATERAL (SELECT width_bucket(c.start_offset, m.points) AS k) w
       WHERE c.source_id = src.id
    ), judged AS (
      SELECT l.id, l.quote, l.start_offset, l.end_offset,
             (l.inside AND substring(bytes FROM l.quote_byte + 1 FOR octet_length(l.quote_bytes)) = l.quote_bytes) AS quote_ok,
             (l.prefix_fits
              AND substring(bytes FROM l.quote_byte - octet_length(l.prefix_bytes) + 1 FOR octet_length(l.prefix_bytes)) = l.prefix_bytes
              AND l.quote_byte + octet_length(l.quote_bytes) + octet_length(l.suffix_bytes) <= total
              AND substring(bytes FROM l.quote_byte + octet_length(l.quote_bytes) + 1 FOR octet_length(l.suffix_bytes)) = l.suffix_bytes) AS context_ok
        FROM located l
    )
    SELECT * INTO bad FROM judged j WHERE j.quote_ok IS NOT TRUE OR j.context_ok IS NOT TRUE
     ORDER BY (j.quote_ok IS NOT TRUE) DESC, j.id LIMIT 1;
    IF FOUND THEN PERFORM citation_mismatch_raise(bad.quote_ok, bad.quote, src.id, bad.start_offset, bad.end_offset); END IF;
  END LOOP;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS citations_match_source ON citations;
DROP FUNCTION IF EXISTS citation_matches_source();
CREATE TRIGGER citations_match_source AFTER INSERT ON citations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION citations_match_sources();

DROP TRIGGER IF EXISTS citations_match_source_update ON citations;
CREATE TRIGGER citations_match_source_update AFTER UPDATE ON citations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION citations_match_sources();

-- No uncited claim: checked at commit, so a claim and its citations can be written in one
-- transaction in any order.
--
-- New claims are checked together, once per transaction: the first claim a transaction inserts
-- queues one deferred check (claims_check_unqueued, in the trigger's WHEN, as the row is
-- written), and the check reads every claim from the lowest id the transaction inserted on
-- (claims_cited_since). A check per row cost a 100,000-event import 0.7–1.0 s at commit: 200,000
-- trigger calls, each a function call and an index probe. A session's own claims get increasing
-- ids from the sequence; an explicit lower id lowers the recorded start. Claims of other
-- transactions in that range are read too: committed ones were checked at their commit (and
-- claim_citations_keep_claim_cited keeps them cited), uncommitted ones are not visible. Once
-- the check has run (at commit, or earlier under SET CONSTRAINTS ALL IMMEDIATE), the next new
-- claim queues another. A savepoint rolled back undoes the settings together with what it queued.
CREATE OR REPLACE FUNCTION claims_check_unqueued(claim_id integer) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  lowest text := current_setting('knowledge.claims_check_from', true);
BEGIN
  IF lowest IS NULL OR lowest = '' THEN
    PERFORM set_config('knowledge.claims_check_from', claim_id::text, true);
    RETURN true;
  END IF;
  IF claim_id < lowest::integer THEN
    PERFORM set_config('knowledge.claims_check_from', claim_id::text, true);
  END IF;
  RETURN false;
END $$;

CREATE OR REPLACE FUNCTION claims_cited_since() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lowest integer := nullif(current_setting('knowledge.claims_check_from', true), '')::integer;
  uncited integer;
BEGIN
  PERFORM set_config('knowledge.claims_check_from', '', true);
  SELECT c.id INTO uncited FROM claims c
   WHERE c.id >= lowest AND NOT EXISTS (SELECT 1 FROM claim_citations cc WHERE cc.claim_id = c.id)
   ORDER BY c.id LIMIT 1;
  IF uncited IS NOT NULL THEN
    RAISE EXCEPTION 'claim % has no citation; every claim must cite at least one quote', uncited
      USING ERRCODE = 'check_violation', CONSTRAINT = 'claims_cited';
  END IF;
  RETURN NULL;
END $$;

-- A claim's last citation removed: that claim is checked at commit.
CREATE OR REPLACE FUNCTION claim_has_citation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The claim itself may be gone (a test deleting a claim with its links).
  IF NOT EXISTS (SELECT 1 FROM claims WHERE id = OLD.claim_id) THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM claim_citations WHERE claim_id = OLD.claim_id) THEN
    RAISE EXCEPTION 'claim % has no citation; every claim must cite at least one quote', OLD.claim_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'claims_cited';
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS claims_cited ON claims;
CREATE CONSTRAINT TRIGGER claims_cited AFTER INSERT ON claims
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (claims_check_unqueued(NEW.id)) EXECUTE FUNCTION claims_cited_since();

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

-- A claim's source_reliability is the best grade among the sources it is cited from (null while
-- none is graded), so that a reliability floor reads one column of the claim, not its citations
-- and their sources for each claim it checks. It is recomputed from all of a claim's citations
-- whenever one is removed, or one is added from a source graded otherwise than the claim's
-- present value (once per statement, so a bulk load joins its new rows once). A citation graded
-- as the value cannot change a right value, and confirms a writer's own value; any other
-- recomputes it, so a value a writer put there itself does not stand.
-- PL/pgSQL, not SQL: a SQL function's UPDATE is planned at every call (1–3 ms, on every cited
-- write), a PL/pgSQL one's plan is kept for the session. Most new links change no grade, and an
-- empty list is not planned or run at all.
CREATE OR REPLACE FUNCTION claims_grade_from_sources(claim_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(claim_ids) = 0 THEN
    RETURN;
  END IF;
  UPDATE claims c SET source_reliability = graded.best
    FROM (SELECT ids.claim_id, (SELECT min(s.reliability)
                                  FROM claim_citations cc
                                  JOIN citations ct ON ct.id = cc.citation_id
                                  JOIN sources s ON s.id = ct.source_id
                                 WHERE cc.claim_id = ids.claim_id) AS best
            FROM (SELECT DISTINCT unnest(claim_ids) AS claim_id) ids) graded
   WHERE c.id = graded.claim_id AND c.source_reliability IS DISTINCT FROM graded.best;
END $$;

CREATE OR REPLACE FUNCTION claim_citations_grade_claims() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- Lookups by key per new link: a transition table has no statistics, and joined, the planner
    -- hashed every citation and scanned every claim (4.3 s for 200,000 links, 0.9 s this way).
    PERFORM claims_grade_from_sources(ARRAY(
      SELECT a.claim_id FROM added a
       WHERE (SELECT s.reliability FROM citations ct JOIN sources s ON s.id = ct.source_id WHERE ct.id = a.citation_id)
             IS DISTINCT FROM (SELECT c.source_reliability FROM claims c WHERE c.id = a.claim_id)));
  ELSE
    PERFORM claims_grade_from_sources(ARRAY(SELECT claim_id FROM removed));
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS claim_citations_grade_claims ON claim_citations;
CREATE TRIGGER claim_citations_grade_claims AFTER INSERT ON claim_citations
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION claim_citations_grade_claims();
DROP TRIGGER IF EXISTS claim_citations_ungrade_claims ON claim_citations;
CREATE TRIGGER claim_citations_ungrade_claims AFTER DELETE ON claim_citations
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION claim_citations_grade_claims();

-- A source graded anew regrades every claim cited from it.
CREATE OR REPLACE FUNCTION sources_regrade_claims() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM claims_grade_from_sources(ARRAY(
    SELECT cc.claim_id FROM citations ct JOIN claim_citations cc ON cc.citation_id = ct.id WHERE ct.source_id = NEW.id));
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sources_regrade_claims ON sources;
CREATE TRIGGER sources_regrade_claims AFTER UPDATE OF reliability ON sources
  FOR EACH ROW WHEN (OLD.reliability IS DISTINCT FROM NEW.reliability) EXECUTE FUNCTION sources_regrade_claims();

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

-- An event's casualty parts (killed_parts, wounded_parts; src/db/casualties.ts) are an array of
-- { category, low, best, high, text }, one per category, each with low <= best <= high; and the
-- total is never less than its parts: the parts' lows add up to no more than the total's low, and
-- no part's best or high exceeds the total's. The domain layer refuses such input with the
-- input's path first; this keeps any other writer (SQL, a bulk load) to the same rule.
CREATE OR REPLACE FUNCTION casualty_parts_problem(measure text, total_low integer, total_best integer, total_high integer, parts jsonb)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  part jsonb;
  seen text[] := '{}';
  low integer;
  best integer;
  high integer;
  lows bigint := 0;
BEGIN
  IF parts IS NULL THEN RETURN NULL; END IF;
  IF jsonb_typeof(parts) <> 'array' THEN RETURN format('%s_parts must be an array', measure); END IF;
  IF jsonb_array_length(parts) > 0 AND total_low IS NULL THEN RETURN format('%s has parts but no total', measure); END IF;
  FOR part IN SELECT * FROM jsonb_array_elements(parts) LOOP
    IF jsonb_typeof(part) <> 'object' OR NOT (part->>'category' = ANY({{casualty_categories}})) THEN
      RETURN format('%s part %s: category must be one of %s', measure, part, array_to_string({{casualty_categories}}, ', '));
    END IF;
    IF part->>'category' = ANY(seen) THEN RETURN format('%s: category %s is given twice', measure, part->>'category'); END IF;
    seen := seen || (part->>'category');
    IF jsonb_typeof(part->'low') IS DISTINCT FROM 'number' OR (part->>'low')::numeric < 0 OR (part->>'low')::numeric % 1 <> 0
       OR jsonb_typeof(coalesce(part->'best', 'null')) NOT IN ('number', 'null') OR jsonb_typeof(coalesce(part->'high', 'null')) NOT IN ('number', 'null')
       OR jsonb_typeof(coalesce(part->'text', 'null')) NOT IN ('string', 'null') THEN
      RETURN format('%s part %s: low must be a whole number of 0 or more, best and high numbers or null, text a string or null', measure, part->>'category');
    END IF;
    low := (part->>'low')::integer;
    best := (part->>'best')::integer;
    high := (part->>'high')::integer;
    IF high < low OR best < low OR best > high THEN
      RETURN format('%s part %s: low <= best <= high does not hold', measure, part->>'category');
    END IF;
    IF total_high IS NOT NULL AND (high IS NULL OR high > total_high) THEN
      RETURN format('%s part %s: its high exceeds the total''s high (%s)', measure, part->>'category', total_high);
    END IF;
    IF total_best IS NOT NULL AND best > total_best THEN
      RETURN format('%s part %s: its best exceeds the total''s best (%s)', measure, part->>'category', total_best);
    END IF;
    lows := lows + low;
  END LOOP;
  IF lows > total_low THEN
    RETURN format('%s parts: their lows add up to %s, more than the total''s low (%s)', measure, lows, total_low);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION events_casualty_parts_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  problem text := coalesce(casualty_parts_problem('killed', NEW.killed_min, NEW.killed_best, NEW.killed_max, NEW.killed_parts),
                           casualty_parts_problem('wounded', NEW.wounded_min, NEW.wounded_best, NEW.wounded_max, NEW.wounded_parts));
BEGIN
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION 'event "%": %', NEW.slug, problem USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS events_casualty_parts_check ON events;
-- Only rows with parts are checked (a figure without parts is held by the CHECK constraints on
-- events): a bulk load of events without parts does not call the function at all.
CREATE TRIGGER events_casualty_parts_check BEFORE INSERT OR UPDATE OF killed_min, killed_best, killed_max, killed_parts,
  wounded_min, wounded_best, wounded_max, wounded_parts ON events
  FOR EACH ROW WHEN (NEW.killed_parts IS NOT NULL OR NEW.wounded_parts IS NOT NULL)
  EXECUTE FUNCTION events_casualty_parts_check();
