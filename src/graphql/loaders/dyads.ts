/**
 * Events' two sides from their cited participations (src/domain/events/dyads.ts), and the
 * `between` filter's condition.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actors, claims, events, participations } from '../../db/schema.ts';
import { SIDE_A_ROLES, SIDE_B_ROLES, sidesOf, type acledInteraction } from '../../domain/events/dyads.ts';
import type { KnowledgeView } from '../context.ts';
import { actorAsMergedAt, actorsAt, claimVisibleAs, eventsAt, mergeTime } from '../view.ts';
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

/** The id of the actor `slug` names, as merged at the view's time; computed once per statement. */
export function canonicalActorSql(view: KnowledgeView, slug: string): SQL {
  return sql`(select canonical_actor(x.id, ${mergeTime(view)}) from ${actors} x where x.slug = ${slug})`;
}

/**
 * Events with `first` on one side and `second` on the other (either way round), through live
 * participations in the view, each actor with every actor merged into it.
 *
 * The candidates come first: events where both actors have a participation that makes a side
 * (index-only, by actor and role), whatever their claims; only those are then given their sides
 * (eventSidesSql), one look at each candidate's participations. Checked for every event instead,
 * the busiest actor's 330,000 participations were each looked up in claims before the first event
 * was kept (1.2 s at a million events).
 */
export function betweenCondition(first: string, second: string, view: KnowledgeView): SQL {
  const at = mergeTime(view);
  // The actor and those merged into it, computed once per statement (an uncorrelated ARRAY).
  const folded = (slug: string) => sql`any(array(select f.actor_id from ${actors} a,
    actors_folded_into(array[canonical_actor(a.id, ${at})], ${at}) f where a.slug = ${slug}))`;
  const sideRoles = sql`${sql.param([...SIDE_A_ROLES, ...SIDE_B_ROLES])}::participation_role[]`;
  const onASide = (slug: string) => sql`select p.event_id from ${participations} p where p.actor_id = ${folded(slug)} and p.role = any(${sideRoles})`;
  const [one, other] = [canonicalActorSql(view, first), canonicalActorSql(view, second)];
  return sql`${events.id} in (
    select x.event_id from (${onASide(first)} intersect ${onASide(second)}) x
      join ${eventsAt(view, 'fe')} on fe.id = x.event_id
      cross join lateral (
        select bool_or(s.actor_id = ${one} and s.on_side_a) as one_a, bool_or(s.actor_id = ${one} and not s.on_side_a) as one_b,
               bool_or(s.actor_id = ${other} and s.on_side_a) as other_a, bool_or(s.actor_id = ${other} and not s.on_side_a) as other_b
          from (${eventSidesSql(view, sql`x.event_id`, sql`fe.kind`)}) s) met
     where (met.one_a and met.other_b) or (met.one_b and met.other_a))`;
}
