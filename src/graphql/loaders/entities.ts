/**
 * Batch loaders for records fetched by primary key (one statement per type per request). Actors,
 * events and places are read as the request's view sees them: as of a past time, with the values
 * they had then (src/graphql/view.ts).
 */
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actors, citations, claims, doctrines, events, places, sources } from '../../db/schema.ts';
import type { KnowledgeView } from '../context.ts';
import { actorsAt, claimVisible, claimVisibleAs, eventsAt, mergeTime, placesAt, storedByAs } from '../view.ts';
import { anyInt, anyKey, keyArray, preparedRows, inKeyOrder, rawColumns, rawEntityClaimMeta, type RawRow } from './batch.ts';

/** Who recorded the establishing claim, and how sure the source is. */
const claimMeta = {
  confidence: claims.confidence,
  credibility: claims.credibility,
  recordedAt: claims.recordedAt,
  recordedBy: claims.recordedBy,
};

/** Who recorded an entity's establishing claim: a Date from the query builder, text from raw loaders. */
type EntityClaimMeta = { confidence: number; credibility: number | null; recordedAt: Date | string; recordedBy: string };
/**
 * Loaded by id (`node(id:)`, or a reference from another record): whether the view shows the
 * record, as its own root field (`event(slug:)`, `source(slug:)`...) decides: an actor, event or
 * doctrine by its establishing claim (recorded by asOf, not retracted), a source or quote by
 * whether it was stored by asOf. A reference keeps the record whatever this says (a visible
 * participation's event is there even if its report was retracted); `node` does not.
 */
type InView = { inView?: boolean };
export type ActorRow = typeof actors.$inferSelect & EntityClaimMeta & InView;
export type EventRow = typeof events.$inferSelect & EntityClaimMeta & InView;
export type DoctrineRow = typeof doctrines.$inferSelect & EntityClaimMeta & InView;
export type PlaceRow = RawRow<typeof places.$inferSelect> | typeof places.$inferSelect;
/** A source without its text: lists and citation → source hops need the metadata, not the document. */
export type SourceRow = (RawRow<Omit<typeof sources.$inferSelect, 'text'>> | Omit<typeof sources.$inferSelect, 'text'>) & InView;
export type CitationRow = (RawRow<typeof citations.$inferSelect> | typeof citations.$inferSelect) & InView;

export const actorColumns = { ...getTableColumns(actors), ...claimMeta };
export const eventColumns = { ...getTableColumns(events), ...claimMeta };
export const doctrineColumns = { ...getTableColumns(doctrines), ...claimMeta };

/**
 * Actors by id, merges resolved as of the view's time: an id merged away by then loads the actor
 * it was folded into (so claims about either show one actor), an earlier view loads it as it was.
 */
export async function actorsById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(ActorRow | null)[]> {
  // Each id with the actor it stands for at the view's time (itself unless merged away by then),
  // from one set of merges rather than a function call per id; its values as of the view's time.
  const rows = await preparedRows<ActorRow & { key: number }>(db, sql`
    select ${rawActorColumns}, ${rawEntityClaimMeta}, ${claimVisibleAs(view, 'c')} as "inView", wanted.key
      from (select k.key, coalesce(f.canonical_id, k.key) as actor_id
              from unnest(${keyArray(ids)}) k(key)
              left join actor_folds(${mergeTime(view)}) f on f.actor_id = k.key) wanted
      join ${actorsAt(view, 'a')} on a.id = wanted.actor_id
      join ${claims} c on c.id = a.claim_id`);
  const byKey = new Map<number, ActorRow>();
  for (const { key, ...row } of rows) byKey.set(key, row);
  return ids.map((id) => byKey.get(id) ?? null);
}

const rawActorColumns = rawColumns(actors, 'a');
/** An event row for raw statements that alias events `e` and its claim `c`. */
export const rawEventColumns = sql`${rawColumns(events, 'e')}, ${rawEntityClaimMeta}`;

export async function eventsById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(EventRow | null)[]> {
  const rows = await preparedRows<EventRow>(db, sql`
    select ${rawEventColumns}, ${claimVisibleAs(view, 'c')} as "inView"
      from ${eventsAt(view, 'e')} join ${claims} c on c.id = e.claim_id where e.id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

const rawDoctrineColumns = rawColumns(doctrines, 'd');

export async function doctrinesById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(DoctrineRow | null)[]> {
  const rows = await preparedRows<DoctrineRow>(db, sql`
    select ${rawDoctrineColumns}, ${rawEntityClaimMeta}, ${claimVisibleAs(view, 'c')} as "inView"
      from ${doctrines} d join ${claims} c on c.id = d.claim_id where d.id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

export const placeColumns = getTableColumns(places);

const rawPlaceColumns = rawColumns(places, 'pl');

export async function placesById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(PlaceRow | null)[]> {
  const rows = await preparedRows<PlaceRow>(db, sql`select ${rawPlaceColumns} from ${placesAt(view, 'pl')} where pl.id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

const { text: _text, ...sourceMetadata } = getTableColumns(sources);
export const sourceColumns = sourceMetadata;

const rawSourceColumns = rawColumns(sources, 's', ['text']);

export async function sourcesById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(SourceRow | null)[]> {
  const rows = await preparedRows<SourceRow>(db, sql`select ${rawSourceColumns}, ${storedByAs(view, 's')} as "inView" from ${sources} s where s.id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

/** How many later versions of a dataset record `laterVersions` lists. */
export const LATER_VERSIONS_LIMIT = 100;

/** The later versions of the sources (dataset rows stored as corrections), each record's newest first. */
export async function laterVersionsOfSources(db: Database, ids: readonly number[]): Promise<SourceRow[]> {
  return preparedRows<SourceRow>(db, sql`
    select ${rawSourceColumns} from unnest(${keyArray(ids)}) as of(id)
      cross join lateral (select * from ${sources} s where s.version_of_id = of.id order by s.id desc limit ${LATER_VERSIONS_LIMIT}) s`);
}

/** Full texts, loaded only for the sources whose `text` a query asks for. */
export async function sourceTextsById(db: Database, ids: readonly number[]): Promise<(string | Error)[]> {
  const rows = await db.select({ id: sources.id, text: sources.text }).from(sources).where(sql`${sources.id} = ${anyInt(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id).map((r) => r?.text ?? new Error('source not found'));
}

export const rawCitationColumns = rawColumns(citations, 'ct');

export async function citationsById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(CitationRow | null)[]> {
  const rows = await preparedRows<CitationRow>(db, sql`select ${rawCitationColumns}, ${storedByAs(view, 'ct')} as "inView" from ${citations} ct where ct.id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.id);
}

export async function childDoctrines(db: Database, view: KnowledgeView, parentIds: readonly number[]): Promise<DoctrineRow[]> {
  return db
    .select(doctrineColumns)
    .from(doctrines)
    .innerJoin(claims, and(eq(claims.id, doctrines.claimId), claimVisible(view, claims)))
    .where(sql`${doctrines.parentId} = ${anyInt(parentIds)}`)
    .orderBy(doctrines.name, doctrines.id);
}
