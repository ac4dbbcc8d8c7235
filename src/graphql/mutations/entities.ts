/**
 * The GraphQL shape of creating and updating actors, places and events; the rules (citations,
 * revisions, the gazetteer's) are the domain's: src/domain/actors, src/domain/places,
 * src/domain/events.
 */
import { createActor, parseCreateActor, parseUpdateActor, updateActor } from '../../domain/actors/actors.ts';
import { createEvent, parseCreateEvent, parseUpdateEvent, updateEvent } from '../../domain/events/events.ts';
import { parseUpdateEvents } from '../../domain/events/update-events.ts';
import { LIST_LIMITS, TEXT_LIMITS } from '../../domain/limits.ts';
import { createPlace, parseCreatePlace, parseUpdatePlace, updatePlace } from '../../domain/places/places.ts';
import type { ActorRow, EventRow, PlaceRow } from '../loaders/entities.ts';
import { events } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { ValidationError } from '../errors.ts';
import { Actor } from '../types/actor.ts';
import { CasualtyCategoryEnum } from '../types/casualties.ts';
import { Event, EventFilter, eventWhere, type EventFilterInput } from '../types/event.ts';
import { Job } from '../types/job.ts';
import { Place } from '../types/place.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { ActorKindEnum, DyadSideEnum, EventKindEnum, GeoPrecisionEnum, ParticipationRoleEnum, PlaceKindEnum, SIDE_INPUT_DESCRIPTION } from '../types/vocabulary.ts';
import { duplicateWarnings, PossibleDuplicateActor, PossibleDuplicateEvent, PossibleDuplicatePlace } from '../types/identity.ts';
import { CitationInput, CREDIBILITY_INPUT_DESCRIPTION, FuzzyDateInput, idempotencyKeyArg, idempotencyKeyField, recordAnswer, runService } from './common.ts';
import { ExternalIdInput } from './identity.ts';
import { startUpdateEventsJob } from '../../writes/update-events-job.ts';

// ---------------------------------------------------------------- actors

const CreateActorInput = builder.inputType('CreateActorInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'Unique lowercase slug (letters, digits, single hyphens; at most 100 characters) that names the record in URLs and in other inputs.' }),
    name: t.string({ required: true, description: 'The name the actor is best known by (at most 500 characters).' }),
    aliases: t.stringList({ required: true, defaultValue: [], description: 'Other names and spellings, at most 100, none repeated; search matches them too.' }),
    kind: t.field({ type: ActorKindEnum, required: true, description: 'What kind of actor it is.' }),
    description: t.string({ description: 'A short profile (at most 10,000 characters).', extensions: { maxLength: TEXT_LIMITS.text } }),
    homeCountry: t.string({ description: 'Slug of the country the actor is based in.' }),
    externalIds: t.field({ type: [ExternalIdInput], description: 'The actor’s ids in Wikidata, ACLED or UCDP (at most 50).' }),
    confidence: t.int({ required: true, description: 'How sure the sources are, 0–100.' }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
  }),
});

const UpdateActorInput = builder.inputType('UpdateActorInput', {
  description: 'Fields left out keep their value; `aliases` replaces the list, `addAliases` extends it.',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'The actor to update.' }),
    name: t.string({ description: 'New name (at most 500 characters).' }),
    aliases: t.stringList({ description: 'Replaces every alias (at most 100, none repeated).' }),
    addAliases: t.stringList({ description: 'Aliases to add to those the actor has.' }),
    kind: t.field({ type: ActorKindEnum, description: 'New kind.' }),
    description: t.string({ description: 'New profile text (at most 10,000 characters); null clears it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    homeCountry: t.string({ description: 'Slug of the country (a COUNTRY place) the actor is based in; null clears it.' }),
    confidence: t.int({ required: true, description: 'How sure the sources are of the change, 0–100.' }),
    note: t.string({ description: 'The analyst’s note on the claim behind the change: what changed and why (at most 10,000 characters).', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'The quotes supporting the change; at least one.' }),
  }),
});

