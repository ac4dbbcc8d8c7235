/**
 * Actor networks over the relationship claims visible in the request's view, traversed without
 * regard to direction (an edge keeps its own from/to). Nodes are actors as merged at the view's
 * time: a relationship of an actor folded into another counts as the kept actor's. A neighbourhood is one recursive CTE for a whole batch of actors; the
 * shortest path is a bidirectional breadth-first search, one statement per level.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { claims, relationships } from '../../db/schema.ts';
import type { KnowledgeView } from '../context.ts';
import { claimVisible, mergeTime } from '../view.ts';
import type { RelationshipType } from './claims.ts';

/** Claims aliased `c` visible in the view (recorded by asOf, not retracted unless asked). */
function visible(view: KnowledgeView): SQL {
  return claimVisible(view, { recordedAt: sql`c.recorded_at`, retractedAt: sql`c.retracted_at` });
}

export interface EdgeFilter {
  types: readonly RelationshipType[] | null;
  /** Only relationships that may still have held on or after this day (open or unknown ends count). */
  since: string | null;
}

function edgeConditions(alias: SQL, filter: EdgeFilter): SQL {
  const typeList = sql`${sql.param(filter.types ? [...filter.types] : null)}::relationship_type[]`;
  return sql`(${typeList} is null or ${alias}.type = any(${typeList}))
    and (${filter.since}::date is null or ${alias}.period_end is null or ${alias}.period_end >= ${filter.since}::date)`;
}

export type NeighbourhoodRow = {
  kind: 'size' | 'node' | 'edge';
  root: number;
  /** size: node count; node: actor id; edge: relationship claim id. */
  id: number;
  depth: number | null;
};

/**
 * Every actor within `depth` hops of each root (with its distance), and every live relationship
 * between two of them. Roots whose neighbourhood has more than `maxNodes` actors get only their
 * size row, so an oversized graph is refused without being shipped.
 */
export async function neighbourhoods(
  db: Database,
  view: KnowledgeView,
  roots: readonly number[],
  depth: number,
  filter: EdgeFilter,
  maxNodes: number,
): Promise<NeighbourhoodRow[]> {
  const at = mergeTime(view);
  const rows = await db.execute<NeighbourhoodRow>(sql`
    with recursive walk(root, actor_id, depth) as (
      select id, id, 0 from unnest(${sql.param([...roots])}::int[]) id
      union
      select w.root, canonical_actor(n.other, ${at}), w.depth + 1
        from walk w
        cross join lateral (
          -- Two index scans (from, to) rather than one OR that could use neither.
          select r.to_actor_id as other, r.claim_id from ${relationships} r
            join actors_folded_into(array[w.actor_id], ${at}) f on f.actor_id = r.from_actor_id
           where ${edgeConditions(sql`r`, filter)}
          union all
          select r.from_actor_id, r.claim_id from ${relationships} r
            join actors_folded_into(array[w.actor_id], ${at}) f on f.actor_id = r.to_actor_id
           where ${edgeConditions(sql`r`, filter)}
        ) n
        join ${claims} c on c.id = n.claim_id and ${visible(view)}
       where w.depth < ${depth}
    ),
    nodes as (select root, actor_id, min(depth) as depth from walk group by root, actor_id),
    sizes as (select root, count(*)::int as n from nodes group by root)
    select 'size' as kind, root, n as id, null::int as depth from sizes
    union all
    select 'node', nodes.root, nodes.actor_id, nodes.depth
      from nodes join sizes on sizes.root = nodes.root and sizes.n <= ${maxNodes}
    union all
    select 'edge', a.root, r.claim_id, null
      from nodes a
      join sizes on sizes.root = a.root and sizes.n <= ${maxNodes}
      cross join lateral actors_folded_into(array[a.actor_id], ${at}) fa
      join ${relationships} r on r.from_actor_id = fa.actor_id
      join nodes b on b.root = a.root and b.actor_id = canonical_actor(r.to_actor_id, ${at})
      join ${claims} c on c.id = r.claim_id and ${visible(view)}
     -- A relationship between two actors since merged into one is no edge of the graph.
     where b.actor_id <> a.actor_id and ${edgeConditions(sql`r`, filter)}
    order by root, kind desc, depth, id`);
  return [...rows];
}

