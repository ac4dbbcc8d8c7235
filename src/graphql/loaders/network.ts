/**
 * Actor networks over the relationship claims visible in the request's view, traversed without
 * regard to direction (an edge keeps its own from/to). Nodes are actors as merged at the view's
 * time: a relationship of an actor folded into another counts as the kept actor's. A neighbourhood
 * is one statement for a whole batch of actors; the shortest path is a bidirectional
 * breadth-first search, one statement per level.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actors, claims, relationships } from '../../db/schema.ts';
import type { KnowledgeView } from '../context.ts';
import { claimVisibleAs, establishedInView, mergeTime } from '../view.ts';
import { claimPasses, heldWithin, NO_FLOOR, type ClaimFloor, type ValidTimeFilter } from '../claim-filters.ts';
import { rawRelationshipRow, type RelationshipRow, type RelationshipType } from './claims.ts';

export interface EdgeFilter {
  types: readonly RelationshipType[] | null;
  /** Only relationships that may still have held on or after this day (open or unknown ends count). */
  since: string | null;
  /** Only relationships that held then (validOn / validDuring); null: whenever. */
  validTime?: ValidTimeFilter | null | undefined;
  /** Only relationship claims passing this floor. */
  floor?: ClaimFloor | undefined;
}

/** Conditions on the relationship aliased `alias`; its claim's floor is claimPasses on `c`. */
function edgeConditions(alias: SQL, filter: EdgeFilter, view: KnowledgeView): SQL {
  const typeList = sql`${sql.param(filter.types ? [...filter.types] : null)}::relationship_type[]`;
  return sql`(${typeList} is null or ${alias}.type = any(${typeList}))
    and (${filter.since}::date is null or ${alias}.end_latest is null or ${alias}.end_latest >= ${filter.since}::date)
    and ${heldWithin(filter.validTime ?? null, 'r')}
    and ${claimPasses(filter.floor ?? NO_FLOOR, 'c', view)}
    and ${establishedInView(view, actors, sql`${alias}.from_actor_id`)} and ${establishedInView(view, actors, sql`${alias}.to_actor_id`)}`;
}

export type NeighbourhoodRow =
  | { kind: 'size'; root: number; /** The root's node count. */ id: number }
  | { kind: 'node'; root: number; /** The actor's id. */ id: number; depth: number }
  | ({ kind: 'edge'; root: number } & RelationshipRow);

/** The `folds` CTE: every actor merged away by the view's time, with the actor it stands for then. */
function foldsAt(at: SQL): SQL {
  return sql`folds as materialized (select actor_id as member, canonical_id as canonical from actor_folds(${at}))`;
}

/**
 * The `${frontier}_members` CTE: each actor of the CTE `frontier` (root, actor_id) with every actor
 * folded into it by the view's time (itself included), as (root, actor_id, member). Actors reached
 * through an edge are canonical already, so `folds` gives their members; the roots are taken as
 * given, so their members come from actors_folded_into (which follows merges down from any actor).
 */
function membersOf(frontier: string, view: KnowledgeView, canonical: boolean): SQL {
  const name = sql.identifier(frontier);
  const members = canonical
    ? sql`select root, actor_id, actor_id as member from ${name}
          union all
          select s.root, s.actor_id, f.member from ${name} s join folds f on f.canonical = s.actor_id`
    : sql`select s.root, s.actor_id, f.actor_id as member from ${name} s
            join actors_folded_into(array(select distinct actor_id from ${name}), ${mergeTime(view)}) f
              on f.canonical_id = s.actor_id`;
  return sql`${sql.identifier(`${frontier}_members`)} as materialized (${members})`;
}

/**
 * The visible relationships leaving (and, unless `outgoingOnly`, entering) each actor of the CTE
 * `frontier`, or any actor folded into it (the `${frontier}_members` CTE), as (root, actor_id,
 * other, claim_id, outgoing) with the far end as merged at the view's time; `outgoing` says
 * whether `actor_id` is the relationship's from end. A relationship between two actors since
 * merged into one leads nowhere and is left out. Needs the `folds` CTE.
 */
function edgesFrom(frontier: string, view: KnowledgeView, filter: EdgeFilter, outgoingOnly: boolean): SQL {
  const members = sql.identifier(`${frontier}_members`);
  const side = (near: string, far: string, outgoing: boolean) => sql`
    select s.root, s.actor_id, coalesce(f.canonical, r.${sql.identifier(far)}) as other, r.claim_id, ${sql.raw(String(outgoing))} as outgoing
      from ${members} s
      join ${relationships} r on r.${sql.identifier(near)} = s.member
      join ${claims} c on c.id = r.claim_id and ${claimVisibleAs(view, 'c')}
      left join folds f on f.member = r.${sql.identifier(far)}
     where ${edgeConditions(sql`r`, filter, view)}`;
  const outgoing = side('from_actor_id', 'to_actor_id', true);
  const incoming = side('to_actor_id', 'from_actor_id', false);
  return sql`select * from (${outgoing}${outgoingOnly ? sql`` : sql` union all ${incoming}`}) e where e.other <> e.actor_id`;
}

