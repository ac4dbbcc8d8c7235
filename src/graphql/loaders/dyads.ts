/**
 * Events' two sides from their cited participations (src/domain/events/dyads.ts), and the
 * `between` filter's condition.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actorEventLinks, actors, claims, events, participations } from '../../db/schema.ts';
import { SIDE_A_ROLES, SIDE_B_ROLES, sidesOf, type acledInteraction } from '../../domain/events/dyads.ts';
import type { KnowledgeView } from '../context.ts';
import { actorAsMergedAt, actorsAt, claimVisibleAs, establishedInView, eventsAt, LIVE_VIEW, mergeTime, namedActor, actorsNamed } from '../view.ts';
import { anyKey, preparedRows } from './batch.ts';
import { rawParticipationRow, type ParticipationRow } from './claims.ts';
import { claimPasses, NO_FLOOR, type ClaimFloor } from '../claim-filters.ts';

export type SideRow = ParticipationRow & { actorKind: Parameters<typeof acledInteraction>[0]; eventKind: string };

export interface DyadShape {
  sideA: SideRow[];
  sideB: SideRow[];
}

/** The sides of events, in key order (null: fewer than two sides); one statement for all. */
export async function dyadsOfEvents(db: Database, view: KnowledgeView, eventIds: readonly number[]): Promise<(DyadShape | null)[]> {
  const roles = sql.param([...SIDE_A_ROLES, ...SIDE_B_ROLES]);
  const rows = await preparedRows<SideRow>(db, sql`
    select ${rawParticipationRow}, a.kind as "actorKind", e.kind as "eventKind"
      from ${participations} p
      join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')}
      -- The event's kind as of the view: a fight's two sides may both have acted (sidesOf).
      join ${eventsAt(view, 'e')} on e.id = p.event_id
      -- The actor as merged at the view's time: its kind gives the side's ACLED inter code.
      join ${actorsAt(view, 'a')} on a.id = ${actorAsMergedAt(sql`p.actor_id`, mergeTime(view))}
     where p.event_id = ${anyKey(eventIds)} and p.role = any(${roles}::participation_role[])
       and ${establishedInView(view, actors, sql`p.actor_id`)}
     -- Most direct role first (perpetrator before claimant before attribution), then the surest.
     order by p.event_id, array_position(${roles}::participation_role[], p.role), c.confidence desc, p.claim_id`);
  const byEvent = new Map<number, SideRow[]>();
  for (const row of rows) {
    const ofEvent = byEvent.get(row.eventId);
    if (ofEvent) ofEvent.push(row);
    else byEvent.set(row.eventId, [row]);
  }
  return eventIds.map((id) => {
    const rowsOf = byEvent.get(id);
    if (!rowsOf) return null;
    const dyad = sidesOf(rowsOf[0]!.eventKind, rowsOf, (p) => p.actorId);
    return dyad.sideA.length > 0 && dyad.sideB.length > 0 ? dyad : null;
  });
}

/**
 * For a lateral join on one event (`eventId`, of kind `eventKind`): its participations that make a
 * side, visible in the view and passing `floor`, one row per participation — `actor_id` the actor
 * as merged at the view's time, `on_side_a` its side. sidesOf (src/domain/events/dyads.ts) in SQL,
 * through the functions actor_event_links_of reads the live sides with (src/db/sql/summaries.sql:
 * participation_side_role, event_kind_is_fight, participation_on_side_a): acted against, side B;
 * acted naming a side, that side; acted naming none, side A, except in a fight naming no side and
 * no one acted against, where the first actor recorded as acting is side A and the others side B.
 */
export function eventSidesSql(view: KnowledgeView, eventId: SQL, eventKind: SQL, floor: ClaimFloor = NO_FLOOR): SQL {
  return sql`
    with sided as (
      select coalesce(fold.canonical_id, p.actor_id) as actor_id, p.claim_id, participation_side_role(p.role) = 2 as acted_against, p.side
        from ${participations} p
        join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')} and ${claimPasses(floor, 'c', view)}
        left join actor_folds(${mergeTime(view)}) fold on fold.actor_id = p.actor_id
       where p.event_id = ${eventId} and participation_side_role(p.role) is not null
    )
    select s.actor_id,
           participation_on_side_a(s.acted_against, s.side,
             event_kind_is_fight(${eventKind}) and bool_and(not s.acted_against and s.side is null) over (),
             first_value(s.actor_id) over (order by s.claim_id), s.actor_id) as on_side_a
      from sided s`;
}

/**
 * Events with `first` on one side and `second` on the other (either way round), through live
 * participations in the view, each actor with every actor merged into it.
 *
 * The candidates come first: events where both actors have a participation that makes a side
 * (index-only, by actor and role), whatever their claims; only those are then given their sides
 * (eventSidesSql), one look at each candidate's participations. Checked for every event instead,
 * the busiest actor's 330,000 participations were each looked up in claims before the first event
 * was kept (1.2 s at a million events). A live read takes liveBetweenCondition instead.
 */
