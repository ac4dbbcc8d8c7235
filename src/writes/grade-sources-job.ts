/**
 * Grading many sources as a job: every source a dataset or publisher names given the new grade
 * (gradeSources, one transaction through runWrite, audit entry and all), then the dashboard
 * summaries the new grades move brought up to date, with progress. A dataset of 100,000 rows
 * regrades the claims of every row, which no request deadline allows.
 */
import { sql } from 'drizzle-orm';
import { checkGradeSources, gradeSources, parseGradeSources, type GradeSourcesInput } from '../domain/gradings/grade-sources.ts';
import { enqueueJob, type JobHandler } from '../domain/jobs/jobs.ts';
import type { Principal, Tx } from '../domain/service.ts';
import { drainSummariesWithProgress } from './job-summaries.ts';
import { runWrite } from './transaction.ts';

export const GRADE_SOURCES_JOB = 'gradeSources';

/** The write that starts the job: refused now for what the job would refuse, else a queued job in the caller's transaction. */
export async function startGradeSourcesJob(tx: Tx, principal: Principal, input: GradeSourcesInput): Promise<{ job: number }> {
  await checkGradeSources(tx, input);
  const job = await enqueueJob(tx, principal.name, GRADE_SOURCES_JOB, input);
  return { job: job.id };
}

export const gradeSourcesJob: JobHandler = async (db, job, report) => {
  const input = parseGradeSources(job.input);
  const principal: Principal = { name: job.requestedBy, role: 'analyst', tokenId: null };
  await report(0.02, 'grading sources');
  const started = performance.now();
  const { result } = await runWrite({ db, principal, operation: 'gradeSources', input, idempotencyKey: `job:${job.id}`, requestId: `job:${job.id}` }, async (tx) => {
    // The API's statement timeout does not bound a job.
    await tx.execute(sql`set local statement_timeout = 0`);
    return gradeSources(tx, principal, input, (done, total) => report(0.02 + 0.6 * (done / total), `graded ${done} of ${total} sources`));
  });
  const gradeMs = Math.round(performance.now() - started);
  const summariesMs = await drainSummariesWithProgress(db, report, 0.65);
  return { ...result, gradeMs, summariesMs };
};
