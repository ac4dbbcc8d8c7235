/**
 * Events' two sides from their cited participations (src/domain/events/dyads.ts), and the
 * `between` filter's condition.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actors, claims, events, participations } from '../../db/schema.ts';
import { SIDE_A_ROLES, SIDE_B_ROLES, sideOf, type acledInteraction } from '../../domain/events/dyads.ts';
import type { KnowledgeView } from '../context.ts';
import { actorsAt, claimVisibleAs, mergeTime } from '../view.ts';
import { anyInt, preparedRows } from './batch.ts';
import { rawClaimMeta, type ParticipationRow } from './claims.ts';

export type SideRow = ParticipationRow & { actorKind: Parameters<typeof acledInteraction>[0] };

export interface DyadShape {
  sideA: SideRow[];
  sideB: SideRow[];
}

/** The sides of events, in key order (null: fewer than two sides); one statement for all. */
export async function dyadsOfEvents(db: Database, view: KnowledgeView, eventIds: readonly number[]): Promise<(DyadShape | null)[]> {
  const roles = sql.param([...SIDE_A_ROLES, ...SIDE_B_ROLES]);
  const rows = await preparedRows<SideRow>(db, sql`
    select p.claim_id as "claimId", p.event_id as "eventId", p.actor_id as "actorId", p.role,
           p.attributed_by_id as "attributedById", ${rawClaimMeta}, a.kind as "actorKind"
      from ${participations} p
      join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')}
      -- The actor as merged at the view's time: its kind gives the side's ACLED inter code.
      join ${actorsAt(view, 'a')} on a.id = canonical_actor(p.actor_id, ${mergeTime(view)})
     where p.event_id = ${anyInt(eventIds)} and p.role = any(${roles}::participation_role[])
     -- Most direct role first (perpetrator before claimant before attribution), then the surest.
     order by p.event_id, array_position(${roles}::participation_role[], p.role), c.confidence desc, p.claim_id`);
  const byEvent = new Map<number, DyadShape>();
  for (const row of rows) {
    const dyad = byEvent.get(row.eventId) ?? { sideA: [], sideB: [] };
    (sideOf(row.role) === 'A' ? dyad.sideA : dyad.sideB).push(row);
    byEvent.set(row.eventId, dyad);
  }
  return eventIds.map((id) => {
    const dyad = byEvent.get(id);
    return dyad && dyad.sideA.length > 0 && dyad.sideB.length > 0 ? dyad : null;
  });
}

/**
 * Events with `first` on one side and `second` on the other (either way round), through live
 * participations in the view, each actor with every actor merged into it.
 */
export function betweenCondition(first: string, second: string, view: KnowledgeView): SQL {
  const at = mergeTime(view);
  const onSide = (slug: string, roles: readonly string[]) => sql`exists (
    select 1 from ${participations} p
      join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')}
     where p.event_id = ${events.id} and p.role = any(${sql.param([...roles])}::participation_role[])
       and p.actor_id in (select f.actor_id from ${actors} a, actors_folded_into(array[canonical_actor(a.id, ${at})], ${at}) f
                           where a.slug = ${slug}))`;
  return sql`((${onSide(first, SIDE_A_ROLES)} and ${onSide(second, SIDE_B_ROLES)})
           or (${onSide(second, SIDE_A_ROLES)} and ${onSide(first, SIDE_B_ROLES)}))`;
}
