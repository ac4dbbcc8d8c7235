/**
 * Recording claims: every fact is a `claims` row cited by at least one citation (the database
 * refuses an uncited claim at commit). Claims from knowledge files and imports carry a stable
 * key, so loading the same file again finds them instead of writing them twice.
 */
import { eq, sql } from 'drizzle-orm';
import { claimCitations, claims } from '../../db/schema.ts';
import type { Tx } from '../service.ts';

export type ClaimKind = (typeof claims.$inferInsert)['kind'];

export interface NewClaim {
  kind: ClaimKind;
  confidence: number;
  note?: string | null | undefined;
  recordedBy: string;
  citationIds: number[];
}

/** Inserts a claim and links its citations; returns its id. */
export async function recordClaim(tx: Tx, claim: NewClaim): Promise<number> {
  const [row] = await tx
    .insert(claims)
    .values({ kind: claim.kind, confidence: claim.confidence, note: claim.note ?? null, recordedBy: claim.recordedBy })
    .returning({ id: claims.id });
  if (!row) throw new Error('insert into claims returned no row');
  await tx.insert(claimCitations).values(claim.citationIds.map((citationId) => ({ claimId: row.id, citationId })));
  return row.id;
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
      note: claim.note ?? null,
      recordedBy: claim.recordedBy,
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

/** Keyed claims per statement batch: well under PostgreSQL's 65,535 parameters. */
const CHUNK = 500;

/**
 * recordKeyedClaim for many claims at once, a few statements per chunk rather than per claim, so
 * a file of thousands of events loads in seconds. Returns, per item, its claim id when this call
 * inserted it (null when its key existed already, or an earlier item had the same key), and
 * whether it changed anything.
 */
export async function recordKeyedClaims(
  tx: Tx,
  items: { key: string; kind: ClaimKind; confidence: number; note?: string | null | undefined; citationIds: number[] }[],
  recordedBy: string,
  onChunk?: (done: number) => void,
): Promise<{ insertedId: number | null; changed: boolean }[]> {
  const result: { insertedId: number | null; changed: boolean }[] = [];
  for (let start = 0; start < items.length; start += CHUNK) {
    const chunk = items.slice(start, start + CHUNK);
    const keys = chunk.map((i) => i.key);
    const inserted = await tx.execute<{ id: number; key: string }>(sql`
      insert into ${claims} (key, kind, confidence, note, recorded_by)
      select * from unnest(${sql.param(keys)}::text[], ${sql.param(chunk.map((i) => i.kind))}::text[]::claim_kind[],
                           ${sql.param(chunk.map((i) => i.confidence))}::smallint[],
                           ${sql.param(chunk.map((i) => i.note ?? null))}::text[],
                           ${sql.param(chunk.map(() => recordedBy))}::text[])
      on conflict (key) do nothing
      returning id, key`);
    const insertedKeys = new Set(inserted.map((r) => r.key));
    const idByKey = new Map(
      (await tx.select({ id: claims.id, key: claims.key }).from(claims).where(sql`${claims.key} = any(${sql.param(keys)}::text[])`)).map((r) => [
        r.key ?? '',
        r.id,
      ]),
    );
    const pairs = chunk.flatMap((i) => {
      const claimId = idByKey.get(i.key);
      if (claimId === undefined) throw new Error(`claim ${i.key} was neither inserted nor found`);
      return i.citationIds.map((citationId) => [claimId, citationId] as const);
    });
    const linked = await tx.execute<{ claim_id: number }>(sql`
      insert into ${claimCitations} (claim_id, citation_id)
      select * from unnest(${sql.param(pairs.map((p) => p[0]))}::int[], ${sql.param(pairs.map((p) => p[1]))}::int[])
      on conflict do nothing
      returning claim_id`);
    const newLinks = new Set(linked.map((r) => r.claim_id));
    const seen = new Set<string>();
    for (const item of chunk) {
      const claimId = idByKey.get(item.key) ?? null;
      const first = !seen.has(item.key);
      seen.add(item.key);
      result.push({
        insertedId: first && insertedKeys.has(item.key) ? claimId : null,
        changed: first && claimId !== null && (insertedKeys.has(item.key) || newLinks.has(claimId)),
      });
    }
    onChunk?.(chunk.length);
  }
  return result;
}
