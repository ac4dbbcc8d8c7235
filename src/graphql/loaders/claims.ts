/**
 * Batch loaders for claims (adherence, relationship, participation) and their citations. Lists
 * that can grow without bound (an actor's participations or relationships, a doctrine's
 * adherents, a source's citations) are paged per parent in one statement with window functions,
 * so a page of 100 actors costs one query, not 100. Which claims count is the request's view
 * (src/graphql/view.ts): by default retracted ones are left out; as of a past time, claims
 * recorded later are left out and claims retracted later are still in.
 */
import type { SourceReliability } from '../../domain/grades.ts';
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import {
  actors,
  adherences,
  citations,
  claimCitations,
  claims,
  doctrines,
  events,
  participations,
  relationships,
  relationshipType,
} from '../../db/schema.ts';
import { anyKey, preparedRows, groupPaged, inKeyOrder, onePagePerParent, type Paged, type PagedRows } from './batch.ts';
import { rawCitationColumns, type CitationRow } from './entities.ts';
import type { KnowledgeView } from '../context.ts';
import { defineOrdering, type PageRequest } from '../pagination.ts';
import { claimLiveInView, claimVisibleAs, establishedInView, eventsAt, mergeTime } from '../view.ts';
import { claimPasses, hasFloor, heldWithin, NO_FLOOR, type ClaimFloor, type ValidTimeFilter } from '../claim-filters.ts';

/** What a claim list is narrowed to beyond the view: a floor, and (relationships, adherences) when it held. */
export interface ClaimFilters {
  floor: ClaimFloor;
  validTime: ValidTimeFilter | null;
}

export const NO_CLAIM_FILTERS: ClaimFilters = { floor: NO_FLOOR, validTime: null };

export type ClaimMeta = {
  confidence: number;
  credibility: number | null;
  /** The best reliability grade among the sources it is cited from (claims.source_reliability). */
  sourceReliability: SourceReliability | null;
  note: string | null;
  /** A Date from the query builder, an RFC 3339 string (to_json) from the paged raw queries. */
  recordedAt: Date | string;
  recordedBy: string;
  retractedAt: Date | string | null;
  retractionReason: string | null;
};

export type AdherenceRow = typeof adherences.$inferSelect & ClaimMeta;
export type RelationshipRow = typeof relationships.$inferSelect & ClaimMeta;
export type ParticipationRow = typeof participations.$inferSelect & ClaimMeta;
export type RelationshipType = RelationshipRow['type'];
export type ParticipationRole = ParticipationRow['role'];
export type RelationshipDirection = 'OUTGOING' | 'INCOMING' | 'ANY';

export const rawClaimMeta = sql`c.confidence, c.credibility, c.source_reliability as "sourceReliability", c.note, to_json(c.recorded_at) #>> '{}' as "recordedAt", c.recorded_by as "recordedBy",
             to_json(c.retracted_at) #>> '{}' as "retractedAt", c.retraction_reason as "retractionReason"`;
/** A relationship's or adherence's start and end columns, aliased `alias`, as in its row type. */
function rawValidTime(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`${a}.start_text as "startText", ${a}.start_earliest::text as "startEarliest", ${a}.start_latest::text as "startLatest",
             ${a}.start_precision as "startPrecision", ${a}.end_text as "endText", ${a}.end_earliest::text as "endEarliest",
             ${a}.end_latest::text as "endLatest", ${a}.end_precision as "endPrecision"`;
}

/** A participation's own columns (aliased `p`) as in a ParticipationRow, without its claim's. */
const rawParticipationColumns = sql`p.claim_id as "claimId", p.event_id as "eventId", p.actor_id as "actorId", p.role,
             p.attributed_by_id as "attributedById", p.side`;
/** A participation aliased `p` and its claim aliased `c` as a ParticipationRow, for raw statements. */
export const rawParticipationRow = sql`${rawParticipationColumns}, ${rawClaimMeta}`;

