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
  actorRollup,
  actorRollupByRole,
  actorRollupByRoleFloor,
  actorEventLinks,
  actorRollupTimeline,
  actors,
  adherences,
  claims,
  doctrineRollup,
  doctrines,
  eventRollupByCountry,
  eventRollupByCountryTotal,
  eventRollupByBand,
  eventRollupByBandCountry,
  eventRollupByBandPeriod,
  eventRollupByKind,
  eventRollupByPeriod,
  events,
  participations,
  places,
} from '../../db/schema.ts';
import { casualtySumSql, casualtyVectorOf } from '../../db/casualties.ts';
import type { KnowledgeView } from '../context.ts';
import { kindsMatching, STANDARD_TYPES_BY_KIND, standardTypeLabel, type StandardTypeDimension, type StandardTypeFilter } from '../../domain/events/standard-types.ts';
import { actorsAt, claimVisibleAs, establishedInView, eventsAt, LIVE_VIEW, mergeTime, namedActor, placesAt } from '../view.ts';
import { claimPasses, NO_FLOOR, type ClaimFloor, type SourceReliability } from '../claim-filters.ts';
import { linkDatesMatch } from './geography.ts';
import { eventSidesSql, linkFacesActor, onOppositeSides } from './dyads.ts';

export interface KilledSum {
  min: number;
  max: number | null;
  reported: number;
}

type KilledColumns = {
  killedMin: number;
  killedMax: number | null;
  killedReported: number;
  /** Killed and wounded, total and by category, summed (src/db/casualties.ts; bigints as text). */
  casualties: (string | number)[];
}

/** An event's casualty vector (event_casualty_vector, src/db/sql/summaries.sql), from its columns. */
const eventCasualtyVector = sql`event_casualty_vector(${events.killedMin}, ${events.killedBest}, ${events.killedMax}, ${events.killedParts},
  ${events.woundedMin}, ${events.woundedBest}, ${events.woundedMax}, ${events.woundedParts})`;

/**
 * The vectors of rows aliased `alias` summed element by element, when the request asks for
 * casualty parts (`parts`); otherwise nothing is summed (the sixty sums, and on the events path
 * each event's vector, cost a dashboard that does not show them).
 */
const casualtySums = (alias: string, parts: boolean): SQL =>
  parts ? sql.raw(`${casualtySumSql((i) => `${alias}.casualties[${i}]`)} as casualties`) : sql`null::bigint[] as casualties`;

/** Each event's casualty vector, or null when the request does not ask for parts. */
const eventVector = (parts: boolean): SQL => (parts ? eventCasualtyVector : sql`null::bigint[]`);

/** The casualty-sum columns over rows exposing killed_min / killed_max / casualties as `alias`. */
function killedSums(alias: string, parts: boolean): SQL {
  const a = sql.raw(alias);
  return sql`coalesce(sum(${a}.killed_min), 0)::int as "killedMin",
    case when bool_or(${a}.killed_min is not null and ${a}.killed_max is null) then null
         else coalesce(sum(${a}.killed_max), 0)::int end as "killedMax",
    count(${a}.killed_min)::int as "killedReported", ${casualtySums(alias, parts)}`;
}

export function killedOf(row: KilledColumns): KilledSum {
  return { min: row.killedMin, max: row.killedMax, reported: row.killedReported };
}

/** The summed casualty vector of an aggregate row, as numbers. */
export function casualtiesOf(row: KilledColumns): number[] {
  return casualtyVectorOf(row.casualties);
}

const where = (conditions: SQL | undefined): SQL => (conditions ? sql`where ${conditions}` : sql``);

/** The same three columns summed over rollup rows (which carry per-group sums). */
function rollupKilledSums(parts: boolean): SQL {
  return sql`coalesce(sum(r.killed_min), 0)::int as "killedMin",
    case when coalesce(sum(r.killed_open), 0) > 0 then null else coalesce(sum(r.killed_max), 0)::int end as "killedMax",
    coalesce(sum(r.killed_reported), 0)::int as "killedReported", ${casualtySums('r', parts)}`;
}

/**
 * A live read's filter, as the summary tables see it (null: not filtered on that). The tables
 * hold the knowledge base as it stands now, without retracted claims, so only live reads get a
 * route (src/graphql/types/analytics.ts); each aggregate then reads summary rows when some table
 * answers its filter exactly, and events otherwise.
 */
export interface SummaryRoute {
  actor: string | null;
  roles: readonly string[] | null;
  country: string | null;
  kinds: readonly string[] | null;
  from: string | null;
  to: string | null;
  /**
   * A confidence floor on the events' reports (and, with an actor or role, on the links): answered
   * by event_rollup_by_band (bands at or above it) when nothing else needs links; an aggregate
   * over actors or roles with a floor sums the actor_event_links rows that pass it
   * (role_confidence: per role, the best link's confidence capped by the report's).
   */
  minConfidence: number | null;
  /**
   * Grade floors on the events' reports (best source reliability, credibility): answered by the
   * grades kept in event_rollup_by_band_period and _by_band_country (totals, timelines, years and
   * countries without an actor, role, kind or country filter); anything else with a grade floor
   * reads the base tables, since links and the other rollups keep no grades.
   */
  minReliability: SourceReliability | null;
  minCredibility: number | null;
  /**
   * The second actor of a `between` pair (`actor` the first): only the events where it is on the
   * other side from `actor`, read from the links' sides (actor_event_links.sides).
   */
  opponent: string | null;
}

export interface AggregateFilter extends StandardTypeFilter {
  actor?: string | null;
  role?: readonly string[] | null;
  country?: string | null;
  from?: string | null;
  to?: string | null;
  minConfidence?: number | null;
  minReliability?: SourceReliability | null;
  minCredibility?: number | null;
}

export function summaryRoute(filter: AggregateFilter | null | undefined): SummaryRoute {
  return {
    actor: filter?.actor ?? null,
    roles: filter?.role ?? null,
    country: filter?.country ?? null,
    // A filter by standard type is a filter by the kinds that map to it: the same summaries answer it.
    kinds: kindsMatching(filter),
    from: filter?.from ?? null,
    to: filter?.to ?? null,
    minConfidence: filter?.minConfidence ?? null,
    minReliability: filter?.minReliability ?? null,
    minCredibility: filter?.minCredibility ?? null,
    opponent: null,
  };
}

/**
 * Rows of a summary table (or of events, in the same shape) that an aggregate sums: a SELECT
 * whose rows carry the measures (events, killed_min, killed_max, killed_open, killed_reported,
 * first_date, last_date) and the columns the aggregate groups by. `table` names the summary
 * table, for tests and EXPLAIN readers.
 */
export interface SummaryRows {
  table: string;
  rows: SQL;
}

const countryIdOf = (slug: string) => sql`(select pl.id from ${places} pl where pl.slug = ${slug})`;
const kindList = (kinds: readonly string[]) => sql`${sql.param([...kinds])}::event_kind[]`;
const roleList = (roles: readonly string[] | null) => sql`${sql.param(roles ? [...roles] : null)}::participation_role[]`;

