/**
 * Claims linking records: an actor's part in an event, a relationship between two actors, an
 * actor's adherence to a doctrine. Each is a new cited claim; a claim that contradicts another
 * (two sources disagree) is stored beside it, never over it.
 */
import { z } from 'zod';
import { participationRoleValues, relationshipTypeValues } from '../../../seed/format.ts';
import { adherences, participations, relationships } from '../../db/schema.ts';
import { LIST_LIMITS, freeTextSchema, TEXT_LIMITS } from '../../domain/limits.ts';
import { resolveCitations } from '../../writes/citations.ts';
import { actorIdBySlug, doctrineIdBySlug, eventIdBySlug, recordClaim } from '../../writes/records.ts';
import { parseInput } from '../../writes/validate.ts';
import { builder } from '../builder.ts';
import { ValidationError } from '../errors.ts';
import { Adherence } from '../types/adherence.ts';
import { Participation } from '../types/participation.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { Relationship } from '../types/relationship.ts';
import { ParticipationRoleEnum, RelationshipTypeEnum } from '../types/vocabulary.ts';
import { CitationInput, confidenceSchema, FuzzyDateInput, fuzzyDate, idempotencyKeyArg, idempotencyKeyField, write } from './common.ts';

// Names of stored records: checked for length here, for existence by the lookups.
const slug = z.string().min(1, 'must not be empty').max(TEXT_LIMITS.slug, `must be at most ${TEXT_LIMITS.slug} characters`);
const claimFields = {
  confidence: confidenceSchema,
  note: freeTextSchema.nullish(),
  citations: z.array(z.unknown()).max(LIST_LIMITS.citations, `at most ${LIST_LIMITS.citations} citations`),
};

const AddParticipationInput = builder.inputType('AddParticipationInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    event: t.string({ required: true, description: 'Slug of the event.' }),
    actor: t.string({ required: true, description: 'Slug of the actor.' }),
    role: t.field({ type: ParticipationRoleEnum, required: true, description: 'The actor’s part in the event.' }),
    attributedBy: t.string({ description: 'For ATTRIBUTED (only): slug of who attributed it.' }),
    confidence: t.int({ required: true, description: 'How sure the cited sources make the claim, 0–100 (an analyst’s judgement, not a probability).' }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
  }),
});

const participationSchema = z
  .object({ event: slug, actor: slug, role: z.enum(participationRoleValues), attributedBy: slug.nullish(), ...claimFields })
  .refine((p) => (p.role === 'ATTRIBUTED') === (p.attributedBy != null), {
    message: 'attributedBy is required for ATTRIBUTED and only allowed there',
    path: ['attributedBy'],
  });

const AddRelationshipInput = builder.inputType('AddRelationshipInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    from: t.string({ required: true, description: 'Slug of the actor the relationship goes from.' }),
    type: t.field({ type: RelationshipTypeEnum, required: true, description: 'How the `from` actor relates to the `to` actor.' }),
    to: t.string({ required: true, description: 'Slug of the actor it goes to.' }),
    period: t.field({ type: FuzzyDateInput, description: 'When it held (valid time), if the source says.' }),
    confidence: t.int({ required: true, description: 'How sure the cited sources make the claim, 0–100 (an analyst’s judgement, not a probability).' }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
  }),
});

const relationshipSchema = z.object({ from: slug, type: z.enum(relationshipTypeValues), to: slug, period: z.unknown().optional(), ...claimFields });

const AddAdherenceInput = builder.inputType('AddAdherenceInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    actor: t.string({ required: true, description: 'Slug of the actor.' }),
    doctrine: t.string({ required: true, description: 'Slug of the doctrine it follows.' }),
    confidence: t.int({ required: true, description: 'How sure the cited sources make the claim, 0–100 (an analyst’s judgement, not a probability).' }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
  }),
});

const adherenceSchema = z.object({ actor: slug, doctrine: slug, ...claimFields });

builder.mutationFields((t) => ({
  addParticipation: t.field({
    type: Participation,
    description: 'Claims that an actor took part in an event in a role. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: AddParticipationInput, required: true, description: 'The actor, the event, the role, and the cited claim.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(participationSchema, args.input);
      const { result } = await write(ctx, 'addParticipation', args, async (tx, principal) => {
        const eventId = await eventIdBySlug(tx, input.event, ['input', 'event']);
        const actorId = await actorIdBySlug(tx, input.actor, ['input', 'actor']);
        const attributedById = input.attributedBy != null ? await actorIdBySlug(tx, input.attributedBy, ['input', 'attributedBy']) : null;
        const citationIds = await resolveCitations(tx, args.input.citations, ['input', 'citations']);
        const claimId = await recordClaim(tx, { kind: 'PARTICIPATION', confidence: input.confidence, note: input.note, recordedBy: principal.name, citationIds });
        await tx.insert(participations).values({ claimId, eventId, actorId, role: input.role, attributedById });
        return { claimId, event: input.event, actor: input.actor, role: input.role, citationIds };
      });
      return result.claimId;
    },
  }),
  addRelationship: t.field({
    type: Relationship,
    description: 'Claims a typed relationship FROM → TO between two actors. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: AddRelationshipInput, required: true, description: 'The two actors, how they relate, and the cited claim.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(relationshipSchema, args.input);
      const period = args.input.period ? fuzzyDate(args.input.period, ['input', 'period']) : null;
      const { result } = await write(ctx, 'addRelationship', args, async (tx, principal) => {
        const fromActorId = await actorIdBySlug(tx, input.from, ['input', 'from']);
        const toActorId = await actorIdBySlug(tx, input.to, ['input', 'to']);
        if (fromActorId === toActorId) throw new ValidationError('an actor cannot relate to itself', ['input', 'to']);
        const citationIds = await resolveCitations(tx, args.input.citations, ['input', 'citations']);
        const claimId = await recordClaim(tx, { kind: 'RELATIONSHIP', confidence: input.confidence, note: input.note, recordedBy: principal.name, citationIds });
        await tx.insert(relationships).values({
          claimId,
          type: input.type,
          fromActorId,
          toActorId,
          periodText: period?.text ?? null,
          periodStart: period?.earliest ?? null,
          periodEnd: period?.latest ?? null,
          periodPrecision: period?.precision ?? null,
        });
        return { claimId, from: input.from, type: input.type, to: input.to, citationIds };
      });
      return result.claimId;
    },
  }),
  addAdherence: t.field({
    type: Adherence,
    description: 'Claims that an actor follows a doctrine. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: AddAdherenceInput, required: true, description: 'The actor, the doctrine, and the cited claim.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(adherenceSchema, args.input);
      const { result } = await write(ctx, 'addAdherence', args, async (tx, principal) => {
        const actorId = await actorIdBySlug(tx, input.actor, ['input', 'actor']);
        const doctrineId = await doctrineIdBySlug(tx, input.doctrine, ['input', 'doctrine']);
        const citationIds = await resolveCitations(tx, args.input.citations, ['input', 'citations']);
        const claimId = await recordClaim(tx, { kind: 'ADHERENCE', confidence: input.confidence, note: input.note, recordedBy: principal.name, citationIds });
        await tx.insert(adherences).values({ claimId, actorId, doctrineId });
        return { claimId, actor: input.actor, doctrine: input.doctrine, citationIds };
      });
      return result.claimId;
    },
  }),
}));
