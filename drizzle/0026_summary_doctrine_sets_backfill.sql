-- Each actor's doctrine set as event_doctrines counts it (summaries_drain compares adherences with
-- it). Keys of adherences still queued were counted by expanding them into their events; they are
-- expanded here, as the drain did until now, so that the set filled from the base tables and
-- event_doctrines agree once those event keys are drained.
INSERT INTO summary_queue (kind, id, marked_at)
SELECT 'event_doctrines', p.event_id, min(q.marked_at)
  FROM summary_queue q
  CROSS JOIN LATERAL actors_folded_into(ARRAY[canonical_actor(q.id, 'infinity')], 'infinity') f
  JOIN participations p ON p.actor_id = f.actor_id AND p.role IN ('PERPETRATOR', 'CLAIMED_RESPONSIBILITY')
 WHERE q.kind = 'actor_doctrines'
 GROUP BY p.event_id;
--> statement-breakpoint
DELETE FROM summary_queue WHERE kind = 'actor_doctrines';
--> statement-breakpoint
INSERT INTO actor_doctrine_sets (actor_id, doctrine_id)
SELECT DISTINCT coalesce(f.canonical_id, ad.actor_id), ad.doctrine_id
  FROM adherences ad
  JOIN claims c ON c.id = ad.claim_id AND c.retracted_at IS NULL
  LEFT JOIN actor_folds('infinity') f ON f.actor_id = ad.actor_id;