// --- Event rollups (event_rollup_*): no actor or role filter. -----------------------------------

type EventRollupTable =
  | 'event_rollup_by_kind'
  | 'event_rollup_by_country'
  | 'event_rollup_by_period'
  | 'event_rollup_by_country_total'
  | 'event_rollup_by_band'
  | 'event_rollup_by_band_period'
  | 'event_rollup_by_band_country';

const eventRollupTables = {
  event_rollup_by_kind: { table: eventRollupByKind, kind: true, country: false, periods: true, graded: false },
  event_rollup_by_country: { table: eventRollupByCountry, kind: false, country: true, periods: true, graded: false },
  event_rollup_by_period: { table: eventRollupByPeriod, kind: false, country: false, periods: true, graded: false },
  event_rollup_by_country_total: { table: eventRollupByCountryTotal, kind: false, country: true, periods: false, graded: false },
  event_rollup_by_band: { table: eventRollupByBand, kind: true, country: true, periods: true, graded: false },
  event_rollup_by_band_period: { table: eventRollupByBandPeriod, kind: false, country: false, periods: true, graded: true },
  event_rollup_by_band_country: { table: eventRollupByBandCountry, kind: false, country: true, periods: false, graded: true },
} as const;

/** A year-aligned bound cuts no calendar bucket, so no event near it needs reading. */
const startsYear = (day: string) => day.endsWith('-01-01');
const endsYear = (day: string) => day.endsWith('-12-31');

/**
 * Rows of an event rollup for a filter without actor or role. With date bounds, a bucket wholly
 * inside [from, to] is read from the rollup (each of its events lies in the bucket, so it
 * matches); the events a bucket cannot settle are read from events, in the same shape: those no
 * bucket holds (grain NONE: events_ungrained_idx finds the few) and, when a bound is not the
 * first or last day of a year, those in that year whose bucket straddles it.
 */
function eventRollupRows(name: EventRollupTable, route: SummaryRoute, conditions: SQL | undefined, parts: boolean): SummaryRows {
  const spec = eventRollupTables[name];
  const filters: SQL[] = [];
  if (name.startsWith('event_rollup_by_band')) filters.push(sql`r.band >= ${route.minConfidence ?? 0}`);
  if (graded(route)) {
    // Only these two keep the reports' grades (event_rollup_members).
    if (!spec.graded) throw new Error(`${name} keeps no grades`);
    if (route.minReliability !== null) filters.push(sql`r.reliability <= ${route.minReliability}::source_reliability`);
    if (route.minCredibility !== null) filters.push(sql`r.credibility <= ${route.minCredibility}`);
  }
  if (route.country !== null) filters.push(sql`r.country_id = ${countryIdOf(route.country)}`);
  if (route.kinds !== null) filters.push(sql`r.kind = any(${kindList(route.kinds)})`);
  const { from, to } = route;
  const bounded = from !== null || to !== null;
  if (bounded) {
    filters.push(sql`r.grain <> 'NONE'`);
    if (from !== null) filters.push(sql`r.period >= ${from}::date`);
    if (to !== null) filters.push(sql`event_period_end(r.grain, r.period) <= ${to}::date`);
  }
  const columns = sql.join(
    [
      spec.periods ? sql`r.grain, r.period` : sql`null::event_grain as grain, null::date as period`,
      spec.kind ? sql`r.kind` : sql`null::event_kind as kind`,
      spec.country ? sql`r.country_id` : sql`null::int as country_id`,
      sql`r.events, r.killed_min, r.killed_max, r.killed_open, r.killed_reported, r.first_date, r.last_date, r.casualties`,
    ],
    sql`, `,
  );
  const matching = filters.length > 0 ? sql`where ${sql.join(filters, sql` and `)}` : sql``;
  // The graded rollups hold a row per band and pair of grades: summed per bucket (or country) here,
  // so that a timeline or breakdown works on ~1,000 rows rather than ~15,000.
  const held = spec.graded
    ? sql`select ${spec.periods ? sql`r.grain, r.period` : sql`null::event_grain as grain, null::date as period`}, null::event_kind as kind,
                 ${spec.country ? sql`r.country_id` : sql`null::int as country_id`},
                 sum(r.events)::bigint as events, sum(r.killed_min) as killed_min, sum(r.killed_max) as killed_max,
                 sum(r.killed_open)::bigint as killed_open, sum(r.killed_reported)::bigint as killed_reported,
                 min(r.first_date) as first_date, max(r.last_date) as last_date, ${casualtySums('r', parts)}
            from ${spec.table} r ${matching}
           group by ${spec.periods ? sql`r.grain, r.period` : sql`r.country_id`}`
    : sql`select ${columns} from ${spec.table} r ${matching}`;
  if (!bounded) return { table: name, rows: held };
  const grain = sql`event_grain_of(${events.dateEarliest}, ${events.dateLatest})`;
  const period = sql`event_period_of(${events.dateEarliest}, ${events.dateLatest})`;
  const sortDate = sql`coalesce(${events.dateEarliest}, ${events.dateLatest})`;
  const unsettled = [sql`${grain} = 'NONE'`];
  if (from !== null && !startsYear(from)) {
    unsettled.push(sql`${sortDate} between date_trunc('year', ${from}::date)::date and (date_trunc('year', ${from}::date) + interval '1 year' - interval '1 day')::date`);
  }
  if (to !== null && !endsYear(to)) {
    unsettled.push(sql`${sortDate} between date_trunc('year', ${to}::date)::date and (date_trunc('year', ${to}::date) + interval '1 year' - interval '1 day')::date`);
  }
  const inside = sql`${grain} <> 'NONE' ${from !== null ? sql`and ${period} >= ${from}::date` : sql``}
    ${to !== null ? sql`and event_period_end(${grain}, ${period}) <= ${to}::date` : sql``}`;
  const rest = sql`select ${grain} as grain, ${period} as period, ${events.kind} as kind, pl.country_id, 1 as events,
      ${events.killedMin}::bigint as killed_min, ${events.killedMax}::bigint as killed_max,
      (${events.killedMin} is not null and ${events.killedMax} is null)::int as killed_open,
      (${events.killedMin} is not null)::int as killed_reported,
      ${sortDate} as first_date, coalesce(${events.dateLatest}, ${events.dateEarliest}) as last_date, ${eventCasualtyVector} as casualties
    from ${events} left join ${places} pl on pl.id = ${events.placeId}
   where (${sql.join(unsettled, sql` or `)}) and not (${inside}) ${conditions ? sql`and ${conditions}` : sql``}`;
  return { table: `${name} + events`, rows: sql`${held} union all ${rest}` };
}

