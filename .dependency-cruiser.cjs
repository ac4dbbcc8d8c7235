/**
 * The layers, checked by tests/layers.test.ts (dependency-cruiser): imports point one way.
 *
 *   src/db                                        tables, client, migrations, summaries
 *     ← src/domain, src/citations, src/auth       write rules; locating quotes; tokens and principals
 *     ← src/writes                                a request's write transaction (audit, idempotency, outcome)
 *     ← src/graphql, src/import, seed/            the API, the importers, the seed command
 *     ← src/yoga.ts, src/server.ts, src/http,     serving: the GraphQL app, HTTP, observability,
 *       src/observability, src/config.ts, ...       configuration, Redis pub/sub, GraphiQL
 *     ← src/index.ts, src/cli, src/abuse          the commands
 *
 * Type-only imports count too (tsPreCompilationDeps): a type from above is still a dependency on
 * what is above.
 */
const DOMAIN = '^src/(domain|citations|auth)/';
const CALLERS = '^(src/(graphql|import)/|seed/)';
const SERVING = '^src/(yoga\\.ts|server\\.ts|http/|observability/|config\\.ts|pubsub-redis\\.ts|graphiql-[a-z-]+\\.ts|env-file\\.ts)';
const COMMANDS = '^src/(index\\.ts|cli/|abuse/)';

/** A rule: modules at `from` may import only modules matching `allowed` (among src/ and seed/). */
function onlyImports(name, comment, from, allowed) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: '^(src|seed)/', pathNot: allowed } };
}

module.exports = {
  forbidden: [
    onlyImports('db-is-the-bottom', 'src/db imports nothing of the project above it.', '^src/db/', '^src/db/'),
    onlyImports(
      'domain-rests-on-db',
      'The domain (and quote anchoring, tokens) imports only src/db and itself: never a caller, the API or the server.',
      DOMAIN,
      `^src/db/|${DOMAIN}`,
    ),
    onlyImports('writes-below-the-api', 'src/writes is request plumbing under src/graphql: it imports src/db and the domain only.', '^src/writes/', `^src/(db|writes)/|${DOMAIN}`),
    onlyImports(
      'graphql-calls-the-domain',
      'The GraphQL layer calls the domain (through src/writes); it never imports an importer, the seed or the server.',
      '^src/graphql/',
      `^src/(db|writes|graphql)/|${DOMAIN}`,
    ),
    onlyImports('importers-call-the-domain', 'The importers call the domain; never the API, the seed or the server.', '^src/import/', `^src/(db|import)/|${DOMAIN}`),
    onlyImports('seed-calls-the-domain', 'seed/ holds data and a thin command over the domain.', '^seed/', `^src/db/|${DOMAIN}`),
    onlyImports(
      'serving-below-the-commands',
      'Serving code never imports a command (src/index.ts, src/cli, src/abuse).',
      SERVING,
      `^src/(db|writes|graphql|import)/|${DOMAIN}|${SERVING}`,
    ),
    {
      name: 'nothing-imports-the-commands',
      comment: 'Commands are the top: only other commands import them.',
      severity: 'error',
      from: { path: '^(src|seed)/', pathNot: COMMANDS },
      to: { path: COMMANDS },
    },
    {
      name: 'every-module-has-a-layer',
      comment: 'A new top-level module under src/ gets a place in the picture above (and in README, Layout).',
      severity: 'error',
      from: { path: '^(src|seed)/' },
      to: { path: '^src/', pathNot: `^src/(db|writes|graphql|import)/|${DOMAIN}|${SERVING}|${COMMANDS}` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|tests|scripts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
