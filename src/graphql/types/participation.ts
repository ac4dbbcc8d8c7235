import { builder } from '../builder.ts';
import { claimFloor, claimFloorArgs } from '../claim-filters.ts';
import { parseNumericId } from '../global-id.ts';
import { groupBy } from '../loaders/batch.ts';
import {
  participantsOfEvents,
  participationsById,
  participationsOfActors,
  PARTICIPATIONS_ORDER,
  type ParticipationRow,
} from '../loaders/claims.ts';
import { firstRow, pageRequest, toPages } from '../pagination.ts';
import { Actor } from './actor.ts';
import { Cited } from './citation.ts';
import { Claim } from './claim.ts';
import { Event } from './event.ts';
import { DyadSideEnum, ParticipationRoleEnum } from './vocabulary.ts';

export const Participation = builder.loadableNode('Participation', {
  description:
    'The cited claim that an actor took part in an event in a role. Carrying out, claiming and being attributed are separate claims.',
  interfaces: [Claim, Cited],
  id: { resolve: (p: ParticipationRow) => p.claimId, parse: parseNumericId },
  load: (ids: number[], ctx) => participationsById(ctx.db, ctx.view, ids),
  fields: (t) => ({
    event: t.field({ type: Event, description: 'The event the actor took part in.', resolve: (p) => p.eventId }),
    actor: t.field({ type: Actor, description: 'The actor that took part.', resolve: (p) => p.actorId }),
    role: t.expose('role', { type: ParticipationRoleEnum, description: 'The actor’s part in the event.' }),
    attributedBy: t.field({
      type: Actor,
      nullable: true,
      description: 'For ATTRIBUTED: who attributed the event to the actor.',
      resolve: (p) => p.attributedById,
    }),
    side: t.expose('side', {
      type: DyadSideEnum,
      nullable: true,
      description: 'For an actor that acted where both sides acted (a battle): the side the source puts it on. Null when not named: `Event.dyad` then puts an actor that acted on side A (in a battle naming no one acted against, the first actor recorded on side A and the others on side B).',
    }),
  }),
});

builder.objectField(Event, 'participants', (t) =>
  t.loadableGroup({
    type: Participation,
    description: 'Who took part and how, each as a cited claim (a handful per event, so not paged).',
    byPath: true,
    args: { role: t.arg({ type: [ParticipationRoleEnum], description: 'Only these roles.' }), ...claimFloorArgs(t.arg) },
    load: (eventIds: number[], ctx, args) => participantsOfEvents(ctx.db, ctx.view, eventIds, args.role ?? null, claimFloor(args)),
    group: groupBy((p: ParticipationRow) => p.eventId),
    resolve: (event) => event.id,
  }),
);

const ActorParticipationConnection = builder.connectionObject({
  type: Participation,
  name: 'ActorParticipationConnection',
});

builder.objectField(Actor, 'participations', (t) =>
  t.loadable({
    type: ActorParticipationConnection,
    description: 'The events the actor is linked to, latest first, each as a cited claim (not an event whose report is retracted, unless `includeRetracted`).',
    byPath: true,
    args: {
      ...t.arg.connectionArgs(),
      role: t.arg({ type: [ParticipationRoleEnum], description: 'Only these roles.' }),
      ...claimFloorArgs(t.arg),
    },
    load: async (actorIds: number[], ctx, args) => {
      const request = pageRequest(args, PARTICIPATIONS_ORDER);
      const roles = args.role ?? null;
      const floor = claimFloor(args);
      const pages = await participationsOfActors(ctx.db, ctx.view, actorIds, roles, request, floor);
      return toPages(
        request,
        pages,
        async (i) => (await participationsOfActors(ctx.db, ctx.view, [actorIds[i] ?? 0], roles, firstRow(PARTICIPATIONS_ORDER), floor))[0]?.total ?? 0,
      );
    },
    resolve: (actor) => actor.id,
  }),
);
