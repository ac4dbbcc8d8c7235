/** Gradings of sources and claims, newest first, a bounded number per parent (one statement per request). */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { SourceReliability } from '../claim-filters.ts';
import { anyKey, inKeyOrder, keyArray, preparedRows } from './batch.ts';

export const GRADINGS_LIMIT = 100;

export interface SourceGradingRow {
  id: number;
  sourceId: number;
  previous: SourceReliability | null;
  reliability: SourceReliability | null;
  reason: string;
  gradedBy: string;
  gradedAt: string;
}

export interface ClaimGradingRow {
  id: number;
  claimId: number;
  previous: number | null;
  credibility: number | null;
  reason: string;
  gradedBy: string;
  gradedAt: string;
}

const SOURCE_GRADING_COLUMNS = sql`g.id, g.source_id as "sourceId", g.previous, g.reliability, g.reason, g.graded_by as "gradedBy", to_json(g.graded_at) #>> '{}' as "gradedAt"`;
const CLAIM_GRADING_COLUMNS = sql`g.id, g.claim_id as "claimId", g.previous, g.credibility, g.reason, g.graded_by as "gradedBy", to_json(g.graded_at) #>> '{}' as "gradedAt"`;

export async function sourceGradingsById(db: Database, ids: readonly number[]): Promise<(SourceGradingRow | null)[]> {
  return inKeyOrder(ids, await preparedRows<SourceGradingRow>(db, sql`select ${SOURCE_GRADING_COLUMNS} from source_gradings g where g.id = ${anyKey(ids)}`), (g) => g.id);
}

export async function claimGradingsById(db: Database, ids: readonly number[]): Promise<(ClaimGradingRow | null)[]> {
  return inKeyOrder(ids, await preparedRows<ClaimGradingRow>(db, sql`select ${CLAIM_GRADING_COLUMNS} from claim_gradings g where g.id = ${anyKey(ids)}`), (g) => g.id);
}

export function gradingsOfSources(db: Database, ids: readonly number[]): Promise<SourceGradingRow[]> {
  return preparedRows<SourceGradingRow>(db, sql`
    select ${SOURCE_GRADING_COLUMNS}
      from unnest(${keyArray(ids)}) as of(id)
      cross join lateral (select * from source_gradings g where g.source_id = of.id order by g.id desc limit ${GRADINGS_LIMIT}) g`);
}

export function gradingsOfClaims(db: Database, ids: readonly number[]): Promise<ClaimGradingRow[]> {
  return preparedRows<ClaimGradingRow>(db, sql`
    select ${CLAIM_GRADING_COLUMNS}
      from unnest(${keyArray(ids)}) as of(id)
      cross join lateral (select * from claim_gradings g where g.claim_id = of.id order by g.id desc limit ${GRADINGS_LIMIT}) g`);
}