export function betweenCondition(first: string, second: string, view: KnowledgeView): SQL {
  const candidates = sql`${onASide(first, view)} intersect ${onASide(second, view)}`;
  // One array, computed once, then the events fetched by id: as an IN subquery the pair's events
  // were estimated at half of all events, so a list walked its order's index through all of them,
  // matching each against the pair's (8 s at a million for two actors meeting once).
  return sql`${events.id} = any(array(${pairMetIn(candidates, first, second, view)}))`;
}

/**
 * `between` for a live read, the same events as betweenCondition: the summaries' sides
 * (actor_event_links.sides, the first actor's rows that face the second, as the pair's aggregates
 * read them) for every event they are up to date for, and the participations for the events a
 * commit has made stale and the drainer has not yet refreshed. Those are the events queued in
 * summary_queue and the events of actors whose merge is queued (the other keys change no side);
 * the drainer deletes a key in the transaction that refreshes its rows, so in any snapshot an
 * event either is queued or has links that agree with its participations. A list of the busiest
 * synthetic pair (11,311 events): 1.0 s a request from participations, 0.4 s this way (docs/performance.md).
 */
export function liveBetweenCondition(first: string, second: string): SQL {
  const one = namedActor(LIVE_VIEW, first);
  // The queued events where both actors have a participation that makes a side.
  const queuedCandidates = sql`select s.event_id from stale s
     where exists (${onASide(first, LIVE_VIEW)} and p.event_id = s.event_id)
       and exists (${onASide(second, LIVE_VIEW)} and p.event_id = s.event_id)`;
  return sql`${events.id} in (
    -- The merged actors as one array: joined to participations, the queue's keys were estimated at
    -- millions of events (a plan that, with JIT on, PostgreSQL compiled for 0.65 s a request).
    with stale as materialized (
      select q.id as event_id from summary_queue q where q.kind = 'event'
      union
      select p.event_id from ${participations} p
       where p.actor_id = any(array(select f.actor_id from summary_queue q cross join lateral actors_folded_into(array[q.id], 'infinity') f
                                     where q.kind = 'actor_events')))
    -- EXCEPT, not an anti-join: planned for the few rows an actor key is estimated at, an anti-join
    -- against the queue's events became a nested loop over them, once per link row.
    (select r.event_id from ${actorEventLinks} r
      where r.actor_id = ${one} and ${linkFacesActor(namedActor(LIVE_VIEW, second), 'r')}
     except
     select s.event_id from stale s)
    union all
    (${pairMetIn(queuedCandidates, first, second, LIVE_VIEW)}))`;
}

/** Participations of `slug` (each actor merged into it by the view's time) that make a side: `p.event_id` their events. */
function onASide(slug: string, view: KnowledgeView): SQL {
  // The actor and those merged into it, computed once per statement (an uncorrelated ARRAY).
  const folded = sql`any(array(${actorsNamed(view, slug)}))`;
  const sideRoles = sql`${sql.param([...SIDE_A_ROLES, ...SIDE_B_ROLES])}::participation_role[]`;
  return sql`select p.event_id from ${participations} p where p.actor_id = ${folded} and p.role = any(${sideRoles})`;
}

/** Of the `candidates` (a query of event ids, `event_id`), those where the two actors meet on opposite sides in the view. */
function pairMetIn(candidates: SQL, first: string, second: string, view: KnowledgeView): SQL {
  const [one, other] = [namedActor(view, first), namedActor(view, second)];
  return sql`select x.event_id from (${candidates}) x
      join ${eventsAt(view, 'fe')} on fe.id = x.event_id
      cross join lateral (
        select bool_or(s.actor_id = ${one} and s.on_side_a) as one_a, bool_or(s.actor_id = ${one} and not s.on_side_a) as one_b,
               bool_or(s.actor_id = ${other} and s.on_side_a) as other_a, bool_or(s.actor_id = ${other} and not s.on_side_a) as other_b
          from (${eventSidesSql(view, sql`x.event_id`, sql`fe.kind`)}) s) met
     where (met.one_a and met.other_b) or (met.one_b and met.other_a)`;
}

/**
 * Does the event of an actor_event_links row (`alias`) have the actor `opponent` (its id as merged
 * now) on the other side from the row's actor? `between` from the links' sides.
 */
export function linkFacesActor(opponent: SQL, alias: string): SQL {
  return sql`exists (select 1 from ${actorEventLinks} o where o.event_id = ${sql.identifier(alias)}.event_id and o.actor_id = ${opponent}
                       and ${onOppositeSides(alias, 'o')})`;
}

/** Are two link rows' actors (`a`, `b`) on opposite sides of their event (sides: bit 1 side A, bit 2 side B)? */
export function onOppositeSides(a: string, b: string): SQL {
  const [x, y] = [sql.identifier(a), sql.identifier(b)];
  return sql`((${x}.sides & 1 <> 0 and ${y}.sides & 2 <> 0) or (${x}.sides & 2 <> 0 and ${y}.sides & 1 <> 0))`;
}
