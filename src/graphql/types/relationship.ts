import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { relationshipsById, relationshipsOfActors, RELATIONSHIPS_ORDER, type RelationshipRow } from '../loaders/claims.ts';
import { firstRow, pageRequest, toPages } from '../pagination.ts';
import { Actor } from './actor.ts';
import { Cited } from './citation.ts';
import { Claim } from './claim.ts';
import { FuzzyDate } from './dates.ts';
import { RelationshipDirectionEnum, RelationshipTypeEnum } from './vocabulary.ts';

export const Relationship = builder.loadableNode('Relationship', {
  description: 'A directed, typed, cited claim about two actors: FROM <type> TO.',
  interfaces: [Claim, Cited],
  id: { resolve: (r: RelationshipRow) => r.claimId, parse: parseNumericId },
  load: (ids: number[], ctx) => relationshipsById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    type: t.expose('type', { type: RelationshipTypeEnum, description: 'How `from` relates to `to`.' }),
    from: t.field({ type: Actor, description: 'The actor the relationship goes from.', resolve: (r) => r.fromActorId }),
    to: t.field({ type: Actor, description: 'The actor the relationship goes to.', resolve: (r) => r.toActorId }),
    period: t.field({
      type: FuzzyDate,
      nullable: true,
      description: 'When the relationship held (valid time), if the source says.',
      resolve: (r) =>
        r.periodPrecision
          ? { text: r.periodText, earliest: r.periodStart, latest: r.periodEnd, precision: r.periodPrecision }
          : null,
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
    },
    load: async (actorIds: number[], ctx, args) => {
      const request = pageRequest(args, RELATIONSHIPS_ORDER);
      const types = args.type ?? null;
      const pages = await relationshipsOfActors(ctx.db, ctx.view, actorIds, types, args.direction, request);
      return toPages(
        request,
        pages,
        async (i) => (await relationshipsOfActors(ctx.db, ctx.view, [actorIds[i] ?? 0], types, args.direction, firstRow(RELATIONSHIPS_ORDER)))[0]?.total ?? 0,
      );
    },
    resolve: (actor) => actor.id,
  }),
);
