/**
 * Time travel and retraction for reads. A root read field may take `asOf` (answer as the
 * knowledge base stood then: claims recorded later are left out, claims retracted later are
 * still in, entities show the values they had then) and `includeRetracted`; the choice is kept in
 * the request's context so that every nested loader applies the same view in its one batched
 * statement. One operation has one view: root fields asking for different ones are refused
 * rather than answered inconsistently.
 */
import type { ArgBuilder } from '@pothos/core';
import { getTableColumns, getTableName, sql, Subquery, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { actorRevisions, actors, claims, doctrines, eventRevisions, events, placeRevisions, places } from '../db/schema.ts';
import type { builder } from './builder.ts';
import type { Context, KnowledgeView } from './context.ts';
import { badInput } from './errors.ts';

export const LIVE_VIEW: KnowledgeView = { asOf: null, includeRetracted: false };

export interface ViewArgs {
  asOf?: Date | null;
  includeRetracted?: boolean | null;
}

/** Applies a root field's view arguments to the request; refuses a second, different view. */
export function useView(ctx: Context, args: ViewArgs): KnowledgeView {
  const wanted: KnowledgeView = { asOf: args.asOf ?? null, includeRetracted: args.includeRetracted ?? false };
  if (wanted.asOf && Number.isNaN(wanted.asOf.getTime())) throw badInput('"asOf" is not a valid time', 'asOf');
  const same = (a: KnowledgeView, b: KnowledgeView) =>
    a.includeRetracted === b.includeRetracted && (a.asOf?.getTime() ?? null) === (b.asOf?.getTime() ?? null);
  // LIVE_VIEW itself (by identity) means no root field has chosen yet; the first choice, even
  // the default one, is kept, since nested loaders of that field will read it later.
  if (ctx.view !== LIVE_VIEW && !same(ctx.view, wanted)) {
    throw badInput('one operation reads as of one time: send root fields with different asOf/includeRetracted separately', 'asOf');
  }
  ctx.view = wanted;
  return wanted;
}

/**
 * Whether a read sees the knowledge base as it stands now, without retracted claims: the only
 * view the summary tables (actor_rollup, event_rollup_*...) hold, so the only one they answer.
 */
export function isLiveView(view: KnowledgeView): boolean {
  return view.asOf === null && !view.includeRetracted;
}

/** The time merges are resolved at: the view's asOf, or now (every merge so far). */
export function mergeTime(view: KnowledgeView): SQL {
  return view.asOf ? sql`${view.asOf.toISOString()}::timestamptz` : sql`'infinity'::timestamptz`;
}

/** Whether the actor was merged into another by `at` (an index probe of actor_merges). */
export function mergedAwayBy(actorId: SQLWrapper, at: SQL): SQL {
  return sql`exists (select 1 from actor_merges m where m.removed_actor_id = ${actorId} and m.merged_at <= ${at})`;
}

/**
 * The actor an actor id stands for at `at` (canonical_actor), asked only of actors merged by then
 * (mergedAwayBy): the function's recursive query costs ~20 µs a call, and almost no actor is ever
 * merged. For a column read per row (a participation's actor); a read of many merged actors at
 * once joins actor_folds instead.
 */
export function actorAsMergedAt(actorId: SQL, at: SQL): SQL {
  return sql`(case when ${mergedAwayBy(actorId, at)} then canonical_actor(${actorId}, ${at}) else ${actorId} end)`;
}

/** Whether the claim aliased `c` (its recorded_at/retracted_at columns) is visible in the view. */
export function claimVisible(view: KnowledgeView, c: { recordedAt: SQLWrapper; retractedAt: SQLWrapper }): SQL {
  const asOf = view.asOf?.toISOString();
  if (asOf === undefined) return view.includeRetracted ? sql`true` : sql`${c.retractedAt} is null`;
  return view.includeRetracted
    ? sql`${c.recordedAt} <= ${asOf}::timestamptz`
    : sql`(${c.recordedAt} <= ${asOf}::timestamptz and (${c.retractedAt} is null or ${c.retractedAt} > ${asOf}::timestamptz))`;
}

/**
 * An entity table as of a past time: the rows whose current values were already current then
 * (revised_at), plus, for rows revised since, the revision current then (src/db/sql/revisions.sql). The
 * UNION ALL's branches carry no WHERE of their own (each says in a column whether its row is
 * current at asOf, and the wrapper filters on it): PostgreSQL then flattens them into plain scans
 * of the two tables, pushes the filter and the caller's conditions and join keys into each, and
 * reads only the columns used — so key lookups, index-only scans and date-ordered index scans
 * work as on the table itself.
 */
function asOfRows(table: PgTable, revisions: PgTable, entityId: PgColumn, asOf: Date): SQL {
  const at = sql`${asOf.toISOString()}::timestamptz`;
  const columns = Object.values(getTableColumns(table)).map((column) => column.name);
  const list = (alias: string, rename: Record<string, string> = {}) =>
    sql.join(columns.map((name) => sql`${sql.identifier(alias)}.${sql.identifier(rename[name] ?? name)}`), sql`, `);
  return sql`select ${list('v')} from (
      select ${list('a')}, (a.revised_at is null or a.revised_at <= ${at}) as current_then from ${table} a
      union all
      select ${list('r', { id: entityId.name })}, (r.superseded_at > ${at} and (r.revised_at is null or r.revised_at <= ${at}))
        from ${revisions} r
    ) v where v.current_then`;
}

type Revised = { table: PgTable; revisions: PgTable; entityId: PgColumn };
const revised = {
  actors: { table: actors, revisions: actorRevisions, entityId: actorRevisions.actorId },
  events: { table: events, revisions: eventRevisions, entityId: eventRevisions.eventId },
  places: { table: places, revisions: placeRevisions, entityId: placeRevisions.placeId },
} satisfies Record<string, Revised>;

/**
 * An entity table as the view sees it, for FROM or JOIN in a raw statement, named `alias` (default:
 * the table's own name, so the schema's column references resolve against it). Live, it is the
 * table itself and the statement is unchanged.
 */
function relationAt({ table, revisions, entityId }: Revised, view: KnowledgeView, alias?: string): SQL {
  if (!view.asOf) return alias ? sql`${table} ${sql.identifier(alias)}` : sql`${table}`;
  return sql`(${asOfRows(table, revisions, entityId, view.asOf)}) ${sql.identifier(alias ?? getTableName(table))}`;
}

export const actorsAt = (view: KnowledgeView, alias?: string): SQL => relationAt(revised.actors, view, alias);
export const eventsAt = (view: KnowledgeView, alias?: string): SQL => relationAt(revised.events, view, alias);
export const placesAt = (view: KnowledgeView, alias?: string): SQL => relationAt(revised.places, view, alias);

/**
 * The same for the query builder's `.from()`: the table itself when live; as of a past time, a
 * subquery under the table's own name, so selected columns of the table resolve against it.
 */
function fromAt<T extends Revised['table']>(entity: Revised & { table: T }, view: KnowledgeView): T | Subquery {
  if (!view.asOf) return entity.table;
  return new Subquery(asOfRows(entity.table, entity.revisions, entity.entityId, view.asOf), getTableColumns(entity.table), getTableName(entity.table));
}

export const actorsFrom = (view: KnowledgeView) => fromAt(revised.actors, view);
export const eventsFrom = (view: KnowledgeView) => fromAt(revised.events, view);
export const placesFrom = (view: KnowledgeView) => fromAt(revised.places, view);

/**
 * Whether the source or citation aliased `alias` is in the view: stored by asOf (they are not
 * claims, and nothing retracts them); always, live.
 */
export function storedByAs(view: KnowledgeView, alias: string): SQL {
  return view.asOf ? sql`${sql.identifier(alias)}.created_at <= ${view.asOf.toISOString()}::timestamptz` : sql`true`;
}

/** claimVisible for raw statements, where the claims table is aliased (e.g. `c`). */
export function claimVisibleAs(view: KnowledgeView, alias: string): SQL {
  return claimVisible(view, { recordedAt: sql.raw(`${alias}.recorded_at`), retractedAt: sql.raw(`${alias}.retracted_at`) });
}

/** The kind of claim that establishes each kind of record (its claim_id's). */
const ESTABLISHED_BY = new Map<typeof actors | typeof events | typeof doctrines, SQL>([
  [actors, sql.raw(`'ACTOR_PROFILE'`)],
  [events, sql.raw(`'EVENT_REPORT'`)],
  [doctrines, sql.raw(`'DOCTRINE_DEFINITION'`)],
]);

/**
 * Whether the actor, event or doctrine whose id is `id` (a column of the statement) is in the
 * view by its establishing claim, for lists that reach it through other claims: an actor's
 * participations and relationships, an event's participants and sides, adherences, networks and
 * paths leave out what a retracted report, actor or doctrine claim hides from `event(slug:)`,
 * `actors` and `doctrines`. The retracted records of the kind are read once per statement (the
 * few rows of claims_retracted_idx) and hashed, instead of each row's establishing claim probed:
 * the busiest actor's 78,570 participations, or every edge of a network. An establishing claim
 * recorded after asOf needs no check: the claims that reach the record were recorded after it.
 */
export function establishedInView(view: KnowledgeView, table: typeof actors | typeof events | typeof doctrines, id: SQLWrapper): SQL {
  if (view.includeRetracted) return sql`true`;
  // Aliases of their own: the caller's statement may name its rows r or x.
  const retracted = view.asOf ? sql`retraction.retracted_at <= ${view.asOf.toISOString()}::timestamptz` : sql`retraction.retracted_at is not null`;
  return sql`${id} not in (select established.id from ${claims} retraction join ${table} established on established.claim_id = retraction.id
     where retraction.kind = ${ESTABLISHED_BY.get(table)} and ${retracted})`;
}

/**
 * Whether the claim `claimId` (of kind `kind`) is in a view without asOf: not retracted, unless
 * the view includes retracted claims. Like establishedInView, from the retracted claims of the
 * kind read once per statement, for lists that need no other column of the claim to choose their
 * rows. As of a time, ask claimVisibleAs of the joined claim instead.
 */
export function claimLiveInView(view: KnowledgeView, kind: 'PARTICIPATION', claimId: SQLWrapper): SQL {
  if (view.asOf) throw new Error('claimLiveInView answers views without asOf only');
  if (view.includeRetracted) return sql`true`;
  return sql`${claimId} not in (select retraction.id from ${claims} retraction where retraction.kind = ${kind} and retraction.retracted_at is not null)`;
}

/**
 * Whether an event (its `id` and the `claimId` of its report) is in the view. Without asOf the
 * only question is whether its report is retracted, answered from the retracted reports once per
 * statement (establishedInView) instead of a look-up of each event's claim: counting the million
 * synthetic events took 1.5 s that way and 0.15 s this. As of a time, the report must also have
 * been recorded by then.
 */
export function eventInView(view: KnowledgeView, id: SQLWrapper, claimId: SQLWrapper): SQL {
  if (!view.asOf) return establishedInView(view, events, id);
  return sql`exists (select 1 from ${claims} ce where ce.id = ${claimId} and ${claimVisibleAs(view, 'ce')})`;
}

/**
 * The actor a slug in a filter or argument names, as `actor(slug:)` finds it: as merged at the
 * view's time (a slug merged away names the actor it was folded into), and none (null) when that
 * actor is retracted in the view, so a filter naming a retracted actor finds what one naming no
 * actor does. An uncorrelated subquery: computed once per statement.
 */
export function namedActor(view: KnowledgeView, slug: string): SQL {
  return sql`(select named.id from (select canonical_actor(x.id, ${mergeTime(view)}) as id from ${actors} x where x.slug = ${slug}) named
     where ${establishedInView(view, actors, sql`named.id`)})`;
}

/**
 * The actor a slug names (namedActor) and every actor merged into it by the view's time, as a
 * query of `actor_id`s: none when the slug names no actor, or a retracted one.
 */
export function actorsNamed(view: KnowledgeView, slug: string): SQL {
  return sql`select f.actor_id from actors_folded_into(array[${namedActor(view, slug)}], ${mergeTime(view)}) f where f.actor_id is not null`;
}

export const AS_OF_DESCRIPTION =
  'Answer as the knowledge base stood at this moment: claims recorded later are left out, claims retracted later are still in, actors, events and places show the values they had then. Applies to the whole operation.';
export const INCLUDE_RETRACTED_DESCRIPTION = 'Include retracted claims (each says when and why it was retracted).';

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** The two view arguments every time-travelling root field takes, defined once. */
export function viewArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    asOf: arg({ type: 'DateTime', description: AS_OF_DESCRIPTION }),
    includeRetracted: arg.boolean({ required: true, defaultValue: false, description: INCLUDE_RETRACTED_DESCRIPTION }),
  };
}
