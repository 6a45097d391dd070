import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    // `*.long.test.ts` run separately (`npm run test:long`, see vitest.long.config.ts).
    exclude: ['node_modules/**', 'data/**', 'web/dist/**', '**/*.long.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files mostly wait on timers, servers and the exchange: three at a time keeps a
    // 2-core machine busy without starving them (vitest's default here would be one).
    maxWorkers: 3,
  },
});
