/**
 * Retracting a claim marks it retracted (Wikidata's deprecated rank) with a reason and a citation
 * that justifies it. Nothing is deleted: default reads hide the claim, `includeRetracted` shows
 * it, and reads `asOf` a time before the retraction answer as they did then. Final: a retraction
 * cannot be undone or edited.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { actorRevisions, actors, adherences, claims, doctrines, eventRevisions, events, participations, relationships, actorNames } from '../../db/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { parseGlobalId } from '../global-ids.ts';
import { citationInputSchema, parseInput, reasonSchema } from '../input.ts';
import type { Principal, Tx } from '../service.ts';
import { resolveCitations } from '../sources/citations.ts';

const retractClaimSchema = z.object({ claim: z.string(), reason: reasonSchema, citation: citationInputSchema });
export type RetractClaimInput = z.infer<typeof retractClaimSchema>;

export function parseRetractClaim(raw: unknown): RetractClaimInput {
  return parseInput(retractClaimSchema, raw);
}

/** The claim id a global id stands for: of a claim, or of the record a claim establishes. */
async function claimIdOf(tx: Tx, globalId: string): Promise<number> {
  const path = ['input', 'claim'];
  const decoded = parseGlobalId(globalId);
  if (!decoded) throw new ValidationError(`"${globalId}" is not a valid global ID`, path);
  const id = Number(decoded.id);
  const establishing = { Event: events, Actor: actors, Doctrine: doctrines } as const;
  // A claim id names a claim of its own type only: a Relationship id carrying an adherence's claim
  // id must not retract the adherence.
  const ofType = {
    Relationship: sql`select 1 from ${relationships} where claim_id = ${id}`,
    Participation: sql`select 1 from ${participations} where claim_id = ${id}`,
    Adherence: sql`select 1 from ${adherences} where claim_id = ${id}`,
    ActorName: sql`select 1 from ${actorNames} where claim_id = ${id}`,
    // An update claim: retracting it marks it wrong; the values it set stay until another update.
    UpdateClaim: sql`select 1 from ${actorRevisions} where superseded_by_claim_id = ${id}
                     union all select 1 from ${eventRevisions} where superseded_by_claim_id = ${id}`,
  } as const;
  switch (decoded.typename) {
    case 'Relationship':
    case 'Participation':
    case 'Adherence':
    case 'ActorName':
    case 'UpdateClaim': {
      const found = await tx.execute(sql`select exists (${ofType[decoded.typename]}) as found`);
      if (!(found[0] as { found?: boolean } | undefined)?.found) throw new NotFoundError(`no ${decoded.typename} ${globalId}`, path);
      return id;
    }
    case 'Event':
    case 'Actor':
    case 'Doctrine': {
      const table = establishing[decoded.typename];
      const [row] = await tx.select({ claimId: table.claimId }).from(table).where(eq(table.id, id));
      if (!row) throw new NotFoundError(`no ${decoded.typename} ${globalId}`, path);
      return row.claimId;
    }
    default:
      throw new ValidationError(`a ${decoded.typename} is not a claim and cannot be retracted`, path);
  }
}

/** Marks a claim retracted, with a reason and a citation. */
export async function retractClaim(tx: Tx, principal: Principal, input: RetractClaimInput) {
  const claimId = await claimIdOf(tx, input.claim);
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
