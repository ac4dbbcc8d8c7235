import { and, count, eq, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { claims, events, participations } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { gradeAsSeen } from '../loaders/gradings.ts';
import { badInput } from '../errors.ts';
import { parseNumericId } from '../global-id.ts';
import type { KnowledgeView } from '../context.ts';
import { rawColumns, rawEntityClaimMeta } from '../loaders/batch.ts';
import { betweenCondition, liveBetweenCondition } from '../loaders/dyads.ts';
import { eventColumns, eventsById, type EventRow } from '../loaders/entities.ts';
import { LIVE_VIEW, isLiveView, claimVisible, eventsAt, eventsFrom, placesAt, useView, viewArgs, claimVisibleAs, eventInView, actorsNamed, claimLiveInView } from '../view.ts';
import { cursorKey, defineOrdering, fetchPage, orderBy, pageRequest, toPage, type Positioned } from '../pagination.ts';
import { Casualties, casualties } from './casualties.ts';
import { Cited } from './citation.ts';
import { claimFloor, claimPasses, CREDIBILITY_DESCRIPTION, hasFloor, MIN_CREDIBILITY_DESCRIPTION, MIN_RELIABILITY_DESCRIPTION, SourceReliabilityEnum } from '../claim-filters.ts';
import { FuzzyDate } from './dates.ts';
import { eventGeoConditions, locationsOfPlaces } from '../loaders/geography.ts';
import { BoundingBoxInput, Location } from './location.ts';
import { Place } from './place.ts';
import { AcledEventTypeEnum, AcledSubEventTypeEnum, GtdAttackTypeEnum, StandardEventTypes } from './standard-types.ts';
import { EventKindEnum, GeoPrecisionEnum, ParticipationRoleEnum } from './vocabulary.ts';
import { kindsMatching, STANDARD_TYPES_BY_KIND } from '../../domain/events/standard-types.ts';

export const Event = builder.loadableNode('Event', {
  description: 'Something that happened (or was plotted): an attack, a takeover, a founding...',
  interfaces: [Cited],
  id: { resolve: (event: EventRow) => event.id, parse: parseNumericId },
  load: (ids: number[], ctx) => eventsById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Unique lowercase slug (letters, digits, single hyphens): stable, readable, and what inputs name the record by.' }),
    title: t.exposeString('title', { description: 'A short headline for the event.' }),
    kind: t.expose('kind', { type: EventKindEnum, description: 'What kind of event it was.' }),
    description: t.exposeString('description', { nullable: true, description: 'What happened, in a few sentences; null when none was written.' }),
    date: t.field({
      type: FuzzyDate,
      description: 'When it happened (valid time), as the source words it and the range of days that can mean.',
      resolve: (e) => ({ text: e.dateText, earliest: e.dateEarliest, latest: e.dateLatest, precision: e.datePrecision }),
    }),
    place: t.field({ type: Place, nullable: true, description: 'Where it happened, as precisely as known; null when no source says.', resolve: (e) => e.placeId }),
    location: t.loadable({
      type: Location,
      nullable: true,
      description: 'Where it happened on a map: coordinates with their precision and the district, province and country, from its place (or the nearest place that holds it and has coordinates); null when it has no place or no place around it has coordinates.',
      load: (ids: number[], ctx) => locationsOfPlaces(ctx.db, ctx.view, ids),
      resolve: (e) => e.placeId,
    }),
    killed: t.field({
      type: Casualties,
      nullable: true,
      description: 'Null when the source gives no figure.',
      resolve: (e) => casualties(e.killedMin, e.killedBest, e.killedMax, e.killedText, e.killedParts),
    }),
    wounded: t.field({
      type: Casualties,
      nullable: true,
      description: 'Null when the source gives no figure.',
      resolve: (e) => casualties(e.woundedMin, e.woundedBest, e.woundedMax, e.woundedText, e.woundedParts),
    }),
    standardTypes: t.field({
      type: StandardEventTypes,
      description: 'The event’s kind as ACLED (event type, sub-event type) and GTD (attack type, suicide flag) code it: reference data mapped from the kind.',
      resolve: (e) => STANDARD_TYPES_BY_KIND[e.kind],
    }),
    confidence: t.exposeInt('confidence', { description: 'How sure the sources are of this report (0–100).' }),
    credibility: t.int({
      nullable: true,
      description: `The report’s information credibility. ${CREDIBILITY_DESCRIPTION} With \`asOf\`, the grade it had then (\`gradings\` say when it changed).`,
      resolve: (record, _args, ctx) => gradeAsSeen(ctx, record.claimId, record.credibility, 'credibility'),
    }),
  }),
});

