/**
 * A pub/sub shared by every server instance through Redis (REDIS_URL), so a subscriber on one
 * instance hears of events written through another. Without REDIS_URL the app uses an
 * in-process one (src/graphql/pubsub.ts).
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import { makePubSub, type PubSub } from './graphql/pubsub.ts';

export interface SharedPubSub {
  pubsub: PubSub;
  close: () => Promise<void>;
}

/** Publishing and subscribing need separate connections: a subscribed Redis connection only listens. */
export function redisPubSub(publishClient: Redis, subscribeClient: Redis): SharedPubSub {
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  return {
    pubsub: makePubSub(eventTarget),
    // quit() waits for queued commands (a publish just sent) before closing.
    close: async () => {
      await Promise.all([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}

export function connectRedisPubSub(url: string): SharedPubSub {
  return redisPubSub(new Redis(url), new Redis(url));
}
