import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { ensureWebBuilt } from '../web/e2e/build.js';

process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
const ADMIN_TOKEN = 'ggu_pool-test-admin-token';
// The Worker serves the built UI as static assets, and wrangler refuses a missing assets directory.
ensureWebBuilt();

/** The Worker's own tests, inside workerd (Durable Objects, alarms, RPC); `npm test` runs them as a project. */
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        bindings: {
          TICK_MS: '100',
          // Long enough for the tests that fill a town's bound of live streams, short enough to see streams expire.
          LIVE_STREAM_MAX_MS: '5000',
          // No change earned back while a test runs, so a change budget test's edges do not hang on workerd's speed;
          // the burst is wrangler.jsonc's, and each test's changes are a fresh user's (pool/change-budget.test.ts).
          CHANGE_BUDGET_PER_MIN: '1',
          GASGAUGE_SECRET: 'test-secret-test-secret-test-secret',
          GASGAUGE_ADMIN_TOKEN: ADMIN_TOKEN,
        },
      },
    }),
  ],
  test: { name: 'worker', include: ['src/pool/**/*.test.ts'], testTimeout: 30_000 },
});
