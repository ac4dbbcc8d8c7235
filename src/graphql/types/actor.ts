import { and, count, eq, sql, type SQL } from 'drizzle-orm';
import { actors, adherences, claims, doctrines } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { gradeAsSeen } from '../loaders/gradings.ts';
import { parseNumericId } from '../global-id.ts';
import { actorColumns, actorsById, type ActorRow } from '../loaders/entities.ts';
import type { KnowledgeView } from '../context.ts';
import { cursorKey, defineOrdering, fetchPage, orderBy, pageRequest, toPage } from '../pagination.ts';
import { claimFloor, claimPasses, CREDIBILITY_DESCRIPTION, hasFloor, MIN_CONFIDENCE_DESCRIPTION, MIN_CREDIBILITY_DESCRIPTION, MIN_RELIABILITY_DESCRIPTION, SourceReliabilityEnum } from '../claim-filters.ts';
import { actorsFrom, claimVisible, mergedAwayBy, mergeTime, useView, viewArgs, claimVisibleAs } from '../view.ts';
import { Cited } from './citation.ts';
import { Place } from './place.ts';
import { ActorKindEnum } from './vocabulary.ts';

export const Actor = builder.loadableNode('Actor', {
  description: 'Anyone who acts or is acted upon: armed groups, states, agencies, governments, people, communities.',
  interfaces: [Cited],
  id: { resolve: (actor: ActorRow) => actor.id, parse: parseNumericId },
  load: (ids: number[], ctx) => actorsById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Unique lowercase slug (letters, digits, single hyphens): stable, readable, and what inputs name the record by.' }),
    name: t.exposeString('name', { description: 'The name the actor is best known by.' }),
    aliases: t.exposeStringList('aliases', { description: 'Other names the sources use.' }),
    kind: t.expose('kind', { type: ActorKindEnum, description: 'What kind of actor it is.' }),
    description: t.exposeString('description', { nullable: true, description: 'A short profile; null when none was written.' }),
    homeCountry: t.field({
      type: Place,
      nullable: true,
      description: 'Where the actor is based, when a source says so.',
      resolve: (actor) => actor.homeCountryId,
    }),
    confidence: t.exposeInt('confidence', { description: 'How sure the sources are of this profile (0–100).' }),
    credibility: t.int({
      nullable: true,
      description: `The profile’s information credibility. ${CREDIBILITY_DESCRIPTION} With \`asOf\`, the grade it had then (\`gradings\` say when it changed).`,
      resolve: (record, _args, ctx) => gradeAsSeen(ctx, record.claimId, record.credibility, 'credibility'),
    }),
  }),
});

export const ActorFilter = builder.inputType('ActorFilter', {
  fields: (t) => ({
    search: t.string({ description: 'Part of the name or of any alias, case-insensitive.' }),
    kind: t.field({ type: [ActorKindEnum], description: 'Any of these kinds.' }),
    doctrine: t.string({ description: 'Slug of a doctrine: actors adhering to it or to any doctrine below it.' }),
    minConfidence: t.int({ description: `Confidence floor, 0–100, on the actor’s profile claim and, with \`doctrine\`, on the adherence that puts it there. ${MIN_CONFIDENCE_DESCRIPTION}` }),
    minReliability: t.field({ type: SourceReliabilityEnum, description: `Source-reliability floor on the same claims. ${MIN_RELIABILITY_DESCRIPTION}` }),
    minCredibility: t.int({ description: `Information-credibility floor on the same claims. ${MIN_CREDIBILITY_DESCRIPTION}` }),
  }),
});

/** LIKE pattern matching `text` anywhere, with LIKE's wildcards in it taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function actorConditions(filter: typeof ActorFilter.$inferInput | null | undefined, view: KnowledgeView): SQL | undefined {
  if (!filter) return undefined;
  const conditions: SQL[] = [];
  const floor = claimFloor(filter, 'filter.');
  if (hasFloor(floor)) conditions.push(sql`exists (select 1 from ${claims} fa where fa.id = ${actors.claimId} and ${claimPasses(floor, 'fa', view)})`);
  if (filter.search != null) {
    const pattern = containsPattern(filter.search.trim());
    conditions.push(
      sql`(${actors.name} ilike ${pattern} or exists (select 1 from unnest(${actors.aliases}) alias where alias ilike ${pattern}))`,
    );
  }
  if (filter.kind) conditions.push(sql`${actors.kind} = any(${sql.param(filter.kind)}::actor_kind[])`);
  if (filter.doctrine != null) {
    conditions.push(sql`exists (
      with recursive below as (
        select ${doctrines.id} as id from ${doctrines} where ${doctrines.slug} = ${filter.doctrine}
        union all
        select d.id from ${doctrines} d join below on d.parent_id = below.id
      )
      select 1 from ${adherences} a
        join ${claims} c on c.id = a.claim_id
         and ${claimVisibleAs(view, 'c')} and ${claimPasses(floor, 'c', view)}
       where a.actor_id in (select f.actor_id from actors_folded_into(array[${actors.id}], ${mergeTime(view)}) f)
         and a.doctrine_id in (select id from below))`);
  }
  return conditions.length > 0 ? and(...conditions) : undefined;
}

const ACTORS_ORDER = defineOrdering('actors', [
  { expression: sql`${actors.name}`, type: 'text' },
  { expression: sql`${actors.id}`, type: 'int' },
]);

builder.queryFields((t) => ({
  actor: t.field({
    type: Actor,
    nullable: true,
    description: 'An actor by slug; null when there is none.',
    args: {
      slug: t.arg.string({ required: true, description: 'The actor’s slug; a slug merged away names the actor it was folded into.' }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      return (
        (
          await ctx.db
            .select(actorColumns)
            .from(actorsFrom(view))
            .innerJoin(claims, eq(claims.id, actors.claimId))
            // A slug merged away (by the view's time) names the actor it was folded into.
            .where(
              and(
                sql`${actors.id} = (select canonical_actor(named.id, ${mergeTime(view)}) from ${actors} named where named.slug = ${args.slug})`,
                claimVisible(view, claims),
              ),
            )
        )[0] ?? null
      );
    },
  }),
  actors: t.connection({
    type: Actor,
    description: 'Actors by name, optionally filtered.',
    args: {
      filter: t.arg({ type: ActorFilter, description: 'Which actors; all (visible ones) when left out.' }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      const view = useView(ctx, args);
      const request = pageRequest(args, ACTORS_ORDER);
      // An actor is there when the claim establishing it is (recorded by asOf, not retracted).
      const where = and(
        claimVisible(view, claims),
        // Actors merged into another (by the view's time) are listed as that one.
        sql`not ${mergedAwayBy(actors.id, mergeTime(view))}`,
        actorConditions(args.filter, view),
      );
      const rows = await fetchPage(request, (page, limit) =>
        ctx.db
          .select({ ...actorColumns, cursorKey: sql<string>`${cursorKey(ACTORS_ORDER)}` })
          .from(actorsFrom(view))
          .innerJoin(claims, eq(claims.id, actors.claimId))
          .where(and(where, page))
          .orderBy(orderBy(request))
          .limit(limit),
      );
      return toPage(
        request,
        rows,
        async () =>
          (await ctx.db.select({ n: count() }).from(actorsFrom(view)).innerJoin(claims, eq(claims.id, actors.claimId)).where(where))[0]?.n ?? 0,
      );
    },
  }, { name: 'ActorConnection' }, { name: 'ActorEdge' }),
}));
