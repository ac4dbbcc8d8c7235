/**
 * Events' two sides from their cited participations (src/domain/events/dyads.ts), and the
 * `between` filter's condition.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actors, claims, events, participations } from '../../db/schema.ts';
import { FIGHT_KINDS, SIDE_A_ROLES, SIDE_B_ROLES, sidesOf, type acledInteraction } from '../../domain/events/dyads.ts';
import type { KnowledgeView } from '../context.ts';
import { actorAsMergedAt, actorsAt, claimVisibleAs, eventsAt, mergeTime } from '../view.ts';
import { anyKey, preparedRows } from './batch.ts';
import { rawClaimMeta, type ParticipationRow } from './claims.ts';

export type SideRow = ParticipationRow & { actorKind: Parameters<typeof acledInteraction>[0]; eventKind: string };

export interface DyadShape {
  sideA: SideRow[];
  sideB: SideRow[];
}

/** The sides of events, in key order (null: fewer than two sides); one statement for all. */
export async function dyadsOfEvents(db: Database, view: KnowledgeView, eventIds: readonly number[]): Promise<(DyadShape | null)[]> {
  const roles = sql.param([...SIDE_A_ROLES, ...SIDE_B_ROLES]);
  const rows = await preparedRows<SideRow>(db, sql`
    select p.claim_id as "claimId", p.event_id as "eventId", p.actor_id as "actorId", p.role,
           p.attributed_by_id as "attributedById", ${rawClaimMeta}, a.kind as "actorKind", e.kind as "eventKind"
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
 * Events with `first` on one side and `second` on the other (either way round), through live
 * participations in the view, each actor with every actor merged into it.
 *
 * The candidates come first: events where the two actors' participations (index-only, by actor
 * and role) meet on opposite sides, whatever their claims; only those are then checked against
 * the claims visible in the view. Checked for every event instead, the busiest actor's 330,000
 * participations were each looked up in claims before the first event was kept (1.2 s at a
 * million events).
 */
export function betweenCondition(first: string, second: string, view: KnowledgeView): SQL {
  const at = mergeTime(view);
  // The actor and those merged into it, computed once per statement (an uncorrelated ARRAY).
  const foldedArray = (slug: string) => sql`array(select f.actor_id from ${actors} a,
    actors_folded_into(array[canonical_actor(a.id, ${at})], ${at}) f where a.slug = ${slug})`;
  const folded = (slug: string) => sql`any(${foldedArray(slug)})`;
  const roleList = (roles: readonly string[]) => sql`${sql.param([...roles])}::participation_role[]`;
  const sideOfEvents = (slug: string, roles: readonly string[]) =>
    sql`select p.event_id from ${participations} p where p.actor_id = ${folded(slug)} and p.role = any(${roleList(roles)})`;
  // A scalar subquery, looked up by event for each candidate: as EXISTS, PostgreSQL joined every
  // visible participation of the actor instead (it misjudges a busy actor's share, ~2,300 for 330,000).
  const onSide = (event: SQL, slug: string, roles: readonly string[]) => sql`(
    select true from ${participations} p
      join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')}
     where p.event_id = ${event} and p.role = any(${roleList(roles)}) and p.actor_id = ${folded(slug)} limit 1) is not null`;
  const pairs = (a: string, b: string) => sql`
    select x.event_id from (${sideOfEvents(a, SIDE_A_ROLES)} intersect ${sideOfEvents(b, SIDE_B_ROLES)}) x
     where ${onSide(sql`x.event_id`, a, SIDE_A_ROLES)} and ${onSide(sql`x.event_id`, b, SIDE_B_ROLES)}`;
  // A fight where both acted (sidesOf): both on side A, no one acted against, and exactly one of
  // them the first actor recorded as acting. One look at the candidate's visible participations.
  const fought = sql`
    select x.event_id from (${sideOfEvents(first, SIDE_A_ROLES)} intersect ${sideOfEvents(second, SIDE_A_ROLES)}) x
      join ${eventsAt(view, 'fe')} on fe.id = x.event_id and fe.kind = any(${sql.param([...FIGHT_KINDS])}::event_kind[])
      cross join lateral (
        select array_agg(p.actor_id order by p.claim_id) filter (where p.role = any(${roleList(SIDE_A_ROLES)})) as acting,
               bool_or(p.role = any(${roleList(SIDE_B_ROLES)})) as acted_against
          from ${participations} p join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')}
         where p.event_id = x.event_id) s
     where not s.acted_against and s.acting && ${foldedArray(first)} and s.acting && ${foldedArray(second)}
       and (s.acting[1] = ${folded(first)}) <> (s.acting[1] = ${folded(second)})`;
  return sql`${events.id} in (${pairs(first, second)} union ${pairs(second, first)} union ${fought})`;
}