builder.mutationFields((t) => ({
  createActor: t.field({
    type: Actor,
    description: 'Adds an actor, established by a cited claim. Role: analyst.',
    authScopes: { analyst: true },
    errors: {
      types: WRITE_ERRORS,
      result: {
        fields: (r) => ({
          possibleDuplicates: r.field({
            type: [PossibleDuplicateActor],
            description: 'Stored actors the new one resembles (same external id, name, or for events place, days and kind): a warning to check, not a refusal. Empty when none.',
            resolve: (created, _args, ctx) => duplicateWarnings.actor(ctx.db, typeof created === 'number' ? created : Number(created.id)),
          }),
        }),
      },
    },
    args: { input: t.arg({ type: CreateActorInput, required: true, description: 'The actor to add, its profile claim’s confidence and citations.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'createActor', args, createActor, parseCreateActor(args.input));
      return recordAnswer<ActorRow>(info, 'id', result.actor.id);
    },
  }),
  updateActor: t.field({
    type: Actor,
    description: 'Changes an actor’s profile, backed by a cited claim; the old values stay readable as a revision (`revisions`, `asOf`). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: UpdateActorInput, required: true, description: 'The actor, the values to change, and the cited claim behind the change.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'updateActor', args, updateActor, parseUpdateActor(args.input));
      return recordAnswer<ActorRow>(info, 'id', result.actor.id);
    },
  }),
}));

// ---------------------------------------------------------------- places

const CoordinatesInput = builder.inputType('CoordinatesInput', {
  description: 'A point in WGS84 decimal degrees, with how precisely it locates the place.',
  fields: (t) => ({
    latitude: t.float({ required: true, description: 'Degrees north, -90 to 90 (south is negative).' }),
    longitude: t.float({ required: true, description: 'Degrees east, -180 to 180 (west is negative).' }),
    precision: t.field({ type: GeoPrecisionEnum, required: true, description: 'How precisely the point locates the place (UCDP’s where_prec).' }),
  }),
});

const GAZETTEER_FIELD =
  'Take the coordinates and precision from the gazetteer instead of `location`: country:AF (a country), admin1:PK.03 (a province, by GeoNames admin1 code), admin2:PK.03.1183781 (a district) or city:AF.13:Kabul (a town by its admin1 code and GeoNames name). The reference is kept with the place.';

const CreatePlaceInput = builder.inputType('CreatePlaceInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'Unique lowercase slug (letters, digits, single hyphens; at most 100 characters) that names the record in URLs and in other inputs.' }),
    name: t.string({ required: true, description: 'The place’s usual English name (at most 500 characters).' }),
    kind: t.field({ type: PlaceKindEnum, required: true, description: 'Country, province (ADMIN1), district (ADMIN2), region, city or site; fixed once created.' }),
    parent: t.string({ description: 'Slug of the containing place (site → city → district → province → country): a province lies in a country; a district in a province or a country; a city or a site in those or in a region of a country (a site also in a city or a site); a region in a country, a larger region or none; a country in none.' }),
    countryCode: t.string({ description: 'ISO 3166-1 alpha-2, for countries.' }),
    region: t.string({ description: 'UN M49 sub-region, e.g. "Southern Asia".' }),
    location: t.field({ type: CoordinatesInput, description: 'Where it is, when you know it: coordinates and how precise they are. Leave out to take them from `gazetteer`, or to locate the place by the place it lies in.' }),
    gazetteer: t.string({ description: GAZETTEER_FIELD }),
    externalIds: t.field({ type: [ExternalIdInput], description: 'The place’s ids (Wikidata; at most 50).' }),
  }),
});

