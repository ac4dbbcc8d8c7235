/**
 * Who may use the database now. Counted at execution, after parsing, validation and the cost
 * check, so refused or malformed requests never take a slot:
 * - a client (token or IP) may run `perClient` operations at once; beyond that HTTP 429 with
 *   Retry-After, so a few abusive clients cannot take every slot;
 * - all clients together get `slots` (about the pool size); a request that waits longer than
 *   `acquireTimeoutMs` for one gets 503 DATABASE_BUSY instead of queueing without end;
 * - heavy operations (cost above `heavyCost`) and clients far above their share lately share
 *   only `heavySlots` of them, so a crowd of expensive-but-allowed queries or of scripts in a
 *   loop cannot starve the cheap ones dashboards send; when slots are short, the client that
 *   asked least lately goes first (refused requests count extra);
 * - while the database is known to be down, operations fail at once with DATABASE_UNAVAILABLE
 *   instead of queueing behind a pool that is reconnecting.
 * Counts are per instance: each instance guards its own pool, and nothing here must be shared.
 */
import { complexityFromQuery } from '@pothos/plugin-complexity';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Database } from '../db/client.ts';
import type { DatabaseMonitor } from '../db/monitor.ts';
import { withoutStack } from '../graphql/errors.ts';
import type { CostBudget } from './cost-budget.ts';
import { databaseUnavailable } from './errors.ts';

export interface AdmissionOptions {
  slots: number;
  perClient: number;
  acquireTimeoutMs: number;
  /** Operations costing more than this (src/graphql/cost.ts) are heavy. */
  heavyCost: number;
  /** Slots heavy operations may hold at once; the rest stay free for light ones. */
  heavySlots: number;
  /** Slots exports may hold at once (each holds one for its whole download); default `heavySlots`. */
  exportSlots?: number;
  /** Told how long each granted slot was waited for (metrics). */
  onWait?: (ms: number, confined: boolean) => void;
  /** Each client's query budget in cost points (src/http/cost-budget.ts); none: unlimited. */
  budget?: CostBudget;
}

interface Waiter {
  priority: number;
  grant: () => void;
  timer: NodeJS.Timeout;
}

/** A counting semaphore with a wait limit; waiters with the lowest priority number go first. */
export class Slots {
  active = 0;
  readonly queue: Waiter[] = [];

  constructor(private readonly size: number) {}

  /** Resolves true with a slot, or false after `timeoutMs` without one. */
  acquire(timeoutMs: number, priority = 0): Promise<boolean> {
    if (this.active < this.size) {
      this.active += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        priority,
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(true);
        },
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          resolve(false);
        }, timeoutMs),
      };
      // Behind every waiter of the same or a lower number: FIFO among equals.
      const at = this.queue.findIndex((w) => w.priority > priority);
      if (at === -1) this.queue.push(waiter);
      else this.queue.splice(at, 0, waiter);
    });
  }

  release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next.grant();
    else this.active -= 1;
  }
}

/**
 * A client's recent use is the time its operations spent waiting for or holding a slot, decayed
 * by half every this many ms. A script in a loop always has one waiting or running (about 7,200
 * at steady state); a dashboard refreshing every second has one for a fraction of each second.
 */
const USAGE_HALF_LIFE_MS = 5000;
/** Above this recent use (about 40 % of the time busy) a client is confined to the heavy slots (and the intake's noisy ones). */
export const NOISY_MS = 3000;
/** Where a client not seen lately starts: behind regulars, so fresh identities cannot cut in. */
const NEWCOMER_MS = 1500;
/** A refused request (HTTP 4xx) adds this much: clients sending junk wait behind clean ones. */
const REFUSAL_MS = 1000;
const MAX_TRACKED_CLIENTS = 50_000;

/** Clients' recent use of something scarce (ms, halved every USAGE_HALF_LIFE_MS): least goes first. */
export class RecentUse {
  private readonly usage = new Map<string, { units: number; at: number }>();

