/**
 * Each client's query budget, in the cost points the schema's cost limit counts (src/graphql/cost.ts):
 * a bucket of `burst` points that refills at `perSecond`, from which every operation pays its
 * cost before it runs (the model Shopify's and GitHub's GraphQL APIs use). A dashboard wall
 * refreshing every second spends a few hundred points a second and never meets it; a script
 * that sends the heaviest allowed query in a loop runs at the refill rate instead of taking the
 * event loop from everyone else. Per instance, like the other limits: behind N instances a client
 * gets N buckets.
 */

export interface CostBudgetOptions {
  /** Points a client's bucket regains per second; 0 turns budgets off. */
  perSecond: number;
  /** What the bucket holds when full (at least the largest cost allowed, so every allowed query can run). */
  burst: number;
}

const MAX_TRACKED_CLIENTS = 50_000;

export class CostBudget {
  private readonly buckets = new Map<string, { points: number; at: number }>();

  constructor(readonly options: CostBudgetOptions) {}

  get enabled(): boolean {
    return this.options.perSecond > 0;
  }

  /**
   * Takes `cost` points from the client's bucket and returns 0; or, when the bucket holds fewer,
   * takes nothing and returns the seconds after which it will hold enough.
   */
  spend(client: string, cost: number, now = Date.now()): number {
    if (!this.enabled) return 0;
    const { perSecond, burst } = this.options;
    const entry = this.buckets.get(client);
    const points = entry ? Math.min(burst, entry.points + ((now - entry.at) / 1000) * perSecond) : burst;
    // Most recently seen last, so the oldest entry is the one dropped when the map is full.
    this.buckets.delete(client);
    if (this.buckets.size >= MAX_TRACKED_CLIENTS) this.buckets.delete(this.buckets.keys().next().value ?? '');
    const wanted = Math.min(cost, burst);
    if (points < wanted) {
      this.buckets.set(client, { points, at: now });
      return (wanted - points) / perSecond;
    }
    this.buckets.set(client, { points: points - wanted, at: now });
    return 0;
  }
}
