/**
 * Batch loaders for names and external ids: one statement per request for any number of parents.
 * Names are claims, shown as the request's view sees them (retracted ones left out, later ones
 * not yet known as of a past time); an external id is known from when it was recorded.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { IdentifiedKind } from '../../domain/external-ids/external-ids.ts';
import type { KnowledgeView } from '../context.ts';
import { claimVisibleAs } from '../view.ts';
import { anyKey, inKeyOrder, preparedRows } from './batch.ts';
import type { ClaimMeta } from './claims.ts';

export type ActorNameRow = ClaimMeta & { claimId: number; actorId: number; name: string; language: string; script: string | null };
export type ExternalIdRow = { recordId: number; scheme: string; value: string; recordedAt: string; recordedBy: string };

const nameColumns = sql`n.claim_id as "claimId", n.actor_id as "actorId", n.name, n.language, n.script,
  c.confidence, c.note, to_json(c.recorded_at) #>> '{}' as "recordedAt", c.recorded_by as "recordedBy",
  to_json(c.retracted_at) #>> '{}' as "retractedAt", c.retraction_reason as "retractionReason"`;

export async function actorNamesById(db: Database, view: KnowledgeView, ids: readonly number[]): Promise<(ActorNameRow | null)[]> {
  const rows = await preparedRows<ActorNameRow>(db, sql`
    select ${nameColumns} from actor_names n join claims c on c.id = n.claim_id and ${claimVisibleAs(view, 'c')}
     where n.claim_id = ${anyKey(ids)}`);
  return inKeyOrder(ids, rows, (r) => r.claimId);
}

export function actorNamesOfActors(db: Database, view: KnowledgeView, actorIds: readonly number[]): Promise<ActorNameRow[]> {
  return preparedRows<ActorNameRow>(db, sql`
    select ${nameColumns} from actor_names n join claims c on c.id = n.claim_id and ${claimVisibleAs(view, 'c')}
     where n.actor_id = ${anyKey(actorIds)} order by n.actor_id, n.language, n.name`);
}

const recordColumn = { actor: sql.raw('actor_id'), place: sql.raw('place_id'), event: sql.raw('event_id'), source: sql.raw('source_id') } as const;

const knownAt = (view: KnowledgeView) => (view.asOf ? sql`x.recorded_at <= ${view.asOf.toISOString()}::timestamptz` : sql`true`);

export function externalIdsOfRecords(db: Database, view: KnowledgeView, kind: IdentifiedKind, ids: readonly number[]): Promise<ExternalIdRow[]> {
  return preparedRows<ExternalIdRow>(db, sql`
    select x.${recordColumn[kind]} as "recordId", x.scheme, x.value, to_json(x.recorded_at) #>> '{}' as "recordedAt", x.recorded_by as "recordedBy"
      from external_ids x where x.${recordColumn[kind]} = ${anyKey(ids)} and ${knownAt(view)}
     order by x.scheme, x.value`);
}

/** The record of `kind` an external id names (the first, when duplicates share it), or null. */
export async function recordIdByExternalId(db: Database, view: KnowledgeView, kind: IdentifiedKind, scheme: string, value: string): Promise<number | null> {
  const [row] = await preparedRows<{ id: number }>(db, sql`
    select x.${recordColumn[kind]} as id from external_ids x
     where x.scheme = ${scheme}::external_id_scheme and x.value = ${value} and x.${recordColumn[kind]} is not null and ${knownAt(view)}
     order by x.${recordColumn[kind]} limit 1`);
  return row?.id ?? null;
}
