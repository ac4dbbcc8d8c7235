-- Merges (mergeActors) are resolved at read time, as of the time asked about (`at`; 'infinity' for
-- now), so a read before a merge answers as it did then. Two walks of actor_merges, one per
-- direction: canonical_actor goes up a chain (A into B, later B into C: A stands for C), and
-- actors_folded_into goes down from given actors to everything folded into them. actor_folds is
-- canonical_actor for all merged actors at once. Merges refuse cycles; the depth cap is a backstop.

-- The actor an id stands for at `at`.
CREATE OR REPLACE FUNCTION canonical_actor(actor_id integer, at timestamptz) RETURNS integer
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chain(id, depth) AS (
    SELECT actor_id, 0
    UNION ALL
    SELECT m.kept_actor_id, c.depth + 1
      FROM chain c JOIN actor_merges m ON m.removed_actor_id = c.id AND m.merged_at <= at
     WHERE c.depth < 32
  )
  SELECT id FROM chain ORDER BY depth DESC LIMIT 1
$$;

-- Every actor folded (directly or through a chain) into one of `ids` by `at`, with the id it
-- was folded into; each of `ids` is listed as folded into itself.
CREATE OR REPLACE FUNCTION actors_folded_into(ids integer[], at timestamptz)
RETURNS TABLE (actor_id integer, canonical_id integer)
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE tree(id, canonical, depth) AS (
    SELECT i, i, 0 FROM unnest(ids) AS i
    UNION ALL
    SELECT m.removed_actor_id, t.canonical, t.depth + 1
      FROM tree t JOIN actor_merges m ON m.kept_actor_id = t.id AND m.merged_at <= at
     WHERE t.depth < 32
  )
  SELECT id, canonical FROM tree
$$;

-- Every actor merged away by `at`, with the actor it stands for then: canonical_actor for every
-- merged actor at once. Readers that map many ids (a page of actors, every edge of a network, the
-- summaries' "as merged now" with 'infinity') join this instead of calling canonical_actor per row,
-- which cost ~15 µs a call (a 221-actor network spent more time there than in its traversal).
-- Merges are few, so this is small.
CREATE OR REPLACE FUNCTION actor_folds(at timestamptz)
RETURNS TABLE (actor_id integer, canonical_id integer)
LANGUAGE sql STABLE AS $$
  SELECT m.removed_actor_id, canonical_actor(m.removed_actor_id, at) FROM actor_merges m WHERE m.merged_at <= at
$$;
