/** Dashboard aggregates over events: totals, a timeline and top-N breakdowns (one SQL statement each). */
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import type { KnowledgeView } from '../context.ts';
import { isLiveView, useView, viewArgs } from '../view.ts';
import {
  breakdown,
  eventStats,
  casualtiesOf,
  killedOf,
  MAX_TIMELINE_BUCKETS,
  placeBreakdownSource,
  summaryRoute,
  timeline,
  type BreakdownBy,
  type KilledSum,
  type TimelineInterval,
} from '../loaders/analytics.ts';
import type { SummaryStatus } from '../../db/summaries.ts';
import { requestSummaryStatus } from '../summary-status.ts';
import { claimFloor, type ClaimFloorArgs } from '../claim-filters.ts';
import { hasGeoFilter, placeStats, type GeoFilter } from '../loaders/geography.ts';
import { eventMapCounts, placeAggregateRows } from '../place-counts.ts';
import { Actor } from './actor.ts';
import { CasualtySums, casualtySumsOf, type CasualtySumsShape } from './casualties.ts';
import { Doctrine } from './doctrine.ts';
import { EventFilter, eventWhere } from './event.ts';
import { Place } from './place.ts';

export const DEFAULT_BREAKDOWN_TOP = 10;
export const MAX_BREAKDOWN_TOP = 100;

export const KilledSumType = builder.objectRef<KilledSum>('KilledSum').implement({
  description: 'People killed, summed over events whose reports give a figure, as a range.',
  fields: (t) => ({
    min: t.exposeInt('min', { description: 'Sum of the lower bounds.' }),
    max: t.exposeInt('max', {
      nullable: true,
      description: 'Sum of the upper bounds; null when any counted event has no upper bound ("over 100").',
    }),
    reported: t.exposeInt('reported', { description: 'How many of the events give a figure at all.' }),
  }),
});

interface EventStatsShape {
  events: number;
  killed: KilledSum;
  casualties: CasualtySumsShape;
  firstDate: string | null;
  lastDate: string | null;
}

const EventStats = builder.objectRef<EventStatsShape>('EventStats').implement({
  description: 'Totals over the events matching a filter.',
  fields: (t) => ({
    events: t.exposeInt('events', { description: 'How many events match.' }),
    killed: t.expose('killed', { type: KilledSumType, description: 'People killed in these events, summed over those whose reports give a figure, as a range.' }),
    casualties: t.expose('casualties', {
      type: CasualtySums,
      description: 'Killed and wounded in these events as low / best / high, in total and by category (civilians, perpetrators, security forces, unknown).',
    }),
    firstDate: t.expose('firstDate', {
      type: 'LocalDate',
      nullable: true,
      description: 'Earliest possible day of the earliest event; null when no event is dated.',
    }),
    lastDate: t.expose('lastDate', {
      type: 'LocalDate',
      nullable: true,
      description: 'Latest possible day of the latest event; null when no event is dated.',
    }),
  }),
});

const TimelineIntervalEnum = builder.enumType('TimelineInterval', {
  values: {
    MONTH: { description: 'Calendar months.' },
    QUARTER: { description: 'Calendar quarters (January–March, April–June, …).' },
    YEAR: { description: 'Calendar years.' },
  },
});

interface BucketShape {
  start: string;
  events: number;
  killed: KilledSum;
  casualties: CasualtySumsShape;
}

const TimelineBucket = builder.objectRef<BucketShape>('TimelineBucket').implement({
  fields: (t) => ({
    start: t.expose('start', { type: 'LocalDate', description: 'First day of the month, quarter or year.' }),
    events: t.exposeInt('events', { description: 'How many matching events’ dates lie wholly inside this bucket; zero for a gap.' }),
    killed: t.expose('killed', { type: KilledSumType, description: 'People killed in these events, summed over those whose reports give a figure, as a range.' }),
    casualties: t.expose('casualties', {
      type: CasualtySums,
      description: 'Killed and wounded in these events as low / best / high, in total and by category (civilians, perpetrators, security forces, unknown).',
    }),
  }),
});

interface UnplacedShape {
  events: number;
  killed: KilledSum;
  casualties: CasualtySumsShape;
}

const TimelineUnplaced = builder.objectRef<UnplacedShape>('TimelineUnplaced').implement({
  description:
    'Matching events whose dates could fall in more than one bucket (e.g. an event known only to the year on a monthly timeline) or are open-ended: counted, but not put in a bucket they may not belong to.',
  fields: (t) => ({
    events: t.exposeInt('events', { description: 'How many matching events no single bucket can hold.' }),
    killed: t.expose('killed', { type: KilledSumType, description: 'People killed in these events, summed over those whose reports give a figure, as a range.' }),
    casualties: t.expose('casualties', {
      type: CasualtySums,
      description: 'Killed and wounded in these events as low / best / high, in total and by category (civilians, perpetrators, security forces, unknown).',
    }),
  }),
});

