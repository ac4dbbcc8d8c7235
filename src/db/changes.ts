/**
 * Reading the changes feed (tables `changes` and `change_commits`, kept by triggers): changes in
 * commit order after a position. A position is (commit position, change id): the commit's place
 * among all writing transactions, then the change's order within its transaction.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';

export const CHANGES_CHANNEL = 'knowledge_changes';

export type ChangeKindName = 'CREATED' | 'UPDATED' | 'RETRACTED' | 'MERGED';

export interface FeedPosition {
  commit: number;
  id: number;
}

/** The start of the feed: before every change. */
export const FEED_START: FeedPosition = { commit: 0, id: 0 };

/** A change as the feed lists it; plain JSON, so it can travel through Redis. */
export interface ChangeRecord {
  commit: number;
  id: number;
  /** ISO time: the writing transaction's start (knowledge time). */
  at: string;
  committedAt: string;
  kind: ChangeKindName;
  entityType: string;
  entityId: number;
  claimId: number | null;
  intoId: number | null;
  principal: string;
}

interface ChangeRow extends Record<string, unknown> {
  commit: string;
  id: string;
  at: Date | string;
  committed_at: Date | string;
  kind: ChangeKindName;
  entity_type: string;
  entity_id: number;
  claim_id: number | null;
  into_id: number | null;
  principal: string;
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

/** Changes of committed transactions (only those have a commit position), as ChangeRow. */
const COMMITTED_CHANGES = sql`
    select cc.position as commit, c.id, c.at, cc.committed_at, c.kind, c.entity_type, c.entity_id, c.claim_id, c.into_id, c.principal
      from change_commits cc
      join changes c on c.xid = cc.xid`;

/**
 * Up to `limit` changes after `after`, oldest first. Only committed transactions have a commit
 * position, and positions are taken in commit order, so a change never appears behind a position
 * a reader has already passed.
 */
export async function changesAfter(db: Database, after: FeedPosition, limit: number): Promise<ChangeRecord[]> {
  const rows = await db.execute<ChangeRow>(sql`
    ${COMMITTED_CHANGES}
     where cc.position >= ${after.commit} and (cc.position > ${after.commit} or c.id > ${after.id})
     order by cc.position, c.id
     limit ${limit}`);
  return rows.map(toChangeRecord);
}

/** Committed changes by id (for `node(id:)`), in no particular order; uncommitted ones are absent. */
export async function changesById(db: Database, ids: readonly number[]): Promise<ChangeRecord[]> {
  const rows = await db.execute<ChangeRow>(sql`
    ${COMMITTED_CHANGES}
     where c.id = any(${sql.param([...ids])}::bigint[])`);
  return rows.map(toChangeRecord);
}

function toChangeRecord(r: ChangeRow): ChangeRecord {
  return {
    commit: Number(r.commit),
    id: Number(r.id),
    at: iso(r.at),
    committedAt: iso(r.committed_at),
    kind: r.kind,
    entityType: r.entity_type,
    entityId: r.entity_id,
    claimId: r.claim_id,
    intoId: r.into_id,
    principal: r.principal,
  };
}

/** How many changes there are after `after`. */
export async function countChangesAfter(db: Database, after: FeedPosition): Promise<number> {
  const [row] = await db.execute<{ n: string }>(sql`
    select count(*) as n from change_commits cc join changes c on c.xid = cc.xid
     where cc.position >= ${after.commit} and (cc.position > ${after.commit} or c.id > ${after.id})`);
  return Number(row?.n ?? 0);
}

/** The position of the last committed change: where a follower starting now begins. */
export async function latestFeedPosition(db: Database): Promise<FeedPosition> {
  const [row] = await db.execute<{ commit: string; id: string }>(sql`
    select cc.position as commit, max(c.id) as id from change_commits cc join changes c on c.xid = cc.xid
     where cc.position = (select max(position) from change_commits) group by cc.position`);
  return row ? { commit: Number(row.commit), id: Number(row.id) } : FEED_START;
}

export function isAfter(a: FeedPosition, b: FeedPosition): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.id > b.id);
}
