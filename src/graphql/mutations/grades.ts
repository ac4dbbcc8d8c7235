/**
 * gradeSource and gradeClaim: a source's reliability or a claim's credibility given anew, with
 * the reason. The rules are the domain's (src/domain/gradings/grade.ts).
 */
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { gradeClaim, gradeSource, parseGradeClaim, parseGradeSource } from '../../domain/gradings/grade.ts';
import { parseGradeSources } from '../../domain/gradings/grade-sources.ts';
import { startGradeSourcesJob } from '../../writes/grade-sources-job.ts';
import { builder } from '../builder.ts';
import { SourceReliabilityEnum } from '../claim-filters.ts';
import { ClaimGrading, SourceGrading } from '../types/grading.ts';
import { Job } from '../types/job.ts';
import { DatasetEnum } from '../types/source.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { idempotencyKeyField, runService } from './common.ts';

const GradeSourceInput = builder.inputType('GradeSourceInput', {
  description: 'gradeSource: the source, its new reliability grade and why.',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    source: t.string({ required: true, description: 'Slug of the source.' }),
    reliability: t.field({
      type: SourceReliabilityEnum,
      description:
        'The new Admiralty grade (A completely reliable … E unreliable, F cannot be judged); it must differ from the current one. Required: null withdraws a grade given by mistake (ungraded again), leaving it out is an error.',
    }),
    reason: t.string({ required: true, description: 'Why, in words (e.g. "two of its reports proved fabricated").', extensions: { maxLength: TEXT_LIMITS.text } }),
  }),
});

builder.mutationField('gradeSource', (t) =>
  t.field({
    type: SourceGrading,
    description:
      'Grades a source’s reliability anew, with the reason: the grading is kept (`Source.gradings`), every claim cited from the source is graded by it from then on (`sourceReliability`, `minReliability` floors, dashboards), and the changes feed lists it as GRADED. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: GradeSourceInput, required: true, description: 'The source, its new grade and why.' }) },
    resolve: async (_root, args, ctx) => (await runService(ctx, 'gradeSource', args, gradeSource, parseGradeSource(args.input))).result.grading,
  }),
);

const GradeClaimInput = builder.inputType('GradeClaimInput', {
  description: 'gradeClaim: the claim, its new credibility grade and why.',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    claim: t.id({
      required: true,
      description: 'Global id of a Relationship, Participation, Adherence, ActorName or UpdateClaim, or of an Event, Actor or Doctrine (its establishing claim).',
    }),
    credibility: t.int({
      description:
        'The new Admiralty information-credibility grade, 1–6 (1 confirmed by other sources, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged); it must differ from the current one. Required: null withdraws a grade given by mistake (ungraded again), leaving it out is an error.',
    }),
    reason: t.string({ required: true, description: 'Why, in words (e.g. "confirmed by the UN monitoring team’s report").', extensions: { maxLength: TEXT_LIMITS.text } }),
  }),
});

builder.mutationField('gradeClaim', (t) =>
  t.field({
    type: ClaimGrading,
    description:
      'Grades a claim’s information credibility anew, with the reason: the grading is kept (`gradings` on the claim), `minCredibility` floors and dashboards use the new grade, and the changes feed lists it as GRADED. What the claim states, its confidence and citations stay as recorded; a retracted claim is not graded again. Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: GradeClaimInput, required: true, description: 'The claim, its new grade and why.' }) },
    resolve: async (_root, args, ctx) => (await runService(ctx, 'gradeClaim', args, gradeClaim, parseGradeClaim(args.input))).result.grading,
  }),
);

const GradeSourcesInput = builder.inputType('GradeSourcesInput', {
  description: 'startGradeSources: which sources (a dataset, a publisher, or both), their new reliability grade and why.',
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    dataset: t.field({ type: DatasetEnum, description: 'Every row of this dataset the importers stored (each row is a source).' }),
    publisher: t.string({ description: 'Every source with exactly this publisher.', extensions: { maxLength: 500 } }),
    reliability: t.field({
      type: SourceReliabilityEnum,
      description: 'The new Admiralty grade (A completely reliable … E unreliable, F cannot be judged). Required: null withdraws the grade, leaving it out is an error.',
    }),
    reason: t.string({ required: true, description: 'Why, in words (e.g. "UCDP GED: coded from multiple reports, usually reliable").', extensions: { maxLength: TEXT_LIMITS.text } }),
  }),
});

builder.mutationField('startGradeSources', (t) =>
  t.field({
    type: Job,
    description:
      'Grades many sources at once as a job (without the request deadline): every source of a dataset or publisher given the new grade, each by a grading of its own with the one reason, as gradeSource would; sources that have the grade already are left as they are. All or nothing; the dashboard summaries are brought up to date before the job SUCCEEDS. Refused at once when no source matches or every one has the grade. Poll the job with job(id:). Role: analyst.',
    authScopes: { analyst: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: GradeSourcesInput, required: true, description: 'Which sources, their new grade and why.' }) },
    resolve: async (_root, args, ctx) => (await runService(ctx, 'startGradeSources', args, startGradeSourcesJob, parseGradeSources(args.input))).result.job,
  }),
);
