/**
 * Which per-place rows answer a filter on a map (eventMap) or a place-filtered total (eventStats
 * with bbox, within or maxPrecision): the per-place summaries (event_rollup_by_place, _period,
 * _roles), an actor's rows of actor_event_links, or the events themselves
 * (src/graphql/loaders/geography.ts sums them); and which summary rows answer a timeline or
 * breakdown filtered by place (placeAggregateRows).
 */
import { sql, type SQL } from 'drizzle-orm';
import { kindsMatching } from '../domain/events/standard-types.ts';
import type { KnowledgeView } from './context.ts';
import { actorKey, facesOpponent, type PlaceAggregateRows } from './loaders/analytics.ts';
import { geoPlaceConditions, hasGeoFilter, placeBucketRows, type PlaceCounts } from './loaders/geography.ts';
import { eventWhere, type EventFilterInput } from './types/event.ts';
import { isLiveView } from './view.ts';

/** Filter fields the per-place summary can answer: the kinds (standard types are kinds) and places of events. */
const PLACE_FIELDS = new Set(['kind', 'acledEventType', 'acledSubEventType', 'gtdAttackType', 'gtdSuicide', 'country', 'bbox', 'within', 'maxPrecision']);
/**
 * And those actor_event_links answers besides: an actor and roles (the links' roles as merged
 * now, through live claims) and date bounds. Not a confidence or grade floor (a link's claim
 * grades are not kept).
 */
const LINK_FIELDS = new Set([...PLACE_FIELDS, 'actor', 'role', 'from', 'to']);
/**
 * A pair (`between`) from the first actor's links that face the second (the links' sides), with
 * places and dates: as the aggregates of a pair read them (routeFor in types/analytics.ts), only
 * when the filter names no other actor or role.
 */
const PAIR_FIELDS = new Set([...PLACE_FIELDS, 'between', 'from', 'to']);
/** event_rollup_by_place_roles answers roles (the participants' of any actor) beside kinds and places. */
const ROLE_FIELDS = new Set([...PLACE_FIELDS, 'role']);
/** event_rollup_by_place_period answers date bounds beside places, but not kinds. */
const DATE_FIELDS = new Set(['country', 'bbox', 'within', 'maxPrecision', 'from', 'to']);

const onlyFields = (filter: EventFilterInput | null | undefined, fields: Set<string>): boolean =>
  Object.entries(filter ?? {}).every(([key, value]) => value == null || fields.has(key));

/** Conditions on a per-place summary's place column for the filter's country and `within`. */
function placeConditionsOf(filter: EventFilterInput | null | undefined, view: KnowledgeView, placeId: SQL): SQL[] {
  const conditions = geoPlaceConditions({ within: filter?.within ?? null }, view, placeId);
  if (filter?.country != null) {
    conditions.push(sql`${placeId} in (select pl.id from places pl join places country on country.id = pl.country_id
                          where country.slug = ${filter.country})`);
  }
  return conditions;
}

/**
 * Where a map reads its per-place counts from: the per-place summaries (by kind, by the roles of
 * the participants, or by calendar bucket), the actor's links (a pair's: the first actor's that
 * face the second), or the events (a past view,
 * retracted claims, or a filter no summary answers).
 */
export function eventMapCounts(filter: EventFilterInput | null | undefined, view: KnowledgeView): PlaceCounts {
  // Checks the filter as `events` does (dates in order, a sound bbox) whichever path answers.
  const where = eventWhere(filter, view);
  if (!isLiveView(view)) return { kind: 'events', view, where };
  const located = { bbox: filter?.bbox ?? null, maxPrecision: filter?.maxPrecision ?? null };
  const kinds = kindsMatching(filter);
  const dated = filter?.from != null || filter?.to != null;
  // A role without an actor or dates: the per-place sums by the participants' roles.
  if (filter?.actor == null && filter?.role != null && !dated && onlyFields(filter, ROLE_FIELDS)) {
    return { kind: 'roles', roles: filter.role, kinds, placeConditions: placeConditionsOf(filter, view, sql`r.place_id`), located };
  }
  const pair = filter?.between ?? null;
  const links = filter?.actor != null || filter?.role != null || pair !== null;
  if (links) {
    if (!onlyFields(filter, pair !== null ? PAIR_FIELDS : LINK_FIELDS)) return { kind: 'events', view, where };
    const placeConditions: SQL[] = geoPlaceConditions({ within: filter?.within ?? null }, view, sql`l.place_id`);
    if (filter?.country != null) placeConditions.push(sql`l.country_id = (select country.id from places country where country.slug = ${filter.country})`);
    return {
      kind: 'links',
      // eventWhere has checked that a pair is two actors.
      actor: actorKey(pair !== null ? pair[0]! : (filter?.actor ?? null)),
      roles: filter?.role ?? null,
      kinds,
      from: filter?.from ?? null,
      to: filter?.to ?? null,
      placeConditions,
      facing: pair !== null ? facesOpponent(pair[1]!, 'l') : null,
      located,
    };
  }
  // Date bounds without kinds: the per-place sums by calendar bucket (they have no kind).
  if (dated && onlyFields(filter, DATE_FIELDS)) {
    const placeConditions = placeConditionsOf(filter, view, sql`r.place_id`);
    return { kind: 'dates', buckets: { from: filter?.from ?? null, to: filter?.to ?? null, placeConditions, where }, located };
  }
  if (!onlyFields(filter, PLACE_FIELDS)) return { kind: 'events', view, where };
  return { kind: 'summary', kinds, placeConditions: placeConditionsOf(filter, view, sql`r.place_id`), located };
}