/** The event rollup for totals and timelines: the one keyed by the filter's dimension. */
function eventRollupFor(route: SummaryRoute, conditions: SQL | undefined, parts: boolean): SummaryRows | null {
  // A grade floor: the banded rollup per bucket, which keeps grades, unless a kind or country is named.
  if (graded(route)) return route.country === null && route.kinds === null ? eventRollupRows('event_rollup_by_band_period', route, conditions, parts) : null;
  // With a floor, the banded rollups (the full one has both country and kind).
  if (route.minConfidence !== null) {
    return eventRollupRows(route.country === null && route.kinds === null ? 'event_rollup_by_band_period' : 'event_rollup_by_band', route, conditions, parts);
  }
  if (route.country !== null && route.kinds !== null) return null;
  if (route.country !== null) return eventRollupRows('event_rollup_by_country', route, conditions, parts);
  if (route.kinds !== null) return eventRollupRows('event_rollup_by_kind', route, conditions, parts);
  return eventRollupRows('event_rollup_by_period', route, conditions, parts);
}

// --- Actor rollups (actor_rollup*): an actor or role filter, or groups by actor, role, doctrine.

const hasLinks = (route: SummaryRoute) => route.actor !== null || route.roles !== null;
const bounded = (route: SummaryRoute) => route.from !== null || route.to !== null;
/** A grade floor: only event_rollup_by_band_period and _by_band_country can answer it. */
const graded = (route: SummaryRoute) => route.minReliability !== null || route.minCredibility !== null;

/** A breakdown's groups by actor (`r.actor_id`), with each actor's slug and name. */
const BY_ACTOR = {
  group: sql`r.actor_id`,
  labels: sql`join ${actors} a on a.id = g.id`,
  key: sql`a.slug`,
  label: sql`a.name`,
  entityId: sql`a.id`,
};

/** A breakdown's groups by country (`r.country_id`), with each country's slug and name. */
const BY_COUNTRY = {
  group: sql`r.country_id`,
  labels: sql`join ${places} country on country.id = g.id`,
  key: sql`country.slug`,
  label: sql`country.name`,
  entityId: sql`country.id`,
};

/** A breakdown's groups by doctrine (`r.doctrine_id`), with each doctrine's slug and name. */
const BY_DOCTRINE = {
  group: sql`r.doctrine_id`,
  labels: sql`join ${doctrines} d on d.id = g.id`,
  key: sql`d.slug`,
  label: sql`d.name`,
  entityId: sql`d.id`,
};

/** Groups keyed by their own value (a kind, a year, a role): no label to look up. */
const BY_VALUE = { labels: sql``, key: sql`g.id::text`, label: sql`g.id::text`, entityId: sql`null::int` };

/** The actor rows to read: the filter's actor as merged now, or 0 ("any actor") without one. */
export function actorKey(actor: string | null): SQL {
  return actor === null ? sql`0` : namedActor(LIVE_VIEW, actor);
}

/** Rows whose set of roles shares one with the filter's (all rows without a role filter). */
function rolesMatch(roles: readonly string[] | null): SQL {
  return roles === null ? sql`true` : sql`r.roles & (select participation_roles_mask(${roleList(roles)})) <> 0`;
}

/**
 * actor_rollup rows at the coarsest level that still has the filter's country and kinds: all
 * countries and kinds, per country, or per country and kind. `actor` is a key (actorKey) or
 * null for every actor but 0.
 */
function actorRollupRows(actor: SQL | null, route: SummaryRoute, matchRoles: boolean, perCountry = false, perKind = false): SummaryRows {
  const level = route.kinds !== null || perKind
    ? sql`r.kind is not null`
    : route.country !== null || perCountry ? sql`r.country_id is not null and r.kind is null` : sql`r.country_id is null and r.kind is null`;
  const filters = [actor === null ? sql`r.actor_id <> 0` : sql`r.actor_id = ${actor}`, level];
  if (matchRoles) filters.push(rolesMatch(route.roles));
  if (route.country !== null) filters.push(sql`r.country_id = ${countryIdOf(route.country)}`);
  if (route.kinds !== null) filters.push(sql`r.kind = any(${kindList(route.kinds)})`);
  return {
    table: 'actor_rollup',
    rows: sql`select r.actor_id, r.roles, r.country_id, r.kind, r.events, r.killed_min, r.killed_max, r.killed_open,
                     r.killed_reported, r.first_date, r.last_date, r.casualties
                from ${actorRollup} r where ${sql.join(filters, sql` and `)}`,
  };
}

/**
 * A role's element of actor_event_links.role_confidence: the position of its bit in
 * participation_role_bit (PERPETRATOR 1 is element 1, VICTIM 64 element 7). tests/actor-rollup.test.ts
 * compares every role's floored aggregates with the base tables'.
 */
const ROLE_SLOTS: Record<string, number> = {
  PERPETRATOR: 1,
  CLAIMED_RESPONSIBILITY: 2,
  ATTRIBUTED: 3,
  IMPLICATED: 4,
  INSPIRED: 5,
  TARGET: 6,
  VICTIM: 7,
};

function roleSlot(role: string): number {
  const slot = ROLE_SLOTS[role];
  if (slot === undefined) throw new Error(`participation role ${role} has no element in role_confidence`);
  return slot;
}

/**
 * actor_event_links rows (one per event and actor as merged now) that pass the route's confidence
 * floor in one of its roles (in any role without them; without a floor, every live link passes)
 * and its date bounds, in the shape of summary rows: for a floored or date-bounded aggregate by
 * actor or role (the actor summaries have no dates finer than the timeline's buckets). `actor` is a key (actorKey) or null for every actor but 0.
 * Every column read but the casualty vector (read only when the request asks for parts) is in
 * actor_event_links_group_idx, so without parts this is an index-only range read of the actor's rows.
 */
function actorLinkRows(actor: SQL | null, route: SummaryRoute, parts: boolean, linkedTo?: SQL): SummaryRows {
  const filters = [actor === null ? sql`r.actor_id <> 0` : sql`r.actor_id = ${actor}`, linkPasses(route, 'r')];
  // The pair's sides are the actor's own rows': other actors' rows come through linkedTo.
  if (actor !== null && route.opponent !== null) filters.push(facesOpponent(route.opponent, 'r'));
  if (linkedTo) filters.push(sql`r.event_id in (${linkedTo})`);
  if (route.country !== null) filters.push(sql`r.country_id = ${countryIdOf(route.country)}`);
  if (route.kinds !== null) filters.push(sql`r.kind = any(${kindList(route.kinds)})`);
  // A row has its event's first and last possible dates: date bounds as the maps apply them.
  if (bounded(route)) filters.push(linkDatesMatch(route.from, route.to, 'r'));
  return {
    table: 'actor_event_links',
    rows: sql`select r.event_id, r.actor_id, r.roles, r.role_confidence, r.sides, r.country_id, r.kind, r.grain, r.period, 1 as events,
                     r.killed_min::bigint as killed_min, r.killed_max::bigint as killed_max,
                     (r.killed_min is not null and r.killed_max is null)::int as killed_open,
                     (r.killed_min is not null)::int as killed_reported, r.first_date, r.last_date,
                     ${parts ? sql`r.casualties` : sql`null::bigint[]`} as casualties
                from ${actorEventLinks} r where ${sql.join(filters, sql` and `)}`,
  };
}

/**
 * Does an actor_event_links row (`alias`) have a link in one of the route's roles (in any role
 * without them) at least as sure as its floor? Without a floor, every live link passes.
 */
