/** Builds the GraphQL HTTP app; src/index.ts only listens and shuts down. */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Database } from './db/client.ts';
import type { Context } from './graphql/context.ts';
import { schema } from './graphql/schema.ts';
import { exampleQueries } from './graphiql-examples.ts';

export interface AppOptions {
  db: Database;
}

export type App = YogaServerInstance<Record<string, unknown>, Context>;

export function createApp({ db }: AppOptions): App {
  return createYoga<Record<string, unknown>, Context>({
    schema,
    // A new context per request: DataLoader caches must not outlive it (nor leak across users).
    context: (): Context => ({ db }),
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
