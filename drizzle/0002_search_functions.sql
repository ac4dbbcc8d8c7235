-- Full-text search: the documents each searchable table is indexed under (GIN expression indexes
-- in the next migration) and queried with. An actor's aliases are a text[]; array_to_string is
-- only STABLE (it calls element output functions), which an index expression may not use, so
-- this wrapper declares the text[] case IMMUTABLE, which it is.
CREATE FUNCTION actor_search_document(name text, aliases text[]) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('english'::regconfig, name), 'A')
      || setweight(to_tsvector('english'::regconfig, array_to_string(aliases, ' ')), 'A');
