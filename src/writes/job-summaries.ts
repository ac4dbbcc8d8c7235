/**
 * The last stage of a job that makes many summaries stale (a merge, a bulk update): every key
 * queued up to now, the job's own included, drained with progress, so that the job is done when
 * the dashboards show what it wrote.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { drainOnce } from '../db/summaries.ts';
import type { ReportProgress } from '../domain/jobs/jobs.ts';

/** Keys per drain call in a job: large, since the recompute is set-based and nothing waits on the call. */
const JOB_DRAIN_BATCH = 20_000;

/** Drains the summary queue, reporting progress from `from` to 1; returns the ms it took. */
export async function drainSummariesWithProgress(db: Database, report: ReportProgress, from: number): Promise<number> {
  const started = performance.now();
  const [queued] = await db.execute<{ n: number }>(sql`select count(*)::int as n from summary_queue`);
  let remaining = queued?.n ?? 0;
  const total = Math.max(remaining, 1);
  await report(from, `bringing the summaries up to date (${remaining} keys)`);
  for (;;) {
    const taken = await drainOnce(db, JOB_DRAIN_BATCH);
    const [left] = await db.execute<{ n: number }>(sql`select count(*)::int as n from summary_queue`);
    remaining = left?.n ?? 0;
    await report(from + (1 - from) * (1 - Math.min(remaining, total) / total), `bringing the summaries up to date (${remaining} keys left)`);
    if (remaining === 0) break;
    // Other drainers hold the rest: wait for them rather than spin.
    if (taken === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Math.round(performance.now() - started);
}