export const EventFilter = builder.inputType('EventFilter', {
  fields: (t) => ({
    actor: t.string({ description: 'Slug of an actor linked to the event (in any role, or in `role`).' }),
    role: t.field({ type: [ParticipationRoleEnum], description: 'Only links in any of these roles.' }),
    country: t.string({ description: 'Slug of the country the event took place in (places within it count).' }),
    kind: t.field({ type: [EventKindEnum], description: 'Any of these kinds.' }),
    acledEventType: t.field({ type: [AcledEventTypeEnum], description: 'Events whose kind maps to any of these ACLED event types (see `Event.standardTypes`).' }),
    acledSubEventType: t.field({ type: [AcledSubEventTypeEnum], description: 'Events whose kind maps to any of these ACLED sub-event types.' }),
    gtdAttackType: t.field({ type: [GtdAttackTypeEnum], description: 'Events whose kind maps to any of these GTD attack types.' }),
    between: t.stringList({
      description:
        'Two actor slugs: events with one on each side (side A acted, side B was targeted or hit, or in a fight fought the other side; see `Event.dyad`), either way round. Actors merged into either count as it.',
    }),
    gtdSuicide: t.boolean({ description: 'true: only suicide attacks (GTD’s suicide flag); false: only attacks with no indication of one.' }),
    from: t.field({ type: 'LocalDate', description: 'Events that may have happened on or after this day.' }),
    to: t.field({ type: 'LocalDate', description: 'Events that may have happened on or before this day.' }),
    minConfidence: t.int({
      description:
        'Confidence floor, 0–100. It applies to the event’s own report (the claim that it happened as described) and, when `actor` or `role` is given, to the link that ties the actor to it: an event counts only through a link at least this sure. ISIS-K’s link to the Moscow attack as IMPLICATED (40) does not count at 60; its ATTRIBUTED link (90, the attribution was made) still does.',
    }),
    minReliability: t.field({
      type: SourceReliabilityEnum,
      description: `Source-reliability floor (Admiralty A–F), on the same claims as \`minConfidence\`. ${MIN_RELIABILITY_DESCRIPTION}`,
    }),
    minCredibility: t.int({ description: `Information-credibility floor (Admiralty 1–6), on the same claims as \`minConfidence\`. ${MIN_CREDIBILITY_DESCRIPTION}` }),
    bbox: t.field({ type: BoundingBoxInput, description: 'Events located inside this area of the map (by their `location`; events without one are left out).' }),
    within: t.string({ description: 'Slug of a place (a country, province, district, city...): events at it or at any place inside it.' }),
    maxPrecision: t.field({
      type: GeoPrecisionEnum,
      description: 'Events located at least this precisely (e.g. ADMIN1 leaves out those known only to a region or country, the centroid-coded ones); events without a location are left out.',
    }),
  }),
});

export const EventOrder = builder.enumType('EventOrder', {
  values: {
    DATE_DESC: { description: 'Latest first (by earliest possible date; undated last).' },
    DATE_ASC: { description: 'Earliest first (undated last).' },
    KILLED_DESC: { description: 'Deadliest first (by minimum killed; unknown last).' },
    TITLE_ASC: { description: 'By title.' },
  },
});

export type EventFilterInput = typeof EventFilter.$inferInput;

export interface EventConditionOptions {
  /**
   * The actor the filter names, resolved beforehand (namedActorLinks): the `events` list's page and
   * count. Other callers match the slug in the statement.
   */
  actor?: NamedActorLinks;
}

/** The actor a filter names, with every actor merged into it, and whether its links are few. */
export interface NamedActorLinks {
  /** The actor and those merged into it; empty when the slug names none (or a retracted one). */
  ids: number[];
  /** Its links in the filter's roles (any claim) number fewer than FEW_LINKS. */
  few: boolean;
}

/**
 * Links of an actor that are few enough to read first: its events are then found by id and
 * sorted, rather than a list's order walked for them. Walking the date index to an actor with six
 * links read every one of a million events (1.5 s); sorting 5,000 events takes milliseconds, and an
 * actor with more has one event in 200 or fewer to walk past.
 */
