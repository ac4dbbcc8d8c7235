/**
 * mergeActors folds a duplicate into the actor kept, in the request (the rule:
 * src/domain/merges/merge-actors.ts); startMergeActors does the same as a job the client polls
 * (`job(id:)`, or `node`), for actors too big to merge and summarize within a request.
 */
import { enqueueJob } from '../../domain/jobs/jobs.ts';
import { mergeableActors, mergeActors, mergeActorsSchema } from '../../domain/merges/merge-actors.ts';
import { MERGE_ACTORS_JOB } from '../../domain/merges/merge-job.ts';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { parseInput } from '../../writes/validate.ts';
import { builder } from '../builder.ts';
import { Actor } from '../types/actor.ts';
import { Job } from '../types/job.ts';
import { WRITE_ERRORS } from '../types/problems.ts';
import { idempotencyKeyArg, idempotencyKeyField, write } from './common.ts';


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
    resolve: async (_root, args, ctx) => {
      const input = parseInput(mergeActorsSchema, args.input);
      const { result } = await write(ctx, 'mergeActors', args, (tx, principal) => mergeActors(tx, principal, input));
      return result.keep.id;
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
      const input = parseInput(mergeActorsSchema, args.input);
      // Refused now when it would be refused when it runs (the job checks again, under its lock).
      await mergeableActors(ctx.db, input, { lock: false });
      const { result } = await write(ctx, 'startMergeActors', args, async (tx, principal) => {
        const job = await enqueueJob(tx, principal.name, MERGE_ACTORS_JOB, { keep: input.keep, remove: input.remove, reason: input.reason });
        return { job: job.id };
      });
      return result.job;
    },
  }),
);
