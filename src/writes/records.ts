/** Pieces of claim-creating writes: looking up what an input names, and recording a cited claim. */
import { eq, sql } from 'drizzle-orm';
import { actors, claimCitations, claims, doctrines, events, places } from '../db/schema.ts';
import { NotFoundError } from '../graphql/errors.ts';
import type { Tx } from './transaction.ts';

type ClaimKind = (typeof claims.$inferInsert)['kind'];

/** Inserts a claim and links its citations (the database refuses it at commit without one). */
export async function recordClaim(
  tx: Tx,
  claim: { kind: ClaimKind; confidence: number; note?: string | null; recordedBy: string; citationIds: number[]; key?: string },
): Promise<number> {
  const [row] = await tx
    .insert(claims)
    .values({ kind: claim.kind, confidence: claim.confidence, note: claim.note ?? null, recordedBy: claim.recordedBy, key: claim.key ?? null })
    .returning({ id: claims.id });
  if (!row) throw new Error('insert into claims returned no row');
  await tx.insert(claimCitations).values(claim.citationIds.map((citationId) => ({ claimId: row.id, citationId })));
  return row.id;
}

/** The id of the actor a slug names now: a merged-away actor's slug leads to the kept one. */
export async function actorIdBySlug(tx: Tx, slug: string, path: string[]): Promise<number> {
  const [row] = await tx
    .select({ id: sql<number>`canonical_actor(${actors.id}, 'infinity')` })
    .from(actors)
    .where(eq(actors.slug, slug));
  if (!row) throw new NotFoundError(`no actor "${slug}"`, path);
  return row.id;
}

export async function placeIdBySlug(tx: Tx, slug: string, path: string[]): Promise<{ id: number; kind: string; countryId: number | null }> {
  const [row] = await tx.select({ id: places.id, kind: places.kind, countryId: places.countryId }).from(places).where(eq(places.slug, slug));
  if (!row) throw new NotFoundError(`no place "${slug}"`, path);
  return row;
}

export async function eventIdBySlug(tx: Tx, slug: string, path: string[]): Promise<number> {
  const [row] = await tx.select({ id: events.id }).from(events).where(eq(events.slug, slug));
  if (!row) throw new NotFoundError(`no event "${slug}"`, path);
  return row.id;
}

export async function doctrineIdBySlug(tx: Tx, slug: string, path: string[]): Promise<number> {
  const [row] = await tx.select({ id: doctrines.id }).from(doctrines).where(eq(doctrines.slug, slug));
  if (!row) throw new NotFoundError(`no doctrine "${slug}"`, path);
  return row.id;
}