interface TimelineShape {
  interval: TimelineInterval;
  buckets: BucketShape[];
  earlier: UnplacedShape;
  unplaced: UnplacedShape;
}

const Timeline = builder.objectRef<TimelineShape>('Timeline').implement({
  fields: (t) => ({
    interval: t.expose('interval', { type: TimelineIntervalEnum, description: 'The width of each bucket, as asked for.' }),
    buckets: t.expose('buckets', {
      type: [TimelineBucket],
      description: `Every bucket from the first to the last placed event, in date order; empty ones have zero events. At most ${MAX_TIMELINE_BUCKETS}: the latest ones, ending at the last placed event (see \`earlier\`).`,
    }),
    earlier: t.expose('earlier', {
      type: TimelineUnplaced,
      description: `Placed events before the first bucket, when the placed events span more than ${MAX_TIMELINE_BUCKETS} buckets; zero otherwise. Set \`filter.to\` (or a coarser interval) to see them in buckets.`,
    }),
    unplaced: t.expose('unplaced', { type: TimelineUnplaced, description: 'Matching events dated too coarsely (or open-endedly) for any one bucket; counted here, not in `buckets`.' }),
  }),
});

const BreakdownByEnum = builder.enumType('BreakdownBy', {
  values: {
    COUNTRY: { description: 'The country the event took place in (events in no country are left out).' },
    ACTOR: { description: 'Each actor linked to the event (in the filter’s roles, if it names any).' },
    OPPONENT: {
      description:
        'Each actor on the other side of the event from the filter’s actor (`filter.actor`, required): whom it fought, attacked or was attacked by — the UCDP dyads of an actor. Sides as `Event.dyad` gives them (side A who acted, side B who was acted against; in a fight the first side named against the others who fought), from the participations that pass the filter’s floor; the groups, like `between` of the actor and the group’s actor, count the events where the two met on opposite sides.',
    },
    ROLE: { description: 'Each role in which an actor (the filter’s actor, if it names one) is linked to the event.' },
    EVENT_KIND: { description: 'The kind of event.' },
    DOCTRINE: {
      description:
        'The doctrines its perpetrators or claimants (PERPETRATOR, CLAIMED_RESPONSIBILITY) adhere to directly.',
    },
    YEAR: { description: 'The year of the event (events whose dates span years are left out).' },
    ACLED_EVENT_TYPE: { description: 'ACLED event type of the event’s kind (`Event.standardTypes`); kinds without one are the group NONE.' },
    ACLED_SUB_EVENT_TYPE: { description: 'ACLED sub-event type of the event’s kind; kinds without one are the group NONE.' },
    GTD_ATTACK_TYPE: { description: 'GTD attack type of the event’s kind; kinds without one (plots, takeovers, campaigns...) are the group NONE.' },
  },
});

interface GroupShape {
  key: string;
  label: string;
  events: number;
  killed: KilledSum;
  casualties: CasualtySumsShape;
  by: BreakdownBy;
  entityId: number | null;
}

const BreakdownGroup = builder.objectRef<GroupShape>('BreakdownGroup').implement({
  description:
    'One group of matching events. An event linked to several actors, roles or doctrines is counted in each of their groups.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Slug, enum value or year (NONE: events whose kind has no standard type of the kind asked for).' }),
    label: t.exposeString('label', { description: 'Name, enum value, year or standard type as its codebook spells it, for display.' }),
    events: t.exposeInt('events', { description: 'How many matching events fall in this group.' }),
    killed: t.expose('killed', { type: KilledSumType, description: 'People killed in these events, summed over those whose reports give a figure, as a range.' }),
    casualties: t.expose('casualties', {
      type: CasualtySums,
      description: 'Killed and wounded in these events as low / best / high, in total and by category (civilians, perpetrators, security forces, unknown).',
    }),
    actor: t.field({
      type: Actor,
      nullable: true,
      description: 'For ACTOR and OPPONENT groups.',
      resolve: (g) => (g.by === 'ACTOR' || g.by === 'OPPONENT' ? g.entityId : null),
    }),
    country: t.field({
      type: Place,
      nullable: true,
      description: 'For COUNTRY groups.',
      resolve: (g) => (g.by === 'COUNTRY' ? g.entityId : null),
    }),
    doctrine: t.field({
      type: Doctrine,
      nullable: true,
      description: 'For DOCTRINE groups.',
      resolve: (g) => (g.by === 'DOCTRINE' ? g.entityId : null),
    }),
  }),
});

