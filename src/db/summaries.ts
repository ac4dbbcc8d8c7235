/**
 * The dashboard summaries are brought up to date off the write path: writes queue the keys they
 * make stale (summary_queue, in their own transaction), and `summaries_drain` (src/db/sql/summaries.sql)
 * recomputes them. Every server process runs a SummaryDrainer;
 * imports and the seed drain once at their end; tests drain before they compare. Several
 * drainers, in one process or many, work on different queue partitions at once.
 */
import { sql } from 'drizzle-orm';
import { preparingDatabase, type Database } from './client.ts';
import { PollingLoop, type PollingLoopOptions } from './polling-loop.ts';

/** Keys one drain call takes: small enough to keep a call well under a second on a big actor. */
export const DRAIN_BATCH = 500;

/** Keys per drain call at the end of an import: the recompute is set-based, so big batches pay off. */
export const IMPORT_DRAIN_BATCH = 20_000;
/**
 * Drain loops at the end of an import, each on its own connection: a drain call claims at most half
 * of the queue's partitions, so two work side by side (docs/performance.md, "Two drainers").
 */
export const IMPORT_DRAINERS = 2;

const DEADLOCK = '40P01';

function isDeadlock(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DEADLOCK;
}

/**
 * One drain call (one transaction): up to `maxKeys` keys of the partition with the oldest work
 * that no other drainer holds. Returns how many keys it took. Two drainers adding to the same
 * summary rows lock them in key order, so they cannot deadlock each other; should PostgreSQL still
 * report a deadlock, the call is retried.
 */
export async function drainOnce(db: Database, maxKeys = DRAIN_BATCH): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      // Prepared (preparingDatabase): the drainer sends this after nearly every write.
      const [row] = await preparingDatabase(db).execute<{ taken: number }>(sql`select summaries_drain(${maxKeys}::int) as taken`);
      return row?.taken ?? 0;
    } catch (error) {
      if (!isDeadlock(error) || attempt >= 3) throw error;
    }
  }
}

/** Whether any key is queued (or being drained by another drainer, which has not committed yet). */
export async function summariesPending(db: Database): Promise<boolean> {
  const [row] = await db.execute<{ pending: boolean }>(sql`select exists (select 1 from summary_queue) as pending`);
  return row?.pending ?? false;
}

export interface SummaryStatus {
  /** Every write committed before this time is in the summaries. */
  completeUpTo: Date;
  caughtUp: boolean;
}

export async function summaryStatus(db: Database): Promise<SummaryStatus> {
  const [row] = await db.execute<{ completeUpTo: string; caughtUp: boolean }>(sql`
    select summaries_complete_up_to()::text as "completeUpTo", not exists (select 1 from summary_queue) as "caughtUp"`);
  if (!row) throw new Error('the status query returns one row');
  return { completeUpTo: new Date(row.completeUpTo), caughtUp: row.caughtUp };
}

/**
 * Drains until nothing is queued: what an import or the seed does at its end, and what tests do
 * to wait for the summaries to catch up. When other drainers hold the remaining partitions, it
 * waits for them to commit (polling the queue) rather than returning early. Returns the keys
 * this call took.
 *
 * `drainers` > 1 runs that many loops at once, each on its own connection of `db`'s pool (which
 * must allow as many): a call claims at most half the partitions, so two calls work on disjoint
 * events side by side and meet only while they add to the sums. A bulk load's drain is one
 * backend's CPU otherwise, with the importer's process idle beside it.
 */
export async function drainSummaries(db: Database, maxKeys = DRAIN_BATCH, drainers = 1): Promise<number> {
  const loops = Array.from({ length: Math.max(1, drainers) }, () => drainLoop(db, maxKeys));
  return (await Promise.all(loops)).reduce((sum, taken) => sum + taken, 0);
}

async function drainLoop(db: Database, maxKeys: number): Promise<number> {
  let total = 0;
  for (;;) {
    const taken = await drainOnce(db, maxKeys);
    total += taken;
    if (taken > 0) continue;
    if (!(await summariesPending(db))) return total;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface DrainerOptions extends PollingLoopOptions {
  /** Keys a call takes when the drainer is keeping up; the default is DRAIN_BATCH. */
  maxKeys?: number;
  /**
   * While the drainer keeps up (a call takes fewer keys than it could), calls start at most once
   * per `paceMs` (0: back to back). See SummaryDrainer.
   */
  paceMs?: number;
  /** Called after each call with the keys it took and the most it could take. */
  onDrained?: (taken: number, batch: number) => void;
}

/** The most keys a server drainer's call takes while it works off a backlog. */
export const BACKLOG_BATCH = 8_000;

/**
 * The keys a server drainer's next call may take: after a call that came back full (a bulk load's
 * or a merge's backlog), twice as many, up to BACKLOG_BATCH; otherwise the base batch again. A
 * call's fixed cost (choosing partitions past the keys deleted since the last vacuum, the refresh
 * statements) is then paid once per thousands of keys instead of once per 500: working off a
 * 100,000-event COPY took ~400 calls, most of their time in choosing partitions. Writes at the
 * benchmark's rate leave a few keys per call, so their calls stay small and their lag short.
 */
export function nextDrainBatch(batch: number, taken: number, base: number): number {
  return taken >= batch ? Math.min(batch * 2, Math.max(base, BACKLOG_BATCH)) : base;
}

/**
 * A loop in the server process that keeps draining: back to back while it works off a backlog,
 * one call per `paceMs` while it keeps up with writes, every `idleMs` when there is nothing
 * (polling, not LISTEN: a NOTIFY from every write would take the single lock PostgreSQL
 * serializes notifying commits with). `stop()` ends it after the call in progress commits.
 *
 * Why a pace: most of a small call is what every call costs. With the writes benchmark's ten
 * writers on the busiest synthetic actor, calls back to back took a few writes each, ~3.5 ms of
 * PostgreSQL per event refreshed at ~8 events a call and ~1.8 ms at ~45; the drainer was most of
 * PostgreSQL's time. Waiting lets a call take what a quarter second of writes queued, and the
 * summaries lag the writes by at most about the pace and one call.
 */
export class SummaryDrainer extends PollingLoop {
  constructor(db: Database, options: DrainerOptions) {
    const base = options.maxKeys ?? DRAIN_BATCH;
    const paceMs = options.paceMs ?? 0;
    let batch = base;
    super(async () => {
      const started = performance.now();
      let taken: number;
      try {
        taken = await drainOnce(db, batch);
      } catch (error) {
        // Whatever failed, the next try is a call of the configured size, not the grown one.
        batch = base;
        throw error;
      }
      options.onDrained?.(taken, batch);
      const full = taken >= batch;
      batch = nextDrainBatch(batch, taken, base);
      if (taken === 0) return false;
      return full || { waitMs: paceMs - (performance.now() - started) };
    }, options);
  }
}
