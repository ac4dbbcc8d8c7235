/** Gradings of sources and claims, newest first, a bounded number per parent (one statement per request). */
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { claimGradesAs, type SourceReliability } from '../claim-filters.ts';
import type { KnowledgeView } from '../context.ts';
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

/** A claim's grades as a view sees them (claimGradesAs): what `credibility` and `sourceReliability` show asOf a past time. */
export interface ClaimGradesAt {
  claimId: number;
  credibility: number | null;
  sourceReliability: SourceReliability | null;
}

/** The request's loader of claims' grades as its view sees them (one statement per batch). */
const claimGradesAt = createContextCache((ctx: { db: Database; view: KnowledgeView }) => {
  const grades = claimGradesAs(ctx.view, 'c');
  return new DataLoader(async (ids: readonly number[]) =>
    inKeyOrder(ids, await preparedRows<ClaimGradesAt>(ctx.db, sql`
      select c.id as "claimId", ${grades.credibility} as credibility, ${grades.sourceReliability} as "sourceReliability"
        from claims c where c.id = ${anyKey(ids)}`), (g) => g.claimId));
});

/** A grade field's value: as stored for a live read, else as the view's time saw it. */
export async function gradeAsSeen<K extends 'credibility' | 'sourceReliability'>(
  ctx: { db: Database; view: KnowledgeView },
  claimId: number,
  stored: ClaimGradesAt[K],
  grade: K,
): Promise<ClaimGradesAt[K]> {
  if (!ctx.view.asOf) return stored;
  const seen = await claimGradesAt(ctx).load(claimId);
  return seen ? seen[grade] : stored;
}

/** The request's loader of sources' reliability at its view's time (asOf reads only). */
const sourceReliabilityAt = createContextCache((ctx: { db: Database; view: KnowledgeView }) => {
  const asOf = ctx.view.asOf?.toISOString() ?? null;
  return new DataLoader(async (ids: readonly number[]) => {
    const rows = await preparedRows<{ id: number; reliability: SourceReliability | null }>(ctx.db, sql`
      select s.id, source_reliability_at(s.id, s.reliability, ${asOf}::timestamptz) as reliability from sources s where s.id = ${anyKey(ids)}`);
    return inKeyOrder(ids, rows, (r) => r.id).map((r) => r?.reliability ?? null);
  });
});

/** A source's reliability as the view sees it: as stored for a live read, else as graded at the view's time. */
export function sourceReliabilityAsSeen(ctx: { db: Database; view: KnowledgeView }, sourceId: number, stored: SourceReliability | null): Promise<SourceReliability | null> {
  return ctx.view.asOf ? sourceReliabilityAt(ctx).load(sourceId) : Promise.resolve(stored);
}
