/**
 * The revision history of actors, events and places (src/db/sql/revisions.sql), one page per entity in one
 * statement. Each revision row holds an entity as it was; the change it records runs from those
 * values to the next version's (the next revision, or the row as it is now), so the "after" side is
 * taken before the view filters anything out: what an update set does not depend on what came
 * later. Which changes are listed follows the view: as of a past time, later ones are left out, and
 * those whose update claim is retracted are left out unless retracted claims are asked for.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { actorMerges, actorRevisions, actors, claims, eventRevisions, events, placeRevisions, places } from '../../db/schema.ts';
import type { KnowledgeView } from '../context.ts';
import { defineOrdering, type PageRequest } from '../pagination.ts';
import { claimVisibleAs } from '../view.ts';
import { anyInt, groupPaged, inKeyOrder, onePagePerParent, type Paged, type PagedRows } from './batch.ts';
import type { ClaimMeta } from './claims.ts';

export type RevisedEntity = 'ACTOR' | 'EVENT' | 'PLACE';

/** Field values as the GraphQL types show them (place references by slug), keyed by field name. */
export type FieldValues = Record<string, unknown>;

export type RevisionRow = {
  revisionId: number;
  /** When the change was recorded (knowledge time), RFC 3339. */
  recordedAt: string;
  recordedBy: string;
  before: FieldValues;
  after: FieldValues;
  /** The update claim behind the change; null for places, and for the aliases a merge added. */
  claim: (ClaimMeta & { claimId: number }) | null;
  /** For an actor's aliases added by a merge: the actor folded in, and why. */
  mergedSlug: string | null;
  mergeReason: string | null;
};

type RawRevision = Omit<RevisionRow, 'claim'> & {
  claimId: number | null;
  confidence: number | null;
  credibility: number | null;
  sourceReliability: ClaimMeta['sourceReliability'];
  note: string | null;
  claimRecordedAt: string | null;
  claimRecordedBy: string | null;
  retractedAt: string | null;
  retractionReason: string | null;
};

/** A column of the row aliased `alias`. */
const column = (alias: string) => (name: string): SQL => sql`${sql.identifier(alias)}.${sql.identifier(name)}`;

const placeSlug = (id: SQL) => sql`(select p.slug from ${places} p where p.id = ${id})`;

/**
 * The fields a change can touch, built from a row aliased `x` of the entity table or its revision
 * table (they share column names), in the order changes are listed.
 */
const fieldValues: Record<RevisedEntity, (x: string) => SQL> = {
  ACTOR: (x) => {
    const c = column(x);
    return sql`jsonb_build_object('slug', ${c('slug')}, 'name', ${c('name')}, 'aliases', to_jsonb(${c('aliases')}),
      'kind', ${c('kind')}, 'description', ${c('description')}, 'homeCountry', ${placeSlug(c('home_country_id'))})`;
  },
  EVENT: (x) => {
    const c = column(x);
    const casualties = (prefix: string) =>
      sql`case when ${c(`${prefix}_min`)} is null then null
               else jsonb_build_object('min', ${c(`${prefix}_min`)}, 'max', ${c(`${prefix}_max`)}, 'text', ${c(`${prefix}_text`)},
                                       'best', ${c(`${prefix}_best`)}, 'parts', coalesce(${c(`${prefix}_parts`)}, '[]'::jsonb)) end`;
    return sql`jsonb_build_object('slug', ${c('slug')}, 'title', ${c('title')}, 'kind', ${c('kind')},
      'description', ${c('description')},
      'date', jsonb_build_object('text', ${c('date_text')}, 'earliest', ${c('date_earliest')}, 'latest', ${c('date_latest')},
                                 'precision', ${c('date_precision')}),
      'place', ${placeSlug(c('place_id'))}, 'killed', ${casualties('killed')}, 'wounded', ${casualties('wounded')})`;
  },
  PLACE: (x) => {
    const c = column(x);
    return sql`jsonb_build_object('slug', ${c('slug')}, 'name', ${c('name')}, 'kind', ${c('kind')},
      'parent', ${placeSlug(c('parent_id'))}, 'country', ${placeSlug(c('country_id'))},
      'countryCode', ${c('country_code')}, 'region', ${c('region')})`;
  },
};

