/**
 * retractClaim: marks a claim retracted (Wikidata's deprecated rank) with a reason and a citation
 * that justifies it. Nothing is deleted: default reads hide the claim, `includeRetracted` shows
 * it, and reads `asOf` a time before the retraction answer as they did then.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { actorRevisions, actors, adherences, claims, doctrines, eventRevisions, events, participations, relationships } from '../../db/schema.ts';
import { resolveCitations } from '../../writes/citations.ts';
import type { Tx } from '../../writes/transaction.ts';
import { parseInput } from '../../writes/validate.ts';
import { builder } from '../builder.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { decodeGlobalId } from '../global-id.ts';
import { Citation } from '../types/citation.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { CitationInput, idempotencyKeyArg, idempotencyKeyField, write } from './common.ts';

interface RetractionShape {
  claim: string;
  claimId: number;
  retractedAt: string;
  reason: string;
  retractedBy: string;
  citationId: number;
}

const Retraction = builder.objectRef<RetractionShape>('Retraction').implement({
  description: 'A claim marked retracted: still stored, hidden from default reads.',
  fields: (t) => ({
    claim: t.exposeID('claim', { description: 'The global id given (of the claim, or of the record it establishes).' }),
    retractedAt: t.field({ type: 'DateTime', description: 'When the retraction was recorded (transaction time); reads `asOf` an earlier time still see the claim.', resolve: (r) => new Date(r.retractedAt) }),
    reason: t.exposeString('reason', { description: 'Why the claim is wrong, in the retracting analyst’s words.' }),
    retractedBy: t.exposeString('retractedBy', { description: 'Who retracted it, named as `recordedBy` names who records claims (e.g. "token:<name>").' }),
    citation: t.field({ type: Citation, description: 'The quote that justifies the retraction.', resolve: (r) => r.citationId }),
  }),
});

const RetractClaimInput = builder.inputType('RetractClaimInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    claim: t.id({
      required: true,
      description:
        'Global id of a Relationship, Participation, Adherence or UpdateClaim, or of an Event, Actor or Doctrine (its establishing claim).',
    }),
    reason: t.string({ required: true, description: 'Why, in words.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citation: t.field({ type: CitationInput, required: true, description: 'The quote that shows the claim is wrong.' }),
  }),
});

const retractSchema = z.object({ claim: z.string(), reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(TEXT_LIMITS.text, `must be at most ${TEXT_LIMITS.text} characters`), citation: z.unknown() });

/** The claim id a global id stands for. */
async function claimIdOf(tx: Tx, globalId: string): Promise<number> {
  const path = ['input', 'claim'];
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalId(globalId);
  } catch {
    throw new ValidationError(`"${globalId}" is not a valid global ID`, path);
  }
  const id = Number(decoded.id);
  const establishing = { Event: events, Actor: actors, Doctrine: doctrines } as const;
  // A claim id names a claim of its own type only: a Relationship id carrying an adherence's claim
  // id must not retract the adherence.
  const ofType = {
    Relationship: sql`select 1 from ${relationships} where claim_id = ${id}`,
    Participation: sql`select 1 from ${participations} where claim_id = ${id}`,
    Adherence: sql`select 1 from ${adherences} where claim_id = ${id}`,
    // An update claim: retracting it marks it wrong; the values it set stay until another update.
    UpdateClaim: sql`select 1 from ${actorRevisions} where superseded_by_claim_id = ${id}
                     union all select 1 from ${eventRevisions} where superseded_by_claim_id = ${id}`,
  } as const;
  switch (decoded.typename) {
    case 'Relationship':
    case 'Participation':
    case 'Adherence':
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

builder.mutationField('retractClaim', (t) =>
  t.field({
    type: Retraction,
    description: 'Marks a claim retracted, with a reason and a citation. Final: a retraction cannot be undone or edited. Role: admin.',
    authScopes: { admin: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: RetractClaimInput, required: true, description: 'The claim, why it is wrong, and the quote that shows it.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(retractSchema, args.input);
      const { result } = await write(ctx, 'retractClaim', args, async (tx, principal) => {
        const claimId = await claimIdOf(tx, input.claim);
        const [citationId] = await resolveCitations(tx, [args.input.citation], ['input', 'citation']);
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
        const retraction: RetractionShape = {
          claim: input.claim,
          claimId,
          retractedAt: (row.retractedAt ?? new Date()).toISOString(),
          reason: input.reason,
          retractedBy: principal.name,
          citationId,
        };
        return { ...retraction };
      });
      return result;
    },
  }),
);

