/** Adherence claims: an actor follows a doctrine, from and until when if the source says. */
import { z } from 'zod';
import { adherences } from '../../db/schema.ts';
import { actorIdBySlug } from '../actors/lookup.ts';
import { recordCitedClaim, resolveEvidence } from '../claims/cited.ts';
import { validTime, validTimeColumns, type ValidTime, type ValidTimeInput } from '../dates.ts';
import { citationsSchema, claimGradeSchema, confidenceSchema, parseInput } from '../input.ts';
import { freeTextSchema, slugReferenceSchema } from '../limits.ts';
import { allInOrder, type Json, type Principal, type Tx } from '../service.ts';
import { doctrineIdBySlug } from './lookup.ts';

const addAdherenceSchema = z.object({
  actor: slugReferenceSchema,
  doctrine: slugReferenceSchema,
  start: z.unknown().optional(),
  end: z.unknown().optional(),
  confidence: confidenceSchema,
  credibility: claimGradeSchema,
  note: freeTextSchema.nullish(),
  citations: citationsSchema,
});
export type AddAdherenceInput = Omit<z.infer<typeof addAdherenceSchema>, 'start' | 'end'> & ValidTime;

export function parseAddAdherence(raw: ValidTimeInput): AddAdherenceInput {
  const input = parseInput(addAdherenceSchema, raw);
  return { ...input, ...validTime(raw, ['input']) };
}

/** Claims that an actor follows a doctrine. */
export async function addAdherence(tx: Tx, principal: Principal, input: AddAdherenceInput) {
  const [actorId, doctrineId, resolved] = await allInOrder([
    actorIdBySlug(tx, input.actor, ['input', 'actor']),
    doctrineIdBySlug(tx, input.doctrine, ['input', 'doctrine']),
    resolveEvidence(tx, input),
  ]);
  const { claimId, citationIds } = await recordCitedClaim(tx, principal, 'ADHERENCE', input, input.note, {
    resolved,
    establishes: (claimId) => ({ insert: tx.insert(adherences).values({ claimId, actorId, doctrineId, ...validTimeColumns(input) }) }),
  });
  return { claimId, actor: input.actor, doctrine: input.doctrine, citationIds } satisfies Json;
}
