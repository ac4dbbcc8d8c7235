/**
 * A bulk update of events as a job: the change to every event (updateEvents, one transaction
 * through runWrite, audit entry and all), then the dashboard summaries it makes stale brought up
 * to date, with progress. The job's connection has no request deadline.
 */
import { sql } from 'drizzle-orm';
import { checkUpdateEvents, parseUpdateEvents, updateEvents, type UpdateEventsInput } from '../domain/events/update-events.ts';
import { enqueueJob, type JobHandler } from '../domain/jobs/jobs.ts';
import type { Principal, Tx } from '../domain/service.ts';
import { drainSummariesWithProgress } from './job-summaries.ts';
import { runWrite } from './transaction.ts';

export const UPDATE_EVENTS_JOB = 'updateEvents';

/** The write that starts the job: refused now for what the job would refuse, else a queued job in the caller's transaction. */
export async function startUpdateEventsJob(tx: Tx, principal: Principal, input: UpdateEventsInput): Promise<{ job: number }> {
  await checkUpdateEvents(tx, input);
  const job = await enqueueJob(tx, principal.name, UPDATE_EVENTS_JOB, input);
  return { job: job.id };
}

export const updateEventsJob: JobHandler = async (db, job, report) => {
  const input = parseUpdateEvents(job.input);
  const principal: Principal = { name: job.requestedBy, role: 'analyst', tokenId: null };
  const total = input.events.length;
  await report(0.02, `updating ${total} events`);
  const started = performance.now();
  const { result } = await runWrite({ db, principal, operation: 'updateEvents', input, idempotencyKey: `job:${job.id}`, requestId: `job:${job.id}` }, async (tx) => {
    // The API's statement timeout does not bound a job.
    await tx.execute(sql`set local statement_timeout = 0`);
    return updateEvents(tx, principal, input, (done) => report(0.02 + 0.6 * (done / total), `updated ${done} of ${total} events`));
  });
  const updateMs = Math.round(performance.now() - started);
  const summariesMs = await drainSummariesWithProgress(db, report, 0.65);
  return { ...result, updateMs, summariesMs };
};
