/**
 * Creating and updating actors, places and events. Actors and events are established by a cited
 * claim; an update is itself a cited claim (its note says what changed), named in the row's
 * revision_claim_id. The database keeps the values before every update as a revision (migration
 * 0012), so reads `asOf` an earlier time show them and `revisions` lists the changes; nothing is
 * overwritten without a trace. Places are gazetteer reference data and need no citation; their
 * changes are kept as revisions too.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { actorKindValues, eventKindValues, participationRoleValues, placeKindValues } from '../../../seed/format.ts';
import { actors, events, participations as participationsTable, places } from '../../db/schema.ts';
import { LIST_LIMITS, freeTextSchema, nameSchema, slugSchema, TEXT_LIMITS } from '../../domain/limits.ts';
import { resolveCitations } from '../../writes/citations.ts';
import { actorIdBySlug, placeIdBySlug, recordClaim } from '../../writes/records.ts';
import type { Json, Tx } from '../../writes/transaction.ts';
import { parseInput } from '../../writes/validate.ts';
import { builder } from '../builder.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { Actor } from '../types/actor.ts';
import { Event } from '../types/event.ts';
import { Place } from '../types/place.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { ActorKindEnum, EventKindEnum, ParticipationRoleEnum, PlaceKindEnum } from '../types/vocabulary.ts';
import { CitationInput, confidenceSchema, FuzzyDateInput, fuzzyDate, idempotencyKeyArg, idempotencyKeyField, write } from './common.ts';

const slug = slugSchema;
const name = nameSchema;
const optionalText = freeTextSchema.nullish();

/** Plain JSON of a row, for the audit log's before/after (dates as ISO strings). */
function snapshot(row: Record<string, unknown>): Json {
  return JSON.parse(JSON.stringify(row)) as Json;
}

/**
 * The given values that differ from the row's: an update that would change nothing is refused
 * rather than recorded as a claim with no revision behind it.
 */
function actualChanges<T extends Record<string, unknown>>(before: T, given: Partial<T>): Partial<T> {
  const changed: Partial<T> = {};
  for (const [key, value] of Object.entries(given) as [keyof T, T[keyof T]][]) {
    if (JSON.stringify(value) !== JSON.stringify(before[key])) changed[key] = value;
  }
  if (Object.keys(changed).length === 0) {
    throw new ValidationError('nothing to change: every value given is the current one', ['input']);
  }
  return changed;
}

// ---------------------------------------------------------------- actors

const actorFields = {
  name,
  aliases: z.array(name).max(LIST_LIMITS.aliases).refine((a) => new Set(a).size === a.length, 'must not repeat an alias'),
  kind: z.enum(actorKindValues),
  description: optionalText,
  homeCountry: slug.nullish(),
};

const CreateActorInput = builder.inputType('CreateActorInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'Unique lowercase slug (letters, digits, single hyphens; at most 100 characters) that names the record in URLs and in other inputs.' }),
    name: t.string({ required: true, description: 'The name the actor is best known by (at most 500 characters).' }),
    aliases: t.stringList({ required: true, defaultValue: [], description: 'Other names and spellings, at most 100, none repeated; search matches them too.' }),
    kind: t.field({ type: ActorKindEnum, required: true, description: 'What kind of actor it is.' }),
    description: t.string({ description: 'A short profile (at most 10,000 characters).', extensions: { maxLength: TEXT_LIMITS.text } }),
    homeCountry: t.string({ description: 'Slug of the country the actor is based in.' }),
    confidence: t.int({ required: true, description: 'How sure the sources are, 0–100.' }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
  }),
});

const createActorSchema = z.object({ slug, ...actorFields, confidence: confidenceSchema, note: optionalText, citations: z.array(z.unknown()).max(LIST_LIMITS.citations, `at most ${LIST_LIMITS.citations} citations`) });

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

const updateActorSchema = z.object({
  slug,
  name: name.nullish(),
  aliases: actorFields.aliases.nullish(),
  addAliases: z.array(name).max(LIST_LIMITS.aliases).nullish(),
  kind: actorFields.kind.nullish(),
  description: optionalText,
  homeCountry: slug.nullish(),
  confidence: confidenceSchema,
  note: optionalText,
  citations: z.array(z.unknown()).max(LIST_LIMITS.citations, `at most ${LIST_LIMITS.citations} citations`),
});

