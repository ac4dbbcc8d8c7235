/** Builds the GraphQL HTTP app; src/index.ts only listens and shuts down. */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { randomUUID } from 'node:crypto';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { LimitsConfig } from './config.ts';
import type { Database } from './db/client.ts';
import type { Context } from './graphql/context.ts';
import { LIVE_VIEW } from './graphql/view.ts';
import { makePubSub, type PubSub } from './graphql/pubsub.ts';
import { schema } from './graphql/schema.ts';
import { exampleQueries } from './graphiql-examples.ts';
import { DEFAULT_LIMITS, useArmor, useBodyLimit, useIntrospectionSwitch, useRefusalStatus } from './http/limits.ts';
import { authenticate, logErrorToStderr, requestIdOf, unauthorized, useRequestId, type LogError } from './http/requests.ts';

export interface AppOptions {
  db: Database;
  /** Query limits; each field left out keeps its default (src/http/limits.ts). */
  limits?: Partial<LimitsConfig>;
  /** May requests without a token read? Default true; writes always need a token. */
  anonymousReads?: boolean;
  /** Where writes announce new records; default in-process (pass a Redis-backed one to share). */
  pubsub?: PubSub;
  /** Where unexpected (masked) errors are logged with their request id; default stderr. */
  logError?: LogError;
}

export type App = YogaServerInstance<Record<string, unknown>, Context>;

export function createApp(options: AppOptions): App {
  const { db } = options;
  const anonymousReads = options.anonymousReads ?? true;
  const pubsub = options.pubsub ?? makePubSub();
  const logError = options.logError ?? logErrorToStderr;
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
        requestId: requestIdOf(request) ?? randomUUID(),
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