const UpdatePlaceInput = builder.inputType('UpdatePlaceInput', {
  description: 'Fields left out keep their value. A place’s kind and parent are fixed (they decide its country).',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'The place to update.' }),
    name: t.string({ description: 'New name (at most 500 characters).' }),
    countryCode: t.string({ description: 'New ISO 3166-1 alpha-2 code, for countries.' }),
    region: t.string({ description: 'New UN M49 sub-region, e.g. "Southern Asia".' }),
    location: t.field({ type: CoordinatesInput, description: 'New coordinates and precision; null clears them (the place is then located by the place it lies in).' }),
    gazetteer: t.string({ description: GAZETTEER_FIELD }),
  }),
});

builder.mutationFields((t) => ({
  createPlace: t.field({
    type: Place,
    description: 'Adds a place to the gazetteer (reference data, not a claim), with its coordinates given or taken from the gazetteer by reference. Role: analyst.',
    authScopes: { analyst: true },
    errors: {
      types: WRITE_ERRORS,
      result: {
        fields: (r) => ({
          possibleDuplicates: r.field({
            type: [PossibleDuplicatePlace],
            description: 'Stored places the new one resembles (same external id, name, or for events place, days and kind): a warning to check, not a refusal. Empty when none.',
            resolve: (created, _args, ctx) => duplicateWarnings.place(ctx.db, typeof created === 'number' ? created : Number(created.id)),
          }),
        }),
      },
    },
    args: { input: t.arg({ type: CreatePlaceInput, required: true, description: 'The place to add.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'createPlace', args, createPlace, parseCreatePlace(args.input));
      return recordAnswer<PlaceRow>(info, 'id', result.place.id);
    },
  }),
  updatePlace: t.field({
    type: Place,
    description: 'Renames a place or corrects its codes or its coordinates; the old values stay readable as a revision (`revisions`, `asOf`). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: UpdatePlaceInput, required: true, description: 'The place and the values to change.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'updatePlace', args, updatePlace, parseUpdatePlace(args.input));
      return recordAnswer<PlaceRow>(info, 'id', result.place.id);
    },
  }),
}));

// ---------------------------------------------------------------- events

const CasualtyPartInput = builder.inputType('CasualtyPartInput', {
  description: 'One category’s share of the figure, where the source splits it: "170 Afghan civilians" is CIVILIANS, low 170, high 170.',
  fields: (t) => ({
    category: t.field({ type: CasualtyCategoryEnum, required: true, description: 'Who they were; each category at most once.' }),
    low: t.int({ required: true, description: 'The fewest the source’s words allow (0 or more).' }),
    best: t.int({ description: 'The best estimate, between low and high; leave out when the source gives none.' }),
    high: t.int({ description: 'The most the source’s words allow; null when open-ended. At most the total’s high.' }),
    text: t.string({ description: 'The source’s own words for this part, e.g. "13 U.S. servicemembers".', extensions: { maxLength: TEXT_LIMITS.text } }),
  }),
});

const CasualtiesInput = builder.inputType('CasualtiesInput', {
  description:
    '"over 100" is min (low) 101 with no max (high); keep the source’s words in text. Where the source says who was hit, give `parts`: ' +
    'the total is then their sum unless given, and is refused when smaller than the parts.',
  fields: (t) => ({
    min: t.int({ description: 'The fewest the source’s words allow (0 or more); the same as `low`, give one of them (or only parts).' }),
    low: t.int({ description: 'The low estimate; the same as `min`.' }),
    best: t.int({ description: 'The best estimate, between low and high; an exact figure is its own best.' }),
    max: t.int({ description: 'The most the source’s words allow, at least `min`; null when open-ended ("over 100"). The same as `high`.' }),
    high: t.int({ description: 'The high estimate; the same as `max`.' }),
    text: t.string({ required: true, description: 'The source’s own words for the count, e.g. "dozens".', extensions: { maxLength: TEXT_LIMITS.text } }),
    parts: t.field({ type: [CasualtyPartInput], description: 'The figure by category, only where the source splits it.' }),
  }),
});

