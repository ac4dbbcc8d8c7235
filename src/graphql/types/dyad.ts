/**
 * An event's two sides (side A who acted, side B who was acted against), derived from its cited
 * participations (src/domain/events/dyads.ts).
 */
import { ACLED_INTER_LABELS, acledInteraction, FIGHT_KINDS } from '../../domain/events/dyads.ts';
import { builder } from '../builder.ts';
import { dyadsOfEvents, type DyadShape } from '../loaders/dyads.ts';
import { Event } from './event.ts';
import { Participation } from './participation.ts';

const Dyad = builder.objectRef<DyadShape>('Dyad').implement({
  description:
    'The two sides of an event, as UCDP (side A / side B) and ACLED (actor1 / actor2) code them, derived from its cited participations: ' +
    'side A acted (PERPETRATOR, CLAIMED_RESPONSIBILITY, ATTRIBUTED), side B was acted against (TARGET, VICTIM). Where both sides acted (a battle), each actor that acted is on the side its participation names (`Participation.side`: allies on one side); an actor that acted naming no side is on side A, except in a fight ' +
    `(a kind ACLED codes as Battles: ${FIGHT_KINDS.join(', ')}) whose participations name no side and no one acted against: there side A is the first actor recorded as acting (the first side the source names), side B the others. Each entry is the participation claim with its quotes.`,
  fields: (t) => ({
    sideA: t.field({
      type: [Participation],
      description: 'Who acted (in a battle, on the first side): perpetrators first, then claimants, then those it was attributed to; surest first.',
      resolve: (d) => d.sideA,
    }),
    sideB: t.field({ type: [Participation], description: 'Who was targeted or hit, or in a battle who fought on the other side; surest first.', resolve: (d) => d.sideB }),
    acledInteraction: t.int({
      nullable: true,
      description:
        'ACLED’s interaction code of the first actor of each side (e.g. 27: a rebel group against civilians), from the actors’ kinds; null when a kind has no ACLED inter code (a person).',
      resolve: (d) => (d.sideA[0] && d.sideB[0] ? acledInteraction(d.sideA[0].actorKind, d.sideB[0].actorKind) : null),
    }),
    acledInteractionLabel: t.string({
      nullable: true,
      description: 'The interaction in words (e.g. "Rebel groups–Civilians").',
      resolve: (d) => {
        const code = d.sideA[0] && d.sideB[0] ? acledInteraction(d.sideA[0].actorKind, d.sideB[0].actorKind) : null;
        return code === null ? null : `${ACLED_INTER_LABELS[Math.floor(code / 10)]}–${ACLED_INTER_LABELS[code % 10]}`;
      },
    }),
  }),
});

builder.objectField(Event, 'dyad', (t) =>
  t.loadable({
    type: Dyad,
    nullable: true,
    description: 'The event’s two sides, when the sources name someone on each; null otherwise.',
    load: (eventIds: number[], ctx) => dyadsOfEvents(ctx.db, ctx.view, eventIds),
    resolve: (event) => event.id,
  }),
);