/**
 * Every actor within `depth` hops of each root (with its distance), and every live relationship
 * between two of them. Roots whose neighbourhood has more than `maxNodes` actors get only their
 * size row, so an oversized graph is refused without being shipped.
 *
 * Breadth first, one CTE per level (depth is at most a few), so no actor is expanded twice: a
 * recursive CTE cannot tell a level which actors earlier levels reached, and re-expanding hubs
 * (states) multiplied the work. Levels are found by grouping rather than by anti-joins: the
 * planner cannot estimate how many actors a level holds, and a nested-loop join it picks on a
 * wrong guess is quadratic, while grouping costs the same whatever the guess. Every edge leaving
 * a level before the last is an edge of the network (its far end is at most one level further);
 * only edges between two actors of the last level are looked for separately.
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
  const levels: SQL[] = [sql`level0 as materialized (select id as root, id as actor_id, 0 as depth from unnest(${sql.param([...roots])}::int[]) id)`];
  const seen = ['level0'];
  for (let d = 1; d <= depth; d++) {
    levels.push(membersOf(`level${d - 1}`, view, d > 1));
    levels.push(sql`${sql.identifier(`reached${d}`)} as materialized (${edgesFrom(`level${d - 1}`, view, filter, false)})`);
    // An actor is at level d when d is the least distance it was reached at.
    const earlier = sql.join(seen.map((name) => sql`select root, actor_id, depth from ${sql.identifier(name)}`), sql` union all `);
    levels.push(sql`${sql.identifier(`level${d}`)} as materialized (
      select root, actor_id, ${sql.raw(String(d))} as depth from (
        select root, other as actor_id, ${sql.raw(String(d))} as depth from ${sql.identifier(`reached${d}`)} union all ${earlier}) g
       group by root, actor_id having min(depth) = ${sql.raw(String(d))})`);
    seen.push(`level${d}`);
  }
  const last = `level${depth}`;
  const reachedEdges = Array.from({ length: depth }, (_, i) => sql`select root, claim_id from ${sql.identifier(`reached${i + 1}`)}`);
  const rows = await db.execute(sql`
    with ${foldsAt(at)},
    ${sql.join(levels, sql`, `)},
    nodes as materialized (${sql.join(seen.map((name) => sql`select root, actor_id, depth from ${sql.identifier(name)}`), sql` union all `)}),
    sizes as materialized (select root, count(*)::int as n from nodes group by root),
    small_last as materialized (select l.* from ${sql.identifier(last)} l join sizes on sizes.root = l.root and sizes.n <= ${maxNodes}),
    ${membersOf('small_last', view, depth > 0)},
    -- Edges between two actors of the last level: those leaving one whose far end is another.
    -- Grouped like the levels above (see there): no join the planner could make quadratic.
    closing as (
      select root, unnest(claim_ids) as claim_id from (
        select root, actor_id, array_agg(claim_id) filter (where claim_id is not null) as claim_ids,
               bool_or(claim_id is null) as in_last
          from (select root, other as actor_id, claim_id from (${edgesFrom('small_last', view, filter, true)}) e
                union all select root, actor_id, null from small_last) g
         group by root, actor_id) h
       where in_last),
    graph as (
      select 'size' as kind, root, n as id, null::int as depth from sizes
      union all
      select 'node', nodes.root, nodes.actor_id, nodes.depth
        from nodes join sizes on sizes.root = nodes.root and sizes.n <= ${maxNodes}
      union all
      select distinct 'edge', e.root, e.claim_id, null::int
        from (${sql.join(reachedEdges, sql` union all `)} union all select root, claim_id from closing) e
        join sizes on sizes.root = e.root and sizes.n <= ${maxNodes})
    -- Edges come with their relationship and claim, so they need no second statement; sizes
    -- and nodes join none, and their relationship columns are null.
    select g.kind, g.root, g.id, g.depth, ${rawRelationshipRow}
      from graph g
      left join ${relationships} t on g.kind = 'edge' and t.claim_id = g.id
      left join ${claims} c on c.id = t.claim_id
     order by g.root, g.kind desc, g.depth, g.id`);
  return [...rows].map((row) => {
    const { kind, root, id, depth, ...relationship } = row as unknown as GraphRow;
    if (kind === 'size') return { kind, root, id };
    if (kind === 'node') return { kind, root, id, depth: depth ?? 0 };
    return { kind, root, ...(relationship as RelationshipRow) };
  });
}

type GraphRow = { kind: NeighbourhoodRow['kind']; root: number; id: number; depth: number | null } & Partial<RelationshipRow>;

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
  const rows = await db.execute<EdgeRow>(sql`
    with ${foldsAt(at)},
    frontier as materialized (select id as root, id as actor_id from unnest(${sql.param([...actorIds])}::int[]) id),
    ${membersOf('frontier', view, false)}
    -- An edge between two actors of the frontier is found from both ends: kept once.
    select distinct on (e.claim_id) e.claim_id as "claimId",
           case when e.outgoing then e.actor_id else e.other end as "fromActorId",
           case when e.outgoing then e.other else e.actor_id end as "toActorId"
      from (${edgesFrom('frontier', view, filter, false)}) e
     order by e.claim_id`);
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