const EventParticipantInput = builder.inputType('EventParticipantInput', {
  description: 'An actor’s part in the event being created: a participation claim of its own.',
  fields: (t) => ({
    actor: t.string({ required: true, description: 'Slug of the actor.' }),
    role: t.field({ type: ParticipationRoleEnum, required: true, description: 'The actor’s part in the event.' }),
    attributedBy: t.string({ description: 'For ATTRIBUTED (only): slug of who attributed it.' }),
    side: t.field({ type: DyadSideEnum, description: SIDE_INPUT_DESCRIPTION }),
    confidence: t.int({ description: 'Default: the event’s confidence.' }),
    credibility: t.int({ description: `${CREDIBILITY_INPUT_DESCRIPTION} Default: the event’s.` }),
    citations: t.field({ type: [CitationInput], description: 'Default: the event’s citations.' }),
  }),
});

const CreateEventInput = builder.inputType('CreateEventInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'Unique lowercase slug (letters, digits, single hyphens; at most 100 characters) that names the record in URLs and in other inputs.' }),
    title: t.string({ required: true, description: 'A short headline for the event (at most 500 characters).' }),
    kind: t.field({ type: EventKindEnum, required: true, description: 'What kind of event it was.' }),
    description: t.string({ description: 'What happened, in a few sentences (at most 10,000 characters).', extensions: { maxLength: TEXT_LIMITS.text } }),
    date: t.field({ type: FuzzyDateInput, required: true, description: 'When it happened (valid time), as the source words it.' }),
    place: t.string({ description: 'Slug of the place.' }),
    killed: t.field({ type: CasualtiesInput, description: 'How many were killed, as the sources give it; leave out when unknown.' }),
    wounded: t.field({ type: CasualtiesInput, description: 'How many were wounded, as the sources give it; leave out when unknown.' }),
    confidence: t.int({ required: true, description: 'How sure the sources are that it happened as described, 0–100.' }),
    credibility: t.int({ description: CREDIBILITY_INPUT_DESCRIPTION }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
    participants: t.field({
      type: [EventParticipantInput],
      description: 'Who took part, recorded in the same transaction (so `eventAdded` filters by actor see them).',
    }),
    externalIds: t.field({ type: [ExternalIdInput], description: 'The event’s ids in Wikidata, ACLED, UCDP GED or the GTD (at most 50).' }),
  }),
});

const UpdateEventInput = builder.inputType('UpdateEventInput', {
  description: 'Fields left out keep their value; null clears an optional one.',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'The event to update.' }),
    title: t.string({ description: 'New headline (at most 500 characters).' }),
    kind: t.field({ type: EventKindEnum, description: 'New kind.' }),
    description: t.string({ description: 'New description (at most 10,000 characters); null clears it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    date: t.field({ type: FuzzyDateInput, description: 'New date (valid time), as the source words it.' }),
    place: t.string({ description: 'Slug of the new place; null clears it.' }),
    killed: t.field({ type: CasualtiesInput, description: 'New count of the killed; null clears it.' }),
    wounded: t.field({ type: CasualtiesInput, description: 'New count of the wounded; null clears it.' }),
    confidence: t.int({ required: true, description: 'How sure the sources are of the change, 0–100.' }),
    note: t.string({ description: 'The analyst’s note on the claim behind the change: what changed and why (at most 10,000 characters).', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'The quotes supporting the change; at least one.' }),
  }),
});

const UpdateEventsInput = builder.inputType('UpdateEventsInput', {
  description: 'The same change to many events (a recoding), each backed by its own cited claim, all or nothing. Name the events or give a filter; give a kind, a place, or both.',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    events: t.stringList({ description: `Slugs of the events to change: 1–${LIST_LIMITS.bulkEvents.toLocaleString('en')}, each once. Give these or \`filter\`.` }),
    filter: t.field({
      type: EventFilter,
      description: `Instead of \`events\`: the events this filter matches (as \`events\` lists them) when the job is started, at most ${LIST_LIMITS.bulkEvents.toLocaleString('en')}; the job changes those, whatever matches later.`,
    }),
    kind: t.field({ type: EventKindEnum, description: 'Their new kind; left out, each keeps its own.' }),
    place: t.string({ description: 'Slug of their new place; null clears it; left out, each keeps its own.' }),
    confidence: t.int({ required: true, description: 'How sure the sources are of the change, 0–100.' }),
    note: t.string({ description: 'The analyst’s note on each claim behind the change: what changed and why (at most 10,000 characters).', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'The quotes supporting the change; at least one. Every event’s claim cites them.' }),
  }),
});