/** An adherence aliased `a` and its claim aliased `c` as an AdherenceRow, for raw statements. */
const rawAdherenceRow = sql`a.claim_id as "claimId", a.actor_id as "actorId", a.doctrine_id as "doctrineId",
             ${rawValidTime('a')}, ${rawClaimMeta}`;

/** A relationship aliased `t` and its claim aliased `c` as a RelationshipRow, for raw statements. */
export const rawRelationshipRow = sql`t.claim_id as "claimId", t.type, t.from_actor_id as "fromActorId", t.to_actor_id as "toActorId",
             ${rawValidTime('t')}, ${rawClaimMeta}`;

// Claims by id: what a mutation returns, so every write's answer runs one of these. Prepared,
// with the keys hidden from the plan (anyKey): as query-builder statements they were planned anew
// at every call, which took five times as long as running them.
export async function adherencesById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(AdherenceRow | null)[]> {
  const rows = await preparedRows<AdherenceRow>(db, sql`
    select ${rawAdherenceRow}
      from ${adherences} a join ${claims} c on c.id = a.claim_id and ${claimVisibleAs(view, 'c')}
     where a.claim_id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.claimId);
}

export async function relationshipsById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(RelationshipRow | null)[]> {
  const rows = await preparedRows<RelationshipRow>(db, sql`
    select ${rawRelationshipRow}
      from ${relationships} t join ${claims} c on c.id = t.claim_id and ${claimVisibleAs(view, 'c')}
     where t.claim_id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.claimId);
}

