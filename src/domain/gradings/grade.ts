/**
 * Grading anew: an analyst changes a source's Admiralty reliability (A–F) or a claim's information
 * credibility (1–6) after it was recorded — a source that proved unreliable, a claim other sources
 * now confirm — saying why. Each grading is kept (source_gradings, claim_gradings: from what, to
 * what, why, who, when); the database applies it and refuses a grade changed any other way
 * (src/db/sql/grades.sql). What a claim states, its confidence and its citations stay as recorded.
 *
 * Live reads use the current grades; reads `asOf` a past time see the grades as they stood then
 * (claimGradesAs), so an earlier dashboard is reproduced exactly.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { claims, sources } from '../../db/schema.ts';
import { claimIdOf } from '../claims/claim-ids.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { credibilitySchema, reliabilitySchema, type SourceReliability } from '../grades.ts';
import { parseInput, reasonSchema } from '../input.ts';
import { NothingToChangeError } from '../revisions/changes.ts';
import type { Json, Principal, Tx } from '../service.ts';

/**
 * A grade that must be given but may be null: null withdraws a grade given by mistake (ungraded
 * counts as F or 6 wherever a floor is asked for); left out, it is an error, not a withdrawal.
 */
export function givenGrade<T extends z.ZodType<unknown, NonNullable<unknown>>>(grade: T, what: string) {
  return z
    .unknown()
    .refine((value) => value !== undefined, `required: ${what}, or null to withdraw the grade`)
    .pipe(grade.nullable());
}

const gradeSourceSchema = z.object({ source: z.string(), reliability: givenGrade(reliabilitySchema, 'a grade A–F'), reason: reasonSchema });
export type GradeSourceInput = z.infer<typeof gradeSourceSchema>;

export function parseGradeSource(raw: unknown): GradeSourceInput {
  return parseInput(gradeSourceSchema, raw);
}

const gradeClaimSchema = z.object({ claim: z.string(), credibility: givenGrade(credibilitySchema, 'a grade 1–6'), reason: reasonSchema });
export type GradeClaimInput = z.infer<typeof gradeClaimSchema>;

export function parseGradeClaim(raw: unknown): GradeClaimInput {
  return parseInput(gradeClaimSchema, raw);
}

/** Gives a source a new reliability grade, with the reason. */
export async function gradeSource(tx: Tx, principal: Principal, input: GradeSourceInput) {
  // Locked until commit, so a grading given at the same time applies after this one, not over it.
  const [source] = await tx.select({ id: sources.id, reliability: sources.reliability }).from(sources).where(eq(sources.slug, input.source)).for('update');
  if (!source) throw new NotFoundError(`no source "${input.source}"`, ['input', 'source']);
  if (source.reliability === input.reliability) throw new NothingToChangeError(`source "${input.source}" is already ${input.reliability === null ? 'ungraded' : `graded ${input.reliability}`}`, ['input', 'reliability']);
  const rows = await tx.execute(sql`
    insert into source_gradings (source_id, reliability, reason, graded_by)
    values (${source.id}, ${input.reliability}::source_reliability, ${input.reason}, ${principal.name})
    returning id, previous, to_json(graded_at) #>> '{}' as "gradedAt"`);
  const grading = rows[0] as { id: number; previous: SourceReliability | null; gradedAt: string } | undefined;
  if (!grading) throw new Error('insert into source_gradings returned no row');
  return {
    grading: { id: grading.id, sourceId: source.id, previous: grading.previous, reliability: input.reliability, reason: input.reason, gradedBy: principal.name, gradedAt: grading.gradedAt },
  } satisfies Json;
}

/** Gives a claim a new information-credibility grade, with the reason. */
export async function gradeClaim(tx: Tx, principal: Principal, input: GradeClaimInput) {
  const claimId = await claimIdOf(tx, input.claim, ['input', 'claim']);
  const [claim] = await tx.select({ credibility: claims.credibility, retractedAt: claims.retractedAt }).from(claims).where(eq(claims.id, claimId)).for('update');
  if (!claim) throw new NotFoundError(`no claim ${input.claim}`, ['input', 'claim']);
  if (claim.retractedAt !== null) throw new ConflictError(`claim ${input.claim} was retracted at ${claim.retractedAt.toISOString()}; a retracted claim is not graded again`, ['input', 'claim']);
  if (claim.credibility === input.credibility) throw new NothingToChangeError(`claim ${input.claim} is already ${input.credibility === null ? 'ungraded' : `graded ${input.credibility}`}`, ['input', 'credibility']);
  const rows = await tx.execute(sql`
    insert into claim_gradings (claim_id, credibility, reason, graded_by)
    values (${claimId}, ${input.credibility}, ${input.reason}, ${principal.name})
    returning id, previous, to_json(graded_at) #>> '{}' as "gradedAt"`);
  const grading = rows[0] as { id: number; previous: number | null; gradedAt: string } | undefined;
  if (!grading) throw new Error('insert into claim_gradings returned no row');
  return {
    grading: { id: grading.id, claimId, claim: input.claim, previous: grading.previous, credibility: input.credibility, reason: input.reason, gradedBy: principal.name, gradedAt: grading.gradedAt },
  } satisfies Json;
}
