import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { relationshipsById, relationshipsOfActors, RELATIONSHIPS_ORDER, type RelationshipRow } from '../loaders/claims.ts';
import { firstRow, pageRequest, toPages } from '../pagination.ts';
import { Actor } from './actor.ts';
import { Cited } from './citation.ts';
import { Claim } from './claim.ts';
import { END_DESCRIPTION, endOf, FuzzyDate, START_DESCRIPTION, startOf } from './dates.ts';
import { claimFloor, claimFloorArgs, validTimeArgs, validTimeFilter } from '../claim-filters.ts';
import { RelationshipDirectionEnum, RelationshipTypeEnum } from './vocabulary.ts';

export const Relationship = builder.loadableNode('Relationship', {
  description: 'A directed, typed, cited claim about two actors: FROM <type> TO, with when it held (`start`, `end`) if the source says.',
  interfaces: [Claim, Cited],
  id: { resolve: (r: RelationshipRow) => r.claimId, parse: parseNumericId },
  load: (ids: number[], ctx) => relationshipsById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    type: t.expose('type', { type: RelationshipTypeEnum, description: 'How `from` relates to `to`.' }),
    from: t.field({ type: Actor, description: 'The actor the relationship goes from.', resolve: (r) => r.fromActorId }),
    to: t.field({ type: Actor, description: 'The actor the relationship goes to.', resolve: (r) => r.toActorId }),
    start: t.field({ type: FuzzyDate, nullable: true, description: START_DESCRIPTION, resolve: startOf }),
    end: t.field({ type: FuzzyDate, nullable: true, description: END_DESCRIPTION, resolve: endOf }),
    period: t.field({
      type: FuzzyDate,
      nullable: true,
      deprecationReason: 'Use `start` and `end`.',
      description: 'The span from the earliest possible start to the latest possible end, in the start’s words (or the end’s); null when neither is known.',
      resolve: (r) => {
        const start = startOf(r);
        const end = endOf(r);
        if (!start && !end) return null;
        const same = start && end && start.text === end.text && start.earliest === end.earliest && start.latest === end.latest && start.precision === end.precision;
        if (same) return start;
        return { text: start?.text ?? end?.text ?? null, earliest: start?.earliest ?? null, latest: end?.latest ?? null, precision: 'RANGE' as const };
      },
    }),
  }),
});

const ActorRelationshipConnection = builder.connectionObject({ type: Relationship, name: 'ActorRelationshipConnection' });

builder.objectField(Actor, 'relationships', (t) =>
  t.loadable({
    type: ActorRelationshipConnection,
    description: 'Relationship claims touching this actor, by type.',
    byPath: true,
    args: {
      ...t.arg.connectionArgs(),
      type: t.arg({ type: [RelationshipTypeEnum], description: 'Any of these types.' }),
      direction: t.arg({ type: RelationshipDirectionEnum, required: true, defaultValue: 'ANY', description: 'Relationships from this actor, to it, or either.' }),
      ...validTimeArgs(t.arg),
      ...claimFloorArgs(t.arg),
    },
    load: async (actorIds: number[], ctx, args) => {
      const request = pageRequest(args, RELATIONSHIPS_ORDER);
      const types = args.type ?? null;
      const filters = { floor: claimFloor(args), validTime: validTimeFilter(args) };
      const pages = await relationshipsOfActors(ctx.db, ctx.view, actorIds, types, args.direction, request, filters);
      return toPages(
        request,
        pages,
        async (i) => (await relationshipsOfActors(ctx.db, ctx.view, [actorIds[i] ?? 0], types, args.direction, firstRow(RELATIONSHIPS_ORDER), filters))[0]?.total ?? 0,
      );
    },
    resolve: (actor) => actor.id,
  }),
);
