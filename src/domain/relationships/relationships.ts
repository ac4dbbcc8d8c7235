/** Relationship claims: how one actor relates to another (FROM → TO), from and until when if the source says. */
import { z } from 'zod';
import { relationships } from '../../db/schema.ts';
import { actorIdBySlug } from '../actors/lookup.ts';
import { recordCitedClaim, resolveEvidence } from '../claims/cited.ts';
import { validTime, validTimeColumns, type ValidTime, type ValidTimeInput } from '../dates.ts';
import { ValidationError } from '../errors.ts';
import { citationsSchema, claimGradeSchema, confidenceSchema, parseInput } from '../input.ts';
import { freeTextSchema, slugReferenceSchema } from '../limits.ts';
import { allInOrder, type Json, type Principal, type Tx } from '../service.ts';
import { relationshipTypeValues } from '../vocabulary.ts';

/** An actor does not relate to itself; the knowledge file's check says the same in its words. */
export const SELF_RELATIONSHIP = 'an actor cannot relate to itself';

const addRelationshipSchema = z.object({
  from: slugReferenceSchema,
  type: z.enum(relationshipTypeValues),
  to: slugReferenceSchema,
  start: z.unknown().optional(),
  end: z.unknown().optional(),
  confidence: confidenceSchema,
  credibility: claimGradeSchema,
  note: freeTextSchema.nullish(),
  citations: citationsSchema,
});
export type AddRelationshipInput = Omit<z.infer<typeof addRelationshipSchema>, 'start' | 'end'> & ValidTime;

export function parseAddRelationship(raw: ValidTimeInput): AddRelationshipInput {
  const input = parseInput(addRelationshipSchema, raw);
  return { ...input, ...validTime(raw, ['input']) };
}

/** Claims a typed relationship FROM → TO between two actors. */
export async function addRelationship(tx: Tx, principal: Principal, input: AddRelationshipInput) {
  const [fromActorId, toActorId, resolved] = await allInOrder([
    actorIdBySlug(tx, input.from, ['input', 'from']),
    actorIdBySlug(tx, input.to, ['input', 'to']),
    resolveEvidence(tx, input),
  ]);
  if (fromActorId === toActorId) throw new ValidationError(SELF_RELATIONSHIP, ['input', 'to']);
  const { claimId, citationIds } = await recordCitedClaim(tx, principal, 'RELATIONSHIP', input, input.note, {
    resolved,
    establishes: (claimId) => ({ insert: tx.insert(relationships).values({ claimId, type: input.type, fromActorId, toActorId, ...validTimeColumns(input) }) }),
  });
  return { claimId, from: input.from, type: input.type, to: input.to, citationIds } satisfies Json;
}
