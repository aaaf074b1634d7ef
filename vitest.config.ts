import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/web/e2e/**/*.test.ts', 'docs/**/*.test.ts', 'pack/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
