/**
 * Batch loaders for records fetched by primary key (one statement per type per request). Actors,
 * events and places are read as the request's view sees them: as of a past time, with the values
 * they had then (src/graphql/view.ts).
 */
import { eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actors, citations, claims, doctrines, events, places, sources } from '../../db/schema.ts';
import type { KnowledgeView } from '../context.ts';
import { actorsFrom, eventsFrom, mergeTime, placesFrom } from '../view.ts';
import { anyInt, inKeyOrder } from './batch.ts';

/** Who recorded the establishing claim, and how sure the source is. */
const claimMeta = {
  confidence: claims.confidence,
  recordedAt: claims.recordedAt,
  recordedBy: claims.recordedBy,
};

export type ActorRow = typeof actors.$inferSelect & { confidence: number; recordedAt: Date; recordedBy: string };
export type EventRow = typeof events.$inferSelect & { confidence: number; recordedAt: Date; recordedBy: string };
export type DoctrineRow = typeof doctrines.$inferSelect & { confidence: number; recordedAt: Date; recordedBy: string };
export type PlaceRow = typeof places.$inferSelect;
/** A source without its text: lists and citation → source hops need the metadata, not the document. */
export type SourceRow = Omit<typeof sources.$inferSelect, 'text'>;
export type CitationRow = typeof citations.$inferSelect;

export const actorColumns = { ...getTableColumns(actors), ...claimMeta };
export const eventColumns = { ...getTableColumns(events), ...claimMeta };
export const doctrineColumns = { ...getTableColumns(doctrines), ...claimMeta };

/**
 * Actors by id, merges resolved as of the view's time: an id merged away by then loads the actor
 * it was folded into (so claims about either show one actor), an earlier view loads it as it was.
 */
export async function actorsById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(ActorRow | null)[]> {
  const at = mergeTime(view);
  const rows = await db
    .select({ ...actorColumns, folded: sql<number[]>`array(select f.actor_id from actors_folded_into(array[${actors.id}], ${at}) f)` })
    .from(actorsFrom(view))
    .innerJoin(claims, eq(claims.id, actors.claimId))
    .where(sql`${actors.id} in (select canonical_actor(r, ${at}) from unnest(${sql.param([...ids])}::int[]) r)`);
  const byFolded = new Map<number, ActorRow>();
  for (const { folded, ...row } of rows) for (const id of folded) byFolded.set(id, row);
  return ids.map((id) => byFolded.get(id) ?? null);
}

export async function eventsById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(EventRow | null)[]> {
  const rows = await db
    .select(eventColumns)
    .from(eventsFrom(view))
    .innerJoin(claims, eq(claims.id, events.claimId))
    .where(sql`${events.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

export async function doctrinesById(db: Database, ids: readonly number[]): Promise<(DoctrineRow | null)[]> {
  const rows = await db
    .select(doctrineColumns)
    .from(doctrines)
    .innerJoin(claims, eq(claims.id, doctrines.claimId))
    .where(sql`${doctrines.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

export const placeColumns = getTableColumns(places);

export async function placesById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(PlaceRow | null)[]> {
  const rows = await db.select(placeColumns).from(placesFrom(view)).where(sql`${places.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

const { text: _text, ...sourceMetadata } = getTableColumns(sources);
export const sourceColumns = sourceMetadata;

export async function sourcesById(db: Database, ids: readonly number[]): Promise<(SourceRow | null)[]> {
  const rows = await db.select(sourceColumns).from(sources).where(sql`${sources.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

/** Full texts, loaded only for the sources whose `text` a query asks for. */
export async function sourceTextsById(db: Database, ids: readonly number[]): Promise<(string | Error)[]> {
  const rows = await db.select({ id: sources.id, text: sources.text }).from(sources).where(sql`${sources.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id).map((r) => r?.text ?? new Error('source not found'));
}

export async function citationsById(db: Database, ids: readonly number[]): Promise<(CitationRow | null)[]> {
  const rows = await db.select().from(citations).where(sql`${citations.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

export async function childDoctrines(db: Database, parentIds: readonly number[]): Promise<DoctrineRow[]> {
  return db
    .select(doctrineColumns)
    .from(doctrines)
    .innerJoin(claims, eq(claims.id, doctrines.claimId))
    .where(sql`${doctrines.parentId} = ${anyInt(parentIds)}`)
    .orderBy(doctrines.name, doctrines.id);
}