const PLACE_MEASURES = sql`r.events, r.killed_min, r.killed_max, r.killed_open, r.killed_reported`;

/** The measures of per-place rows summed, without casualty parts (no per-place summary keeps them). */
const SUMMED = sql`sum(r.events)::int as events, sum(r.killed_min)::bigint as killed_min, sum(r.killed_max)::bigint as killed_max,
  sum(r.killed_open)::int as killed_open, sum(r.killed_reported)::int as killed_reported, null::bigint[] as casualties`;

/**
 * The per-place summaries' rows that answer a live timeline or breakdown filtered by place (bbox,
 * within, maxPrecision), which the calendar and actor summaries cannot (they know countries, not
 * places); null when none does and the events are read. Per kind from event_rollup_by_place when
 * the filter names only kinds and places; per calendar bucket from event_rollup_by_place_period
 * (date bounds settled as for the map) when it names only places and dates. Casualty parts are
 * not kept per place: the caller asks only when the request does not select them.
 */
export function placeAggregateRows(filter: EventFilterInput | null | undefined, view: KnowledgeView): PlaceAggregateRows | null {
  const where = eventWhere(filter, view);
  if (!isLiveView(view) || !hasGeoFilter(filter)) return null;
  const placed = { bbox: filter?.bbox ?? null, within: filter?.within ?? null, maxPrecision: filter?.maxPrecision ?? null };
  // The box and precision too are conditions on the rows' places here: nothing joins the locations later.
  const placeConditions = [...geoPlaceConditions(placed, view, sql`r.place_id`), ...placeConditionsOf({ country: filter?.country ?? null }, view, sql`r.place_id`)];
  const dated = filter?.from != null || filter?.to != null;
  const byBucket = onlyFields(filter, DATE_FIELDS)
    ? {
        table: 'event_rollup_by_place_period',
        rows: sql`select r.grain, r.period, pl.country_id, ${SUMMED}
          from (${placeBucketRows({ from: filter?.from ?? null, to: filter?.to ?? null, placeConditions, where })}) r
          left join places pl on pl.id = r.place_id
         group by r.grain, r.period, pl.country_id`,
      }
    : null;
  const kinds = kindsMatching(filter);
  const byKind =
    !dated && onlyFields(filter, PLACE_FIELDS)
      ? {
          table: 'event_rollup_by_place',
          rows: sql`select r.kind, pl.country_id, ${SUMMED}
            from event_rollup_by_place r left join places pl on pl.id = r.place_id
           where ${sql.join([...placeConditions, ...(kinds ? [sql`r.kind = any(${sql.param([...kinds])}::event_kind[])`] : [])], sql` and `)}
           group by r.kind, pl.country_id`,
        }
      : null;
  // Without dates, years read per place and year (and the buckets of grain NONE, which no year
  // holds), a twelfth of the monthly rows: for YEAR timelines and breakdowns.
  const byYear =
    byBucket && !dated
      ? {
          table: 'event_rollup_by_place_year',
          rows: sql`select r.grain, r.period, pl.country_id, ${SUMMED}
            from (select r.place_id, 'YEAR'::event_grain as grain, r.year as period, ${PLACE_MEASURES} from event_rollup_by_place_year r
                   where ${sql.join(placeConditions, sql` and `)}
                  union all
                  select r.place_id, r.grain, r.period, ${PLACE_MEASURES} from event_rollup_by_place_period r
                   where r.grain = 'NONE' and ${sql.join(placeConditions, sql` and `)}) r
            left join places pl on pl.id = r.place_id
           group by r.grain, r.period, pl.country_id`,
        }
      : null;
  return byBucket || byKind ? { byKind, byBucket, byYear } : null;
}
