/** Participation claims: an actor's part in an event, in a role. */
import { z } from 'zod';
import { participations } from '../../db/schema.ts';
import { actorIdBySlug } from '../actors/lookup.ts';
import { recordCitedClaim, resolveEvidence } from '../claims/cited.ts';
import { eventIdBySlug } from '../events/lookup.ts';
import { citationsSchema, claimGradeSchema, confidenceSchema, parseInput } from '../input.ts';
import { freeTextSchema, slugReferenceSchema } from '../limits.ts';
import { allInOrder, type Json, type Principal, type Tx } from '../service.ts';
import { withSideRule } from '../events/dyads.ts';
import { dyadSideValues, participationRoleValues } from '../vocabulary.ts';
import { withAttributionRule } from './attribution.ts';

const addParticipationSchema = withSideRule(withAttributionRule(
  z.object({
    event: slugReferenceSchema,
    actor: slugReferenceSchema,
    role: z.enum(participationRoleValues),
    attributedBy: slugReferenceSchema.nullish(),
    side: z.enum(dyadSideValues).nullish(),
    confidence: confidenceSchema,
    credibility: claimGradeSchema,
    note: freeTextSchema.nullish(),
    citations: citationsSchema,
  }),
));
export type AddParticipationInput = z.infer<typeof addParticipationSchema>;

export function parseAddParticipation(raw: unknown): AddParticipationInput {
  return parseInput(addParticipationSchema, raw);
}

/** Claims that an actor took part in an event in a role. */
export async function addParticipation(tx: Tx, principal: Principal, input: AddParticipationInput) {
  const [eventId, actorId, attributedById, resolved] = await allInOrder([
    eventIdBySlug(tx, input.event, ['input', 'event']),
    actorIdBySlug(tx, input.actor, ['input', 'actor']),
    input.attributedBy != null ? actorIdBySlug(tx, input.attributedBy, ['input', 'attributedBy']) : Promise.resolve(null),
    resolveEvidence(tx, input),
  ]);
  const { claimId, citationIds } = await recordCitedClaim(tx, principal, 'PARTICIPATION', input, input.note, {
    resolved,
    establishes: (claimId) => ({ insert: tx.insert(participations).values({ claimId, eventId, actorId, role: input.role, attributedById, side: input.side ?? null }) }),
  });
  return { claimId, event: input.event, actor: input.actor, role: input.role, citationIds } satisfies Json;
}
