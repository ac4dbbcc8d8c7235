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

-- The stored province or district a dataset row's area is (loadDatasetRecords, and
-- applyDatasetCorrections for an event placed in one): the area of that kind and name in the
-- country, a district also under the same province; the oldest if several. Rows of every dataset,
-- and the seed's areas, meet in it instead of in a second area of the same name.
CREATE OR REPLACE FUNCTION stored_admin_area(area_kind place_kind, area_name text, country_slug text, parent_slug text)
  RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (SELECT p.slug FROM places c JOIN places p ON p.country_id = c.id AND p.kind = area_kind AND normalized_name(p.name) = normalized_name(area_name)
           WHERE c.slug = country_slug AND c.kind = 'COUNTRY'
             AND (area_kind = 'ADMIN1' OR p.parent_id IS NOT DISTINCT FROM (SELECT id FROM places parent WHERE parent.slug = parent_slug))
           ORDER BY p.id LIMIT 1);
