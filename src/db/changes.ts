/**
 * Reading the changes feed (table `changes`, kept by triggers, src/db/sql/changes.sql): changes in
 * the order of their transactions' ids, then their order within the transaction. Only changes of
 * transactions below the horizon are served: below the oldest transaction still running anywhere
 * on the server (pg_snapshot_xmin of the reading statement's snapshot), every transaction has
 * committed or rolled back, so no change can ever appear below it again. A cursor below the horizon
 * therefore never has a change slip in behind it, and no writer takes a lock to order its changes
 * (they used to take one at commit). The price: a long-running transaction anywhere on the server
 * holds the feed back until it ends.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from './client.ts';

export type ChangeKindName = 'CREATED' | 'UPDATED' | 'RETRACTED' | 'MERGED' | 'GRADED';

/** Where a reader is: after every change of transactions before `xid`, and of `xid` up to change `id`. */
export interface FeedPosition {
  xid: number;
  id: number;
}

/**
 * A cursor handed out while the feed was ordered by commit position (change_commits.position):
 * resumed from the first transaction that committed after it, so nothing is missed (a change
 * may come again).
 */
export interface LegacyFeedPosition {
  commit: number;
  id: number;
}

/** The start of the feed: before every change. */
export const FEED_START: FeedPosition = { xid: 0, id: 0 };

/** A change as the feed lists it; plain JSON, so it can travel through Redis. */
export interface ChangeRecord {
  xid: number;
  id: number;
  /** ISO time: the writing transaction's start (knowledge time). */
  at: string;
  /** ISO time: when the writing transaction went to commit. */
  committedAt: string;
  kind: ChangeKindName;
  entityType: string;
  entityId: number;
  claimId: number | null;
  intoId: number | null;
  principal: string;
}

interface ChangeRow extends Record<string, unknown> {
  xid: string;
  id: string;
  at: Date | string;
  committed_at: Date | string | null;
  kind: ChangeKindName;
  entity_type: string;
  entity_id: number;
  claim_id: number | null;
  into_id: number | null;
  principal: string;
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

/**
 * Changes of transactions that can no longer be joined by another change, as ChangeRow. The commit
 * time is a subquery per row, not a join: right after a bulk load commits, the statistics know
 * none of its changes, and with a join the planner hashed every change after the position and
 * sorted them to return the first 500 (0.2–0.5 s per page of a 300,000-change import, a page
 * every 100 ms: a core's worth). Alone, `changes` is read in index order and stops at the limit.
 */
const SETTLED_CHANGES = sql`
    select c.xid::text as xid, c.id, c.at, (select cc.committed_at from change_commits cc where cc.xid = c.xid) as committed_at,
           c.kind, c.entity_type, c.entity_id, c.claim_id, c.into_id, c.principal
      from changes c
     where c.xid < pg_snapshot_xmin(pg_current_snapshot())`;

/** The (xid, id) row a position stands for, to compare (changes.xid, changes.id) with. */
function positionRow(after: FeedPosition | LegacyFeedPosition): SQL {
  if ('xid' in after) return sql`(${String(after.xid)}::xid8, ${after.id}::bigint)`;
  return sql`(coalesce(
      (select xid from change_commits where position > ${after.commit} order by xid limit 1),
      (select xid from change_commits order by xid desc limit 1),
      '0'::xid8),
    case when exists (select 1 from change_commits where position > ${after.commit}) then 0::bigint else 9223372036854775807 end)`;
}

/** The statement of changesAfter (tests/changes.test.ts reads its plan). */
export function changesAfterQuery(after: FeedPosition | LegacyFeedPosition, limit: number): SQL {
  return sql`
    ${SETTLED_CHANGES}
       and (c.xid, c.id) > ${positionRow(after)}
     order by c.xid, c.id
     limit ${limit}`;
}

/** Up to `limit` settled changes after `after`, oldest first. */
export async function changesAfter(db: Database, after: FeedPosition | LegacyFeedPosition, limit: number): Promise<ChangeRecord[]> {
  const rows = await db.execute<ChangeRow>(changesAfterQuery(after, limit));
  return rows.map(toChangeRecord);
}

/** Settled changes by id (for `node(id:)`), in no particular order; others are absent. */
export async function changesById(db: Database, ids: readonly number[]): Promise<ChangeRecord[]> {
  const rows = await db.execute<ChangeRow>(sql`
    ${SETTLED_CHANGES}
       and c.id = any(${sql.param([...ids])}::bigint[])`);
  return rows.map(toChangeRecord);
}

function toChangeRecord(r: ChangeRow): ChangeRecord {
  return {
    xid: Number(r.xid),
    id: Number(r.id),
    at: iso(r.at),
    committedAt: iso(r.committed_at ?? r.at),
    kind: r.kind,
    entityType: r.entity_type,
    entityId: r.entity_id,
    claimId: r.claim_id,
    intoId: r.into_id,
    principal: r.principal,
  };
}

/** How many settled changes there are after `after`. */
export async function countChangesAfter(db: Database, after: FeedPosition | LegacyFeedPosition): Promise<number> {
  const [row] = await db.execute<{ n: string }>(sql`
    select count(*) as n from changes c
     where c.xid < pg_snapshot_xmin(pg_current_snapshot()) and (c.xid, c.id) > ${positionRow(after)}`);
  return Number(row?.n ?? 0);
}

/** The position of the last settled change: where a follower starting now begins. */
export async function latestFeedPosition(db: Database): Promise<FeedPosition> {
  const [row] = await db.execute<{ xid: string; id: string }>(sql`
    select c.xid::text as xid, c.id from changes c
     where c.xid < pg_snapshot_xmin(pg_current_snapshot())
     order by c.xid desc, c.id desc limit 1`);
  return row ? { xid: Number(row.xid), id: Number(row.id) } : FEED_START;
}

/**
 * Where a follower starting now begins: after every change of transactions that have ended by now,
 * settled or not. Transactions below `from` have all ended; of those in [from, to), the ones in
 * `running` had not, and are still to come; the others are to be skipped.
 */
export interface FeedStart {
  from: FeedPosition;
  to: number;
  running: ReadonlySet<number>;
}

export async function feedStartNow(db: Database): Promise<FeedStart> {
  const [row] = await db.execute<{ xmin: string; xmax: string; running: string[] }>(sql`
    select pg_snapshot_xmin(s)::text as xmin, pg_snapshot_xmax(s)::text as xmax,
           array(select x::text from pg_snapshot_xip(s) x) as running
      from pg_current_snapshot() s`);
  if (!row) throw new Error('the snapshot query returns one row');
  return { from: { xid: Number(row.xmin) - 1, id: Number.MAX_SAFE_INTEGER }, to: Number(row.xmax), running: new Set(row.running.map(Number)) };
}

/** Whether a follower that started at `start` has already seen (or must skip) this change. */
export function endedBefore(start: FeedStart, change: FeedPosition): boolean {
  return change.xid < start.to && !start.running.has(change.xid);
}

/** Whether every change written by transaction `xid` (and all before it) is settled. */
export async function feedSettledPast(db: Database, xid: number): Promise<boolean> {
  const [row] = await db.execute<{ settled: boolean }>(sql`
    select ${String(xid)}::xid8 < pg_snapshot_xmin(pg_current_snapshot()) as settled`);
  return row?.settled ?? false;
}

export function isAfter(a: FeedPosition, b: FeedPosition | LegacyFeedPosition): boolean {
  if (!('xid' in b)) return true;
  return a.xid > b.xid || (a.xid === b.xid && a.id > b.id);
}
