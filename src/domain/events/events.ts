/**
 * Events: established by a cited report claim, with the participations the write names, each a
 * claim of its own (citing the event's citations unless it gives its own). An update is a cited
 * claim too; the values before it stay readable as a revision.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { events, participations } from '../../db/schema.ts';
import { actorIdBySlug } from '../actors/lookup.ts';
import { externalIdsSchema, storeExternalIds } from '../external-ids/external-ids.ts';
import { recordCitedClaim, resolveEvidence } from '../claims/cited.ts';
import { recordClaimEstablishing } from '../claims/record.ts';
import { eventDateColumns, fuzzyDate, type FuzzyDate, type FuzzyDateInput } from '../dates.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { citationsSchema, claimGradeSchema, confidenceSchema, parseInput } from '../input.ts';
import { casualtiesSchema, casualtyColumns } from './casualties.ts';
import { freeTextSchema, LIST_LIMITS, nameSchema, slugSchema } from '../limits.ts';
import { withAttributionRule } from '../participations/attribution.ts';
import { placeBySlug } from '../places/lookup.ts';
import { actualChanges, snapshot, updateNote } from '../revisions/changes.ts';
import { allInOrder, type Json, type Principal, type Tx } from '../service.ts';
import { resolveCitations } from '../sources/citations.ts';
import { dyadSideValues, eventKindValues, participationRoleValues } from '../vocabulary.ts';
import { withSideRule } from './dyads.ts';

export { casualtiesSchema, casualtyColumns, type Casualties } from './casualties.ts';

/** An event's columns an update may change, by the field a report of the change names (changedFields). */
export const EVENT_FIELDS: Record<string, string> = {
  title: 'title', kind: 'kind', description: 'description', dateText: 'date', dateEarliest: 'date', dateLatest: 'date', datePrecision: 'date',
  placeId: 'place', killedMin: 'killed', killedBest: 'killed', killedMax: 'killed', killedText: 'killed', killedParts: 'killed',
  woundedMin: 'wounded', woundedBest: 'wounded', woundedMax: 'wounded', woundedText: 'wounded', woundedParts: 'wounded',
};

const participantSchema = withSideRule(withAttributionRule(
  z.object({
    actor: slugSchema,
    role: z.enum(participationRoleValues),
    attributedBy: slugSchema.nullish(),
    side: z.enum(dyadSideValues).nullish(),
    confidence: confidenceSchema.nullish(),
    credibility: claimGradeSchema,
    citations: citationsSchema.nullish(),
  }),
));

const createEventSchema = z.object({
  slug: slugSchema,
  title: nameSchema,
  kind: z.enum(eventKindValues),
  description: freeTextSchema.nullish(),
  date: z.unknown().optional(),
  place: slugSchema.nullish(),
  killed: casualtiesSchema.nullish(),
  wounded: casualtiesSchema.nullish(),
  confidence: confidenceSchema,
  credibility: claimGradeSchema,
  note: freeTextSchema.nullish(),
  citations: citationsSchema,
  participants: z
    .array(participantSchema)
    .max(LIST_LIMITS.participants)
    .superRefine((list, ctx) => {
      // The same actor in the same role twice is one claim made twice, not two (another source
      // saying it too is a citation of the same participation).
      list.forEach((p, i) => {
        const first = list.findIndex((q) => q.actor === p.actor && q.role === p.role && (q.attributedBy ?? null) === (p.attributedBy ?? null));
        if (first < i) ctx.addIssue({ code: 'custom', path: [i], message: `repeats participants.${first} (${p.actor} as ${p.role}): give its citations together` });
      });
    })
    .nullish(),
  externalIds: externalIdsSchema('event').nullish(),
});
export type CreateEventInput = Omit<z.infer<typeof createEventSchema>, 'date'> & { date: FuzzyDate };

export function parseCreateEvent(raw: { date: FuzzyDateInput }): CreateEventInput {
  const input = parseInput(createEventSchema, raw);
  return { ...input, date: fuzzyDate(raw.date, ['input', 'date']) };
}

