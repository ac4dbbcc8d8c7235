import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One copy of graphql: without this vitest may load both its ESM and CJS builds and fail
    // with "Cannot use GraphQLSchema from another module or realm".
    alias: { graphql: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // A real browser's tests run apart (npm run test:browser, vitest.browser.config.ts).
    exclude: [...configDefaults.exclude, 'tests/browser/**'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Test files share one PostgreSQL server; a 2-core machine gains nothing from more workers.
    maxWorkers: 2,
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
