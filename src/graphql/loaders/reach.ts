/**
 * An actor's geographic reach: the countries of the events it is linked to, per role, for many
 * actors in one statement. Regions come from the gazetteer (places.region, the UN M49
 * sub-region), so "extra-regional" is data, not code.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actorEventLinks, actorMerges, actorRollup, actors, claims, participations, places } from '../../db/schema.ts';
import { anyInt } from './batch.ts';
import type { KnowledgeView } from '../context.ts';
import { claimPasses, NO_FLOOR, type ClaimFloor } from '../claim-filters.ts';
import { actorsAt, claimVisibleAs, eventsAt, isLiveView, mergeTime, placesAt } from '../view.ts';
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

const roleList = (roles: readonly ParticipationRole[] | null) => sql`${sql.param(roles ? [...roles] : null)}::participation_role[]`;

/** Each actor's countries and roles from the base tables, in the request's view. */
async function reachFromBaseTables(
  db: Database,
  view: KnowledgeView,
  actorIds: readonly number[],
  roles: readonly ParticipationRole[] | null,
  floor: ClaimFloor,
): Promise<ReachCountryRow[]> {
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
           and ${claimVisibleAs(view, 'c')} and ${claimPasses(floor, 'c', view)}
          join ${eventsAt(view, 'e')} on e.id = p.event_id
          -- Only events whose report is visible in the view, as in event lists and dashboards.
          join ${claims} report on report.id = e.claim_id
           and ${claimVisibleAs(view, 'report')} and ${claimPasses(floor, 'report', view)}
          join ${placesAt(view, 'pl')} on pl.id = e.place_id
          join ${placesAt(view, 'country')} on country.id = pl.country_id
         -- The actor's own claims and those of actors merged into it by the view's time.
         where p.actor_id in (select f.actor_id from actors_folded_into(array[a.id], ${mergeTime(view)}) f)
           and (${roleList(roles)} is null or p.role = any(${roleList(roles)}))
         group by country.id, country.slug, country.region, p.role
      ) r on true
     where a.id = ${anyInt(actorIds)}
     order by a.id, events desc, r.country_slug, r.role`);
  return [...rows];
}

/**
 * Each actor's countries and roles from actor_rollup, per country and set of roles: a role's
 * events are the rows whose set holds it, each event in one row. Rows are keyed by the actor as
 * merged now, so an actor merged away has none: it is marked, for the base tables to answer.
 */
async function reachFromSummaries(
  db: Database,
  actorIds: readonly number[],
  roles: readonly ParticipationRole[] | null,
  minConfidence: number | null,
): Promise<(ReachCountryRow & { mergedAway: boolean })[]> {
  // With a confidence floor, the actor's link rows (actor_event_links: one per event, with each
  // role's best live link confidence capped by the report's) in the roles that pass it.
  const perCountry =
    minConfidence === null
      ? sql`select country.id as country_id, country.slug as country_slug, country.region, role,
               sum(s.events) as events, min(s.first_date) as first_date, max(s.last_date) as last_date
          from ${actorRollup} s
          cross join unnest(enum_range(null::participation_role)) role
          join ${places} country on country.id = s.country_id
         where s.actor_id = a.id and s.country_id is not null and s.kind is null
           and s.roles & participation_role_bit(role) <> 0
           and (${roleList(roles)} is null or role = any(${roleList(roles)}))
         group by country.id, country.slug, country.region, role`
      : // Summed per country and set of passing roles first, so each row's roles are decoded once.
        sql`select country.id as country_id, country.slug as country_slug, country.region, role,
               sum(s.events) as events, min(s.first_date) as first_date, max(s.last_date) as last_date
          from (select l.country_id, link_roles_at(l.role_confidence, ${minConfidence}) as passing, count(*) as events,
                       min(l.first_date) as first_date, max(l.last_date) as last_date
                  from ${actorEventLinks} l
                 where l.actor_id = a.id and l.country_id <> 0 and ${minConfidence} <= any(l.role_confidence)
                 group by 1, 2) s
          cross join unnest(enum_range(null::participation_role)) role
          join ${places} country on country.id = s.country_id
         where s.passing & participation_role_bit(role) <> 0
           and (${roleList(roles)} is null or role = any(${roleList(roles)}))
         group by country.id, country.slug, country.region, role`;
  const rows = await db.execute<ReachCountryRow & { mergedAway: boolean }>(sql`
    select a.id as "actorId", home.region as "homeRegion", r.country_id as "countryId",
           r.country_slug as "countrySlug", r.region, r.role, coalesce(r.events, 0)::int as events,
           r.first_date::text as "firstDate", r.last_date::text as "lastDate",
           exists (select 1 from ${actorMerges} m where m.removed_actor_id = a.id) as "mergedAway"
      from ${actors} a
      left join ${places} home on home.id = a.home_country_id
      left join lateral (${perCountry}) r on true
     where a.id = ${anyInt(actorIds)}
     order by a.id, events desc, r.country_slug, r.role`);
  return [...rows];
}

/**
 * Where each of `actorIds` is linked to events, per country and role, ordered by actor, then
 * most events first. With `fromSummaries` (live reads only: isLiveView) from actor_rollup, in
 * one statement, plus one more from the base tables only when the batch holds an actor merged
 * away (planning the base query costs more than running the summary one, so it is not part of
 * every statement); otherwise one statement on the base tables.
 */
export async function reachOfActors(
  db: Database,
  view: KnowledgeView,
  actorIds: readonly number[],
  roles: readonly ParticipationRole[] | null,
  fromSummaries: boolean,
  floor: ClaimFloor = NO_FLOOR,
): Promise<ReachCountryRow[]> {
  // A confidence floor is answered from the actor's link rows; grades (of sources and claims),
  // which no summary keeps, from the base tables.
  if (!fromSummaries || floor.minReliability !== null || floor.minCredibility !== null) return reachFromBaseTables(db, view, actorIds, roles, floor);
  if (!isLiveView(view)) throw new Error('the summary tables answer live reads only');
  const rows = await reachFromSummaries(db, actorIds, roles, floor.minConfidence);
  const mergedAway = [...new Set(rows.filter((r) => r.mergedAway).map((r) => r.actorId))];
  const answered: ReachCountryRow[] = rows.filter((r) => !r.mergedAway).map(({ mergedAway: _, ...row }) => row);
  if (mergedAway.length === 0) return answered;
  const fromBase = await reachFromBaseTables(db, view, mergedAway, roles, floor);
  // Both lists are in actor order; a stable sort by actor interleaves them and keeps each
  // actor's own order.
  return [...answered, ...fromBase].sort((a, b) => a.actorId - b.actorId);
}