function linkPasses(route: SummaryRoute, alias: string): SQL {
  const floor = route.minConfidence ?? 0;
  const r = sql.identifier(alias);
  // One array comparison without roles, one element per role named: a few times cheaper per row
  // than link_roles_at, which reads all seven (20 ms of a 35 ms read of 60,000 rows).
  if (route.roles === null) return sql`${floor} <= any(${r}.role_confidence)`;
  if (route.roles.length === 0) return sql`false`;
  return sql`(${sql.join(route.roles.map((role) => sql`${r}.role_confidence[${sql.raw(String(roleSlot(role)))}] >= ${floor}`), sql` or `)})`;
}

/**
 * The events an actor or role filter selects, from actor_event_links: those its actor (actor 0,
 * any actor, without one) has a link to in its roles, passing its floor. Groups by actor or
 * doctrine are then read from the links of these events only.
 */
function linkedEvents(route: SummaryRoute): SQL {
  const pair = route.opponent !== null ? sql` and ${facesOpponent(route.opponent, 'x')}` : sql``;
  return sql`select x.event_id from ${actorEventLinks} x where x.actor_id = ${actorKey(route.actor)} and ${linkPasses(route, 'x')}${pair}`;
}

/**
 * Does the event of a link row (`alias`) have `opponent` (as merged now) on the other side from
 * the row's actor? `between` from the links, as OPPONENT groups read them (opponentBreakdown).
 */
export function facesOpponent(opponent: string, alias: string): SQL {
  return linkFacesActor(actorKey(opponent), alias);
}

function actorTimelineRows(route: SummaryRoute): SummaryRows {
  return {
    table: 'actor_rollup_timeline',
    rows: sql`select r.grain, r.period, r.events, r.killed_min, r.killed_max, r.killed_open, r.killed_reported, r.casualties
                from ${actorRollupTimeline} r where r.actor_id = ${actorKey(route.actor)} and ${rolesMatch(route.roles)}`,
  };
}

/** Where eventStats reads a live filter from; null: from events. */
export function statsSource(route: SummaryRoute, conditions?: SQL, parts = false): SummaryRows | null {
  if (!hasLinks(route)) return eventRollupFor(route, conditions, parts);
  if (graded(route)) return null;
  if (route.minConfidence !== null || bounded(route) || route.opponent !== null) return actorLinkRows(actorKey(route.actor), route, parts);
  return actorRollupRows(actorKey(route.actor), route, true);
}

/** Where a timeline reads a live filter from; null: from events. */
export function timelineSource(route: SummaryRoute, conditions?: SQL, parts = false): SummaryRows | null {
  if (!hasLinks(route)) return eventRollupFor(route, conditions, parts);
  if (graded(route)) return null;
  // A link row has its event's bucket, dates, country and kind: a floored or date-bounded timeline
  // may name them too. Summed per bucket first: the timeline's CTEs then carry a row per bucket,
  // not per event. So may a pair's (`between`).
  if (route.minConfidence !== null || bounded(route) || route.opponent !== null) {
    const links = actorLinkRows(actorKey(route.actor), route, parts);
    return {
      table: links.table,
      rows: sql`select r.grain, r.period, sum(r.events)::bigint as events, sum(r.killed_min) as killed_min, sum(r.killed_max) as killed_max,
                       sum(r.killed_open)::bigint as killed_open, sum(r.killed_reported)::bigint as killed_reported,
                       min(r.first_date) as first_date, max(r.last_date) as last_date, ${casualtySums('r', parts)}
                  from (${links.rows}) r group by r.grain, r.period`,
    };
  }
  if (route.country !== null || route.kinds !== null) return null;
  return actorTimelineRows(route);
}

/**
 * A breakdown from summary rows (aliased r): summed per `group` (an id, a kind, a year, a role),
 * then given its key and label through `labels` (joined on g.id), so labels are looked up for
 * each group and not for each row.
 */
export type Grouped = SummaryRows & {
  group: SQL;
  /** A lateral join applied to the rows before grouping (one row per role of a set). */
  expand?: SQL;
  where?: SQL;
  labels: SQL;
  key: SQL;
  label: SQL;
  entityId: SQL;
};

/** Where a breakdown reads a live filter from, and what it groups by; null: from events. */
export function breakdownSource(by: BreakdownBy, route: SummaryRoute, conditions?: SQL, parts = false): Grouped | null {
  if (by === 'OPPONENT') return opponentBreakdown(route, parts);
  // A pair's events (`between`): from the first actor's links that face the second.
  if (route.opponent !== null) return graded(route) ? null : linkBreakdown(by, route, parts);
  const links = hasLinks(route);
  if (graded(route)) {
    // Years (below, through eventRollupFor) and countries of all events, from the rollups that
    // keep the reports' grades.
    if (links) return null;
    if (by === 'COUNTRY' && route.country === null && route.kinds === null && !bounded(route)) {
      return { ...eventRollupRows('event_rollup_by_band_country', route, conditions, parts), ...BY_COUNTRY };
    }
    if (by !== 'YEAR') return null;
  }
  if (route.minConfidence !== null && (links || by === 'ACTOR' || by === 'ROLE' || by === 'DOCTRINE')) {
    return linkBreakdown(by, route, parts);
  }
  if (bounded(route) && (links || by === 'ROLE' || by === 'ACTOR')) return linkBreakdown(by, route, parts);
  switch (by) {
    case 'COUNTRY': {
      if (links) return bounded(route) ? null : { ...actorRollupRows(actorKey(route.actor), route, true, true), ...BY_COUNTRY };
      if (route.minConfidence !== null) {
        const banded = route.country === null && route.kinds === null && !bounded(route) ? 'event_rollup_by_band_country' : 'event_rollup_by_band';
        return { ...eventRollupRows(banded, route, conditions, parts), ...BY_COUNTRY };
      }
      if (route.kinds !== null) return null;
      const name = route.country === null && !bounded(route) ? 'event_rollup_by_country_total' : 'event_rollup_by_country';
      return { ...eventRollupRows(name, route, conditions, parts), ...BY_COUNTRY };
    }
    case 'ACLED_EVENT_TYPE':
    case 'ACLED_SUB_EVENT_TYPE':
    case 'GTD_ATTACK_TYPE': {
      // Read where EVENT_KIND is read, and each kind's rows summed into its type.
      const type = { ...BY_VALUE, group: standardTypeOf(by, sql`r.kind`), label: standardTypeLabelOf(by, sql`g.id`) };
      if (links) return bounded(route) ? null : { ...actorRollupRows(actorKey(route.actor), route, true, true, true), ...type };
      // A floor: the banded rollup, as for EVENT_KIND (event_rollup_by_kind counts every report).
      if (route.minConfidence !== null) return { ...eventRollupRows('event_rollup_by_band', route, conditions, parts), ...type };
      return route.country !== null ? null : { ...eventRollupRows('event_rollup_by_kind', route, conditions, parts), ...type };
    }
    case 'EVENT_KIND': {
      const kind = { ...BY_VALUE, group: sql`r.kind` };
      if (links) return bounded(route) ? null : { ...actorRollupRows(actorKey(route.actor), route, true, true, true), ...kind };
      if (route.minConfidence !== null) return { ...eventRollupRows('event_rollup_by_band', route, conditions, parts), ...kind };
      return route.country !== null ? null : { ...eventRollupRows('event_rollup_by_kind', route, conditions, parts), ...kind };
    }
    case 'YEAR': {
      const source = links ? timelineSource(route, conditions, parts) : eventRollupFor(route, conditions, parts);
      return source && { ...source, ...BY_VALUE, group: sql`extract(year from r.period)::int`, where: sql`r.grain <> 'NONE'` };
    }
    case 'ACTOR': {
      // The filter's actor narrows the events, not the groups (who else took part): from the links.
      if (route.actor !== null) return linkBreakdown(by, route, parts);
      if (bounded(route)) return null;
      if (route.country === null && route.kinds !== null) return null;
      return { ...actorRollupRows(null, route, true), ...BY_ACTOR };
    }
    case 'ROLE': {
      if (bounded(route)) return null;
      // One group per role in the row's set (and in the filter's roles, if it names any).
      return {
        ...actorRollupRows(actorKey(route.actor), route, false),
        ...BY_VALUE,
        group: sql`role`,
        expand: sql`cross join unnest(enum_range(null::participation_role)) role`,
        where: sql`r.roles & participation_role_bit(role) <> 0 and (${roleList(route.roles)} is null or role = any(${roleList(route.roles)}))`,
      };
    }
    case 'DOCTRINE': {
      if (links || bounded(route)) return doctrineLinkBreakdown(route, parts);
      const filters = [route.country !== null || route.kinds !== null ? sql`r.kind is not null` : sql`r.country_id is null and r.kind is null`];
      if (route.country !== null) filters.push(sql`r.country_id = ${countryIdOf(route.country)}`);
      if (route.kinds !== null) filters.push(sql`r.kind = any(${kindList(route.kinds)})`);
      return {
        table: 'doctrine_rollup',
        rows: sql`select r.doctrine_id, r.events, r.killed_min, r.killed_max, r.killed_open, r.killed_reported, r.casualties
                    from ${doctrineRollup} r where ${sql.join(filters, sql` and `)}`,
        ...BY_DOCTRINE,
      };
    }
  }
}

