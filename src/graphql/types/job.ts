/** Jobs (src/domain/jobs/): long writes the client starts and then polls. Role: analyst to read. */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { jobs } from '../../db/schema.ts';
import type { JobRow } from '../../domain/jobs/jobs.ts';
import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { anyInt, inKeyOrder } from '../loaders/batch.ts';

async function jobsById(db: Database, ids: readonly number[]): Promise<(JobRow | null)[]> {
  const rows = await db.select().from(jobs).where(sql`${jobs.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (row) => row.id);
}

const JobStatus = builder.enumType('JobStatus', {
  description: 'Where a job is.',
  values: {
    QUEUED: { description: 'Waiting for a server to take it.' },
    RUNNING: { description: 'A server is running it: see progress and stage. If that server stops, another takes the job over within 30 s.' },
    SUCCEEDED: { description: 'Done: see result.' },
    FAILED: { description: 'Stopped: see error. What it was writing was rolled back.' },
  } as const,
});

export const Job = builder.loadableNode('Job', {
  description: 'A long write running in the background (startMergeActors, startUpdateEvents, startGradeSources): poll it until it has SUCCEEDED or FAILED. Role: analyst (also through `node`).',
  authScopes: { analyst: true },
  id: { resolve: (row: JobRow) => row.id, parse: parseNumericId },
  load: (ids: number[], ctx) => jobsById(ctx.db, ids),
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'What the job does: "mergeActors" or "updateEvents".' }),
    input: t.expose('input', { type: 'JSON', description: 'What it was started with.' }),
    status: t.field({ type: JobStatus, description: 'Where it is.', resolve: (row) => row.status }),
    progress: t.exposeFloat('progress', { description: 'How far it is, 0–1.' }),
    stage: t.exposeString('stage', { nullable: true, description: 'What it is doing now, in words; null before it starts.' }),
    result: t.expose('result', { type: 'JSON', nullable: true, description: 'What it did, once SUCCEEDED: for a merge, the actors, the kept actor’s participations after it, and how long the merge and the summaries took (ms); for a bulk update, the events changed and unchanged (those that had the values already), and how long the update and the summaries took (ms).' }),
    error: t.exposeString('error', { nullable: true, description: 'Why it FAILED; null otherwise.' }),
    requestedBy: t.exposeString('requestedBy', { description: 'Who started it: token:<name>.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was queued.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'When a server began it (the latest run, when it ran more than once).' }),
    attempts: t.exposeInt('attempts', { description: 'How many times a server took it: more than 1 when a server stopped while running it and another took it over (its unfinished write was rolled back). After 3 the job FAILED.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it SUCCEEDED or FAILED.' }),
  }),
});

builder.queryField('job', (t) =>
  t.field({
    type: Job,
    nullable: true,
    description: 'A job by its id (as startMergeActors, startUpdateEvents or startGradeSources returned it); null when there is none. Role: analyst.',
    authScopes: { analyst: true },
    args: { id: t.arg.globalID({ required: true, description: 'The job’s global id.' }) },
    resolve: (_root, args) => (args.id.typename === 'Job' ? Number(args.id.id) : null),
  }),
);
