/**
 * Where events are: each place's location (its own coordinates, or those of the nearest place it
 * lies in that has some), the event filters on it (bounding box, administrative area, precision)
 * and the map aggregate (events binned into grid cells). One SQL statement per call; the map reads
 * the per-place summary (event_rollup_by_place, src/db/sql/geography.sql) when the filter allows.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { events, geoPrecision } from '../../db/schema.ts';
import type { KnowledgeView } from '../context.ts';
import { badInput } from '../errors.ts';
import { eventsAt, placesAt } from '../view.ts';
import { anyKey, inKeyOrder, preparedRows } from './batch.ts';
import type { EventStatsRow, KilledSum } from './analytics.ts';

export type GeoPrecision = (typeof geoPrecision.enumValues)[number];

/** A map viewport or filter area in WGS84 degrees; west > east crosses the antimeridian. */
export interface BoundingBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** A bounding box as a client gives it, checked; `argument` names it in the error. */
export function checkBoundingBox(box: BoundingBox, argument: string): BoundingBox {
  const { west, south, east, north } = box;
  for (const [name, value, limit] of [['west', west, 180], ['east', east, 180], ['south', south, 90], ['north', north, 90]] as const) {
    if (!Number.isFinite(value) || value < -limit || value > limit) {
      throw badInput(`${argument}.${name} must be between -${limit} and ${limit}, got ${value}`, argument);
    }
  }
  if (south > north) throw badInput(`${argument} is upside down: south (${south}) is north of north (${north})`, argument);
  return box;
}

/** "west,south,east,north", as the export parameters and map libraries write a bbox. */
export function parseBoundingBox(text: string, argument: string): BoundingBox {
  const parts = text.split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => p === '') || numbers.some((n) => Number.isNaN(n))) {
    throw badInput(`${argument} must be four numbers west,south,east,north, got ${JSON.stringify(text)}`, argument);
  }
  const [west, south, east, north] = numbers as [number, number, number, number];
  return checkBoundingBox({ west, south, east, north }, argument);
}

/**
 * Every place with a location, as of the view: (place_id, latitude, longitude, precision). A place
 * without coordinates takes its nearest ancestor's, at least as coarse as NEAR (a site placed by
 * its city is within about 25 km of the city's point, not exactly there).
 */
export function placeLocationsSql(view: KnowledgeView): SQL {
  // Now: the table the trigger keeps (with statistics the planner can use).
  if (!view.asOf) return sql`place_locations`;
  return sql`(with recursive chain as (
      select pl.id as place_id, pl.parent_id, pl.latitude, pl.longitude, pl.geo_precision, 0 as depth
        from ${placesAt(view, 'pl')}
      union all
      select c.place_id, up.parent_id, up.latitude, up.longitude, up.geo_precision, c.depth + 1
        from chain c join ${placesAt(view, 'up')} on up.id = c.parent_id
       where c.latitude is null and c.depth < 16)
    select place_id, latitude, longitude,
           case when depth = 0 then geo_precision else greatest(geo_precision, 'NEAR'::geo_precision) end as precision
      from chain where latitude is not null)`;
}

function inBox(box: BoundingBox, alias: string): SQL {
  const lat = sql.raw(`${alias}.latitude`);
  const lng = sql.raw(`${alias}.longitude`);
  const longitude =
    box.west <= box.east
      ? sql`${lng} between ${box.west} and ${box.east}`
      : sql`(${lng} >= ${box.west} or ${lng} <= ${box.east})`;
  return sql`${lat} between ${box.south} and ${box.north} and ${longitude}`;
}

/** The geographic part of an event filter. */
export interface GeoFilter {
  bbox?: BoundingBox | null;
  within?: string | null;
  maxPrecision?: GeoPrecision | null;
}

export const hasGeoFilter = (filter: GeoFilter | null | undefined): boolean =>
  filter?.bbox != null || filter?.within != null || filter?.maxPrecision != null;

/** Ids of the place a slug names and of every place within it, as of the view. */
function placesWithin(view: KnowledgeView, slug: string): SQL {
  return sql`(with recursive inside as (
      select pl.id from ${placesAt(view, 'pl')} where pl.slug = ${slug}
      union
      select child.id from ${placesAt(view, 'child')} join inside on child.parent_id = inside.id)
    select id from inside)`;
}

