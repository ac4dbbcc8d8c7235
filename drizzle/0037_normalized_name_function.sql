-- The indexes of the next migration are on normalized_name() and actor_name_search_document(); their current bodies are in
-- src/db/sql/names.sql, which replaces this one after the migrations run.
CREATE OR REPLACE FUNCTION normalized_name(name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(regexp_replace(btrim(name), '\s+', ' ', 'g'));
--> statement-breakpoint
CREATE OR REPLACE FUNCTION actor_name_search_document(name text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('english'::regconfig, name);
