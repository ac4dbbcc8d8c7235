/** Builds the GraphQL HTTP app; src/index.ts only listens and shuts down. */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { principalForToken, type Principal } from './auth/tokens.ts';
import type { LimitsConfig } from './config.ts';
import type { Database } from './db/client.ts';
import type { Context } from './graphql/context.ts';
import { LIVE_VIEW } from './graphql/view.ts';
import { makePubSub, type PubSub } from './graphql/pubsub.ts';
import { schema } from './graphql/schema.ts';
import { exampleQueries } from './graphiql-examples.ts';
import { DEFAULT_LIMITS, useArmor, useBodyLimit, useIntrospectionSwitch, useRefusalStatus } from './http/limits.ts';

export interface AppOptions {
  db: Database;
  /** Query limits; each field left out keeps its default (src/http/limits.ts). */
  limits?: Partial<LimitsConfig>;
  /** May requests without a token read? Default true; writes always need a token. */
  anonymousReads?: boolean;
  /** Where writes announce new records; default in-process (pass a Redis-backed one to share). */
  pubsub?: PubSub;
  /** Where unexpected (masked) errors are logged with their request id; default stderr. */
  logError?: (entry: { requestId: string; error: unknown }) => void;
}

export type App = YogaServerInstance<Record<string, unknown>, Context>;

export function createApp(options: AppOptions): App {
  const { db } = options;
  const anonymousReads = options.anonymousReads ?? true;
  const pubsub = options.pubsub ?? makePubSub();
  const logError =
    options.logError ??
    (({ requestId, error }) =>
      console.error(
        JSON.stringify({
          level: 'error',
          requestId,
          error: String(error),
          // Drizzle wraps the driver's error; its cause says what PostgreSQL refused.
          cause: error instanceof Error && error.cause !== undefined ? String(error.cause) : undefined,
          stack: error instanceof Error ? error.stack : undefined,
        }),
      ));
  const limits: LimitsConfig = { ...DEFAULT_LIMITS, ...options.limits };
  const plugins: Plugin[] = [
    useBodyLimit(limits.maxBodyBytes),
    useArmor(limits),
    useIntrospectionSwitch(limits.introspection),
    useRefusalStatus(),
    useRequestId(logError),
  ];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    // A new context per request: DataLoader caches must not outlive it (nor leak across users).
    context: async ({ request }): Promise<Context> => {
      const principal = await authenticate(db, request.headers.get('authorization'));
      if (!principal && !anonymousReads) throw unauthorized('this server needs an API token (Authorization: Bearer ...)');
      return {
        db,
        maxCost: limits.maxCost,
        principal,
        anonymousReads,
        requestId: requestIds.get(request) ?? randomUUID(),
        view: LIVE_VIEW,
        pubsub,
      };
    },
    plugins,
    // One operation per request: a batch would multiply every other limit.
    batching: false,
    // Unexpected errors reach clients as "Unexpected error." — never SQL, stacks or hosts.
    maskedErrors: true,
    landingPage: false,
    // Served from the package, not a CDN, so GraphiQL works offline.
    renderGraphiQL,
    graphiql: {
      title: 'Militant movements knowledge graph',
      defaultTabs: exampleQueries.map(({ query }) => ({ query })),
    },
  });
}

function unauthorized(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
  });
}

/** The principal of a request: null without a token; a bad or revoked token is refused (401). */
async function authenticate(db: Database, header: string | null): Promise<Principal | null> {
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <token>"');
  const principal = await principalForToken(db, match[1]);
  if (!principal) throw unauthorized('the API token is unknown or revoked');
  return principal;
}

const requestIds = new WeakMap<Request, string>();

/**
 * Every request gets an id, sent back in `x-request-id`; an unexpected error is logged with it
 * before yoga masks it, so a client's report can be matched to the log.
 */
function useRequestId(logError: NonNullable<AppOptions['logError']>): Plugin {
  return {
    onRequest({ request }) {
      requestIds.set(request, randomUUID());
    },
    onExecute() {
      return {
        onExecuteDone({ args, result }) {
          const requestId = (args.contextValue as Partial<Context>).requestId ?? 'unknown';
          const results = Symbol.asyncIterator in result ? [] : [result];
          for (const r of results) {
            for (const error of r.errors ?? []) {
              const original = error.originalError;
              if (original && !(original instanceof GraphQLError)) logError({ requestId, error: original });
            }
          }
        },
      };
    },
    onResponse({ request, response }) {
      const id = requestIds.get(request);
      if (id) response.headers.set('x-request-id', id);
    },
  };
}
