import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['node_modules/**', 'data/**', 'web/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