/** The fields in listing order (jsonb does not keep the order they were built in). */
export const REVISED_FIELDS: Record<RevisedEntity, readonly string[]> = {
  ACTOR: ['slug', 'name', 'aliases', 'kind', 'description', 'homeCountry'],
  EVENT: ['slug', 'title', 'kind', 'description', 'date', 'place', 'killed', 'wounded'],
  PLACE: ['slug', 'name', 'kind', 'parent', 'country', 'countryCode', 'region'],
};

const sources = {
  ACTOR: { revisions: actorRevisions, entities: actors, entityId: 'actor_id' },
  EVENT: { revisions: eventRevisions, entities: events, entityId: 'event_id' },
  PLACE: { revisions: placeRevisions, entities: places, entityId: 'place_id' },
} as const;

/** Revisions, newest first (ties by id). */
export const REVISIONS_ORDER = defineOrdering('revisions', [
  { expression: sql`superseded_at`, type: 'timestamptz', descending: true },
  { expression: sql`"revisionId"`, type: 'int', descending: true },
]);

/**
 * Every revision of the entities `which` selects (a condition on the revision row `r`) that the
 * view shows, with the values before and after each change.
 */
function visibleRevisions(view: KnowledgeView, entity: RevisedEntity, which: SQL): SQL {
  const { revisions, entities, entityId } = sources[entity];
  const asOf = view.asOf?.toISOString() ?? null;
  const claimBacked = entity !== 'PLACE';
  const merged = entity === 'ACTOR';
  return sql`
        select v.* from (
          select r.${sql.identifier(entityId)} as "parentId", r.id as "revisionId", r.superseded_at,
                 to_json(r.superseded_at) #>> '{}' as "recordedAt", r.superseded_by as "recordedBy",
                 ${fieldValues[entity]('r')} as before,
                 coalesce(lead(${fieldValues[entity]('r')}) over (partition by r.${sql.identifier(entityId)} order by r.superseded_at, r.id),
                          ${fieldValues[entity]('e')}) as after,
                 ${claimBacked ? sql`c.id` : sql`null::int`} as "claimId",
                 ${claimBacked ? sql`c.confidence` : sql`null::int`} as confidence,
                 ${claimBacked ? sql`c.credibility` : sql`null::int`} as credibility,
                 ${claimBacked ? sql`c.source_reliability` : sql`null::source_reliability`} as "sourceReliability",
                 ${claimBacked ? sql`c.note` : sql`null::text`} as note,
                 ${claimBacked ? sql`to_json(c.recorded_at) #>> '{}'` : sql`null::text`} as "claimRecordedAt",
                 ${claimBacked ? sql`c.recorded_by` : sql`null::text`} as "claimRecordedBy",
                 ${claimBacked ? sql`to_json(c.retracted_at) #>> '{}'` : sql`null::text`} as "retractedAt",
                 ${claimBacked ? sql`c.retraction_reason` : sql`null::text`} as "retractionReason",
                 ${merged ? sql`removed.slug` : sql`null::text`} as "mergedSlug",
                 ${merged ? sql`m.reason` : sql`null::text`} as "mergeReason",
                 ${claimBacked ? sql`(c.id is null or ${claimVisibleAs(view, 'c')})` : sql`true`} as visible
            from ${revisions} r
            join ${entities} e on e.id = r.${sql.identifier(entityId)}
            ${claimBacked ? sql`left join ${claims} c on c.id = r.superseded_by_claim_id` : sql``}
            ${merged ? sql`left join ${actorMerges} m on m.removed_actor_id = r.superseded_by_merge_id left join ${actors} removed on removed.id = m.removed_actor_id` : sql``}
           where ${which}
        ) v
       where v.visible and (${asOf}::timestamptz is null or v.superseded_at <= ${asOf}::timestamptz)`;
}

/** A raw revision row as RevisionRow: the update claim's columns gathered into `claim`. */
function toRevision({ claimId, confidence, credibility, sourceReliability, note, claimRecordedAt, claimRecordedBy, retractedAt, retractionReason, ...row }: RawRevision): RevisionRow {
  return {
    ...row,
    claim:
      claimId === null
        ? null
        : {
            claimId,
            confidence: confidence ?? 0,
            credibility,
            sourceReliability,
            note,
            recordedAt: claimRecordedAt ?? row.recordedAt,
            recordedBy: claimRecordedBy ?? row.recordedBy,
            retractedAt,
            retractionReason,
          },
  };
}

/** Revisions of many entities of one kind, newest first (ties by id), one page per entity. */
export async function revisionsOf(
  db: Database,
  view: KnowledgeView,
  entity: RevisedEntity,
  ids: readonly number[],
  request: PageRequest,
): Promise<PagedRows<Paged<RevisionRow>>[]> {
  const { entityId } = sources[entity];
  const rows = await db.execute<Paged<RawRevision>>(
    onePagePerParent(
      sql`select w.*, (count(*) over (partition by w."parentId"))::int as total
            from (${visibleRevisions(view, entity, sql`r.${sql.identifier(entityId)} = ${anyInt(ids)}`)}) w`,
      request,
    ),
  );
  return groupPaged(ids, [...rows]).map((page) => ({
    total: page.total,
    rows: page.rows.map((row) => ({ ...toRevision(row), parentId: row.parentId, total: row.total, cursorKey: row.cursorKey })),
  }));
}

/** Revisions by id (for `node`), as the view shows them; null for one it does not. */
export async function revisionsById(
  db: Database,
  view: KnowledgeView,
  entity: RevisedEntity,
  ids: readonly number[],
): Promise<((RevisionRow & { parentId: number }) | null)[]> {
  const { revisions, entityId } = sources[entity];
  // The whole history of each entity concerned: a change's "after" is the next version.
  const rows = await db.execute<RawRevision & { parentId: number } & Record<string, unknown>>(sql`
    select * from (${visibleRevisions(view, entity, sql`r.${sql.identifier(entityId)} in (
      select x.${sql.identifier(entityId)} from ${revisions} x where x.id = ${anyInt(ids)})`)}) w
     where w."revisionId" = ${anyInt(ids)}`);
  return inKeyOrder(ids, [...rows].map((row) => ({ ...toRevision(row), parentId: row.parentId })), (row) => row.revisionId);
}

export type UpdateClaimRow = ClaimMeta & { claimId: number; actorId: number | null; eventId: number | null };

/** Update claims by id (for `node`): claims that superseded a version of an actor or an event. */
export async function updateClaimsById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(UpdateClaimRow | null)[]> {
  const rows = await db.execute<UpdateClaimRow & Record<string, unknown>>(sql`
    select c.id as "claimId", c.confidence, c.credibility, c.source_reliability as "sourceReliability", c.note, to_json(c.recorded_at) #>> '{}' as "recordedAt",
           c.recorded_by as "recordedBy", to_json(c.retracted_at) #>> '{}' as "retractedAt",
           c.retraction_reason as "retractionReason", u.actor_id as "actorId", u.event_id as "eventId"
      from (select superseded_by_claim_id as claim_id, actor_id, null::int as event_id from ${actorRevisions}
             where superseded_by_claim_id = ${anyInt(ids)}
            union all
            select superseded_by_claim_id, null, event_id from ${eventRevisions}
             where superseded_by_claim_id = ${anyInt(ids)}) u
      join ${claims} c on c.id = u.claim_id
       and ${claimVisibleAs(view, 'c')}`);
  return inKeyOrder(ids, [...rows], (row) => row.claimId);
}
