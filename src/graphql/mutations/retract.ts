/**
 * retractClaim: marks a claim retracted with a reason and a citation; nothing is deleted. The
 * rules are the domain's (src/domain/retractions/retract-claim.ts).
 */
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { parseRetractClaim, retractClaim } from '../../domain/retractions/retract-claim.ts';
import { builder } from '../builder.ts';
import { Citation } from '../types/citation.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { CitationInput, idempotencyKeyArg, idempotencyKeyField, runService } from './common.ts';

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
        'Global id of a Relationship, Participation, Adherence, ActorName or UpdateClaim, or of an Event, Actor or Doctrine (its establishing claim).',
    }),
    reason: t.string({ required: true, description: 'Why, in words.', extensions: { maxLength: TEXT_LIMITS.text } }),
    citation: t.field({ type: CitationInput, required: true, description: 'The quote that shows the claim is wrong.' }),
  }),
});

builder.mutationField('retractClaim', (t) =>
  t.field({
    type: Retraction,
    description: 'Marks a claim retracted, with a reason and a citation. Final: a retraction cannot be undone or edited. Role: admin.',
    authScopes: { admin: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: RetractClaimInput, required: true, description: 'The claim, why it is wrong, and the quote that shows it.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx) => {
      const { result } = await runService(ctx, 'retractClaim', args, retractClaim, parseRetractClaim(args.input));
      return result;
    },
  }),
);

