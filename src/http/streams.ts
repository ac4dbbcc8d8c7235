/**
 * Subscriptions (SSE, graphql-sse, graphql-ws) under the same rules as requests:
 * - each open stream counts in its client's per-client cap (src/http/admission.ts) for as long as
 *   it is open, so one address cannot hold a dozen streams with a cap of four;
 * - each stream's work per new event (the SQL of an `eventAdded` filter, a `changeAdded` replay)
 *   takes a database slot like any request (Context.admitStreamWork);
 * - a stream opened with a token ends when the token is revoked: at once when this instance
 *   hears of it (the token cache's LISTEN), else at the next re-check, every `recheckMs`;
 * - a stream ends after `maxLifetimeMs`, whatever it is, so no connection is held for ever.
 * A stream that ends for one of these reasons sends a last result with the error (its code says
 * why), then completes.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import type { TokenCache } from '../auth/token-cache.ts';
import type { Database } from '../db/client.ts';
import { databaseBusy, tooManyRequests, type Admission } from './admission.ts';
import { authenticate } from './requests.ts';

export interface StreamRules {
  admission?: Admission;
  /** Where tokens are looked up again (the auth pool). */
  authDb: Database;
  tokenCache?: TokenCache;
  /** Longest a stream stays open, ms. */
  maxLifetimeMs: number;
  /** How often an open stream's token is looked up again, ms. */
  recheckMs: number;
}

/** Default longest life of a subscription (SUBSCRIPTION_MAX_LIFETIME_S): an hour. */
export const DEFAULT_SUBSCRIPTION_MAX_LIFETIME_S = 60 * 60;

function streamEnded(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

interface StreamContext {
  clientKey?: unknown;
  request?: Request;
}

export function useStreamRules(rules: StreamRules): Plugin {
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn, extendContext, setResultAndStopExecution }) {
      const context = args.contextValue as StreamContext;
      const { admission } = rules;
      const client = typeof context.clientKey === 'string' ? context.clientKey : undefined;
      if (admission && client !== undefined && !admission.enterClient(client)) {
        setResultAndStopExecution({ errors: [tooManyRequests(admission.options.perClient)] });
        return;
      }
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        if (admission && client !== undefined) admission.leaveClient(client);
      };
      if (admission) {
        extendContext({
          admitStreamWork: async () => {
            const slot = await admission.acquire('open', client);
            if (!slot) throw databaseBusy(admission.options.acquireTimeoutMs);
            return slot;
          },
        } as Record<string, unknown>);
      }
      const authorization = context.request?.headers.get('authorization') ?? null;
      setSubscribeFn(async (subscribeArgs) => {
        let result: Awaited<ReturnType<typeof subscribeFn>>;
        try {
          result = await subscribeFn(subscribeArgs);
        } catch (error) {
          leave();
          throw error;
        }
        if (!isAsyncIterable(result)) {
          leave();
          return result;
        }
        return guard(result as AsyncIterable<ExecutionResult>, rules, authorization, leave);
      });
    },
  };
}

/** The stream as the client gets it: ended (with a last error) by revocation, lifetime or failure. */
function guard(source: AsyncIterable<ExecutionResult>, rules: StreamRules, authorization: string | null, leave: () => void) {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let ended = false;
    const end = (error?: GraphQLError) => {
      if (ended) return;
      ended = true;
      if (error) void push({ errors: [error] }).catch(() => {});
      stop();
    };
    const timers: NodeJS.Timeout[] = [];
    let stopHearing: (() => void) | undefined;
    timers.push(
      setTimeout(
        () => end(streamEnded('STREAM_LIFETIME_OVER', `This subscription reached its maximum lifetime (${Math.round(rules.maxLifetimeMs / 1000)} s); subscribe again to go on.`)),
        rules.maxLifetimeMs,
      ),
    );
    if (authorization !== null) {
      let checking = false;
      const recheck = async () => {
        if (checking || ended) return;
        checking = true;
        try {
          await authenticate(rules.authDb, authorization, rules.tokenCache);
        } catch (error) {
          // A revoked token ends the stream; a database that cannot answer now does not.
          if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
            end(streamEnded('UNAUTHENTICATED', `This subscription ended: ${error.message}.`));
          }
        } finally {
          checking = false;
        }
      };
      timers.push(setInterval(() => void recheck(), rules.recheckMs));
      stopHearing = rules.tokenCache?.onForget(() => void recheck());
    }
    for (const timer of timers) timer.unref();
    void (async () => {
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done || ended) break;
          await push(next.value);
        }
        end();
      } catch (error) {
        end(error instanceof GraphQLError ? error : streamEnded('STREAM_FAILED', 'This subscription failed; subscribe again.'));
      }
    })();
    await stop;
    ended = true;
    for (const timer of timers) clearTimeout(timer);
    stopHearing?.();
    leave();
    // Not awaited: a source busy with its own work finishes it and then stops.
    void Promise.resolve(iterator.return?.()).catch(() => {});
  });
}
