import type { Database } from '../db/client.ts';

/**
 * Made fresh for every request: Pothos keeps its DataLoaders on this object, so their caches
 * live exactly as long as one request and never leak between users.
 */
export interface Context {
  db: Database;
  /** The cost budget of one operation (src/graphql/cost.ts); none: unlimited. */
  maxCost?: number;
}