/** Conditions on a place id column (events.place_id, or a summary's place_id) for a geographic filter. */
export function geoPlaceConditions(filter: GeoFilter, view: KnowledgeView, placeId: SQL): SQL[] {
  const conditions: SQL[] = [];
  if (filter.bbox != null || filter.maxPrecision != null) {
    const wanted: SQL[] = [];
    if (filter.bbox != null) wanted.push(inBox(checkBoundingBox(filter.bbox, 'filter.bbox'), 'loc'));
    if (filter.maxPrecision != null) wanted.push(sql`loc.precision <= ${filter.maxPrecision}::geo_precision`);
    conditions.push(sql`${placeId} in (select loc.place_id from ${placeLocationsSql(view)} loc where ${sql.join(wanted, sql` and `)})`);
  }
  if (filter.within != null) conditions.push(sql`${placeId} in ${placesWithin(view, filter.within)}`);
  return conditions;
}

export const eventGeoConditions = (filter: GeoFilter, view: KnowledgeView): SQL[] => geoPlaceConditions(filter, view, sql`${events.placeId}`);

// --- Locations of places (Event.location, Place.location) --------------------------------------

export interface LocationRow {
  /** The place located (an event's place). */
  placeId: number;
  /** The place whose coordinates these are: the place itself or the nearest one it lies in. */
  locatedById: number;
  latitude: number;
  longitude: number;
  precision: GeoPrecision;
  admin1Id: number | null;
  admin2Id: number | null;
  countryId: number | null;
}

interface ChainRow {
  placeId: number;
  atId: number;
  kind: string;
  latitude: number | null;
  longitude: number | null;
  geoPrecision: GeoPrecision | null;
  depth: number;
}

const PRECISION_ORDER = geoPrecision.enumValues;
const coarser = (a: GeoPrecision, b: GeoPrecision): GeoPrecision =>
  PRECISION_ORDER.indexOf(a) >= PRECISION_ORDER.indexOf(b) ? a : b;

