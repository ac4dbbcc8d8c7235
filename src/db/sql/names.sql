-- Names and identifiers: how names are compared when a create is checked for duplicates.

-- A name as compared: case, surrounding and repeated spaces ignored ("Islamic  State " = "islamic state").
-- IMMUTABLE: the indexes actors_normalized_name_idx, places_normalized_name_idx and
-- actor_names_normalized_idx are on it.
CREATE OR REPLACE FUNCTION normalized_name(name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(regexp_replace(btrim(name), '\s+', ' ', 'g'));

-- An actor's other names as search matches them (actor_names_search_idx is on the same expression).
CREATE OR REPLACE FUNCTION actor_name_search_document(name text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('english'::regconfig, name);
