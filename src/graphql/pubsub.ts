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

export type PubSub = ReturnType<typeof createPubSub<PubSubEvents>> & {
  /** How many live subscriptions of this process are listening, to any topic. */
  listening: () => number;
};

/**
 * The event target a pub/sub delivers through, counting its listeners: yoga's pub/sub adds one
 * when a subscription starts and removes it when the subscription ends. The feed follower reads
 * the feed only while someone here listens (ChangeFollower).
 */
class ListenerCountingTarget implements TypedEventTarget<CustomEvent> {
  count = 0;

  constructor(private readonly inner: TypedEventTarget<CustomEvent>) {}

  addEventListener(...args: Parameters<TypedEventTarget<CustomEvent>['addEventListener']>): void {
    this.count++;
    this.inner.addEventListener(...args);
  }

  removeEventListener(...args: Parameters<TypedEventTarget<CustomEvent>['removeEventListener']>): void {
    this.count--;
    this.inner.removeEventListener(...args);
  }

  dispatchEvent(event: CustomEvent): boolean {
    return this.inner.dispatchEvent(event);
  }
}

export function makePubSub(eventTarget: TypedEventTarget<CustomEvent> = new EventTarget()): PubSub {
  const target = new ListenerCountingTarget(eventTarget);
  return Object.assign(createPubSub<PubSubEvents>({ eventTarget: target }), { listening: () => target.count });
}
