/**
 * Retracting a claim marks it retracted (Wikidata's deprecated rank) with a reason and a citation
 * that justifies it. Nothing is deleted: default reads hide the claim, `includeRetracted` shows
 * it, and reads `asOf` a time before the retraction answer as they did then. Final: a retraction
 * cannot be undone or edited.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { claims } from '../../db/schema.ts';
import { claimIdOf } from '../claims/claim-ids.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { citationInputSchema, parseInput, reasonSchema } from '../input.ts';
import type { Principal, Tx } from '../service.ts';
import { resolveCitations } from '../sources/citations.ts';

const retractClaimSchema = z.object({ claim: z.string(), reason: reasonSchema, citation: citationInputSchema });
export type RetractClaimInput = z.infer<typeof retractClaimSchema>;

export function parseRetractClaim(raw: unknown): RetractClaimInput {
  return parseInput(retractClaimSchema, raw);
}

/** Marks a claim retracted, with a reason and a citation. */
export async function retractClaim(tx: Tx, principal: Principal, input: RetractClaimInput) {
  const claimId = await claimIdOf(tx, input.claim, ['input', 'claim']);
  const [citationId] = await resolveCitations(tx, [input.citation], ['input', 'citation']);
  if (citationId === undefined) throw new Error('no citation resolved');
  const [row] = await tx
    .update(claims)
    .set({ retractedAt: sql`now()`, retractionReason: input.reason, retractedBy: principal.name, retractionCitationId: citationId })
    .where(and(eq(claims.id, claimId), isNull(claims.retractedAt)))
    .returning({ retractedAt: claims.retractedAt });
  if (!row) {
    const [existing] = await tx.select({ retractedAt: claims.retractedAt }).from(claims).where(eq(claims.id, claimId));
    if (!existing) throw new NotFoundError(`no claim ${input.claim}`, ['input', 'claim']);
    throw new ConflictError(`claim ${input.claim} was already retracted at ${existing.retractedAt?.toISOString()}`, ['input', 'claim']);
  }
  return {
    claim: input.claim,
    claimId,
    retractedAt: (row.retractedAt ?? new Date()).toISOString(),
    reason: input.reason,
    retractedBy: principal.name,
    citationId,
  };
}