  /**
   * Adds `units` (ms) to the client's recent use and returns its use before them: its place in
   * line when slots are short. A client that has kept slots busy lately (a script in a loop)
   * waits behind one that has not (a dashboard refreshing every few seconds). Time spent waiting
   * counts too, so a client refused for want of a slot does not jump the line next time.
   */
  charge(client: string, units: number, now: number): number {
    const entry = this.usage.get(client);
    const before = entry ? entry.units * 0.5 ** ((now - entry.at) / USAGE_HALF_LIFE_MS) : NEWCOMER_MS;
    this.usage.delete(client);
    if (this.usage.size >= MAX_TRACKED_CLIENTS) this.usage.delete(this.usage.keys().next().value ?? '');
    this.usage.set(client, { units: before + units, at: now });
    return before;
  }
}

/**
 * Where an operation waits for a database slot: `open` for light ones, `heavy` for costly ones
 * (and clients far above their share), `export` for downloads that hold a connection for minutes,
 * so that an export does not take the heavy lane from queries for its whole length.
 */
export type Lane = 'open' | 'heavy' | 'export';

export class Admission {
  private readonly all: Slots;
  private readonly heavy: Slots;
  private readonly exports: Slots;
  private readonly clients = new Map<string, number>();
  /** Each client's recent use (ms of waiting for or holding slots, decayed): least goes first. */
  private readonly usage = new RecentUse();

  constructor(readonly options: AdmissionOptions) {
    this.all = new Slots(options.slots);
    this.heavy = new Slots(Math.max(1, Math.min(options.heavySlots, options.slots)));
    this.exports = new Slots(Math.max(1, Math.min(options.exportSlots ?? options.heavySlots, options.slots)));
  }

  get active(): number {
    return this.all.active;
  }

  get waiting(): number {
    return this.all.queue.length + this.heavy.queue.length;
  }

  enterClient(key: string): boolean {
    const running = this.clients.get(key) ?? 0;
    if (running >= this.options.perClient) return false;
    this.clients.set(key, running + 1);
    return true;
  }

  leaveClient(key: string): void {
    const running = (this.clients.get(key) ?? 1) - 1;
    if (running <= 0) this.clients.delete(key);
    else this.clients.set(key, running);
  }

  /**
   * A database slot, as the function that frees it, or undefined after acquireTimeoutMs. Heavy
   * operations, and clients far above their share lately (a script in a loop, a prober), first
   * need one of the few confined slots, so however many of them arrive, light operations from
   * ordinary clients (dashboards) still find free slots.
   */
  async acquire(lane: Lane = 'open', client?: string): Promise<(() => void) | undefined> {
    const started = Date.now();
    const { acquireTimeoutMs } = this.options;
    const priority = client === undefined ? 0 : this.usage.charge(client, 0, started);
    const confinedTo = lane === 'export' ? this.exports : lane === 'heavy' || priority > NOISY_MS ? this.heavy : undefined;
    const charge = () => client !== undefined && this.usage.charge(client, Date.now() - started, Date.now());
    if (confinedTo && !(await confinedTo.acquire(acquireTimeoutMs, priority))) {
      charge();
      return undefined;
    }
    if (!(await this.all.acquire(Math.max(1, acquireTimeoutMs - (Date.now() - started)), priority))) {
      confinedTo?.release();
      charge();
      return undefined;
    }
    this.options.onWait?.(Date.now() - started, confinedTo !== undefined);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.all.release();
      confinedTo?.release();
      charge();
    };
  }

  /** A request of this client was refused (HTTP 4xx): it goes further back in line for a while. */
  refused(client: string): void {
    this.usage.charge(client, REFUSAL_MS, Date.now());
  }

}

export function tooManyRequests(perClient: number): GraphQLError {
  return withoutStack(
    new GraphQLError(`Too many concurrent requests from this client: at most ${perClient} may run at once.`, {
      extensions: { code: 'TOO_MANY_REQUESTS', http: { status: 429, headers: { 'retry-after': '1' } } },
    }),
  );
}

