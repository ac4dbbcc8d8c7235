/** Adherence claims: an actor follows a doctrine. */
import { z } from 'zod';
import { adherences } from '../../db/schema.ts';
import { actorIdBySlug } from '../actors/lookup.ts';
import { recordCitedClaim } from '../claims/cited.ts';
import { citationsSchema, confidenceSchema, parseInput } from '../input.ts';
import { freeTextSchema, slugReferenceSchema } from '../limits.ts';
import type { Json, Principal, Tx } from '../service.ts';
import { doctrineIdBySlug } from './lookup.ts';

const addAdherenceSchema = z.object({
  actor: slugReferenceSchema,
  doctrine: slugReferenceSchema,
  confidence: confidenceSchema,
  note: freeTextSchema.nullish(),
  citations: citationsSchema,
});
export type AddAdherenceInput = z.infer<typeof addAdherenceSchema>;

export function parseAddAdherence(raw: unknown): AddAdherenceInput {
  return parseInput(addAdherenceSchema, raw);
}

/** Claims that an actor follows a doctrine. */
export async function addAdherence(tx: Tx, principal: Principal, input: AddAdherenceInput) {
  const actorId = await actorIdBySlug(tx, input.actor, ['input', 'actor']);
  const doctrineId = await doctrineIdBySlug(tx, input.doctrine, ['input', 'doctrine']);
  const { claimId, citationIds } = await recordCitedClaim(tx, principal, 'ADHERENCE', input);
  await tx.insert(adherences).values({ claimId, actorId, doctrineId });
  return { claimId, actor: input.actor, doctrine: input.doctrine, citationIds } satisfies Json;
}