async function homeCountryId(tx: Tx, slugValue: string | null | undefined): Promise<number | null | undefined> {
  if (slugValue === undefined) return undefined;
  if (slugValue === null) return null;
  const place = await placeIdBySlug(tx, slugValue, ['input', 'homeCountry']);
  if (place.kind !== 'COUNTRY') throw new ValidationError(`"${slugValue}" is a ${place.kind.toLowerCase()}, not a country`, ['input', 'homeCountry']);
  return place.id;
}

builder.mutationFields((t) => ({
  createActor: t.field({
    type: Actor,
    description: 'Adds an actor, established by a cited claim. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: CreateActorInput, required: true, description: 'The actor to add, its profile claim’s confidence and citations.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(createActorSchema, args.input);
      const { result } = await write(ctx, 'createActor', args, async (tx, principal) => {
        const [taken] = await tx.select({ id: actors.id }).from(actors).where(eq(actors.slug, input.slug));
        if (taken) throw new ConflictError(`an actor "${input.slug}" exists already`, ['input', 'slug']);
        const citationIds = await resolveCitations(tx, args.input.citations, ['input', 'citations']);
        const claimId = await recordClaim(tx, { kind: 'ACTOR_PROFILE', confidence: input.confidence, note: input.note, recordedBy: principal.name, citationIds });
        const [row] = await tx
          .insert(actors)
          .values({
            slug: input.slug,
            name: input.name,
            aliases: input.aliases,
            kind: input.kind,
            description: input.description ?? null,
            homeCountryId: (await homeCountryId(tx, input.homeCountry)) ?? null,
            claimId,
          })
          .returning({ id: actors.id });
        if (!row) throw new Error('insert into actors returned no row');
        return { actor: { id: row.id, slug: input.slug }, claimId, citationIds };
      });
      return result.actor.id;
    },
  }),
  updateActor: t.field({
    type: Actor,
    description: 'Changes an actor’s profile, backed by a cited claim; the old values stay readable as a revision (`revisions`, `asOf`). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: UpdateActorInput, required: true, description: 'The actor, the values to change, and the cited claim behind the change.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(updateActorSchema, args.input);
      const { result } = await write(ctx, 'updateActor', args, async (tx, principal) => {
        const id = await actorIdBySlug(tx, input.slug, ['input', 'slug']);
        const [before] = await tx.select().from(actors).where(eq(actors.id, id)).for('update');
        if (!before) throw new NotFoundError(`no actor "${input.slug}"`, ['input', 'slug']);
        const aliases = [...(input.aliases ?? before.aliases)];
        for (const alias of input.addAliases ?? []) if (!aliases.includes(alias)) aliases.push(alias);
        const given: Partial<typeof actors.$inferSelect> = {
          ...(input.name != null ? { name: input.name } : {}),
          ...(input.aliases != null || input.addAliases != null ? { aliases } : {}),
          ...(input.kind != null ? { kind: input.kind } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.homeCountry !== undefined ? { homeCountryId: await homeCountryId(tx, input.homeCountry) } : {}),
        };
        if (Object.keys(given).length === 0) throw new ValidationError('nothing to change: give at least one field besides slug', ['input']);
        const changes = actualChanges(before, given);
        const citationIds = await resolveCitations(tx, args.input.citations, ['input', 'citations']);
        const claimId = await recordClaim(tx, {
          kind: 'ACTOR_PROFILE',
          confidence: input.confidence,
          note: input.note ?? `update of actor ${before.slug}: ${Object.keys(changes).join(', ')}`,
          recordedBy: principal.name,
          citationIds,
        });
        // The update claim goes with the values it supports; the database keeps the old ones as a revision.
        const [after] = await tx.update(actors).set({ ...changes, revisionClaimId: claimId }).where(eq(actors.id, id)).returning();
        if (!after) throw new Error('update of actors returned no row');
        return { actor: { id, slug: before.slug }, claimId, citationIds, before: snapshot(before), after: snapshot(after) };
      });
      return result.actor.id;
    },
  }),
}));

// ---------------------------------------------------------------- places

