import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/web/e2e/**/*.test.ts',
            'docs/**/*.test.ts',
            'lint/**/*.test.ts',
            'pack/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          // Those run inside workerd, in the worker project below.
          exclude: [...configDefaults.exclude, 'packages/worker/src/pool/**'],
          // Every test file removes the temp dirs it made, and the run fails if any gg-* dir is left.
          setupFiles: ['packages/server/src/testing/setup.ts'],
          globalSetup: ['packages/server/src/testing/temp-guard.ts'],
        },
      },
      // The Worker's Durable Objects, alarms and RPC, inside workerd (@cloudflare/vitest-pool-workers).
      'packages/worker/vitest.config.ts',
    ],
  },
});