/**
 * The summary tables hold the knowledge base as it stands now, without retracted reports: they
 * answer only live reads. A read as of a past time, or one including retracted claims, goes to
 * events themselves.
 */
function routeFor(view: KnowledgeView, filter: (Parameters<typeof summaryRoute>[0] & GeoFilter & ClaimFloorArgs & { between?: readonly string[] | null }) | null | undefined) {
  if (filter?.between != null) {
    // A pair of actors from the links' sides, as the OPPONENT breakdown reads them: only when the
    // filter asks nothing else of actors, roles or grades. A floor makes sides of the
    // participations that pass it (eventSidesSql), which the links do not keep: from events.
    const [first, second, ...more] = filter.between;
    const alone = filter.actor == null && filter.role == null && filter.minConfidence == null && filter.minReliability == null && filter.minCredibility == null;
    if (first === undefined || second === undefined || more.length > 0 || !alone) return null;
    return isLiveView(view) && !hasGeoFilter(filter) ? { ...summaryRoute(filter), actor: first, opponent: second } : null;
  }
  // The calendar and actor summaries know events' countries, not where in them they were. They know
  // the confidence of each event's report (event_rollup_by_band) and, per actor and role, of its best
  // live link capped by the report's (actor_event_links.role_confidence); the grades of reports only
  // per bucket and per country (event_rollup_by_band_period, _by_band_country): the loaders send
  // other grade floors to events (docs/performance.md, "Grade floors from the summaries").
  return isLiveView(view) && !hasGeoFilter(filter) ? summaryRoute(filter) : null;
}

/**
 * Does the query select `casualties` anywhere under this field (fragments included)? Casualty parts
 * are summed only for requests that show them: a dashboard of counts and killed ranges pays nothing.
 */
const asksForCasualties = (info: GraphQLResolveInfo): boolean => asksFor(info, ['casualties']);

/** Does the query select any of these fields anywhere under this field (fragments included)? */
function asksFor(info: GraphQLResolveInfo, fields: readonly string[]): boolean {
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): boolean =>
    set !== undefined &&
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return fields.includes(s.name.value) || walk(s.selectionSet);
      if (s.kind === Kind.INLINE_FRAGMENT) return walk(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return walk(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => walk(node.selectionSet));
}