/**
 * The slugs of the events a bulk update's filter matches now (the events list's filter and view),
 * in id order; refused when it matches none, or too many.
 */
async function eventSlugsMatching(ctx: Context, filter: EventFilterInput): Promise<string[]> {
  const rows = await ctx.db.select({ slug: events.slug }).from(events).where(eventWhere(filter, ctx.view)).orderBy(events.id).limit(LIST_LIMITS.bulkEvents + 1);
  if (rows.length === 0) throw new ValidationError('the filter matches no event', ['input', 'filter']);
  if (rows.length > LIST_LIMITS.bulkEvents) {
    throw new ValidationError(`the filter matches more than ${LIST_LIMITS.bulkEvents.toLocaleString('en')} events: narrow it, or start a job per part`, ['input', 'filter']);
  }
  return rows.map((r) => r.slug);
}

builder.mutationFields((t) => ({
  startUpdateEvents: t.field({
    type: Job,
    description:
      'Changes the kind or place of many events at once as a job (without the request deadline): each event changed as updateEvent would change it, by a cited claim of its own with the old values kept as a revision; events that have the values already are left as they are. All or nothing; the dashboard summaries are brought up to date before the job SUCCEEDS. Refused at once when an event, the place or a quote is not found. Poll the job with job(id:). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: UpdateEventsInput, required: true, description: 'The events, their new kind or place, and the cited claim behind the change.' }) },
    resolve: async (_root, args, ctx) => {
      const { filter, ...input } = args.input;
      if (filter && input.events != null) throw new ValidationError('give events or filter, not both', ['input', 'filter']);
      const slugs = filter ? await eventSlugsMatching(ctx, filter) : input.events;
      const { result } = await runService(ctx, 'startUpdateEvents', args, startUpdateEventsJob, parseUpdateEvents({ ...input, events: slugs }));
      return result.job;
    },
  }),
  createEvent: t.field({
    type: Event,
    description: 'Adds an event, established by a cited claim; `eventAdded` subscribers are told. Role: analyst.',
    authScopes: { analyst: true },
    errors: {
      types: WRITE_ERRORS,
      result: {
        fields: (r) => ({
          possibleDuplicates: r.field({
            type: [PossibleDuplicateEvent],
            description: 'Stored events the new one resembles (same external id, name, or for events place, days and kind): a warning to check, not a refusal. Empty when none.',
            resolve: (created, _args, ctx) => duplicateWarnings.event(ctx.db, typeof created === 'number' ? created : Number(created.id)),
          }),
        }),
      },
    },
    args: { input: t.arg({ type: CreateEventInput, required: true, description: 'The event to add, its participants, and the cited claim that reports it.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result, replayed } = await runService(ctx, 'createEvent', args, createEvent, parseCreateEvent(args.input));
      // Only after commit: a subscriber must be able to load what it is told about.
      if (!replayed) ctx.pubsub.publish('eventAdded', { eventId: result.event.id });
      return recordAnswer<EventRow>(info, 'id', result.event.id);
    },
  }),
  updateEvent: t.field({
    type: Event,
    description: 'Changes an event, backed by a cited claim; the old values stay readable as a revision (`revisions`, `asOf`). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: UpdateEventInput, required: true, description: 'The event, the values to change, and the cited claim behind the change.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'updateEvent', args, updateEvent, parseUpdateEvent(args.input));
      return recordAnswer<EventRow>(info, 'id', result.event.id);
    },
  }),
}));
