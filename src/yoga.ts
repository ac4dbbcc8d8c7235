/** Builds the GraphQL HTTP app; src/index.ts only listens and shuts down. */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { LimitsConfig } from './config.ts';
import type { Database } from './db/client.ts';
import type { Context } from './graphql/context.ts';
import { schema } from './graphql/schema.ts';
import { exampleQueries } from './graphiql-examples.ts';
import { DEFAULT_LIMITS, useArmor, useBodyLimit, useIntrospectionSwitch, useRefusalStatus } from './http/limits.ts';

export interface AppOptions {
  db: Database;
  /** Query limits; each field left out keeps its default (src/http/limits.ts). */
  limits?: Partial<LimitsConfig>;
}

export type App = YogaServerInstance<Record<string, unknown>, Context>;

export function createApp(options: AppOptions): App {
  const { db } = options;
  const limits: LimitsConfig = { ...DEFAULT_LIMITS, ...options.limits };
  const plugins: Plugin[] = [
    useBodyLimit(limits.maxBodyBytes),
    useArmor(limits),
    useIntrospectionSwitch(limits.introspection),
    useRefusalStatus(),
  ];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    // A new context per request: DataLoader caches must not outlive it (nor leak across users).
    context: (): Context => ({ db, maxCost: limits.maxCost }),
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
