/**
 * Dashboard aggregates over events, each one SQL statement. Filters are the `events` filter
 * (eventConditions), so a dashboard and the list it drills into always agree on what matched.
 *
 * Casualty sums keep the ranges honest: `min` adds the lower bounds; `max` adds the upper bounds
 * and is null as soon as one counted event has no upper bound ("over 100"); `reported` says how
 * many events had a figure at all (events without one add nothing to either sum).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import {
  actors,
  adherences,
  claims,
  doctrines,
  eventRollupByCountry,
  eventRollupByKind,
  events,
  participations,
  places,
} from '../../db/schema.ts';
import type { KnowledgeView } from '../context.ts';
import { actorsAt, claimVisible, eventsAt, mergeTime, placesAt } from '../view.ts';

export interface KilledSum {
  min: number;
  max: number | null;
  reported: number;
}

type KilledColumns = {
  killedMin: number;
  killedMax: number | null;
  killedReported: number;
}

/** The three casualty-sum columns over rows exposing killed_min / killed_max as `alias`. */
function killedSums(alias: SQL): SQL {
  return sql`coalesce(sum(${alias}.killed_min), 0)::int as "killedMin",
    case when bool_or(${alias}.killed_min is not null and ${alias}.killed_max is null) then null
         else coalesce(sum(${alias}.killed_max), 0)::int end as "killedMax",
    count(${alias}.killed_min)::int as "killedReported"`;
}

export function killedOf(row: KilledColumns): KilledSum {
  return { min: row.killedMin, max: row.killedMax, reported: row.killedReported };
}

const where = (conditions: SQL | undefined): SQL => (conditions ? sql`where ${conditions}` : sql``);

/** The same three columns summed over rollup rows (which carry per-group sums). */
function rollupKilledSums(): SQL {
  return sql`coalesce(sum(r.killed_min), 0)::int as "killedMin",
    case when coalesce(sum(r.killed_open), 0) > 0 then null else coalesce(sum(r.killed_max), 0)::int end as "killedMax",
    coalesce(sum(r.killed_reported), 0)::int as "killedReported"`;
}

/**
 * Which summary table can answer a filter exactly (src/db/schema.ts, event_rollup_*): one with no
 * actor, role or date bounds, filtering on kinds or on a country but not both. Otherwise null, and
 * the aggregate reads events.
 */
export type RollupRoute = { by: 'kind'; kinds: readonly string[] | null } | { by: 'country'; country: string };

export interface AggregateFilter {
  actor?: string | null;
  role?: readonly string[] | null;
  country?: string | null;
  kind?: readonly string[] | null;
  from?: string | null;
  to?: string | null;
}

export function rollupRoute(filter: AggregateFilter | null | undefined): RollupRoute | null {
  if (!filter) return { by: 'kind', kinds: null };
  if (filter.actor != null || filter.role != null || filter.from != null || filter.to != null) return null;
  if (filter.country != null) return filter.kind != null ? null : { by: 'country', country: filter.country };
  return { by: 'kind', kinds: filter.kind ?? null };
}

/** The rollup table (aliased r) and the condition selecting the route's rows. */
function rollupSource(route: RollupRoute): { table: SQL; condition: SQL } {
  if (route.by === 'country') {
    return {
      table: sql`${eventRollupByCountry} r`,
      condition: sql`r.country_id = (select id from ${places} where slug = ${route.country})`,
    };
  }
  const kinds = sql`${sql.param(route.kinds ? [...route.kinds] : null)}::event_kind[]`;
  return { table: sql`${eventRollupByKind} r`, condition: sql`(${kinds} is null or r.kind = any(${kinds}))` };
}

/** Rollup grains whose events fit in one bucket of each interval (see event_grain_of). */
const placedGrains: Record<TimelineInterval, string[]> = {
  MONTH: ['MONTH'],
  QUARTER: ['MONTH', 'QUARTER'],
  YEAR: ['MONTH', 'QUARTER', 'YEAR'],
};

export type EventStatsRow = KilledColumns & {
  events: number;
  firstDate: string | null;
  lastDate: string | null;
}

export async function eventStats(
  db: Database,
  view: KnowledgeView,
  conditions: SQL | undefined,
  route: RollupRoute | null,
): Promise<EventStatsRow> {
  const rollup = route && rollupSource(route);
  const rows = await db.execute<EventStatsRow>(
    rollup
      ? sql`select coalesce(sum(r.events), 0)::int as events, ${rollupKilledSums()},
                   min(r.first_date)::text as "firstDate", max(r.last_date)::text as "lastDate"
              from ${rollup.table} where ${rollup.condition}`
      : sql`select count(*)::int as events, ${killedSums(sql`${events}`)},
                   min(coalesce(${events.dateEarliest}, ${events.dateLatest}))::text as "firstDate",
                   max(coalesce(${events.dateLatest}, ${events.dateEarliest}))::text as "lastDate"
              from ${eventsAt(view)} ${where(conditions)}`,
  );
  const row = rows[0];
  if (!row) throw new Error('an aggregate without group by always returns a row');
  return row;
}

