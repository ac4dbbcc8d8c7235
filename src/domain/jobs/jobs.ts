/**
 * Jobs: writes too long for a request (a merge of two actors with tens of thousands of events
 * each, and the summaries it makes stale) run in the background, and the client polls the job's
 * status, progress and result. A job is a row in `jobs`, written by the request that starts it;
 * every server process runs a JobRunner that takes queued jobs with FOR UPDATE SKIP LOCKED (as the
 * summary drainers take their keys), so any instance may run any job, and two never run one.
 *
 * Not a queue library: the current graphile-worker (0.18) and pg-boss (12) need Node 22, their
 * Node 20 versions are superseded majors, and both bring the `pg` driver and pool beside the
 * `postgres` one the app uses, so a job could not share the app's write path (runWrite: audit
 * entry, principal, idempotency) and tests. What a job needs here — a row, a claim that skips
 * rows others hold, progress updates — is a few statements.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { jobs } from '../../db/schema.ts';
import { PollingLoop, type PollingLoopOptions } from '../../db/polling-loop.ts';

export type JobRow = typeof jobs.$inferSelect;
export type JobResult = { [key: string]: unknown };

/** Reports how far a job is: `progress` 0–1 and what it is doing. */
export type ReportProgress = (progress: number, stage: string) => Promise<void>;

export type JobHandler = (db: Database, job: JobRow, report: ReportProgress) => Promise<JobResult>;

/** Queues a job in the caller's transaction (so a refused write queues nothing). */
export async function enqueueJob(db: Pick<Database, 'insert'>, requestedBy: string, kind: string, input: JobResult): Promise<JobRow> {
  const [row] = await db.insert(jobs).values({ kind, input, requestedBy }).returning();
  if (!row) throw new Error('insert into jobs returned no row');
  return row;
}

/**
 * How a runner holds a job: it renews the job's heartbeat every `leaseMs / 3` while it runs it. A
 * RUNNING job whose heartbeat is older than `leaseMs` lost its runner (the process died or was
 * killed; its write rolled back with its connection), and any runner takes it again, up to
 * `maxAttempts` runs in all; then it fails with the reason.
 */
export interface JobLease {
  leaseMs: number;
  maxAttempts: number;
}

export const DEFAULT_JOB_LEASE: JobLease = { leaseMs: 30_000, maxAttempts: 3 };

/**
 * Takes the oldest queued (or abandoned) job no other runner holds and runs it to the end.
 * Returns false when there was none. A handler that throws fails the job with its message; the
 * write it was doing rolled back with its own transaction.
 */
export async function runNextJob(db: Database, handlers: Record<string, JobHandler>, lease: JobLease = DEFAULT_JOB_LEASE): Promise<boolean> {
  const kinds = sql.param(Object.keys(handlers));
  const stale = sql`status = 'RUNNING' and heartbeat_at < clock_timestamp() - make_interval(secs => ${lease.leaseMs / 1000})`;
  await db.execute(sql`
    update jobs set status = 'FAILED', finished_at = clock_timestamp(),
           error = 'the server running it stopped ' || attempts || ' times before it finished'
     where ${stale} and attempts >= ${lease.maxAttempts} and kind = any(${kinds}::text[])`);
  const [job] = await db.execute<JobRow & Record<string, unknown>>(sql`
    update jobs set status = 'RUNNING', started_at = clock_timestamp(), heartbeat_at = clock_timestamp(),
           attempts = attempts + 1, progress = 0, stage = 'started'
     where id = (select id from jobs where (status = 'QUEUED' or ${stale}) and kind = any(${kinds}::text[])
                  order by id for update skip locked limit 1)
    returning id, kind, input, status, progress, stage, result, error, requested_by as "requestedBy",
              created_at as "createdAt", started_at as "startedAt", finished_at as "finishedAt",
              heartbeat_at as "heartbeatAt", attempts`);
  if (!job) return false;
  // Every statement about the job from here names this attempt: a runner that was only frozen
  // past its lease, while another took the job over, cannot overwrite the other's outcome.
  const mine = sql`id = ${job.id} and attempts = ${job.attempts}`;
  const report: ReportProgress = async (progress, stage) => {
    await db.execute(sql`update jobs set progress = ${Math.max(0, Math.min(1, progress))}, stage = ${stage}, heartbeat_at = clock_timestamp() where ${mine}`);
  };
  const heartbeat = setInterval(() => {
    db.execute(sql`update jobs set heartbeat_at = clock_timestamp() where ${mine} and status = 'RUNNING'`).catch(() => {
      // The next beat tries again; a lease that lapses meanwhile hands the job on, as designed.
    });
  }, Math.max(10, lease.leaseMs / 3));
  try {
    const result = await handlers[job.kind]!(db, job, report);
    await db.execute(sql`
      update jobs set status = 'SUCCEEDED', progress = 1, stage = 'done', result = ${JSON.stringify(result)}::jsonb, finished_at = clock_timestamp()
       where ${mine}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.execute(sql`update jobs set status = 'FAILED', error = ${message}, finished_at = clock_timestamp() where ${mine}`);
  } finally {
    clearInterval(heartbeat);
  }
  return true;
}

export type JobRunnerOptions = PollingLoopOptions & { lease?: JobLease };

/** A loop in the server process running queued jobs one at a time; `stop()` ends it after the job in progress. */
export class JobRunner extends PollingLoop {
  constructor(db: Database, handlers: Record<string, JobHandler>, options: JobRunnerOptions) {
    super(() => runNextJob(db, handlers, options.lease), options);
  }
}
