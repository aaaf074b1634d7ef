import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/web/e2e/**/*.test.ts',
      'docs/**/*.test.ts',
      'lint/**/*.test.ts',
      'pack/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every test file removes the temp dirs it made, and the run fails if any gg-* dir is left.
    setupFiles: ['packages/server/src/testing/setup.ts'],
    globalSetup: ['packages/server/src/testing/temp-guard.ts'],
  },
});