export type TimelineInterval = 'MONTH' | 'QUARTER' | 'YEAR';
const intervals: Record<TimelineInterval, { field: string; step: string }> = {
  MONTH: { field: 'month', step: '1 month' },
  QUARTER: { field: 'quarter', step: '3 months' },
  YEAR: { field: 'year', step: '1 year' },
};

export type TimelineRow = KilledColumns & {
  /** Null for the row of events whose dates span more than one bucket (or are open). */
  start: string | null;
  events: number;
}

/**
 * An event goes into a bucket only when everything it could mean lies inside that bucket:
 * "March 2024" is placed in a MONTH timeline, "2021" is not (it would be a guess at a month) and
 * is counted in the unplaced row instead. Buckets run from the first to the last placed event,
 * empty ones included, in date order; the unplaced row comes last.
 */
export async function timeline(
  db: Database,
  view: KnowledgeView,
  conditions: SQL | undefined,
  interval: TimelineInterval,
  route: RollupRoute | null,
): Promise<TimelineRow[]> {
  const { field, step } = intervals[interval];
  const rollup = route && rollupSource(route);
  if (rollup) {
    const grains = sql`${sql.param(placedGrains[interval])}::event_grain[]`;
    const rows = await db.execute<TimelineRow>(sql`
      with placed as (
        select date_trunc(${field}, r.period::timestamp)::date as start, r.*
          from ${rollup.table} where ${rollup.condition} and r.grain = any(${grains})
      ),
      buckets as (
        select generate_series(min(start)::timestamp, max(start)::timestamp, ${step}::interval)::date as start from placed
      )
      select b.start::text as start, coalesce(sum(r.events), 0)::int as events, ${rollupKilledSums()}
        from buckets b left join placed r on r.start = b.start
       group by b.start
      union all
      select null, coalesce(sum(r.events), 0)::int, ${rollupKilledSums()}
        from ${rollup.table} where ${rollup.condition} and not r.grain = any(${grains})
      order by 1 nulls last`);
    return [...rows];
  }
  const rows = await db.execute<TimelineRow>(sql`
    with matched as (
      select ${events.killedMin} as killed_min, ${events.killedMax} as killed_max,
             date_trunc(${field}, ${events.dateEarliest}::timestamp)::date as first_bucket,
             date_trunc(${field}, ${events.dateLatest}::timestamp)::date as last_bucket
        from ${eventsAt(view)} ${where(conditions)}
    ),
    placed as (select * from matched where first_bucket = last_bucket),
    buckets as (
      select generate_series(min(first_bucket)::timestamp, max(first_bucket)::timestamp, ${step}::interval)::date as start
        from placed
    )
    select b.start::text as start, count(p.first_bucket)::int as events, ${killedSums(sql`p`)}
      from buckets b left join placed p on p.first_bucket = b.start
     group by b.start
    union all
    select null, count(*)::int, ${killedSums(sql`m`)}
      from matched m where m.first_bucket is distinct from m.last_bucket or m.first_bucket is null
    order by 1 nulls last`);
  return [...rows];
}

export type BreakdownBy = 'COUNTRY' | 'ACTOR' | 'ROLE' | 'EVENT_KIND' | 'DOCTRINE' | 'YEAR';

export type BreakdownRow = KilledColumns & {
  key: string;
  label: string;
  /** The actor, place or doctrine a group stands for, when it stands for one. */
  entityId: number | null;
  events: number;
}

/** Roles in which an event counts as an actor's own doing, for the DOCTRINE breakdown. */
const OWN_ROLES = ['PERPETRATOR', 'CLAIMED_RESPONSIBILITY'];

/** The filter's actor and roles, which also say which links ACTOR and ROLE groups count. */
export interface LinkFilter {
  actor: string | null;
  roles: readonly string[] | null;
}

/**
 * Matching events keyed by group, one row per (group, event): an event linked to an actor in two
 * roles counts once for that actor. The filter's roles narrow ACTOR and ROLE groups to links in
 * those roles; its actor narrows ROLE groups to that actor's links (ACTOR groups still show who
 * else took part).
 */
