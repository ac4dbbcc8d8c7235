/**
 * Recording claims: every fact is a `claims` row cited by at least one citation (the database
 * refuses an uncited claim at commit). Claims from knowledge files and imports carry a stable
 * key, so loading the same file again finds them instead of writing them twice.
 */
import { eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { citations, claimCitations, claims, sources } from '../../db/schema.ts';
import type { Tx } from '../service.ts';

export type ClaimKind = (typeof claims.$inferInsert)['kind'];

export interface NewClaim {
  kind: ClaimKind;
  confidence: number;
  /** Admiralty information credibility, 1–6; null or left out when ungraded. */
  credibility?: number | null | undefined;
  note?: string | null | undefined;
  recordedBy: string;
  citationIds: number[];
}

/**
 * The record a claim establishes (an event, a participation, ...), inserted by the claim's own
 * statement: `insert` is given the new claim's id as SQL. `returnsId`: the insert returns the new
 * record's `id` (RETURNING "id").
 */
export type Establishes = (claimId: SQL) => { insert: SQLWrapper; returnsId?: boolean };

/**
 * Inserts a claim, links its citations and (with `establishes`) inserts the record it establishes,
 * in one statement: a write records one claim or more, each a round trip. Returns the claim's id,
 * and the record's when its insert returns one.
 */
export async function recordClaimEstablishing(tx: Tx, claim: NewClaim, establishes?: Establishes): Promise<{ claimId: number; recordId: number | null }> {
  const citationIds = sql.join(claim.citationIds.map((id) => sql`${id}::int`), sql`, `);
  const record = establishes?.(sql`(select id from claim)`);
  const [row] = await tx.execute<{ claim_id: number; record_id: number | null }>(sql`
    with claim as (
           insert into ${claims} (kind, confidence, credibility, note, recorded_by, source_reliability)
           values (${claim.kind}::claim_kind, ${claim.confidence}, ${claim.credibility ?? null}::smallint, ${claim.note ?? null}, ${claim.recordedBy},
                   ${bestSourceGrade(sql`array[${citationIds}]::int[]`)})
           returning id),
         linked as (
           insert into ${claimCitations} (claim_id, citation_id)
           select claim.id, citation_id from claim, unnest(array[${citationIds}]::int[]) as citation_id)
         ${record ? sql`, record as (${record.insert.getSQL()})` : sql``}
    select (select id from claim) as claim_id, ${record?.returnsId ? sql`(select id from record)` : sql`null::int`} as record_id`);
  if (!row) throw new Error('insert into claims returned no row');
  return { claimId: row.claim_id, recordId: row.record_id };
}

/**
 * The best grade of the sources of these citations: a new claim's source_reliability. The
 * claim_citations trigger derives it anyway (a writer's value is never trusted); given at insert,
 * the trigger finds it right and updates nothing, instead of updating the new claim at once.
 */
function bestSourceGrade(citationIds: SQL): SQL {
  return sql`(select min(s.reliability) from ${citations} ct join ${sources} s on s.id = ct.source_id where ct.id = any(${citationIds}))`;
}

/** What recording a keyed claim did. */
export interface KeyedClaim {
  /** The claim's id, new or stored before. */
  claimId: number;
  /** True when this call inserted the claim (the caller then writes the record it establishes). */
  inserted: boolean;
  /** True when the claim or any of its citation links is new. */
  changed: boolean;
}

/**
 * Records a claim under a stable key with its citations. A key stored before keeps its claim
 * (its confidence and note are not overwritten); citations it did not have are added to it.
 */
export async function recordKeyedClaim(tx: Tx, key: string, claim: NewClaim & { recordedAt?: string | undefined }): Promise<KeyedClaim> {
  const [inserted] = await tx
    .insert(claims)
    .values({
      key,
      kind: claim.kind,
      confidence: claim.confidence,
      credibility: claim.credibility ?? null,
      note: claim.note ?? null,
      recordedBy: claim.recordedBy,
      sourceReliability: bestSourceGrade(sql`${sql.param(claim.citationIds)}::int[]`),
      // An import keeps the time a claim was first recorded, to the microsecond.
      ...(claim.recordedAt !== undefined ? { recordedAt: sql`${claim.recordedAt}::timestamptz` } : {}),
    })
    .onConflictDoNothing({ target: claims.key })
    .returning({ id: claims.id });
  const claimId = inserted?.id ?? (await tx.select({ id: claims.id }).from(claims).where(eq(claims.key, key)))[0]?.id;
  if (claimId === undefined) throw new Error(`claim ${key} was neither inserted nor found`);
  const links =
    claim.citationIds.length === 0
      ? []
      : await tx
          .insert(claimCitations)
          .values(claim.citationIds.map((citationId) => ({ claimId, citationId })))
          .onConflictDoNothing()
          .returning({ citationId: claimCitations.citationId });
  return { claimId, inserted: inserted !== undefined, changed: inserted !== undefined || links.length > 0 };
}
