import { builder } from '../builder.ts';
import { parseNumericId } from '../global-id.ts';
import { groupBy } from '../loaders/batch.ts';
import { ADHERENTS_ORDER, adherencesById, adherencesOfActors, adherencesOfDoctrines, type AdherenceRow } from '../loaders/claims.ts';
import { firstRow, pageRequest, toPages } from '../pagination.ts';
import { Actor } from './actor.ts';
import { Cited } from './citation.ts';
import { Claim } from './claim.ts';
import { Doctrine } from './doctrine.ts';
import { END_DESCRIPTION, endOf, FuzzyDate, START_DESCRIPTION, startOf } from './dates.ts';
import { claimFloor, claimFloorArgs, validTimeArgs, validTimeFilter } from '../claim-filters.ts';

export const Adherence = builder.loadableNode('Adherence', {
  description: 'The claim that an actor follows a doctrine, with when it did (`start`, `end`) if the source says.',
  interfaces: [Claim, Cited],
  id: { resolve: (a: AdherenceRow) => a.claimId, parse: parseNumericId },
  load: (ids: number[], ctx) => adherencesById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    actor: t.field({ type: Actor, description: 'The actor that follows the doctrine.', resolve: (a) => a.actorId }),
    doctrine: t.field({ type: Doctrine, description: 'The doctrine it follows.', resolve: (a) => a.doctrineId }),
    start: t.field({ type: FuzzyDate, nullable: true, description: START_DESCRIPTION, resolve: startOf }),
    end: t.field({ type: FuzzyDate, nullable: true, description: END_DESCRIPTION, resolve: endOf }),
  }),
});

builder.objectField(Actor, 'doctrines', (t) =>
  t.loadableGroup({
    type: Adherence,
    description: 'The doctrines the actor follows, each as a cited claim.',
    byPath: true,
    args: { ...validTimeArgs(t.arg), ...claimFloorArgs(t.arg) },
    load: (actorIds: number[], ctx, args) =>
      adherencesOfActors(ctx.db, ctx.view, actorIds, { floor: claimFloor(args), validTime: validTimeFilter(args) }),
    group: groupBy((a: AdherenceRow) => a.actorId),
    resolve: (actor) => actor.id,
  }),
);

const DoctrineAdherentConnection = builder.connectionObject({ type: Adherence, name: 'DoctrineAdherentConnection' });

builder.objectField(Doctrine, 'adherents', (t) =>
  t.loadable({
    type: DoctrineAdherentConnection,
    description: 'Actors following this doctrine itself (not those of doctrines below it), as cited claims.',
    byPath: true,
    args: { ...t.arg.connectionArgs(), ...validTimeArgs(t.arg), ...claimFloorArgs(t.arg) },
    load: async (doctrineIds: number[], ctx, args) => {
      const request = pageRequest(args, ADHERENTS_ORDER);
      const filters = { floor: claimFloor(args), validTime: validTimeFilter(args) };
      const pages = await adherencesOfDoctrines(ctx.db, ctx.view, doctrineIds, request, filters);
      return toPages(request, pages, async (i) => (await adherencesOfDoctrines(ctx.db, ctx.view, [doctrineIds[i] ?? 0], firstRow(ADHERENTS_ORDER), filters))[0]?.total ?? 0);
    },
    resolve: (doctrine) => doctrine.id,
  }),
);