function keyedEvents(view: KnowledgeView, by: BreakdownBy, conditions: SQL | undefined, links: LinkFilter): SQL {
  const { roles, actor } = links;
  const kept = sql`${events.id} as event_id, ${events.killedMin} as killed_min, ${events.killedMax} as killed_max`;
  const at = mergeTime(view);
  const live = sql`join ${claims} c on c.id = p.claim_id
    and ${claimVisible(view, { recordedAt: sql`c.recorded_at`, retractedAt: sql`c.retracted_at` })}`;
  const roleList = sql`${sql.param(roles ? [...roles] : null)}::participation_role[]`;
  switch (by) {
    case 'EVENT_KIND':
      return sql`select ${kept}, ${events.kind}::text as key, ${events.kind}::text as label, null::int as entity_id
                   from ${eventsAt(view)} ${where(conditions)}`;
    case 'YEAR':
      // Like the timeline: an event is put in a year only if all its possible dates are in it.
      return sql`select ${kept}, extract(year from ${events.dateEarliest})::text as key,
                        extract(year from ${events.dateEarliest})::text as label, null::int as entity_id
                   from ${eventsAt(view)}
                  where extract(year from ${events.dateEarliest}) = extract(year from ${events.dateLatest})
                    ${conditions ? sql`and ${conditions}` : sql``}`;
    case 'COUNTRY':
      return sql`select ${kept}, country.slug as key, country.name as label, country.id as entity_id
                   from ${eventsAt(view)}
                   join ${placesAt(view, 'pl')} on pl.id = ${events.placeId}
                   join ${placesAt(view, 'country')} on country.id = pl.country_id
                   ${where(conditions)}`;
    case 'ACTOR':
    case 'ROLE':
      return sql`select distinct ${kept},
                        ${by === 'ACTOR' ? sql`a.slug` : sql`p.role::text`} as key,
                        ${by === 'ACTOR' ? sql`a.name` : sql`p.role::text`} as label,
                        ${by === 'ACTOR' ? sql`a.id` : sql`null::int`} as entity_id
                   from ${eventsAt(view)}
                   join ${participations} p on p.event_id = ${events.id}
                   ${live}
                   -- Actors as merged at the view's time: a removed actor's links count for the kept one.
                   join ${actorsAt(view, 'a')} on a.id = canonical_actor(p.actor_id, ${at})
                  where (${roleList} is null or p.role = any(${roleList}))
                    ${by === 'ROLE' && actor != null ? sql`and a.id = (select canonical_actor(x.id, ${at}) from ${actors} x where x.slug = ${actor})` : sql``}
                    ${conditions ? sql`and ${conditions}` : sql``}`;
    case 'DOCTRINE':
      return sql`select distinct ${kept}, d.slug as key, d.name as label, d.id as entity_id
                   from ${eventsAt(view)}
                   join ${participations} p on p.event_id = ${events.id}
                   ${live}
                   join ${adherences} ad on ad.actor_id in
                        (select f.actor_id from actors_folded_into(array[canonical_actor(p.actor_id, ${at})], ${at}) f)
                   join ${claims} ca on ca.id = ad.claim_id
                    and ${claimVisible(view, { recordedAt: sql`ca.recorded_at`, retractedAt: sql`ca.retracted_at` })}
                   join ${doctrines} d on d.id = ad.doctrine_id
                  where p.role = any(${sql.param(OWN_ROLES)}::participation_role[])
                    ${conditions ? sql`and ${conditions}` : sql``}`;
  }
}

/** The `top` largest groups (most events first, ties by key). */
export async function breakdown(
  db: Database,
  view: KnowledgeView,
  conditions: SQL | undefined,
  by: BreakdownBy,
  top: number,
  links: LinkFilter,
  route: RollupRoute | null,
): Promise<BreakdownRow[]> {
  const rolled = route && breakdownFromRollup(by, route);
  if (rolled) {
    const rows = await db.execute<BreakdownRow>(sql`
      select ${rolled.key} as key, min(${rolled.label}) as label, min(${rolled.entityId}) as "entityId",
             coalesce(sum(r.events), 0)::int as events, ${rollupKilledSums()}
        from ${rolled.from}
       where ${rolled.condition}
       group by 1
       order by events desc, key
       limit ${top}`);
    return [...rows];
  }
  const rows = await db.execute<BreakdownRow>(sql`
    select k.key, min(k.label) as label, min(k.entity_id) as "entityId", count(*)::int as events,
           ${killedSums(sql`k`)}
      from (${keyedEvents(view, by, conditions, links)}) k
     group by k.key
     order by events desc, k.key
     limit ${top}`);
  return [...rows];
}

/** A breakdown the rollups answer exactly: by kind or year, or by country without a kind filter. */
function breakdownFromRollup(
  by: BreakdownBy,
  route: RollupRoute,
): { key: SQL; label: SQL; entityId: SQL; from: SQL; condition: SQL } | null {
  const source = rollupSource(route);
  if (by === 'YEAR') {
    const year = sql`extract(year from r.period)::int::text`;
    return { key: year, label: year, entityId: sql`null::int`, from: source.table, condition: sql`${source.condition} and r.grain <> 'NONE'` };
  }
  if (by === 'EVENT_KIND' && route.by === 'kind') {
    return { key: sql`r.kind::text`, label: sql`r.kind::text`, entityId: sql`null::int`, from: source.table, condition: source.condition };
  }
  if (by === 'COUNTRY' && (route.by === 'country' || route.kinds === null)) {
    const condition = route.by === 'country' ? rollupSource(route).condition : sql`true`;
    return {
      key: sql`country.slug`,
      label: sql`country.name`,
      entityId: sql`country.id`,
      from: sql`${eventRollupByCountry} r join ${places} country on country.id = r.country_id`,
      condition,
    };
  }
  return null;
}
