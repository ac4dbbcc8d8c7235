/**
 * Where writes announce new records to live subscriptions. In-process by default; with a Redis
 * event target (REDIS_URL, src/yoga.ts) every server instance's subscribers see every instance's
 * writes. Payloads are ids only: subscribers load the record themselves, through their own
 * request's loaders and view.
 */
import { createPubSub } from 'graphql-yoga';
import type { TypedEventTarget } from '@graphql-yoga/typed-event-target';
import type { ChangeRecord } from '../db/changes.ts';

export type PubSubEvents = {
  eventAdded: [payload: { eventId: number }];
  /** Each committed change, in commit order, from the feed follower (src/graphql/changes-follower.ts). */
  changeAdded: [payload: ChangeRecord];
};

export type PubSub = ReturnType<typeof createPubSub<PubSubEvents>>;

export function makePubSub(eventTarget?: TypedEventTarget<CustomEvent>): PubSub {
  return createPubSub<PubSubEvents>(eventTarget ? { eventTarget } : undefined);
}
