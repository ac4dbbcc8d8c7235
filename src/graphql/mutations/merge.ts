/**
 * mergeActors folds a duplicate actor into the one kept without rewriting history; the rules are
 * the domain's (src/domain/merges/merge-actors.ts). startMergeActors does the same as a job the
 * client polls (job(id:)), for actors too big to merge and summarize within a request.
 */
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { mergeActors, parseMergeActors } from '../../domain/merges/merge-actors.ts';
import type { ActorRow } from '../loaders/entities.ts';
import { builder } from '../builder.ts';
import { Actor } from '../types/actor.ts';
import { Job } from '../types/job.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { startMergeActorsJob } from '../../writes/merge-job.ts';
import { idempotencyKeyArg, idempotencyKeyField, recordAnswer, runService } from './common.ts';

const MergeActorsInput = builder.inputType('MergeActorsInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    keep: t.string({ required: true, description: 'Slug of the actor that stays.' }),
    remove: t.string({ required: true, description: 'Slug of the duplicate folded into it; its slug keeps working.' }),
    reason: t.string({ required: true, description: 'Why they are the same actor.', extensions: { maxLength: TEXT_LIMITS.text } }),
  }),
});

builder.mutationField('mergeActors', (t) =>
  t.field({
    type: Actor,
    description: 'Folds a duplicate actor into another: its claims, citations and slug lead to the kept actor from now on. Role: admin.',
    authScopes: { admin: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: MergeActorsInput, required: true, description: 'The actor to keep, the duplicate to fold into it, and why.' }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: async (_root, args, ctx, info) => {
      const { result } = await runService(ctx, 'mergeActors', args, mergeActors, parseMergeActors(args.input));
      return recordAnswer<ActorRow>(info, 'id', result.keep.id);
    },
  }),
);

builder.mutationField('startMergeActors', (t) =>
  t.field({
    type: Job,
    description:
      'Starts a merge of a duplicate actor into another as a job (as mergeActors, without the request deadline), and brings the dashboard summaries up to date after it. Poll the job with job(id:) for its progress and result. Role: admin.',
    authScopes: { admin: true },
    errors: { types: WRITE_ERRORS },
    args: { input: t.arg({ type: MergeActorsInput, required: true, description: 'The actor to keep, the duplicate to fold into it, and why.' }) },
    resolve: async (_root, args, ctx) => {
      const { result } = await runService(ctx, 'startMergeActors', args, startMergeActorsJob, parseMergeActors(args.input));
      return result.job;
    },
  }),
);
