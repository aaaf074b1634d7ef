import { zoneFormatters } from '@gasgauge/core';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, expect, it } from 'vitest';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 10);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ clock: () => NOW, autoTick: false });
});
afterAll(() => s?.close());

/** The zone's name with the letters whose bit is set in `k` in the other case. */
function spelling(name: string, k: number): string {
  let bit = 0;
  return [...name]
    .map((c) => {
      if (!/[a-z]/i.test(c)) return c;
      const flip = ((k >> bit++) & 1) === 1;
      return flip ? (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) : c;
    })
    .join('');
}

it('a zone spelled 2,000 ways costs the server one formatter, not 2,000 (30 KB each)', async () => {
  const read = (tz: string) =>
    s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${NOW - 3 * DAY}&to=${NOW}&maxPoints=3&tz=${encodeURIComponent(tz)}`);
  expect((await read('America/Argentina/ComodRivadavia')).status).toBe(200);
  const before = zoneFormatters();
  for (let k = 1; k <= 2000; k++) {
    const r = await read(spelling('America/Argentina/ComodRivadavia', k));
    expect(r.status).toBe(200);
  }
  expect(zoneFormatters()).toBe(before);
});

it('a time zone is a name, never an offset (some hosts take offsets, Node does not)', async () => {
  for (const tz of ['+14:00', '-23:59', '+0100']) {
    const r = await s.get(
      `/api/towns/${s.townId}/metrics/timeseries?from=${NOW - 3 * DAY}&to=${NOW}&maxPoints=3&tz=${encodeURIComponent(tz)}`,
    );
    expect(r.status, tz).toBe(400);
    expect(r.body.error.path).toBe('tz');
  }
});
