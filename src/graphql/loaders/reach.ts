/**
 * An actor's geographic reach: the countries of the events it is linked to, per role, for many
 * actors in one statement. Regions come from the gazetteer (places.region, the UN M49
 * sub-region), so "extra-regional" is data, not code.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { claims, participations } from '../../db/schema.ts';
import { anyInt } from './batch.ts';
import type { KnowledgeView } from '../context.ts';
import { actorsAt, claimVisible, eventsAt, mergeTime, placesAt } from '../view.ts';
import type { ParticipationRole } from './claims.ts';

export type ReachCountryRow = {
  actorId: number;
  homeRegion: string | null;
  /** Null on the one row of an actor linked to no located event. */
  countryId: number | null;
  countrySlug: string | null;
  region: string | null;
  role: ParticipationRole | null;
  events: number;
  firstDate: string | null;
  lastDate: string | null;
};

export async function reachOfActors(
  db: Database,
  view: KnowledgeView,
  actorIds: readonly number[],
  roles: readonly ParticipationRole[] | null,
): Promise<ReachCountryRow[]> {
  const roleList = sql`${sql.param(roles ? [...roles] : null)}::participation_role[]`;
  const rows = await db.execute<ReachCountryRow>(sql`
    select a.id as "actorId", home.region as "homeRegion", r.country_id as "countryId",
           r.country_slug as "countrySlug", r.region, r.role, coalesce(r.events, 0)::int as events,
           r.first_date::text as "firstDate", r.last_date::text as "lastDate"
      from ${actorsAt(view, 'a')}
      left join ${placesAt(view, 'home')} on home.id = a.home_country_id
      left join lateral (
        select country.id as country_id, country.slug as country_slug, country.region, p.role,
               count(distinct e.id) as events,
               min(coalesce(e.date_earliest, e.date_latest)) as first_date,
               max(coalesce(e.date_latest, e.date_earliest)) as last_date
          from ${participations} p
          join ${claims} c on c.id = p.claim_id
           and ${claimVisible(view, { recordedAt: sql`c.recorded_at`, retractedAt: sql`c.retracted_at` })}
          join ${eventsAt(view, 'e')} on e.id = p.event_id
          join ${placesAt(view, 'pl')} on pl.id = e.place_id
          join ${placesAt(view, 'country')} on country.id = pl.country_id
         -- The actor's own claims and those of actors merged into it by the view's time.
         where p.actor_id in (select f.actor_id from actors_folded_into(array[a.id], ${mergeTime(view)}) f)
           and (${roleList} is null or p.role = any(${roleList}))
         group by country.id, country.slug, country.region, p.role
      ) r on true
     where a.id = ${anyInt(actorIds)}
     order by a.id, events desc, r.country_slug, r.role`);
  return [...rows];
}
