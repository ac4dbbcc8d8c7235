/**
 * Live updates: `eventAdded` streams events as writes commit them, over Server-Sent Events
 * (graphql-yoga's default transport for subscriptions). The filter is the `events` filter,
 * evaluated in SQL against each new event when it is announced, in a database slot taken like
 * any request's. An event may be announced more than once (by the writing request, by each
 * instance's feed follower, through Redis); each subscriber gets it once.
 */
import { and, eq } from 'drizzle-orm';
import { filter, pipe } from 'graphql-yoga';
import { claims, events } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { Event, EventFilter, eventConditions } from './event.ts';

builder.subscriptionType({});

/** Event ids a subscriber remembers having been offered, to drop repeated announcements. */
const RECENT_EVENTS = 500;

builder.subscriptionField('eventAdded', (t) =>
  t.field({
    type: Event,
    description:
      'Each event added from now on (through the API or an import) that matches `filter`, the same filter as `events`. Participants given with the event (createEvent.participants, or in the same import) count for the actor and role filters.',
    authScopes: { viewer: true },
    args: { filter: t.arg({ type: EventFilter, description: 'Which new events to announce; every one when left out.' }) },
    subscribe: (_root, args, ctx) => {
      // Checked once up front, so a bad filter is refused instead of silently matching nothing.
      const where = eventConditions(args.filter);
      const seen = new Set<number>();
      return pipe(
        ctx.pubsub.subscribe('eventAdded'),
        filter(async ({ eventId }: { eventId: number }) => {
          if (seen.has(eventId)) return false;
          seen.add(eventId);
          // Announcements of one event arrive close together: the last few hundred are enough.
          if (seen.size > RECENT_EVENTS) seen.delete(seen.values().next().value ?? eventId);
          if (!where) return true;
          const release = ctx.admitStreamWork ? await ctx.admitStreamWork() : undefined;
          try {
            const rows = await ctx.db
              .select({ id: events.id })
              .from(events)
              .innerJoin(claims, eq(claims.id, events.claimId))
              .where(and(eq(events.id, eventId), where));
            return rows.length > 0;
          } finally {
            release?.();
          }
        }),
      );
    },
    resolve: (payload: { eventId: number }) => payload.eventId,
  }),
);
