/**
 * Who may use the database now. Counted at execution, after parsing, validation and the cost
 * check, so refused or malformed requests never take a slot:
 * - a client (token or IP) may run `perClient` operations at once; beyond that HTTP 429 with
 *   Retry-After, so a few abusive clients cannot take every slot;
 * - all clients together get `slots` (about the pool size); a request that waits longer than
 *   `acquireTimeoutMs` for one gets 503 DATABASE_BUSY instead of queueing without end;
 * - while the database is known to be down, operations fail at once with DATABASE_UNAVAILABLE
 *   instead of queueing behind a pool that is reconnecting.
 * Counts are per instance: each instance guards its own pool, and nothing here must be shared.
 */
import { GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Database } from '../db/client.ts';
import type { DatabaseMonitor } from '../db/monitor.ts';
import { databaseUnavailable } from './errors.ts';

export interface AdmissionOptions {
  slots: number;
  perClient: number;
  acquireTimeoutMs: number;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

export class Admission {
  active = 0;
  private readonly queue: Waiter[] = [];
  private readonly clients = new Map<string, number>();

  constructor(readonly options: AdmissionOptions) {}

  get waiting(): number {
    return this.queue.length;
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

  /** Resolves true with a slot, or false after acquireTimeoutMs without one. */
  acquire(): Promise<boolean> {
    if (this.active < this.options.slots) {
      this.active += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(true);
        },
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          resolve(false);
        }, this.options.acquireTimeoutMs),
      };
      this.queue.push(waiter);
    });
  }

  release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next.grant();
    else this.active -= 1;
  }
}

function tooManyRequests(perClient: number): GraphQLError {
  return new GraphQLError(`Too many concurrent requests from this client: at most ${perClient} may run at once.`, {
    extensions: { code: 'TOO_MANY_REQUESTS', http: { status: 429, headers: { 'retry-after': '1' } } },
  });
}

function databaseBusy(waitedMs: number): GraphQLError {
  return new GraphQLError(`The server is busy: no database connection became free within ${waitedMs} ms.`, {
    extensions: { code: 'DATABASE_BUSY', http: { status: 503, headers: { 'retry-after': '1' } } },
  });
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
      if (client !== undefined && !admission.enterClient(client)) {
        setResultAndStopExecution({ errors: [tooManyRequests(admission.options.perClient)] });
        return;
      }
      if (!(await admission.acquire())) {
        if (client !== undefined) admission.leaveClient(client);
        setResultAndStopExecution({ errors: [databaseBusy(admission.options.acquireTimeoutMs)] });
        return;
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        admission.release();
        if (client !== undefined) admission.leaveClient(client);
      };
      // Cancelled executions may never report done; the request's end releases too.
      context.request?.signal.addEventListener('abort', release, { once: true });
      return { onExecuteDone: release };
    },
  };
}