export async function participationsById(
  db: Database,
  view: KnowledgeView,
  ids: readonly number[],
): Promise<(ParticipationRow | null)[]> {
  const rows = await preparedRows<ParticipationRow>(db, sql`
    select ${rawParticipationRow}
      from ${participations} p join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')}
     where p.claim_id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.claimId);
}

/** The citations of many claims at once, each tagged with its claim, in text order. */
export async function citationsOfClaims(
  db: Database,
  claimIds: readonly number[],
): Promise<(CitationRow & { claimId: number })[]> {
  return preparedRows<CitationRow & { claimId: number }>(db, sql`
    select ${rawCitationColumns}, cc.claim_id as "claimId"
      from ${claimCitations} cc join ${citations} ct on ct.id = cc.citation_id
     where cc.claim_id = ${anyKey(claimIds)}
     order by ct.source_id, ct.start_offset, ct.id`);
}

/**
 * Actors merged (by the view's time) into any of `actorIds`, with the one each was folded into:
 * claims about a merged-away actor count as claims about the actor it was folded into.
 */
function folded(view: KnowledgeView, actorIds: readonly number[]) {
  // A plain parameter, not keyArray: PostgreSQL inlines this SQL function into the statement only
  // when no argument holds a subquery, and run as a function it was joined as a thousand rows
  // against every adherence (55 ms instead of 2 for the nested list query's doctrines).
  return sql`actors_folded_into(${sql.param([...actorIds])}::int[], ${mergeTime(view)})`;
}

/** The doctrines actors adhere to (small per actor, so not paged); `actorId` is the merged actor. */
export async function adherencesOfActors(
  db: Database,
  view: KnowledgeView,
  actorIds: readonly number[],
  filters: ClaimFilters = NO_CLAIM_FILTERS,
): Promise<AdherenceRow[]> {
  return preparedRows<AdherenceRow>(db, sql`
    select a.claim_id as "claimId", f.canonical_id as "actorId", a.doctrine_id as "doctrineId", ${rawValidTime('a')}, ${rawClaimMeta}
      from ${adherences} a
      join ${claims} c on c.id = a.claim_id and ${claimVisibleAs(view, 'c')} and ${claimPasses(filters.floor, 'c', view)}
      join ${folded(view, actorIds)} f on f.actor_id = a.actor_id
     where ${heldWithin(filters.validTime, 'a')} and ${establishedInView(view, doctrines, sql`a.doctrine_id`)}
     order by f.canonical_id, a.claim_id`);
}

/** The participants of events (a handful per event, so not paged), optionally by role. */
export async function participantsOfEvents(
  db: Database,
  view: KnowledgeView,
  eventIds: readonly number[],
  roles: readonly ParticipationRole[] | null,
  floor: ClaimFloor = NO_FLOOR,
): Promise<ParticipationRow[]> {
  const roleList = sql.param(roles ? [...roles] : null);
  return preparedRows<ParticipationRow>(db, sql`
    select ${rawParticipationRow}
      from ${participations} p
      join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')} and ${claimPasses(floor, 'c', view)}
     where p.event_id = ${anyKey(eventIds)}
       and (${roleList}::participation_role[] is null or p.role = any(${roleList}::participation_role[]))
       and ${establishedInView(view, actors, sql`p.actor_id`)}
     order by p.event_id, p.role, p.claim_id`);
}


const column = (name: string): SQL => sql`${sql.identifier(name)}`;

/** An actor's participations: newest event first (undated last), then by claim. */
export const PARTICIPATIONS_ORDER = defineOrdering('Actor.participations', [
  { expression: column('sortDate'), type: 'date', descending: true, nullable: true },
  { expression: column('claimId'), type: 'int' },
]);
/** Relationships touching an actor: by type, then by claim. */
export const RELATIONSHIPS_ORDER = defineOrdering('Actor.relationships', [
  { expression: column('type'), type: { enum: 'relationship_type', values: relationshipType.enumValues } },
  { expression: column('claimId'), type: 'int' },
]);
/** A doctrine's adherents: by actor, then by claim. */
export const ADHERENTS_ORDER = defineOrdering('Doctrine.adherents', [
  { expression: column('actorId'), type: 'int' },
  { expression: column('claimId'), type: 'int' },
]);
/** A source's citations, in text order. */
export const SOURCE_CITATIONS_ORDER = defineOrdering('Source.citations', [
  { expression: column('startOffset'), type: 'int' },
  { expression: column('id'), type: 'int' },
]);

/** An actor's participations, newest event first, one page per actor. */
export async function participationsOfActors(
  db: Database,
  view: KnowledgeView,
  actorIds: readonly number[],
  roles: readonly ParticipationRole[] | null,
  request: PageRequest,
  floor: ClaimFloor = NO_FLOOR,
): Promise<PagedRows<Paged<ParticipationRow>>[]> {
  const roleList = sql.param(roles ? [...roles] : null);
  // The page is chosen without its claims' columns, which only the page's rows then read: joined
  // for every row, the busiest actor's 78,570 claims were read to keep 21. A claim is looked up
  // while choosing only when asOf or a floor asks about more than its retraction.
  const claimChooses = Boolean(view.asOf) || hasFloor(floor);
  const rows = await preparedRows<Paged<ParticipationRow>>(db, sql`
    select paged.*, ${rawClaimMeta}
      from (${onePagePerParent(
        sql`
        select ${rawParticipationColumns}, f.canonical_id as "parentId",
               coalesce(e.date_earliest, e.date_latest) as "sortDate",
               (count(*) over (partition by f.canonical_id))::int as total
          from ${participations} p
          ${claimChooses ? sql`join ${claims} c on c.id = p.claim_id and ${claimVisibleAs(view, 'c')} and ${claimPasses(floor, 'c', view)}` : sql``}
          join ${eventsAt(view, 'e')} on e.id = p.event_id
          join ${folded(view, actorIds)} f on f.actor_id = p.actor_id
         where ${establishedInView(view, events, sql`p.event_id`)}
           and ${claimChooses ? sql`true` : claimLiveInView(view, 'PARTICIPATION', sql`p.claim_id`)}
           and (${roleList}::participation_role[] is null or p.role = any(${roleList}::participation_role[]))`,
        request,
      )}) paged
      join ${claims} c on c.id = paged."claimId"
     order by paged."parentId", paged.rn`);
  return groupPaged(actorIds, [...rows]);
}

/** Relationships touching each actor in the given direction, one page per actor. */
export async function relationshipsOfActors(
  db: Database,
  view: KnowledgeView,
  actorIds: readonly number[],
  types: readonly RelationshipType[] | null,
  direction: RelationshipDirection,
  request: PageRequest,
  filters: ClaimFilters = NO_CLAIM_FILTERS,
): Promise<PagedRows<Paged<RelationshipRow>>[]> {
  const typeList = sql.param(types ? [...types] : null);
  const outgoing = direction !== 'INCOMING';
  const incoming = direction !== 'OUTGOING';
  // Two index scans joined by UNION ALL rather than one OR, which could use neither index.
  const rows = await preparedRows<Paged<RelationshipRow>>(db, 
    onePagePerParent(
      sql`
    with touching as (
      select f.canonical_id as parent_id, r.* from ${relationships} r
        join ${folded(view, actorIds)} f on f.actor_id = r.from_actor_id
       where ${outgoing}::boolean
      union all
      select f.canonical_id as parent_id, r.* from ${relationships} r
        join ${folded(view, actorIds)} f on f.actor_id = r.to_actor_id
       where ${incoming}::boolean
    )
      select ${rawRelationshipRow}, t.parent_id as "parentId",
             (count(*) over (partition by t.parent_id))::int as total
        from touching t
        join ${claims} c on c.id = t.claim_id and ${claimVisibleAs(view, 'c')} and ${claimPasses(filters.floor, 'c', view)}
       where (${typeList}::relationship_type[] is null or t.type = any(${typeList}::relationship_type[]))
         and ${heldWithin(filters.validTime, 't')}
         and ${establishedInView(view, actors, sql`t.from_actor_id`)} and ${establishedInView(view, actors, sql`t.to_actor_id`)}`,
      request,
    ),
  );
  return groupPaged(actorIds, [...rows]);
}

/** The actors adhering to each doctrine (directly), one page per doctrine. */
export async function adherencesOfDoctrines(
  db: Database,
  view: KnowledgeView,
  doctrineIds: readonly number[],
  request: PageRequest,
  filters: ClaimFilters = NO_CLAIM_FILTERS,
): Promise<PagedRows<Paged<AdherenceRow>>[]> {
  const rows = await preparedRows<Paged<AdherenceRow>>(db, 
    onePagePerParent(
      sql`
      select ${rawAdherenceRow},
             a.doctrine_id as "parentId",
             (count(*) over (partition by a.doctrine_id))::int as total
        from ${adherences} a
        join ${claims} c on c.id = a.claim_id and ${claimVisibleAs(view, 'c')} and ${claimPasses(filters.floor, 'c', view)}
       where a.doctrine_id = ${anyKey(doctrineIds)} and ${heldWithin(filters.validTime, 'a')}
         and ${establishedInView(view, actors, sql`a.actor_id`)}`,
      request,
    ),
  );
  return groupPaged(doctrineIds, [...rows]);
}

/** The citations drawn from each source, in text order, one page per source. */
export async function citationsOfSources(
  db: Database,
  sourceIds: readonly number[],
  request: PageRequest,
): Promise<PagedRows<Paged<CitationRow>>[]> {
  const rows = await preparedRows<Paged<CitationRow>>(db, 
    onePagePerParent(
      sql`
      select ct.id, ct.source_id as "sourceId", ct.quote, ct.start_offset as "startOffset",
             ct.end_offset as "endOffset", ct.prefix, ct.suffix, to_json(ct.created_at) #>> '{}' as "createdAt",
             ct.source_id as "parentId",
             (count(*) over (partition by ct.source_id))::int as total
        from ${citations} ct
       where ct.source_id = ${anyKey(sourceIds)}`,
      request,
    ),
  );
  return groupPaged(sourceIds, [...rows]);
}