const CreatePlaceInput = builder.inputType('CreatePlaceInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'Unique lowercase slug (letters, digits, single hyphens; at most 100 characters) that names the record in URLs and in other inputs.' }),
    name: t.string({ required: true, description: 'The place’s usual English name (at most 500 characters).' }),
    kind: t.field({ type: PlaceKindEnum, required: true, description: 'Country, city or site; fixed once created.' }),
    parent: t.string({ description: 'Slug of the containing place (site → city → country); none for a country.' }),
    countryCode: t.string({ description: 'ISO 3166-1 alpha-2, for countries.' }),
    region: t.string({ description: 'UN M49 sub-region, e.g. "Southern Asia".' }),
  }),
});

const createPlaceSchema = z
  .object({
    slug,
    name,
    kind: z.enum(placeKindValues),
    parent: slug.nullish(),
    countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be two capital letters (ISO 3166-1 alpha-2)').nullish(),
    region: optionalText,
  })
  .refine((p) => (p.kind === 'COUNTRY') !== (p.parent != null), { message: 'a country has no parent; every other place needs one', path: ['parent'] });

const UpdatePlaceInput = builder.inputType('UpdatePlaceInput', {
  description: 'Fields left out keep their value. A place’s kind and parent are fixed (they decide its country).',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    slug: t.string({ required: true, description: 'The place to update.' }),
    name: t.string({ description: 'New name (at most 500 characters).' }),
    countryCode: t.string({ description: 'New ISO 3166-1 alpha-2 code, for countries.' }),
    region: t.string({ description: 'New UN M49 sub-region, e.g. "Southern Asia".' }),
  }),
});

const updatePlaceSchema = z.object({
  slug,
  name: name.nullish(),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be two capital letters (ISO 3166-1 alpha-2)').nullish(),
  region: optionalText,
});

builder.mutationFields((t) => ({
  createPlace: t.field({
    type: Place,
    description: 'Adds a place to the gazetteer (reference data, not a claim). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: CreatePlaceInput, required: true, description: 'The place to add.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(createPlaceSchema, args.input);
      const { result } = await write(ctx, 'createPlace', args, async (tx) => {
        const [taken] = await tx.select({ id: places.id }).from(places).where(eq(places.slug, input.slug));
        if (taken) throw new ConflictError(`a place "${input.slug}" exists already`, ['input', 'slug']);
        const parent = input.parent != null ? await placeIdBySlug(tx, input.parent, ['input', 'parent']) : null;
        const [row] = await tx
          .insert(places)
          .values({
            slug: input.slug,
            name: input.name,
            kind: input.kind,
            parentId: parent?.id ?? null,
            countryId: parent?.countryId ?? null,
            countryCode: input.countryCode ?? null,
            region: input.region ?? null,
          })
          .returning({ id: places.id });
        if (!row) throw new Error('insert into places returned no row');
        // A country's country_id (itself) is set by the database on insert (migration 0016_entity_revision_triggers).
        return { place: { id: row.id, slug: input.slug } };
      });
      return result.place.id;
    },
  }),
  updatePlace: t.field({
    type: Place,
    description: 'Renames a place or corrects its codes; the old values stay readable as a revision (`revisions`, `asOf`). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: UpdatePlaceInput, required: true, description: 'The place and the values to change.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(updatePlaceSchema, args.input);
      const { result } = await write(ctx, 'updatePlace', args, async (tx) => {
        const [before] = await tx.select().from(places).where(eq(places.slug, input.slug)).for('update');
        if (!before) throw new NotFoundError(`no place "${input.slug}"`, ['input', 'slug']);
        const given: Partial<typeof places.$inferSelect> = {
          ...(input.name != null ? { name: input.name } : {}),
          ...(input.countryCode !== undefined ? { countryCode: input.countryCode } : {}),
          ...(input.region !== undefined ? { region: input.region } : {}),
        };
        if (Object.keys(given).length === 0) throw new ValidationError('nothing to change: give at least one field besides slug', ['input']);
        const changes = actualChanges(before, given);
        const [after] = await tx.update(places).set(changes).where(eq(places.id, before.id)).returning();
        if (!after) throw new Error('update of places returned no row');
        return { place: { id: before.id, slug: before.slug }, before: snapshot(before), after: snapshot(after) };
      });
      return result.place.id;
    },
  }),
}));

// ---------------------------------------------------------------- events