export function databaseBusy(waitedMs: number): GraphQLError {
  return withoutStack(
    new GraphQLError(`The server is busy: no database connection became free within ${waitedMs} ms.`, {
      extensions: { code: 'DATABASE_BUSY', http: { status: 503, headers: { 'retry-after': '1' } } },
    }),
  );
}

/** Costs of operations without variables, which nothing a request sends can change. */
const fixedCosts = new WeakMap<DocumentNode, Map<string, number>>();

/** The operation's cost from its actual variables, as the schema's cost limit computes it; undefined when they do not coerce. */
function operationCost(args: ExecutionArgs): number | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  const fixed = !operation?.variableDefinitions?.length;
  const known = fixed ? fixedCosts.get(args.document)?.get(args.operationName ?? '') : undefined;
  if (known !== undefined) return known;
  try {
    const { complexity } = complexityFromQuery(args.document, {
      schema: args.schema,
      ctx: args.contextValue as object,
      variables: (args.variableValues ?? {}) as Record<string, unknown>,
    });
    if (fixed) {
      const costs = fixedCosts.get(args.document) ?? new Map<string, number>();
      costs.set(args.operationName ?? '', complexity);
      fixedCosts.set(args.document, costs);
    }
    return complexity;
  } catch {
    // Variables that do not coerce: execution reports them; it will not reach the database.
    return undefined;
  }
}

export function overBudget(cost: number, waitSeconds: number, budget: CostBudget): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(waitSeconds));
  return withoutStack(
    new GraphQLError(
      `This client has spent its query budget: ${budget.options.perSecond} cost points a second, up to ${budget.options.burst} at once; this operation costs ${cost}. Try again in ${retryAfter} s, or ask for smaller pages.`,
      { extensions: { code: 'RATE_LIMITED', cost, http: { status: 429, headers: { 'retry-after': String(retryAfter) } } } },
    ),
  );
}

export const CONSISTENCY_HEADER = 'x-read-consistency';

export interface AdmissionPluginOptions {
  admission?: Admission;
  monitor?: DatabaseMonitor;
  /** Read replica: queries go there unless the client asks for `x-read-consistency: primary`. */
  readDb?: Database;
}

export function useAdmission({ admission, monitor, readDb }: AdmissionPluginOptions): Plugin<{ db?: Database }> {
  return {
    async onExecute({ args, setResultAndStopExecution, extendContext }) {
      const context = args.contextValue as { clientKey?: unknown; request?: Request };
      if (monitor && !monitor.up && (await monitor.check()).status !== 'up') {
        setResultAndStopExecution({ errors: [databaseUnavailable()] });
        return;
      }
      const operation = getOperationAST(args.document, args.operationName);
      if (readDb && operation?.operation === 'query' && context.request?.headers.get(CONSISTENCY_HEADER) !== 'primary') {
        extendContext({ db: readDb });
      }
      if (!admission) return;
      const client = typeof context.clientKey === 'string' ? context.clientKey : undefined;
      const cost = operationCost(args);
      const budget = admission.options.budget;
      if (client !== undefined && budget?.enabled && cost !== undefined) {
        const wait = budget.spend(client, cost);
        if (wait > 0) {
          setResultAndStopExecution({ errors: [overBudget(cost, wait, budget)] });
          return;
        }
      }
      if (client !== undefined && !admission.enterClient(client)) {
        setResultAndStopExecution({ errors: [tooManyRequests(admission.options.perClient)] });
        return;
      }
      const heavy = cost !== undefined && cost > admission.options.heavyCost;
      const slot = await admission.acquire(heavy ? 'heavy' : 'open', client);
      if (!slot) {
        if (client !== undefined) admission.leaveClient(client);
        setResultAndStopExecution({ errors: [databaseBusy(admission.options.acquireTimeoutMs)] });
        return;
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        slot();
        if (client !== undefined) admission.leaveClient(client);
      };
      // Cancelled executions may never report done; the request's end releases too.
      context.request?.signal.addEventListener('abort', release, { once: true });
      return { onExecuteDone: release };
    },
  };
}