/**
 * Rows of the per-place summaries for a filter on places (src/graphql/place-counts.ts,
 * placeAggregateRows): `byKind` (kind, country_id and the measures; no dates) and `byBucket`
 * (grain, period, country_id and the measures), each null when the filter names what it lacks.
 */
export interface PlaceAggregateRows {
  byKind: SummaryRows | null;
  byBucket: SummaryRows | null;
  /** The same as byBucket with every bucket of a year as that year (grain YEAR): for years, without dates. */
  byYear: SummaryRows | null;
}

/**
 * A breakdown of a filter on places from the per-place summaries: by country, kind or standard
 * type from `byKind` (or by country from `byBucket` when the filter has dates), by year from
 * `byBucket`; null (from events) by actor, role or doctrine, which need links.
 */
export function placeBreakdownSource(by: BreakdownBy, rows: PlaceAggregateRows): Grouped | null {
  switch (by) {
    case 'COUNTRY': {
      const source = rows.byKind ?? rows.byBucket;
      return source && { ...source, ...BY_COUNTRY };
    }
    case 'EVENT_KIND':
      return rows.byKind && { ...rows.byKind, ...BY_VALUE, group: sql`r.kind` };
    case 'ACLED_EVENT_TYPE':
    case 'ACLED_SUB_EVENT_TYPE':
    case 'GTD_ATTACK_TYPE':
      return rows.byKind && { ...rows.byKind, ...BY_VALUE, group: standardTypeOf(by, sql`r.kind`), label: standardTypeLabelOf(by, sql`g.id`) };
    case 'YEAR': {
      const source = rows.byYear ?? rows.byBucket;
      return source && { ...source, ...BY_VALUE, group: sql`extract(year from r.period)::int`, where: sql`r.grain <> 'NONE'` };
    }
    case 'ACTOR':
    case 'OPPONENT':
    case 'ROLE':
    case 'DOCTRINE':
      return null;
  }
}

/**
 * A breakdown that needs links (floored or date-bounded with an actor or role filter or groups by
 * actor or role; by ACTOR or DOCTRINE with an actor or role filter), from the actor_event_links
 * rows that pass the floor and the bounds (actorLinkRows), by DOCTRINE from them and the
 * adherences (doctrineLinkBreakdown). With an actor filter, ACTOR and DOCTRINE groups are read
 * from the links of the events it selects (linkedEvents): the filter picks the events, the groups
 * are who else took part. A dated ACTOR breakdown reads every actor's rows (seconds at a million
 * events, against tens of seconds from events).
 */
function linkBreakdown(by: BreakdownBy, route: SummaryRoute, parts: boolean): Grouped | null {
  if (by === 'DOCTRINE') return doctrineLinkBreakdown(route, parts);
  const links = () => actorLinkRows(actorKey(route.actor), route, parts);
  switch (by) {
    case 'COUNTRY':
      return { ...links(), ...BY_COUNTRY };
    case 'ACLED_EVENT_TYPE':
    case 'ACLED_SUB_EVENT_TYPE':
    case 'GTD_ATTACK_TYPE':
      return { ...links(), ...BY_VALUE, group: standardTypeOf(by, sql`r.kind`), label: standardTypeLabelOf(by, sql`g.id`) };
    case 'EVENT_KIND':
      return { ...links(), ...BY_VALUE, group: sql`r.kind` };
    case 'YEAR':
      return { ...links(), ...BY_VALUE, group: sql`extract(year from r.period)::int`, where: sql`r.grain <> 'NONE'` };
    case 'ACTOR':
      // With an actor: the links in the filter's roles of the events the actor is linked to.
      return { ...actorLinkRows(null, route, parts, route.actor !== null ? linkedEvents(route) : undefined), ...BY_ACTOR };
    case 'OPPONENT':
      return null;
    case 'ROLE':
      // One group per role whose links pass the floor (and in the filter's roles, if it names any).
      // A pair's events count every role taken in them, once per event: their rows for any actor.
      return {
        ...(route.opponent !== null ? actorLinkRows(sql`0`, { ...route, opponent: null }, parts, linkedEvents(route)) : links()),
        ...BY_VALUE,
        group: sql`role`,
        expand: sql`cross join unnest(enum_range(null::participation_role)) role`,
        where: sql`link_roles_at(r.role_confidence, ${route.minConfidence ?? 0}) & participation_role_bit(role) <> 0
                   and (${roleList(route.roles)} is null or role = any(${roleList(route.roles)}))`,
      };
  }
}