/** Each place's location and administrative areas, as of the view; null for a place nowhere located. */
export async function locationsOfPlaces(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(LocationRow | null)[]> {
  const chain = await preparedRows<ChainRow>(
    db,
    sql`with recursive chain as (
        select pl.id as "placeId", pl.id as "atId", pl.parent_id, pl.kind::text as kind, pl.latitude, pl.longitude,
               pl.geo_precision as "geoPrecision", 0 as depth
          from ${placesAt(view, 'pl')} where pl.id = ${anyKey(ids)}
        union all
        select c."placeId", up.id, up.parent_id, up.kind::text, up.latitude, up.longitude, up.geo_precision, c.depth + 1
          from chain c join ${placesAt(view, 'up')} on up.id = c.parent_id where c.depth < 16)
      select "placeId", "atId", kind, latitude, longitude, "geoPrecision", depth from chain order by "placeId", depth`,
  );
  const byPlace = new Map<number, ChainRow[]>();
  for (const row of chain) byPlace.set(row.placeId, [...(byPlace.get(row.placeId) ?? []), row]);
  const located: LocationRow[] = [];
  for (const [placeId, rows] of byPlace) {
    const at = rows.find((r) => r.latitude !== null && r.longitude !== null && r.geoPrecision !== null);
    if (!at) continue;
    const level = (kind: string) => rows.find((r) => r.kind === kind)?.atId ?? null;
    located.push({
      placeId,
      locatedById: at.atId,
      latitude: at.latitude!,
      longitude: at.longitude!,
      precision: at.depth === 0 ? at.geoPrecision! : coarser(at.geoPrecision!, 'NEAR'),
      admin1Id: level('ADMIN1'),
      admin2Id: level('ADMIN2'),
      countryId: level('COUNTRY'),
    });
  }
  return inKeyOrder(ids, located, (r) => r.placeId);
}

// --- The map aggregate ------------------------------------------------------------------------

/** Zoom levels as web maps count them: at zoom z a cell spans 90 / 2^z degrees (zoom 0: 90°). */
export const MAX_MAP_ZOOM = 16;
/** At most this many bins, the busiest first; a dashboard that needs more zooms in or narrows the box. */
export const MAX_MAP_BINS = 5000;

export const cellDegrees = (zoom: number) => 90 / 2 ** zoom;

export interface MapBinRow extends Record<string, unknown> {
  column: number;
  row: number;
  latitude: number;
  longitude: number;
  events: number;
  places: number;
  killedMin: number;
  killedMax: number | null;
  killedReported: number;
  coarsestPrecision: GeoPrecision;
  finestPrecision: GeoPrecision;
}

export interface MapBin {
  latitude: number;
  longitude: number;
  events: number;
  places: number;
  coarsestPrecision: GeoPrecision;
  finestPrecision: GeoPrecision;
  killed: KilledSum;
  cell: BoundingBox;
}

/** The geographic filters applied to the places' locations where they are joined, not as a second pass over them. */
interface Located {
  bbox: BoundingBox | null;
  maxPrecision: GeoPrecision | null;
}

/**
 * Per-place rows of events matching a filter: (place_id, events, killed_min, killed_max,
 * killed_open, killed_reported). `summary`: from event_rollup_by_place, for a live read whose
 * filter only names kinds and places. `roles`: from event_rollup_by_place_roles, for one that
 * also names roles, without an actor or dates. `dates`: from event_rollup_by_place_year and
 * _period (placeDatedRows), for one that names places and date bounds, without kinds. `links`: from actor_event_links, for a live read whose
 * filter names an actor or roles, and otherwise only kinds, places and dates: the actor's rows
 * (actor 0's, one per event with a live participation, for roles alone) summed per place.
 * Otherwise `events`, a grouping of the matching events.
 */
export type PlaceCounts =
  | {
      kind: 'summary';
      kinds: readonly string[] | null;
      /** Conditions on r.place_id (country, within). */
      placeConditions: SQL[];
      located: Located;
    }
  | {
      kind: 'links';
      /** The actor's key in actor_event_links: as merged now, or 0 for any actor. */
      actor: SQL;
      roles: readonly string[] | null;
      kinds: readonly string[] | null;
      from: string | null;
      to: string | null;
      /** Conditions on l.place_id / l.country_id (country, within). */
      placeConditions: SQL[];
      /** For `between`: that l's event has the pair's second actor on the other side from `actor` (facesOpponent). */
      facing: SQL | null;
      located: Located;
    }
  | {
      kind: 'roles';
      /** The roles of the events' participants (any actor) that the filter names: a row shares one. */
      roles: readonly string[];
      kinds: readonly string[] | null;
      /** Conditions on r.place_id (country, within). */
      placeConditions: SQL[];
      located: Located;
    }
  | {
      kind: 'dates';
      buckets: PlaceBuckets;
      located: Located;
    }
  | { kind: 'events'; view: KnowledgeView; where: SQL | undefined };

/**
 * A filter on places and date bounds as event_rollup_by_place_period answers it (placeBucketRows):
 * the bounds, conditions on the rows' r.place_id (country, within; a box or precision too when
 * not joined to the locations later), and the filter's whole condition on events, for the events
 * whose bucket cannot settle a bound.
 */
export interface PlaceBuckets {
  from: string | null;
  to: string | null;
  placeConditions: SQL[];
  where: SQL | undefined;
}

const MEASURES = sql`events, killed_min, killed_max, killed_open, killed_reported`;

/** Rows (aliased as `alias`, with grain and period) of buckets wholly inside [from, to]. */
function bucketInside(alias: string, from: string | null, to: string | null): SQL {
  const a = sql.raw(alias);
  const conditions = [sql`${a}.grain <> 'NONE'`];
  if (from !== null) conditions.push(sql`${a}.period >= ${from}::date`);
  // period <= to as well: a range of event_rollup_by_place_period_period_idx.
  if (to !== null) conditions.push(sql`${a}.period <= ${to}::date and event_period_end(${a}.grain, ${a}.period) <= ${to}::date`);
  return sql.join(conditions, sql` and `);
}

/** The first and last day of the calendar bucket of `months` months (1, 3, 12) that holds a day (YYYY-MM-DD). */
function bucketAround(day: string, months: number): { start: string; end: string } {
  const year = Number(day.slice(0, 4));
  const first = Math.floor((Number(day.slice(5, 7)) - 1) / months) * months;
  const at = (month: number, date: number) => {
    const d = new Date(0);
    d.setUTCFullYear(year, month, date);
    return d.toISOString().slice(0, 10);
  };
  return { start: at(first, 1), end: at(first + months, 0) };
}

/**
 * The buckets a bound cuts through: the month, quarter and year around `from` unless it is their
 * first day, and around `to` unless it is their last (a bucket a bound does not cut lies inside
 * the bounds or outside them). Conditions on members (aliased r).
 */
function cutBuckets(from: string | null, to: string | null): SQL[] {
  const cut: SQL[] = [];
  for (const [grain, months] of [['MONTH', 1], ['QUARTER', 3], ['YEAR', 12]] as const) {
    const around = new Set<string>();
    if (from !== null && bucketAround(from, months).start !== from) around.add(bucketAround(from, months).start);
    if (to !== null && bucketAround(to, months).end !== to) around.add(bucketAround(to, months).start);
    for (const start of around) cut.push(sql`(r.grain = ${grain}::event_grain and r.period = ${start}::date)`);
  }
  return cut;
}

/**
 * The located live events matching the filter that no bucket inside [from, to] holds and that
 * may still match, one row each, (place_id, grain, period, measures), from their members
 * (event_place_members, aliased r like the summaries, so the place conditions apply): those of the
 * buckets a bound cuts through, found by event_place_members_bucket_idx and matched on their
 * first and last days (both known for an event in a bucket); and those in no bucket (grain NONE,
 * one of their days unknown or the two years apart), which the filter itself decides on their events.
 */
function cutBucketEvents(buckets: PlaceBuckets): SQL {
  const { from, to } = buckets;
  const measures = sql`r.place_id, r.grain, r.period, 1 as events, coalesce(r.killed_min, 0)::bigint as killed_min,
    coalesce(r.killed_max, 0)::bigint as killed_max, (r.killed_min is not null and r.killed_max is null)::int as killed_open,
    (r.killed_min is not null)::int as killed_reported`;
  const ungrained = sql`select ${measures} from event_place_members r join ${events} on ${events.id} = r.event_id
     where r.grain = 'NONE' ${buckets.where ? sql`and ${buckets.where}` : sql``}`;
  const cut = cutBuckets(from, to);
  if (cut.length === 0) return ungrained;
  const overlaps = [...buckets.placeConditions];
  if (from !== null) overlaps.push(sql`r.last_date >= ${from}::date`);
  if (to !== null) overlaps.push(sql`r.first_date <= ${to}::date`);
  return sql`select ${measures} from event_place_members r
     where (${sql.join(cut, sql` or `)}) and ${sql.join(overlaps, sql` and `)}
    union all ${ungrained}`;
}

const where_ = (conditions: SQL[]): SQL => (conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``);

/**
 * Rows (place_id, grain, period, events, killed_min, killed_max, killed_open, killed_reported) of
 * the located live events matching a filter on places and dates, from event_rollup_by_place_period,
 * with the event rollups' rule for date bounds (eventRollupRows, src/graphql/loaders/analytics.ts):
 * a bucket wholly inside [from, to] counts whole, as each of its events lies in it; a bucket
 * wholly outside holds no event that matches; the events of the buckets a bound cuts through are
 * read from events (cutBucketEvents). For timelines, which need the buckets.
 */
export function placeBucketRows(buckets: PlaceBuckets): SQL {
  const { from, to } = buckets;
  if (from === null && to === null) {
    return sql`select r.place_id, r.grain, r.period, ${MEASURES} from event_rollup_by_place_period r ${where_(buckets.placeConditions)}`;
  }
  return sql`select r.place_id, r.grain, r.period, ${MEASURES} from event_rollup_by_place_period r
      ${where_([bucketInside('r', from, to), ...buckets.placeConditions])}
    union all ${cutBucketEvents(buckets)}`;
}

/**
 * The same rows for a map, which needs only the places (grain and period are not kept): the years
 * wholly inside [from, to] from event_rollup_by_place_year, a row per place and year; the buckets
 * inside the bounds of the (at most two) years a bound cuts through from event_rollup_by_place_period;
 * and the events of the buckets a bound cuts through from events.
 */
function placeDatedRows(buckets: PlaceBuckets): SQL {
  const { from, to } = buckets;
  // Aliased r like the others: the place conditions name r.place_id.
  const yearConditions: SQL[] = [];
  if (from !== null) yearConditions.push(sql`r.year >= ${from}::date`);
  // The year's last day is on or before `to`: a range of event_rollup_by_place_year_year_idx.
  if (to !== null) yearConditions.push(sql`r.year <= (${to}::date + 1 - interval '1 year')::date`);
  const cutYears = new Set<string>();
  if (from !== null && !from.endsWith('-01-01')) cutYears.add(from.slice(0, 4));
  if (to !== null && !to.endsWith('-12-31')) cutYears.add(to.slice(0, 4));
  const parts = [
    sql`select r.place_id, ${MEASURES} from event_rollup_by_place_year r ${where_([...yearConditions, ...buckets.placeConditions])}`,
  ];
  if (cutYears.size > 0) {
    const inYears = [...cutYears].map((year) => sql`r.period between ${`${year}-01-01`}::date and ${`${year}-12-31`}::date`);
    parts.push(sql`select r.place_id, ${MEASURES} from event_rollup_by_place_period r
      ${where_([sql`(${sql.join(inYears, sql` or `)})`, bucketInside('r', from, to), ...buckets.placeConditions])}`);
  }
  parts.push(sql`select c.place_id, c.events, c.killed_min, c.killed_max, c.killed_open, c.killed_reported from (${cutBucketEvents(buckets)}) c`);
  return sql.join(parts, sql` union all `);
}

/**
 * Whether an actor_event_links row (aliased l) is of an event that may have happened within
 * [from, to], as eventConditions decides it from the event's two dates. A row has the event's
 * first and last possible dates (each the other when one is unknown) and its grain (NONE when a
 * date is unknown or the dates span years): a row with a first date after `to` or a last date
 * before `from` is out, except when only one of the event's dates is known (grain NONE, first =
 * last), when it is unknowable from the row whether the unknown date is the one that leaves the
 * range open. Those few rows look at their event (by primary key). `alias` names the links' table
 * in the query (l by default).
 */
export function linkDatesMatch(from: string | null, to: string | null, alias = 'l'): SQL {
  const l = sql.raw(alias);
  const row: SQL[] = [];
  const event: SQL[] = [];
  if (from !== null) {
    row.push(sql`(${l}.last_date is null or ${l}.last_date >= ${from}::date)`);
    event.push(sql`(e.date_latest is null or e.date_latest >= ${from}::date)`);
  }
  if (to !== null) {
    row.push(sql`(${l}.first_date is null or ${l}.first_date <= ${to}::date)`);
    event.push(sql`(e.date_earliest is null or e.date_earliest <= ${to}::date)`);
  }
  return sql`((${sql.join(row, sql` and `)})
    or (${l}.grain = 'NONE' and ${l}.first_date = ${l}.last_date
        and exists (select 1 from ${events} e where e.id = ${l}.event_id and ${sql.join(event, sql` and `)})))`;
}

/** With `dates`, also each place's first and last possible dates (null from event_rollup_by_place, which has none). */
/**
 * The select list summing per-place summary rows (aliased r) per place; with `dates`, null first and
 * last dates (no per-place summary keeps them).
 */
function perPlaceSums(dates: boolean): SQL {
  return sql`select r.place_id, sum(r.events)::int as events, sum(r.killed_min)::bigint as killed_min,
        sum(r.killed_max)::bigint as killed_max, sum(r.killed_open)::int as killed_open, sum(r.killed_reported)::int as killed_reported
        ${dates ? sql`, null::date as first_date, null::date as last_date` : sql``}`;
}

function placeCountsSql(counts: PlaceCounts, dates = false): SQL {
  if (counts.kind === 'summary') {
    const conditions = [...counts.placeConditions];
    if (counts.kinds) conditions.push(sql`r.kind = any(${sql.param([...counts.kinds])}::event_kind[])`);
    return sql`${perPlaceSums(dates)}
      from event_rollup_by_place r ${where_(conditions)}
      group by r.place_id`;
  }
  if (counts.kind === 'roles') {
    const conditions = [sql`r.roles & (select participation_roles_mask(${sql.param([...counts.roles])}::participation_role[])) <> 0`, ...counts.placeConditions];
    if (counts.kinds) conditions.push(sql`r.kind = any(${sql.param([...counts.kinds])}::event_kind[])`);
    return sql`${perPlaceSums(dates)}
      from event_rollup_by_place_roles r where ${sql.join(conditions, sql` and `)}
      group by r.place_id`;
  }
  if (counts.kind === 'dates') {
    return sql`${perPlaceSums(dates)}
      from (${placeDatedRows(counts.buckets)}) r
      group by r.place_id`;
  }
  if (counts.kind === 'links') {
    // Every column read is in actor_event_links_group_idx: an index-only range read of the actor's
    // rows (a pair's sides are not: `between` reads each row, and probes the opponent's).
    const conditions = [sql`l.actor_id = ${counts.actor}`, sql`l.place_id <> 0`, ...counts.placeConditions];
    if (counts.roles !== null) {
      conditions.push(sql`l.roles & (select participation_roles_mask(${sql.param([...counts.roles])}::participation_role[])) <> 0`);
    }
    if (counts.kinds !== null) conditions.push(sql`l.kind = any(${sql.param([...counts.kinds])}::event_kind[])`);
    if (counts.from !== null || counts.to !== null) conditions.push(linkDatesMatch(counts.from, counts.to));
    if (counts.facing !== null) conditions.push(counts.facing);
    return sql`select l.place_id, count(*)::int as events, coalesce(sum(l.killed_min), 0)::bigint as killed_min,
        coalesce(sum(l.killed_max), 0)::bigint as killed_max,
        (count(*) filter (where l.killed_min is not null and l.killed_max is null))::int as killed_open,
        count(l.killed_min)::int as killed_reported
        ${dates ? sql`, min(l.first_date) as first_date, max(l.last_date) as last_date` : sql``}
      from actor_event_links l where ${sql.join(conditions, sql` and `)}
      group by l.place_id`;
  }
  return sql`select ${events.placeId} as place_id, count(*)::int as events, coalesce(sum(${events.killedMin}), 0)::bigint as killed_min,
      coalesce(sum(${events.killedMax}), 0)::bigint as killed_max,
      (count(*) filter (where ${events.killedMin} is not null and ${events.killedMax} is null))::int as killed_open,
      count(${events.killedMin})::int as killed_reported
      ${dates ? sql`, min(coalesce(${events.dateEarliest}, ${events.dateLatest})) as first_date, max(coalesce(${events.dateLatest}, ${events.dateEarliest})) as last_date` : sql``}
    from ${eventsAt(counts.view)} where ${events.placeId} is not null ${counts.where ? sql`and ${counts.where}` : sql``}
    group by ${events.placeId}`;
}

/** Conditions on the joined location (aliased loc) of a summary path's bbox and maxPrecision. */
function locatedConditions(counts: PlaceCounts): SQL[] {
  const where: SQL[] = [];
  if (counts.kind !== 'events') {
    if (counts.located.bbox) where.push(inBox(checkBoundingBox(counts.located.bbox, 'filter.bbox'), 'loc'));
    if (counts.located.maxPrecision) where.push(sql`loc.precision <= ${counts.located.maxPrecision}::geo_precision`);
  }
  return where;
}

/**
 * eventStats of a live filter on places (bbox, within, maxPrecision), from a summary path's
 * per-place rows (eventMapCounts: any but `events`) summed over the places that pass: the
 * totals `eventStats` reads from events, without casualty parts (no summary keeps them per
 * place), and with first and last dates only from `links` (null from the per-place sums: the
 * caller asks only when they are not selected). A bbox or precision joins the places' locations; `within`
 * alone does not (its events count whether or not their place is located, as in `events`).
 */
export async function placeStats(db: Database, counts: Exclude<PlaceCounts, { kind: 'events' }>): Promise<EventStatsRow> {
  const where = locatedConditions(counts);
  // No casualty vector: null, as eventStats returns it when parts are not asked for.
  const rows = await db.execute<EventStatsRow>(sql`
    with counted as (${placeCountsSql(counts, true)})
    select coalesce(sum(c.events), 0)::int as events, coalesce(sum(c.killed_min), 0)::int as "killedMin",
           case when coalesce(sum(c.killed_open), 0) > 0 then null else coalesce(sum(c.killed_max), 0)::int end as "killedMax",
           coalesce(sum(c.killed_reported), 0)::int as "killedReported", null::bigint[] as casualties,
           min(c.first_date)::text as "firstDate", max(c.last_date)::text as "lastDate"
      from counted c
      ${where.length ? sql`join place_locations loc on loc.place_id = c.place_id where ${sql.join(where, sql` and `)}` : sql``}`);
  const row = rows[0];
  if (!row) throw new Error('an aggregate without group by always returns a row');
  return row;
}

/** The map: matching events binned into grid cells at a zoom, within a viewport when given. */
export async function eventMapBins(
  db: Database,
  view: KnowledgeView,
  counts: PlaceCounts,
  zoom: number,
  viewport: BoundingBox | null,
): Promise<{ bins: MapBin[]; truncated: boolean }> {
  const size = cellDegrees(zoom);
  const where: SQL[] = [];
  if (viewport) where.push(inBox(viewport, 'loc'));
  where.push(...locatedConditions(counts));
  const rows = await db.execute<MapBinRow>(sql`
    with counted as (${placeCountsSql(counts)}),
    located as (
      select loc.latitude, loc.longitude, loc.precision, c.*,
             floor((loc.longitude + 180) / ${size})::int as col, floor((loc.latitude + 90) / ${size})::int as row_
        from counted c join ${placeLocationsSql(view)} loc on loc.place_id = c.place_id
       ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``})
    select col as "column", row_ as "row",
           sum(latitude * events) / sum(events) as latitude, sum(longitude * events) / sum(events) as longitude,
           sum(events)::int as events, count(*)::int as places,
           sum(killed_min)::int as "killedMin",
           case when sum(killed_open) > 0 then null else sum(killed_max)::int end as "killedMax",
           sum(killed_reported)::int as "killedReported",
           max(precision) as "coarsestPrecision", min(precision) as "finestPrecision"
      from located where events > 0
     group by col, row_
     order by sum(events) desc, col, row_
     limit ${MAX_MAP_BINS + 1}`);
  const truncated = rows.length > MAX_MAP_BINS;
  const bins = [...rows].slice(0, MAX_MAP_BINS).map((r) => {
    const west = -180 + r.column * size;
    const south = -90 + r.row * size;
    return {
      latitude: Number(r.latitude),
      longitude: Number(r.longitude),
      events: r.events,
      places: r.places,
      coarsestPrecision: r.coarsestPrecision,
      finestPrecision: r.finestPrecision,
      killed: { min: r.killedMin, max: r.killedMax, reported: r.killedReported },
      cell: { west, south, east: Math.min(180, west + size), north: Math.min(90, south + size) },
    };
  });
  return { bins, truncated };
}

/** A GeoJSON FeatureCollection (RFC 7946) of the bins: a Point per bin at its events' mean position. */
export function binsGeoJson(bins: readonly MapBin[]) {
  return {
    type: 'FeatureCollection' as const,
    features: bins.map((b) => ({
      type: 'Feature' as const,
      geometry: { type: 'Point' as const, coordinates: [b.longitude, b.latitude] },
      properties: {
        events: b.events,
        places: b.places,
        killedMin: b.killed.min,
        killedMax: b.killed.max,
        killedReported: b.killed.reported,
        coarsestPrecision: b.coarsestPrecision,
        finestPrecision: b.finestPrecision,
      },
      bbox: [b.cell.west, b.cell.south, b.cell.east, b.cell.north],
    })),
  };
}