const CasualtiesInput = builder.inputType('CasualtiesInput', {
  description: '"over 100" is min 101 with no max; keep the source’s words in text.',
  fields: (t) => ({
    min: t.int({ required: true, description: 'The fewest the source’s words allow (0 or more).' }),
    max: t.int({ description: 'The most the source’s words allow, at least `min`; null when open-ended ("over 100").' }),
    text: t.string({ required: true, description: 'The source’s own words for the count, e.g. "dozens".', extensions: { maxLength: TEXT_LIMITS.text } }),
  }),
});

const casualtiesSchema = z
  .object({ min: z.number().int().min(0), max: z.number().int().min(0).nullish(), text: freeTextSchema })
  .refine((r) => r.max == null || r.max >= r.min, { message: 'max must not be below min', path: ['max'] })
  .nullish();

const eventFields = {
  title: name,
  kind: z.enum(eventKindValues),
  description: optionalText,
  place: slug.nullish(),
  killed: casualtiesSchema,
  wounded: casualtiesSchema,
};

const EventParticipantInput = builder.inputType('EventParticipantInput', {
  description: 'An actor’s part in the event being created: a participation claim of its own.',
  fields: (t) => ({
    actor: t.string({ required: true, description: 'Slug of the actor.' }),
    role: t.field({ type: ParticipationRoleEnum, required: true, description: 'The actor’s part in the event.' }),
    attributedBy: t.string({ description: 'For ATTRIBUTED (only): slug of who attributed it.' }),
    confidence: t.int({ description: 'Default: the event’s confidence.' }),
    citations: t.field({ type: [CitationInput], description: 'Default: the event’s citations.' }),
  }),
});

const participantSchema = z
  .object({
    actor: slug,
    role: z.enum(participationRoleValues),
    attributedBy: slug.nullish(),
    confidence: confidenceSchema.nullish(),
    citations: z.array(z.unknown()).max(LIST_LIMITS.citations, `at most ${LIST_LIMITS.citations} citations`).nullish(),
  })
  .refine((p) => (p.role === 'ATTRIBUTED') === (p.attributedBy != null), {
    message: 'attributedBy is required for ATTRIBUTED and only allowed there',
    path: ['attributedBy'],
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
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
    participants: t.field({
      type: [EventParticipantInput],
      description: 'Who took part, recorded in the same transaction (so `eventAdded` filters by actor see them).',
    }),
  }),
});