/**
 * OPPONENT groups from the links: the filter's actor's rows (in its roles, country, kinds and
 * dates), each joined to the rows of the same event's other actors on the other side
 * (actor_event_links.sides: bit 1 side A, bit 2 side B, as Event.dyad gives them). Each (event,
 * opponent) is one row, so a group counts what `between` finds for the pair. A floor or grade floor
 * reads events (keyedEventRows): participations below it make no side, and the stored sides are
 * those of every live participation. The busiest synthetic perpetrator: 0.6 s against 2.4 s.
 */
function opponentBreakdown(route: SummaryRoute, parts: boolean): Grouped | null {
  if (route.minConfidence !== null || graded(route)) return null;
  return {
    ...actorLinkRows(actorKey(route.actor), route, parts),
    ...BY_ACTOR,
    group: sql`o.actor_id`,
    expand: sql`join ${actorEventLinks} o on o.event_id = r.event_id and o.actor_id <> 0 and o.actor_id <> r.actor_id and ${onOppositeSides('r', 'o')}`,
  };
}

/**
 * A floored, dated or actor- or role-filtered DOCTRINE breakdown from the links: an event counts
 * for a doctrine when one of its perpetrators or claimants, as merged now, has a link in that role
 * passing the floor (actor_event_links.role_confidence, the report's confidence included) and a live
 * adherence to the doctrine at least as sure — as keyedEvents reads it from events, participations
 * and adherences; with an actor or role filter, only among the events it selects (linkedEvents).
 * Counted once per doctrine however many of its actors adhere (distinct on the event). At a
 * million events: floored at 60, 1.2 s (26.8 s from the base tables); 2020–2024, 0.6 s (7.9 s).
 * Still seconds: every actor's links in those roles are read.
 */
function doctrineLinkBreakdown(route: SummaryRoute, parts: boolean): Grouped {
  const floor = route.minConfidence ?? 0;
  const links = actorLinkRows(null, { ...route, roles: OWN_ROLES }, parts, hasLinks(route) ? linkedEvents(route) : undefined);
  return {
    table: 'actor_event_links + adherences',
    rows: sql`select distinct on (ad.doctrine_id, l.event_id) ad.doctrine_id, l.events, l.killed_min, l.killed_max,
                     l.killed_open, l.killed_reported, l.first_date, l.last_date, l.casualties
                from (${links.rows}) l
                join (select coalesce(fold.canonical_id, a.actor_id) as actor_id, a.doctrine_id, max(c.confidence) as confidence
                        from ${adherences} a join ${claims} c on c.id = a.claim_id and ${claimVisibleAs(LIVE_VIEW, 'c')}
                        left join actor_folds('infinity') fold on fold.actor_id = a.actor_id
                       group by 1, 2) ad
                  on ad.actor_id = l.actor_id and ad.confidence >= ${floor}`,
    ...BY_DOCTRINE,
  };
}

/**
 * The top actors in one role or in any, from actor_rollup_by_role, or under a confidence floor
 * from actor_rollup_by_role_floor (each actor's one row whose floors hold it): both indexes are
 * ordered by count, so the first rows are the answer (the filter's other dimensions must be absent).
 * The floor rows keep no casualty parts: a floored request for them reads actor_event_links.
 */
function actorsByRole(route: SummaryRoute, parts: boolean): { table: SQL; where: SQL } | null {
  if (route.actor !== null || route.country !== null || route.kinds !== null || bounded(route) || graded(route)) return null;
  if (route.roles !== null && route.roles.length !== 1) return null;
  const role = route.roles?.[0];
  const inRole = role === undefined ? sql`r.role is null` : sql`r.role = ${role}::participation_role`;
  if (route.minConfidence === null) return { table: sql`${actorRollupByRole}`, where: inRole };
  if (parts) return null;
  return {
    table: sql`${actorRollupByRoleFloor}`,
    where: sql`${inRole} and r.floor_low <= ${route.minConfidence} and r.floor_high >= ${route.minConfidence}`,
  };
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
  route: SummaryRoute | null,
  parts = false,
): Promise<EventStatsRow> {
  const source = route && statsSource(route, conditions, parts);
  const rows = await db.execute<EventStatsRow>(
    source
      ? sql`select coalesce(sum(r.events), 0)::int as events, ${rollupKilledSums(parts)},
                   min(r.first_date)::text as "firstDate", max(r.last_date)::text as "lastDate"
              from (${source.rows}) r`
      : sql`select count(*)::int as events, ${killedSums('e', parts)},
                   min(coalesce(e.date_earliest, e.date_latest))::text as "firstDate",
                   max(coalesce(e.date_latest, e.date_earliest))::text as "lastDate"
              from (select ${events.killedMin} as killed_min, ${events.killedMax} as killed_max, ${events.dateEarliest} as date_earliest,
                           ${events.dateLatest} as date_latest, ${eventVector(parts)} as casualties
                      from ${eventsAt(view)} ${where(conditions)}
                    -- computes each event's vector once, not once per element summed
                    offset 0) e`,
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
  /**
   * A bucket; the placed events before the first bucket returned (MAX_TIMELINE_BUCKETS); or the
   * events whose dates span more than one bucket (or are open).
   */
  kind: 'bucket' | 'earlier' | 'unplaced';
  /** The bucket's first day; null for the other two rows. */
  start: string | null;
  events: number;
}

/**
 * The most buckets a timeline answers: 50 years of months, 150 of quarters, 600 of years. Without
 * a bound, one event dated centuries away would make every monthly timeline thousands of buckets
 * long; with it, a timeline ends at its last placed event and counts what lies before its first
 * bucket in one `earlier` row.
 */
export const MAX_TIMELINE_BUCKETS = 600;

/** The buckets a timeline answers (CTE `bounds`): the last MAX_TIMELINE_BUCKETS up to the last placed one. */
function bucketBounds(step: string): SQL {
  return sql`bounds as (
    select greatest(min(start), (max(start) - ${step}::interval * ${MAX_TIMELINE_BUCKETS - 1})::date) as first, max(start) as last
      from placed
  )`;
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
  route: SummaryRoute | null,
  parts = false,
  /** Rows of the per-place summaries for a filter on places (placeAggregateRows), which routes leave out. */
  placed: SummaryRows | null = null,
): Promise<TimelineRow[]> {
  const { field, step } = intervals[interval];
  const source = placed ?? (route && timelineSource(route, conditions, parts));
  if (source) {
    const grains = sql`${sql.param(placedGrains[interval])}::event_grain[]`;
    const rows = await db.execute<TimelineRow>(sql`
      -- Only the columns summed below: materialized, the rows' casualty vectors (when the request
      -- does not ask for parts) were most of the work of a timeline over thousands of rows.
      with source as (select s.grain, s.period, s.events, s.killed_min, s.killed_max, s.killed_open, s.killed_reported,
                             ${parts ? sql`s.casualties` : sql`null::bigint[] as casualties`}
                        from (${source.rows}) s),
      placed as (
        select date_trunc(${field}, r.period::timestamp)::date as start, r.*
          from source r where r.grain = any(${grains})
      ),
      ${bucketBounds(step)},
      buckets as (
        select generate_series(first::timestamp, last::timestamp, ${step}::interval)::date as start from bounds
      )
      select 'bucket' as kind, b.start::text as start, coalesce(sum(r.events), 0)::int as events, ${rollupKilledSums(parts)}
        from buckets b left join placed r on r.start = b.start
       group by b.start
      union all
      select 'earlier', null, coalesce(sum(r.events), 0)::int, ${rollupKilledSums(parts)}
        from placed r, bounds where r.start < bounds.first
      union all
      select 'unplaced', null, coalesce(sum(r.events), 0)::int, ${rollupKilledSums(parts)}
        from source r where not r.grain = any(${grains})
      order by 1, 2`);
    return [...rows];
  }
  const rows = await db.execute<TimelineRow>(sql`
    with matched as (
      select ${events.killedMin} as killed_min, ${events.killedMax} as killed_max, ${eventVector(parts)} as casualties,
             date_trunc(${field}, ${events.dateEarliest}::timestamp)::date as first_bucket,
             date_trunc(${field}, ${events.dateLatest}::timestamp)::date as last_bucket
        from ${eventsAt(view)} ${where(conditions)}
    ),
    placed as (select first_bucket as start, * from matched where first_bucket = last_bucket),
    ${bucketBounds(step)},
    buckets as (
      select generate_series(first::timestamp, last::timestamp, ${step}::interval)::date as start from bounds
    )
    select 'bucket' as kind, b.start::text as start, count(p.first_bucket)::int as events, ${killedSums('p', parts)}
      from buckets b left join placed p on p.first_bucket = b.start
     group by b.start
    union all
    select 'earlier', null, count(*)::int, ${killedSums('p', parts)}
      from placed p, bounds where p.start < bounds.first
    union all
    select 'unplaced', null, count(*)::int, ${killedSums('m', parts)}
      from matched m where m.first_bucket is distinct from m.last_bucket or m.first_bucket is null
    order by 1, 2`);
  return [...rows];
}

export type BreakdownBy = 'COUNTRY' | 'ACTOR' | 'OPPONENT' | 'ROLE' | 'EVENT_KIND' | 'DOCTRINE' | 'YEAR' | StandardTypeBreakdown;
export type StandardTypeBreakdown = 'ACLED_EVENT_TYPE' | 'ACLED_SUB_EVENT_TYPE' | 'GTD_ATTACK_TYPE';

const standardTypeDimensions: Record<StandardTypeBreakdown, StandardTypeDimension> = {
  ACLED_EVENT_TYPE: 'acledEventType',
  ACLED_SUB_EVENT_TYPE: 'acledSubEventType',
  GTD_ATTACK_TYPE: 'gtdAttackType',
};

/** The key of events whose kind maps to no type of a dimension. */
export const NO_STANDARD_TYPE = 'NONE';

/** A kind expression's standard type (the reference data as a CASE; kinds without one are NONE). */
function standardTypeOf(by: StandardTypeBreakdown, kind: SQL): SQL {
  const dimension = standardTypeDimensions[by];
  const arms = Object.entries(STANDARD_TYPES_BY_KIND)
    .filter(([, types]) => types[dimension] !== null)
    .map(([k, types]) => `when '${k}' then '${types[dimension]}'`);
  return sql`(case ${kind}::text ${sql.raw(arms.join(' '))} else '${sql.raw(NO_STANDARD_TYPE)}' end)`;
}

/** A standard type's label as its codebook spells it. */
function standardTypeLabelOf(by: StandardTypeBreakdown, key: SQL): SQL {
  const dimension = standardTypeDimensions[by];
  const values = [...new Set(Object.values(STANDARD_TYPES_BY_KIND).map((t) => t[dimension]).filter((v) => v !== null))];
  const arms = values.map((v) => `when '${v}' then '${standardTypeLabel(dimension, v).replaceAll("'", "''")}'`);
  return sql`(case ${key} ${sql.raw(arms.join(' '))} else 'No standard type' end)`;
}

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
  /** The filter's floor: links (and, for DOCTRINE, adherences) below it do not make groups. */
  floor?: ClaimFloor | undefined;
}

