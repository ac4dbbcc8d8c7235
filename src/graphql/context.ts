import type { Principal } from '../auth/tokens.ts';
import type { Database } from '../db/client.ts';
import type { RequestWrites } from '../writes/outcome.ts';
import type { PubSub } from './pubsub.ts';

/** Which claims a read sees: as of a past moment, and whether retracted ones are included. */
export interface KnowledgeView {
  /** Null: now. */
  asOf: Date | null;
  includeRetracted: boolean;
}

/**
 * Made fresh for every request: Pothos keeps its DataLoaders on this object, so their caches
 * live exactly as long as one request and never leak between users.
 */
export interface Context {
  db: Database;
  /** The cost budget of one operation (src/graphql/cost.ts); none: unlimited. */
  maxCost?: number;
  /** Who sent the request (from its bearer token); null: anonymous. */
  principal: Principal | null;
  /** Whether anonymous requests may read (a deployment can require a token for reads too). */
  anonymousReads: boolean;
  /** Names the request in logs, the audit log and the `x-request-id` response header. */
  requestId: string;
  /** Set by root read fields' asOf/includeRetracted (src/graphql/view.ts); default: now, live only. */
  view: KnowledgeView;
  /** Where writes announce new records to subscribers. */
  pubsub: PubSub;
  /** Seconds an idempotency key replays its write (src/writes/transaction.ts). */
  idempotencyKeyLifetimeS: number;
  /**
   * For a subscription's work on each new event: a database slot, taken like any request's
   * (src/http/streams.ts), as the function that frees it; throws when none comes in time. Absent:
   * no admission control.
   */
  admitStreamWork?: () => Promise<() => void>;
  /** Seconds a keyless write replays for an identical request (src/writes/transaction.ts); 0: never. */
  implicitIdempotencyWindowS?: number;
  /** The request's writes, which src/server.ts stops from committing once it has answered. */
  writes?: RequestWrites;
  /** A pool apart from `db`, to learn what became of a COMMIT whose connection broke. */
  outcomeDb?: Database;
}