const createEventSchema = z.object({
  slug,
  ...eventFields,
  date: z.unknown().optional(),
  confidence: confidenceSchema,
  note: optionalText,
  citations: z.array(z.unknown()).max(LIST_LIMITS.citations, `at most ${LIST_LIMITS.citations} citations`),
  participants: z.array(participantSchema).max(LIST_LIMITS.participants).nullish(),
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

const updateEventSchema = z.object({
  slug,
  title: name.nullish(),
  kind: eventFields.kind.nullish(),
  description: optionalText,
  date: z.unknown().optional(),
  place: slug.nullish(),
  killed: casualtiesSchema,
  wounded: casualtiesSchema,
  confidence: confidenceSchema,
  note: optionalText,
  citations: z.array(z.unknown()).max(LIST_LIMITS.citations, `at most ${LIST_LIMITS.citations} citations`),
});

type Casualties = z.infer<typeof casualtiesSchema>;

function casualtyColumns(prefix: 'killed' | 'wounded', value: Casualties | undefined) {
  if (value === undefined) return {};
  return {
    [`${prefix}Min`]: value?.min ?? null,
    [`${prefix}Max`]: value?.max ?? null,
    [`${prefix}Text`]: value?.text ?? null,
  } as Partial<typeof events.$inferSelect>;
}

builder.mutationFields((t) => ({
  createEvent: t.field({
    type: Event,
    description: 'Adds an event, established by a cited claim; `eventAdded` subscribers are told. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: CreateEventInput, required: true, description: 'The event to add, its participants, and the cited claim that reports it.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(createEventSchema, args.input);
      const date = fuzzyDate(args.input.date, ['input', 'date']);
      const { result, replayed } = await write(ctx, 'createEvent', args, async (tx, principal) => {
        const [taken] = await tx.select({ id: events.id }).from(events).where(eq(events.slug, input.slug));
        if (taken) throw new ConflictError(`an event "${input.slug}" exists already`, ['input', 'slug']);
        const placeId = input.place != null ? (await placeIdBySlug(tx, input.place, ['input', 'place'])).id : null;
        const citationIds = await resolveCitations(tx, args.input.citations, ['input', 'citations']);
        const claimId = await recordClaim(tx, { kind: 'EVENT_REPORT', confidence: input.confidence, note: input.note, recordedBy: principal.name, citationIds });
        const [row] = await tx
          .insert(events)
          .values({
            slug: input.slug,
            title: input.title,
            kind: input.kind,
            description: input.description ?? null,
            dateText: date.text,
            dateEarliest: date.earliest,
            dateLatest: date.latest,
            datePrecision: date.precision,
            placeId,
            ...casualtyColumns('killed', input.killed ?? null),
            ...casualtyColumns('wounded', input.wounded ?? null),
            claimId,
          })
          .returning({ id: events.id });
        if (!row) throw new Error('insert into events returned no row');
        const participations: Json[] = [];
        for (const [i, p] of (input.participants ?? []).entries()) {
          const at = ['input', 'participants', String(i)];
          const actorId = await actorIdBySlug(tx, p.actor, [...at, 'actor']);
          const attributedById = p.attributedBy != null ? await actorIdBySlug(tx, p.attributedBy, [...at, 'attributedBy']) : null;
          const given = args.input.participants?.[i]?.citations;
          const ids = given ? await resolveCitations(tx, given, [...at, 'citations']) : citationIds;
          const participationId = await recordClaim(tx, {
            kind: 'PARTICIPATION',
            confidence: p.confidence ?? input.confidence,
            recordedBy: principal.name,
            citationIds: ids,
          });
          await tx.insert(participationsTable).values({ claimId: participationId, eventId: row.id, actorId, role: p.role, attributedById });
          participations.push({ claimId: participationId, actor: p.actor, role: p.role });
        }
        return { event: { id: row.id, slug: input.slug }, claimId, citationIds, participations };
      });
      // Only after commit: a subscriber must be able to load what it is told about.
      if (!replayed) ctx.pubsub.publish('eventAdded', { eventId: result.event.id });
      return result.event.id;
    },
  }),
  updateEvent: t.field({
    type: Event,
    description: 'Changes an event, backed by a cited claim; the old values stay readable as a revision (`revisions`, `asOf`). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: UpdateEventInput, required: true, description: 'The event, the values to change, and the cited claim behind the change.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(updateEventSchema, args.input);
      const date = args.input.date ? fuzzyDate(args.input.date, ['input', 'date']) : undefined;
      const { result } = await write(ctx, 'updateEvent', args, async (tx, principal) => {
        const [before] = await tx.select().from(events).where(eq(events.slug, input.slug)).for('update');
        if (!before) throw new NotFoundError(`no event "${input.slug}"`, ['input', 'slug']);
        const given: Partial<typeof events.$inferSelect> = {
          ...(input.title != null ? { title: input.title } : {}),
          ...(input.kind != null ? { kind: input.kind } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(date ? { dateText: date.text, dateEarliest: date.earliest, dateLatest: date.latest, datePrecision: date.precision } : {}),
          ...(input.place !== undefined
            ? { placeId: input.place === null ? null : (await placeIdBySlug(tx, input.place, ['input', 'place'])).id }
            : {}),
          ...casualtyColumns('killed', input.killed),
          ...casualtyColumns('wounded', input.wounded),
        };
        if (Object.keys(given).length === 0) throw new ValidationError('nothing to change: give at least one field besides slug', ['input']);
        const changes = actualChanges(before, given);
        const citationIds = await resolveCitations(tx, args.input.citations, ['input', 'citations']);
        const claimId = await recordClaim(tx, {
          kind: 'EVENT_REPORT',
          confidence: input.confidence,
          note: input.note ?? `update of event ${before.slug}: ${Object.keys(changes).join(', ')}`,
          recordedBy: principal.name,
          citationIds,
        });
        const [after] = await tx.update(events).set({ ...changes, revisionClaimId: claimId }).where(eq(events.id, before.id)).returning();
        if (!after) throw new Error('update of events returned no row');
        return { event: { id: before.id, slug: before.slug }, claimId, citationIds, before: snapshot(before), after: snapshot(after) };
      });
      return result.event.id;
    },
  }),
}));