/**
 * Matching events keyed by group, one row per (group, event): an event linked to an actor in two
 * roles counts once for that actor. The filter's roles narrow ACTOR and ROLE groups to links in
 * those roles; its actor narrows ROLE groups to that actor's links (ACTOR groups still show who
 * else took part).
 *
 * ACTOR groups are keyed by the actor's id (`entity_id`) and given their slug and name by
 * `labels` after grouping (joined on g.entity_id): made distinct per event with the two texts, the
 * rows of a grade floor over all events (600,000 links) took longer to hash and group (4.7 s
 * against 3.9). DOCTRINE groups keyed so were slower (4.3 s against 3.6: another join order).
 */
interface KeyedEvents {
  rows: SQL;
  /** Joins giving `key`, `label` (and the entity) for each group's g.entity_id; absent: rows carry key and label. */
  labels?: { join: SQL; key: SQL; label: SQL };
}

function keyedEvents(view: KnowledgeView, by: BreakdownBy, conditions: SQL | undefined, links: LinkFilter, parts: boolean): KeyedEvents {
  const rows = keyedEventRows(view, by, conditions, links, parts);
  if (by === 'ACTOR' || by === 'OPPONENT') return { rows, labels: { join: sql`join ${actorsAt(view, 'a')} on a.id = g.entity_id`, key: sql`a.slug`, label: sql`a.name` } };
  return { rows };
}

