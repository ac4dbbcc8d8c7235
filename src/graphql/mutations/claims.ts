/**
 * Claims linking records: an actor's part in an event, a relationship between two actors, an
 * actor's adherence to a doctrine. Each is a new cited claim; a claim that contradicts another
 * (two sources disagree) is stored beside it, never over it. The rules are the domain's
 * (src/domain/participations, src/domain/relationships, src/domain/doctrines).
 */
import { addAdherence, parseAddAdherence } from '../../domain/doctrines/adherences.ts';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { addParticipation, parseAddParticipation } from '../../domain/participations/participations.ts';
import { addRelationship, parseAddRelationship } from '../../domain/relationships/relationships.ts';
import type { AdherenceRow, ParticipationRow, RelationshipRow } from '../loaders/claims.ts';
import { builder } from '../builder.ts';
import { Adherence } from '../types/adherence.ts';
import { Participation } from '../types/participation.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { Relationship } from '../types/relationship.ts';
import { DyadSideEnum, ParticipationRoleEnum, RelationshipTypeEnum, SIDE_INPUT_DESCRIPTION } from '../types/vocabulary.ts';
import { CitationInput, CREDIBILITY_INPUT_DESCRIPTION, END_INPUT_DESCRIPTION, FuzzyDateInput, idempotencyKeyArg, idempotencyKeyField, recordAnswer, runService, START_INPUT_DESCRIPTION } from './common.ts';

const AddParticipationInput = builder.inputType('AddParticipationInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    event: t.string({ required: true, description: 'Slug of the event.' }),
    actor: t.string({ required: true, description: 'Slug of the actor.' }),
    role: t.field({ type: ParticipationRoleEnum, required: true, description: 'The actor’s part in the event.' }),
    attributedBy: t.string({ description: 'For ATTRIBUTED (only): slug of who attributed it.' }),
    side: t.field({ type: DyadSideEnum, description: SIDE_INPUT_DESCRIPTION }),
    confidence: t.int({ required: true, description: 'How sure the cited sources make the claim, 0–100 (an analyst’s judgement, not a probability).' }),
    credibility: t.int({ description: CREDIBILITY_INPUT_DESCRIPTION }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
  }),
});

const AddRelationshipInput = builder.inputType('AddRelationshipInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    from: t.string({ required: true, description: 'Slug of the actor the relationship goes from.' }),
    type: t.field({ type: RelationshipTypeEnum, required: true, description: 'How the `from` actor relates to the `to` actor.' }),
    to: t.string({ required: true, description: 'Slug of the actor it goes to.' }),
    start: t.field({ type: FuzzyDateInput, description: START_INPUT_DESCRIPTION }),
    end: t.field({ type: FuzzyDateInput, description: END_INPUT_DESCRIPTION }),
    confidence: t.int({ required: true, description: 'How sure the cited sources make the claim, 0–100 (an analyst’s judgement, not a probability).' }),
    credibility: t.int({ description: CREDIBILITY_INPUT_DESCRIPTION }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
  }),
});

const AddAdherenceInput = builder.inputType('AddAdherenceInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    actor: t.string({ required: true, description: 'Slug of the actor.' }),
    doctrine: t.string({ required: true, description: 'Slug of the doctrine it follows.' }),
    start: t.field({ type: FuzzyDateInput, description: START_INPUT_DESCRIPTION }),
    end: t.field({ type: FuzzyDateInput, description: END_INPUT_DESCRIPTION }),
    confidence: t.int({ required: true, description: 'How sure the cited sources make the claim, 0–100 (an analyst’s judgement, not a probability).' }),
    credibility: t.int({ description: CREDIBILITY_INPUT_DESCRIPTION }),
    note: t.string({ description: 'The analyst’s note on the claim (at most 10,000 characters): how the sources support it.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citations: t.field({ type: [CitationInput], required: true, description: 'At least one.' }),
  }),
});

builder.mutationFields((t) => ({
  addParticipation: t.field({
    type: Participation,
    description: 'Claims that an actor took part in an event in a role. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: AddParticipationInput, required: true, description: 'The actor, the event, the role, and the cited claim.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'addParticipation', args, addParticipation, parseAddParticipation(args.input));
      return recordAnswer<ParticipationRow>(info, 'claimId', result.claimId);
    },
  }),
  addRelationship: t.field({
    type: Relationship,
    description: 'Claims a typed relationship FROM → TO between two actors. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: AddRelationshipInput, required: true, description: 'The two actors, how they relate, and the cited claim.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'addRelationship', args, addRelationship, parseAddRelationship(args.input));
      return recordAnswer<RelationshipRow>(info, 'claimId', result.claimId);
    },
  }),
  addAdherence: t.field({
    type: Adherence,
    description: 'Claims that an actor follows a doctrine. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: AddAdherenceInput, required: true, description: 'The actor, the doctrine, and the cited claim.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'addAdherence', args, addAdherence, parseAddAdherence(args.input));
      return recordAnswer<AdherenceRow>(info, 'claimId', result.claimId);
    },
  }),
}));
