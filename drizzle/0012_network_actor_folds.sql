-- Every actor merged away by `at`, with the actor it stands for then: what canonical_actor gives
-- each of them, for all merges at once. Readers that map many ids (a page of actors, every edge
-- of a network) join this instead of calling canonical_actor per row, which cost ~15 µs a call
-- (a 221-actor network spent more time there than in its traversal). Merges are few, so this is
-- small; chains are followed (A into B, later B into C) with the same depth cap.
CREATE FUNCTION actor_folds(at timestamptz)
RETURNS TABLE (actor_id integer, canonical_id integer)
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chain(actor_id, canonical_id, depth) AS (
    SELECT m.removed_actor_id, m.kept_actor_id, 1 FROM actor_merges m WHERE m.merged_at <= at
    UNION ALL
    SELECT c.actor_id, m.kept_actor_id, c.depth + 1
      FROM chain c JOIN actor_merges m ON m.removed_actor_id = c.canonical_id AND m.merged_at <= at
     WHERE c.depth < 32
  )
  SELECT DISTINCT ON (actor_id) actor_id, canonical_id FROM chain ORDER BY actor_id, depth DESC
$$;