function keyedEventRows(view: KnowledgeView, by: BreakdownBy, conditions: SQL | undefined, links: LinkFilter, parts: boolean): SQL {
  const { roles, actor } = links;
  const kept = sql`${events.id} as event_id, ${events.killedMin} as killed_min, ${events.killedMax} as killed_max, ${eventVector(parts)} as casualties`;
  const at = mergeTime(view);
  const floor = links.floor ?? NO_FLOOR;
  const live = sql`join ${claims} c on c.id = p.claim_id
    and ${claimVisibleAs(view, 'c')} and ${claimPasses(floor, 'c', view)}`;
  const roleList = sql`${sql.param(roles ? [...roles] : null)}::participation_role[]`;
  // ACTOR, ROLE and DOCTRINE groups join the matching events to their links. With an actor, the
  // matching events are a few of all: found first (OFFSET 0 keeps them apart), then their links;
  // joined freely, PostgreSQL joined every link to the actors or adherences before narrowing to
  // the actor's events (5.7–5.9 s for the busiest of a million synthetic events).
  const linked = actor != null ? sql`(select ${events}.* from ${eventsAt(view)} ${where(conditions)} offset 0) ${events}` : eventsAt(view);
  const linkConditions = actor != null ? undefined : conditions;
  switch (by) {
    case 'EVENT_KIND':
      return sql`select ${kept}, ${events.kind}::text as key, ${events.kind}::text as label, null::int as entity_id
                   from ${eventsAt(view)} ${where(conditions)}`;
    case 'ACLED_EVENT_TYPE':
    case 'ACLED_SUB_EVENT_TYPE':
    case 'GTD_ATTACK_TYPE': {
      const type = standardTypeOf(by, sql`${events.kind}`);
      return sql`select ${kept}, ${type} as key, ${standardTypeLabelOf(by, type)} as label, null::int as entity_id
                   from ${eventsAt(view)} ${where(conditions)}`;
    }
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
      // Keyed by the actor as merged at the view's time (a removed actor's links count for the kept
      // one), through a hash of the few merged actors, not canonical_actor per link (~19 µs a call).
      // Actors not visible in the view drop out with their labels (keyedEvents).
      return sql`select distinct ${kept}, coalesce(fold.canonical_id, p.actor_id) as entity_id
                   from ${linked}
                   join ${participations} p on p.event_id = ${events.id}
                   ${live}
                   left join actor_folds(${at}) fold on fold.actor_id = p.actor_id
                  where (${roleList} is null or p.role = any(${roleList}))
                    ${linkConditions ? sql`and ${linkConditions}` : sql``}`;
    case 'ROLE':
      return sql`select distinct ${kept}, p.role::text as key, p.role::text as label, null::int as entity_id
                   from ${linked}
                   join ${participations} p on p.event_id = ${events.id}
                   ${live}
                   -- Actors as merged at the view's time: a removed actor's links count for the kept one.
                   left join actor_folds(${at}) fold on fold.actor_id = p.actor_id
                   join ${actorsAt(view, 'a')} on a.id = coalesce(fold.canonical_id, p.actor_id)
                  where (${roleList} is null or p.role = any(${roleList}))
                    ${actor != null ? sql`and a.id = ${namedActor(view, actor)}` : sql``}
                    ${linkConditions ? sql`and ${linkConditions}` : sql``}`;
    case 'OPPONENT': {
      // The actors on the other side of each matching event's dyad from the filter's actor (the
      // resolver requires one), with the sides Event.dyad gives them (eventSidesSql); participations
      // below the filter's floor make no side.
      const self = namedActor(view, actor!);
      return sql`select distinct ${kept}, o.actor_id as entity_id
                   from ${linked}
                   cross join lateral (
                     with sides as (${eventSidesSql(view, sql`${events.id}`, sql`${events.kind}`, floor)})
                     select distinct o.actor_id from sides o
                      where o.actor_id <> ${self}
                        and exists (select 1 from sides m where m.actor_id = ${self} and m.on_side_a <> o.on_side_a)
                   ) o`;
    }
    case 'DOCTRINE':
      return sql`select distinct ${kept}, d.slug as key, d.name as label, d.id as entity_id
                   from ${linked}
                   join ${participations} p on p.event_id = ${events.id}
                   ${live}
                   -- An adherence counts when its actor and the participant are one actor as merged
                   -- at the view's time: both folded by a hash of the few merged actors.
                   left join actor_folds(${at}) pfold on pfold.actor_id = p.actor_id
                   join (select coalesce(afold.canonical_id, a.actor_id) as canonical_id, a.doctrine_id, a.claim_id
                           from ${adherences} a left join actor_folds(${at}) afold on afold.actor_id = a.actor_id) ad
                     on ad.canonical_id = coalesce(pfold.canonical_id, p.actor_id)
                   join ${claims} ca on ca.id = ad.claim_id
                    and ${claimVisibleAs(view, 'ca')} and ${claimPasses(floor, 'ca', view)}
                   join ${doctrines} d on d.id = ad.doctrine_id
                  where p.role = any(${sql.param(OWN_ROLES)}::participation_role[])
                    ${linkConditions ? sql`and ${linkConditions}` : sql``}`;
  }
}

/**
 * Groups named by an actor or doctrine whose claim is retracted in the view are left out, as the
 * lists leave the record out (establishedInView); the other groups' counts do not change.
 */
function groupInView(view: KnowledgeView, by: BreakdownBy, entityId: SQL): SQL {
  if (by === 'ACTOR' || by === 'OPPONENT') return establishedInView(view, actors, entityId);
  if (by === 'DOCTRINE') return establishedInView(view, doctrines, entityId);
  return sql`true`;
}

/** The `top` largest groups (most events first, ties by key). */
export async function breakdown(
  db: Database,
  view: KnowledgeView,
  conditions: SQL | undefined,
  by: BreakdownBy,
  top: number,
  links: LinkFilter,
  route: SummaryRoute | null,
  parts = false,
  /** A breakdown of a filter on places from the per-place summaries (placeBreakdownSource), which routes leave out. */
  placed: Grouped | null = null,
): Promise<BreakdownRow[]> {
  const byRole = route && by === 'ACTOR' ? actorsByRole(route, parts) : null;
  if (byRole) {
    // One row per actor, read in index order (events desc); ties sorted by slug within it.
    const rows = await db.execute<BreakdownRow>(sql`
      select a.slug as key, a.name as label, a.id as "entityId", r.events, r.killed_min::int as "killedMin",
             case when r.killed_open > 0 then null else r.killed_max::int end as "killedMax",
             r.killed_reported as "killedReported", ${parts ? sql`r.casualties` : sql`null::bigint[]`} as casualties
        from ${byRole.table} r join ${actors} a on a.id = r.actor_id
       where ${byRole.where} and ${groupInView(view, by, sql`r.actor_id`)}
       -- "nulls last" as in the index (events is never null), so the index gives the order.
       order by r.events desc nulls last, a.slug
       limit ${top}`);
    return [...rows];
  }
  const source = placed ?? (route && breakdownSource(by, route, conditions, parts));
  if (source) {
    const rows = await db.execute<BreakdownRow>(sql`
      select ${source.key} as key, ${source.label} as label, ${source.entityId} as "entityId",
             g.events, g."killedMin", g."killedMax", g."killedReported", g.casualties
        from (select ${source.group} as id, coalesce(sum(r.events), 0)::int as events, ${rollupKilledSums(parts)}
                from (${source.rows}) r ${source.expand ?? sql``}
               ${source.where ? sql`where ${source.where}` : sql``}
               group by 1) g
        ${source.labels}
       where ${groupInView(view, by, sql`g.id`)}
       order by g.events desc, key
       limit ${top}`);
    return [...rows];
  }
  const keyed = keyedEvents(view, by, conditions, links, parts);
  const rows = await db.execute<BreakdownRow>(
    keyed.labels
      ? sql`
    select ${keyed.labels.key} as key, ${keyed.labels.label} as label, g.entity_id as "entityId", g.events,
           g."killedMin", g."killedMax", g."killedReported", g.casualties
      from (select k.entity_id, count(*)::int as events, ${killedSums('k', parts)} from (${keyed.rows}) k group by k.entity_id) g
      ${keyed.labels.join}
     where ${groupInView(view, by, sql`g.entity_id`)}
     order by g.events desc, key
     limit ${top}`
      : sql`
    select k.key, min(k.label) as label, min(k.entity_id) as "entityId", count(*)::int as events,
           ${killedSums('k', parts)}
      from (${keyed.rows}) k
     group by k.key
    having ${groupInView(view, by, sql`min(k.entity_id)`)}
     order by events desc, k.key
     limit ${top}`,
  );
  return [...rows];
}
