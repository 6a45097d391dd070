import { defineConfig } from 'vitest/config';

// Long fault tests (`*.long.test.ts`: outages of several minutes), kept out of `npm test` and run by
// `npm run test:long`, which `.ci/run` starts next to the main suite.
export default defineConfig({
  test: {
    include: ['**/*.long.test.ts'],
    exclude: ['node_modules/**', 'data/**', 'web/dist/**'],
    testTimeout: 20 * 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