const FEW_LINKS = 5000;

/**
 * The actor a filter's slug names (namedActor: as merged at the view's time, none when retracted),
 * every actor merged into it, and whether its links in `roles` are few (counted up to FEW_LINKS by
 * index, whatever their claims): one statement, so that the list's own statements choose their
 * plan from what the actor is.
 */
export async function namedActorLinks(db: Database, view: KnowledgeView, slug: string, roles: readonly string[] | null | undefined): Promise<NamedActorLinks> {
  const roleMatch = roles ? sql`and p.role = any(${sql.param([...roles])}::participation_role[])` : sql``;
  const [row] = await db.execute<{ ids: number[]; links: number }>(sql`
    with folded as (${actorsNamed(view, slug)})
    select array(select actor_id from folded) as ids,
           (select count(*)::int from (select 1 from ${participations} p
             where p.actor_id in (select actor_id from folded) ${roleMatch} limit ${FEW_LINKS}) counted) as links`);
  return { ids: row?.ids ?? [], few: (row?.links ?? 0) < FEW_LINKS };
}

/** SQL conditions for an event filter; shared with anything that aggregates events. */
export function eventConditions(
  filter: EventFilterInput | null | undefined,
  view: KnowledgeView = LIVE_VIEW,
  options: EventConditionOptions = {},
): SQL | undefined {
  if (!filter) return undefined;
  const conditions: SQL[] = [];
  if (filter.from != null && filter.to != null && filter.from > filter.to) {
    throw badInput(`"from" (${filter.from}) is after "to" (${filter.to})`, 'filter');
  }
  const floor = claimFloor(filter, 'filter.');
  if (hasFloor(floor)) {
    // The event's own report passes the floor (its visibility is the caller's, as without a floor).
    conditions.push(sql`exists (select 1 from ${claims} fe where fe.id = ${events.claimId} and ${claimPasses(floor, 'fe', view)})`);
  }
  if (filter.actor != null || filter.role) {
    // The actor named, and every actor merged into it by the view's time: resolved beforehand, as
    // a value the planner can see, or as one array computed once (joined as a set, the function's
    // estimate of 1,000 rows made the planner hash every live claim and event for the busiest
    // actor's count: 2.2–3 s, against 1.4 s by index).
    const actorIds = filter.actor == null ? null
      : options.actor ? sql`${sql.param(options.actor.ids)}::int[]`
      : sql`array(${actorsNamed(view, filter.actor)})`;
    const actorMatch = actorIds ? sql`and p.actor_id = any(${actorIds})` : sql``;
    const roleMatch = filter.role ? sql`and p.role = any(${sql.param(filter.role)}::participation_role[])` : sql``;
    // Live and with no floor, whether a link's claim is retracted is all its claim could say,
    // answered from the retracted participations once per statement (claimLiveInView) instead of a
    // look-up of every link's claim.
    const links = !view.asOf && !hasFloor(floor)
      ? sql`from ${participations} p where ${claimLiveInView(view, 'PARTICIPATION', sql`p.claim_id`)} ${actorMatch} ${roleMatch}`
      : sql`from ${participations} p join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')} and ${claimPasses(floor, 'c', view)}
             where true ${actorMatch} ${roleMatch}`;
    // An actor's few links are read first, as one array: the events are then fetched by id
    // (FEW_LINKS). Otherwise each event is asked for its links.
    conditions.push(options.actor?.few
      ? sql`${events.id} = any(array(select p.event_id ${links}))`
      : sql`exists (select 1 ${links} and p.event_id = ${events.id})`);
  }
  if (filter.between != null) {
    const [first, second, ...more] = filter.between;
    if (first === undefined || second === undefined || more.length > 0) {
      throw badInput(`"between" takes exactly two actor slugs, got ${filter.between.length}`, 'filter.between');
    }
    // A live read from the summaries' sides where they are up to date (liveBetweenCondition).
    conditions.push(isLiveView(view) ? liveBetweenCondition(first, second) : betweenCondition(first, second, view));
  }
  if (filter.country != null) {
    conditions.push(sql`${events.placeId} in (
      select pl.id from ${placesAt(view, 'pl')} join ${placesAt(view, 'country')} on country.id = pl.country_id
       where country.slug = ${filter.country})`);
  }
  // Kinds and standard types together: a type is the kinds that map to it (reference data).
  const kinds = kindsMatching(filter);
  if (kinds) conditions.push(sql`${events.kind} = any(${sql.param(kinds)}::event_kind[])`);
  // An event counts when its possible dates overlap [from, to]; open bounds overlap everything.
  if (filter.from != null) conditions.push(sql`(${events.dateLatest} is null or ${events.dateLatest} >= ${filter.from})`);
  if (filter.to != null) conditions.push(sql`(${events.dateEarliest} is null or ${events.dateEarliest} <= ${filter.to})`);
  conditions.push(...eventGeoConditions(filter, view));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

/**
 * Events visible in the view (the claim reporting each is recorded by asOf and not retracted)
 * that match the filter: what `events` lists, for anything that aggregates them.
 */
export function eventWhere(filter: EventFilterInput | null | undefined, view: KnowledgeView, options: EventConditionOptions = {}): SQL | undefined {
  return and(eventInView(view, events.id, events.claimId), eventConditions(filter, view, options));
}

/** The event list's columns, with events unaliased so that eventConditions' column references hold. */
const rawListColumns = rawColumns(events, 'events');
const conditionsOf = (conditions: SQL | undefined): SQL => (conditions ? sql`and ${conditions}` : sql``);

// The expressions of the events_sort_date(_desc)_idx indexes, so deep pages are index ranges.
const sortDate = sql`coalesce(${events.dateEarliest}, ${events.dateLatest})`;
const eventId = sql`${events.id}`;
const orderings = {
  DATE_DESC: defineOrdering('events:DATE_DESC', [
    { expression: sortDate, type: 'date', descending: true, nullable: true },
    { expression: eventId, type: 'int', descending: true },
  ]),
  DATE_ASC: defineOrdering('events:DATE_ASC', [
    { expression: sortDate, type: 'date', nullable: true },
    { expression: eventId, type: 'int' },
  ]),
  KILLED_DESC: defineOrdering('events:KILLED_DESC', [
    { expression: sql`${events.killedMin}`, type: 'int', descending: true, nullable: true },
    { expression: eventId, type: 'int' },
  ]),
  TITLE_ASC: defineOrdering('events:TITLE_ASC', [
    { expression: sql`${events.title}`, type: 'text' },
    { expression: eventId, type: 'int' },
  ]),
} as const;

builder.queryFields((t) => ({
  event: t.field({
    type: Event,
    nullable: true,
    description: 'An event by slug; null when there is none.',
    args: {
      slug: t.arg.string({ required: true, description: 'The event’s slug.' }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      return (
        (
          await ctx.db
            .select(eventColumns)
            .from(eventsFrom(view))
            .innerJoin(claims, eq(claims.id, events.claimId))
            .where(and(eq(events.slug, args.slug), claimVisible(view, claims)))
        )[0] ?? null
      );
    },
  }),
  events: t.connection({
    type: Event,
    description: 'Events, filtered and ordered (ties broken by id, so pages are stable).',
    args: {
      filter: t.arg({ type: EventFilter, description: 'Which events; all (visible ones) when left out.' }),
      orderBy: t.arg({ type: EventOrder, required: true, defaultValue: 'DATE_DESC', description: 'The order of the list, and so of its cursors.' }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      const request = pageRequest(args, orderings[args.orderBy]);
      // The actor named, resolved once for the page and the count (namedActorLinks).
      const options: EventConditionOptions = args.filter?.actor != null ? { actor: await namedActorLinks(ctx.db, view, args.filter.actor, args.filter.role) } : {};
      // The page as raw rows (the hot path of every event list); the count keeps the builder.
      const rows = await fetchPage(request, async (page, limit) => [
        ...(await ctx.db.execute<EventRow & Positioned>(sql`
          select ${rawListColumns}, ${rawEntityClaimMeta}, ${cursorKey(request.ordering)} as "cursorKey"
            from ${eventsAt(view)} join ${claims} c on c.id = ${events.claimId}
           where ${claimVisibleAs(view, 'c')}
             ${conditionsOf(eventConditions(args.filter, view, options))}
             and ${page}
           order by ${orderBy(request)}
           limit ${limit}`)),
      ]);
      return toPage(
        request,
        rows,
        async () =>
          (await ctx.db.select({ n: count() }).from(eventsFrom(view)).where(eventWhere(args.filter, view, options)))[0]?.n ?? 0,
      );
    },
  }, { name: 'EventConnection' }, { name: 'EventEdge' }),
}));
