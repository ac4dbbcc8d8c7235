/**
 * `npm run test:browser`: tests that drive a real browser (tests/browser/), apart from `npm test`
 * because a fresh machine may have none. Same database set-up and reporters as the main suite.
 */
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/browser/**/*.test.ts'],
    exclude: configDefaults.exclude,
    testTimeout: 60_000,
    // One browser at a time.
    maxWorkers: 1,
  },
});