/** Adds an event, established by a cited claim, with its participants. */
export async function createEvent(tx: Tx, principal: Principal, input: CreateEventInput) {
  // Every lookup and citation first, together (allInOrder): a problem anywhere is found before
  // anything is written, in the order of the input.
  const [, placeId, resolved, participants] = await allInOrder([
    tx.select({ id: events.id }).from(events).where(eq(events.slug, input.slug)).then(([taken]) => {
      if (taken) throw new ConflictError(`an event "${input.slug}" exists already`, ['input', 'slug']);
    }),
    input.place != null ? placeBySlug(tx, input.place, ['input', 'place']).then((place) => place.id) : Promise.resolve(null),
    resolveEvidence(tx, input),
    allInOrder((input.participants ?? []).map((p, i) => {
      const at = ['input', 'participants', String(i)];
      return allInOrder([
        actorIdBySlug(tx, p.actor, [...at, 'actor']),
        p.attributedBy != null ? actorIdBySlug(tx, p.attributedBy, [...at, 'attributedBy']) : Promise.resolve(null),
        p.citations ? resolveCitations(tx, p.citations, [...at, 'citations']) : Promise.resolve(null),
      ]);
    })),
  ]);
  const { claimId, citationIds, recordId: eventId } = await recordCitedClaim(tx, principal, 'EVENT_REPORT', input, input.note, {
    resolved,
    establishes: (claimId) => ({
      insert: tx
        .insert(events)
        .values({
          slug: input.slug,
          title: input.title,
          kind: input.kind,
          description: input.description ?? null,
          ...eventDateColumns(input.date),
          placeId,
          ...casualtyColumns('killed', input.killed ?? null),
          ...casualtyColumns('wounded', input.wounded ?? null),
          claimId,
        })
        .returning({ id: events.id }),
      returnsId: true,
    }),
  });
  if (eventId === null) throw new Error('insert into events returned no row');
  const [, recorded] = await allInOrder([
    storeExternalIds(tx, principal, 'event', eventId, input.externalIds),
    allInOrder((input.participants ?? []).map(async (p, i): Promise<Json> => {
      const [actorId, attributedById, ownCitations] = participants[i]!;
      const { claimId: participationId } = await recordClaimEstablishing(
        tx,
        { kind: 'PARTICIPATION', confidence: p.confidence ?? input.confidence, credibility: p.credibility ?? input.credibility, recordedBy: principal.name, citationIds: ownCitations ?? citationIds },
        (claimId) => ({ insert: tx.insert(participations).values({ claimId, eventId, actorId, role: p.role, attributedById, side: p.side ?? null }) }),
      );
      return { claimId: participationId, actor: p.actor, role: p.role };
    })),
  ]);
  return { event: { id: eventId, slug: input.slug }, claimId, citationIds, participations: recorded } satisfies Json;
}

const updateEventSchema = z.object({
  slug: slugSchema,
  title: nameSchema.nullish(),
  kind: z.enum(eventKindValues).nullish(),
  description: freeTextSchema.nullish(),
  date: z.unknown().optional(),
  place: slugSchema.nullish(),
  killed: casualtiesSchema.nullish(),
  wounded: casualtiesSchema.nullish(),
  confidence: confidenceSchema,
  note: freeTextSchema.nullish(),
  citations: citationsSchema,
});
export type UpdateEventInput = Omit<z.infer<typeof updateEventSchema>, 'date'> & { date: FuzzyDate | undefined };

export function parseUpdateEvent(raw: { date?: FuzzyDateInput | null }): UpdateEventInput {
  const input = parseInput(updateEventSchema, raw);
  return { ...input, date: raw.date ? fuzzyDate(raw.date, ['input', 'date']) : undefined };
}

/**
 * Changes an event, backed by a cited claim; the old values stay readable as a revision.
 * `evidence`: the input's citations and place, when the caller resolved them already (updateEvents
 * resolves them once for all its events).
 */
export async function updateEvent(tx: Tx, principal: Principal, input: UpdateEventInput, evidence?: { citationIds: number[]; placeId: number | null }) {
  const [before, placeId, resolved] = await allInOrder([
    tx.select().from(events).where(eq(events.slug, input.slug)).for('update').then(([row]) => {
      if (!row) throw new NotFoundError(`no event "${input.slug}"`, ['input', 'slug']);
      return row;
    }),
    evidence ? Promise.resolve(evidence.placeId) : input.place != null ? placeBySlug(tx, input.place, ['input', 'place']).then((place) => place.id) : Promise.resolve(null),
    evidence ? Promise.resolve(evidence.citationIds) : resolveEvidence(tx, input),
  ]);
  const changes = actualChanges(before, {
    ...(input.title != null ? { title: input.title } : {}),
    ...(input.kind != null ? { kind: input.kind } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.date ? eventDateColumns(input.date) : {}),
    ...(input.place !== undefined ? { placeId } : {}),
    ...casualtyColumns('killed', input.killed),
    ...casualtyColumns('wounded', input.wounded),
  });
  const { claimId, citationIds } = await recordCitedClaim(tx, principal, 'EVENT_REPORT', input, input.note ?? updateNote(`event ${before.slug}`, changes), { resolved });
  const [after] = await tx.update(events).set({ ...changes, revisionClaimId: claimId }).where(eq(events.id, before.id)).returning();
  if (!after) throw new Error('update of events returned no row');
  return { event: { id: before.id, slug: before.slug }, claimId, citationIds, before: snapshot(before), after: snapshot(after) } satisfies Json;
}