builder.queryFields((t) => ({
  eventStats: t.field({
    type: EventStats,
    description: 'Totals over the events matching a filter (the same filter as `events`).',
    args: {
      filter: t.arg({ type: EventFilter, description: 'Which events to total; all (visible ones) when left out.' }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx, info) => {
      const view = useView(ctx, args);
      const parts = asksForCasualties(info);
      // Filtered by place (a box, an area, a precision): the map's per-place rows, summed, when
      // a summary answers the filter and the request asks for nothing they lack (casualty parts;
      // first and last dates, which only an actor's links have).
      const byPlace = hasGeoFilter(args.filter) && !parts ? eventMapCounts(args.filter, view) : null;
      if (byPlace && byPlace.kind !== 'events' && (byPlace.kind === 'links' || !asksFor(info, ['firstDate', 'lastDate']))) {
        const row = await placeStats(ctx.db, byPlace);
        return { events: row.events, killed: killedOf(row), casualties: casualtySumsOf(casualtiesOf(row)), firstDate: row.firstDate, lastDate: row.lastDate };
      }
      const row = await eventStats(ctx.db, view, eventWhere(args.filter, view), routeFor(view, args.filter), parts);
      return { events: row.events, killed: killedOf(row), casualties: casualtySumsOf(casualtiesOf(row)), firstDate: row.firstDate, lastDate: row.lastDate };
    },
  }),
  timeline: t.field({
    type: Timeline,
    description: 'Matching events per month, quarter or year, gaps filled with zeros, without false precision.',
    args: {
      filter: t.arg({ type: EventFilter, description: 'Which events to count; all (visible ones) when left out.' }),
      interval: t.arg({ type: TimelineIntervalEnum, required: true, defaultValue: 'YEAR', description: 'The width of each bucket.' }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx, info) => {
      const view = useView(ctx, args);
      const parts = asksForCasualties(info);
      // Filtered by place: the per-place buckets, when they answer the filter (no casualty parts).
      const placeRows = parts ? null : placeAggregateRows(args.filter, view);
      const placed = (args.interval === 'YEAR' ? placeRows?.byYear : null) ?? placeRows?.byBucket ?? null;
      const rows = await timeline(ctx.db, view, eventWhere(args.filter, view), args.interval, routeFor(view, args.filter), parts, placed);
      const buckets: BucketShape[] = [];
      const none = (): UnplacedShape => ({ events: 0, killed: { min: 0, max: 0, reported: 0 }, casualties: casualtySumsOf([]) });
      let unplaced = none();
      let earlier = none();
      for (const row of rows) {
        if (row.kind === 'unplaced') unplaced = { events: row.events, killed: killedOf(row), casualties: casualtySumsOf(casualtiesOf(row)) };
        else if (row.kind === 'earlier') earlier = { events: row.events, killed: killedOf(row), casualties: casualtySumsOf(casualtiesOf(row)) };
        else if (row.start !== null) buckets.push({ start: row.start, events: row.events, killed: killedOf(row), casualties: casualtySumsOf(casualtiesOf(row)) });
      }
      return { interval: args.interval, buckets, earlier, unplaced };
    },
  }),
  breakdown: t.field({
    type: [BreakdownGroup],
    description: `The largest groups of matching events (most events first, ties by key): at most \`top\` (default ${DEFAULT_BREAKDOWN_TOP}, max ${MAX_BREAKDOWN_TOP}).`,
    args: {
      filter: t.arg({ type: EventFilter, description: 'Which events to group; all (visible ones) when left out. Its `actor` and `role` also narrow ACTOR and ROLE groups; OPPONENT groups need its `actor`.' }),
      by: t.arg({ type: BreakdownByEnum, required: true, description: 'What to group the events by.' }),
      top: t.arg.int({ required: true, defaultValue: DEFAULT_BREAKDOWN_TOP, description: `How many groups at most, 1 to ${MAX_BREAKDOWN_TOP}.` }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx, info) => {
      const view = useView(ctx, args);
      if (args.top < 1 || args.top > MAX_BREAKDOWN_TOP) {
        throw badInput(`"top" must be between 1 and ${MAX_BREAKDOWN_TOP}, got ${args.top}`, 'top');
      }
      if (args.by === 'OPPONENT' && args.filter?.actor == null) {
        throw badInput('"by: OPPONENT" groups the actors on the other side from one actor: give "filter.actor"', 'filter.actor');
      }
      const parts = asksForCasualties(info);
      // Filtered by place: the per-place summaries, when they answer the filter and the grouping (no casualty parts).
      const placeRows = parts ? null : placeAggregateRows(args.filter, view);
      const rows = await breakdown(
        ctx.db,
        view,
        eventWhere(args.filter, view),
        args.by,
        args.top,
        { actor: args.filter?.actor ?? null, roles: args.filter?.role ?? null, floor: claimFloor(args.filter, 'filter.') },
        routeFor(view, args.filter),
        parts,
        placeRows && placeBreakdownSource(args.by, placeRows),
      );
      return rows.map((row) => ({
        key: row.key,
        label: row.label,
        events: row.events,
        killed: killedOf(row),
        casualties: casualtySumsOf(casualtiesOf(row)),
        by: args.by,
        entityId: row.entityId,
      }));
    },
  }),
}));

const SummaryStatusType = builder.objectRef<SummaryStatus>('SummaryStatus').implement({
  description:
    'How current the dashboard summaries are. Writes commit without waiting for them: the summaries behind live `eventStats`, `timeline`, `breakdown` and `reach` count a write once a server has drained it, typically seconds later, more after merges or adherences of actors with tens of thousands of events. Reads with `asOf` or `includeRetracted` read the base tables and are always current.',
  fields: (t) => ({
    completeUpTo: t.expose('completeUpTo', {
      type: 'DateTime',
      description: 'Every write committed before this time is counted in the summaries, and its records are found by `search` (now, when nothing is waiting).',
    }),
    caughtUp: t.exposeBoolean('caughtUp', { description: 'True when no committed write is waiting to be counted.' }),
  }),
});

builder.queryField('summaryStatus', (t) =>
  t.field({
    type: SummaryStatusType,
    description:
      'How current the dashboard summaries (and the search index of bulk imports) are: ask for it beside live aggregates to know what they include. Read once, before the other fields of the query, so every live aggregate beside it includes at least the writes it says are counted.',
    // Read before the query's fields run (useSummaryStatusFirst); read here when that was not possible.
    resolve: (_root, _args, ctx) => requestSummaryStatus(ctx),
  }),
);
