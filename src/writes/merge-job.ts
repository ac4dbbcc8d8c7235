/**
 * The merge of two actors as a job: the merge itself (one transaction, through runWrite, as the
 * mutation writes it: audit entry and all), then the dashboard summaries it makes stale brought
 * up to date, with progress; the result says what moved and that nothing was lost (the kept
 * actor's participations after the merge are its own and the removed actor's, counted before).
 * The job's connection has no request deadline: a merge of the two busiest actors of a million
 * events recomputes the summaries of ~100,000 events, which no 5 s statement timeout allows.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { JobHandler } from '../domain/jobs/jobs.ts';
import { mergeableActors, mergeActors, parseMergeActors, type MergeActorsInput } from '../domain/merges/merge-actors.ts';
import type { Principal, Tx } from '../domain/service.ts';
import { enqueueJob } from '../domain/jobs/jobs.ts';
import { drainSummariesWithProgress } from './job-summaries.ts';
import { runWrite } from './transaction.ts';

export const MERGE_ACTORS_JOB = 'mergeActors';

/**
 * The write that starts a merge job: refused now when the merge would be refused (the job checks
 * again, under the merge's lock, when it runs), else a queued job in the caller's transaction.
 */
export async function startMergeActorsJob(tx: Tx, principal: Principal, input: MergeActorsInput): Promise<{ job: number }> {
  await mergeableActors(tx, input, { lock: false });
  const job = await enqueueJob(tx, principal.name, MERGE_ACTORS_JOB, { keep: input.keep, remove: input.remove, reason: input.reason });
  return { job: job.id };
}

/** Participations of an actor as merged now (its own and those of every actor folded into it). */
async function foldedParticipations(db: Database, actorId: number): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from participations p
     where p.actor_id in (select actor_id from actors_folded_into(array[${actorId}]::int[], 'infinity'))`);
  return row?.n ?? 0;
}

export const mergeActorsJob: JobHandler = async (db, job, report) => {
  const input = parseMergeActors(job.input);
  const principal: Principal = { name: job.requestedBy, role: 'admin', tokenId: null };
  await report(0.05, 'merging');
  const ids = await db.execute<{ keep: number | null; remove: number | null }>(sql`
    select (select id from actors where slug = ${input.keep}) as keep, (select id from actors where slug = ${input.remove}) as remove`);
  const keepId = ids[0]?.keep ?? null;
  const removeId = ids[0]?.remove ?? null;
  const before = keepId !== null && removeId !== null ? (await foldedParticipations(db, keepId)) + (await foldedParticipations(db, removeId)) : 0;
  const started = performance.now();
  const { result } = await runWrite({ db, principal, operation: 'mergeActors', input, idempotencyKey: `job:${job.id}`, requestId: `job:${job.id}` }, async (tx) => {
    // The API's statement timeout does not bound a job.
    await tx.execute(sql`set local statement_timeout = 0`);
    return mergeActors(tx, principal, input);
  });
  const mergeMs = performance.now() - started;
  const after = await foldedParticipations(db, result.keep.id);
  if (after !== before) throw new Error(`the merge lost participations: ${before} before, ${after} after`);

  const summariesMs = await drainSummariesWithProgress(db, report, 0.2);
  return { kept: result.keep.slug, removed: result.remove.slug, participations: after, mergeMs: Math.round(mergeMs), summariesMs };
};
