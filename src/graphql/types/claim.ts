import { builder } from '../builder.ts';
import type { ClaimMeta } from '../loaders/claims.ts';
import { gradeAsSeen } from '../loaders/gradings.ts';
import type { KnowledgeView } from '../context.ts';
import { Cited } from './citation.ts';
import { CREDIBILITY_DESCRIPTION, SourceReliabilityEnum } from '../claim-filters.ts';

/** The claim's retraction as known at the view's time: one made after `asOf` is not yet known. */
function retraction(claim: ClaimMeta, view: KnowledgeView): { at: Date; reason: string | null } | null {
  if (claim.retractedAt === null) return null;
  const at = new Date(claim.retractedAt);
  if (view.asOf && at > view.asOf) return null;
  return { at, reason: claim.retractionReason };
}

/** A statement about the world drawn from a source: who recorded it, and how sure the source is. */
export const Claim = builder.interfaceRef<ClaimMeta & { claimId: number }>('Claim').implement({
  description: 'A cited statement drawn from a source.',
  interfaces: [Cited],
  fields: (t) => ({
    confidence: t.exposeInt('confidence', {
      description:
        'How sure the source is, 0–100 (the STIX 2.1 scale): 90 stated as fact, 60 "reportedly" or "appear to", 30–50 "perhaps", "potentially" or "unclear", 20 "suspicions".',
    }),
    credibility: t.int({
      nullable: true,
      description: `${CREDIBILITY_DESCRIPTION} With \`asOf\`, the grade it had then (\`gradings\` say when it changed).`,
      resolve: (claim, _args, ctx) => gradeAsSeen(ctx, claim.claimId, claim.credibility, 'credibility'),
    }),
    sourceReliability: t.field({
      type: SourceReliabilityEnum,
      nullable: true,
      description:
        'The best reliability grade among the sources the claim is cited from (what a `minReliability` floor compares); null when none of them is graded (filters count that as F). With `asOf`, as the sources were graded then.',
      resolve: (claim, _args, ctx) => gradeAsSeen(ctx, claim.claimId, claim.sourceReliability, 'sourceReliability'),
    }),
    note: t.exposeString('note', { nullable: true, description: 'Nuance of the source’s wording the structured fields cannot carry.' }),
    recordedAt: t.field({
      type: 'DateTime',
      description: 'When the claim entered the knowledge base (knowledge time, not when it held).',
      resolve: (claim) => new Date(claim.recordedAt),
    }),
    recordedBy: t.exposeString('recordedBy', { description: 'Who or what recorded it (e.g. "seed:<file>", "token:<name>").' }),
    retractedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was retracted; null while it stands. Retracted claims are shown only with includeRetracted (or asOf before the retraction).',
      resolve: (claim, _args, ctx) => retraction(claim, ctx.view)?.at ?? null,
    }),
    retractionReason: t.string({
      nullable: true,
      description: 'Why it was retracted, in the retracting analyst’s words; null while it stands (or when the view’s time is before the retraction).',
      resolve: (claim, _args, ctx) => retraction(claim, ctx.view)?.reason ?? null,
    }),
  }),
});
