import { afterEach, expect, it, vi } from 'vitest';
import { UNKNOWN_LOOKUPS_BURST } from '../unknown-credentials.js';
import { POOL_ADMIN as ADMIN, call } from './call.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('GASGAUGE_ADMIN_TOKEN, first seen by an isolate after a flood spent its bound, gets through at once', async () => {
  // A fresh isolate (this file's), flooded before the admin's first request; its clock held still, so nothing refills.
  const now = Date.now();
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  const flood = await Promise.all(
    Array.from({ length: UNKNOWN_LOOKUPS_BURST + 50 }, (_, i) => call('GET', '/trpc/towns.list', `ggu_made-up-${i}`)),
  );
  expect(flood.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(50);
  expect((await call('GET', '/trpc/towns.list', ADMIN)).status).toBe(200);
});