export type EdgeRow = {
  claimId: number;
  fromActorId: number;
  toActorId: number;
};

/** The live relationships touching any of `actorIds`, in claim order (so searches are repeatable). */
export async function edgesTouching(
  db: Database,
  view: KnowledgeView,
  actorIds: readonly number[],
  filter: EdgeFilter,
): Promise<EdgeRow[]> {
  const at = mergeTime(view);
  const folded = sql`actors_folded_into(${sql.param([...actorIds])}::int[], ${at})`;
  const rows = await db.execute<EdgeRow>(sql`
    select * from (
      select t.claim_id as "claimId", canonical_actor(t.from_actor_id, ${at}) as "fromActorId",
             canonical_actor(t.to_actor_id, ${at}) as "toActorId"
        from (
          select r.* from ${relationships} r join ${folded} f on f.actor_id = r.from_actor_id where ${edgeConditions(sql`r`, filter)}
          union
          select r.* from ${relationships} r join ${folded} f on f.actor_id = r.to_actor_id where ${edgeConditions(sql`r`, filter)}
        ) t
        join ${claims} c on c.id = t.claim_id and ${visible(view)}
    ) e
    -- A relationship between two actors since merged into one leads nowhere.
    where e."fromActorId" <> e."toActorId"
    order by e."claimId"`);
  return [...rows];
}

export interface PathStep {
  actorId: number;
  /** The relationship walked to reach this actor (null for the start). */
  claimId: number | null;
}

interface Visit {
  prev: number | null;
  claimId: number | null;
  depth: number;
}

interface Side {
  visited: Map<number, Visit>;
  frontier: number[];
}

/**
 * The shortest undirected path from `from` to `to` of at most `maxDepth` relationships, or null.
 * Expands the smaller frontier each round; among equally short paths the one met first in claim
 * order wins, so the answer is stable.
 */
export async function shortestPath(
  db: Database,
  view: KnowledgeView,
  from: number,
  to: number,
  maxDepth: number,
  filter: EdgeFilter,
): Promise<PathStep[] | null> {
  if (from === to) return [{ actorId: from, claimId: null }];
  const sides: [Side, Side] = [
    { visited: new Map([[from, { prev: null, claimId: null, depth: 0 }]]), frontier: [from] },
    { visited: new Map([[to, { prev: null, claimId: null, depth: 0 }]]), frontier: [to] },
  ];
  let walked = 0;
  while (walked < maxDepth && sides[0].frontier.length > 0 && sides[1].frontier.length > 0) {
    const i = sides[0].frontier.length <= sides[1].frontier.length ? 0 : 1;
    const side = sides[i];
    const other = sides[i === 0 ? 1 : 0];
    const edges = await edgesTouching(db, view, side.frontier, filter);
    const inFrontier = new Set(side.frontier);
    const next: number[] = [];
    let best: { node: number; length: number } | null = null;
    for (const edge of edges) {
      for (const [here, there] of [
        [edge.fromActorId, edge.toActorId],
        [edge.toActorId, edge.fromActorId],
      ] as const) {
        if (!inFrontier.has(here) || side.visited.has(there)) continue;
        const depth = side.visited.get(here)!.depth + 1;
        side.visited.set(there, { prev: here, claimId: edge.claimId, depth });
        next.push(there);
        const met = other.visited.get(there);
        if (met && (best === null || depth + met.depth < best.length)) best = { node: there, length: depth + met.depth };
      }
    }
    walked += 1;
    if (best) return joinHalves(sides[0].visited, sides[1].visited, best.node);
    side.frontier = next;
  }
  return null;
}

function joinHalves(fromSide: Map<number, Visit>, toSide: Map<number, Visit>, meeting: number): PathStep[] {
  const steps: PathStep[] = [];
  // Back from the meeting point to the start, then reversed.
  for (let node: number | null = meeting; node !== null; ) {
    const visit: Visit = fromSide.get(node)!;
    steps.unshift({ actorId: node, claimId: visit.claimId });
    node = visit.prev;
  }
  // Forward from the meeting point to the end: each step reuses the edge that reached it from `to`.
  for (let node = meeting; ; ) {
    const visit = toSide.get(node)!;
    if (visit.prev === null) break;
    steps.push({ actorId: visit.prev, claimId: visit.claimId });
    node = visit.prev;
  }
  return steps;
}
