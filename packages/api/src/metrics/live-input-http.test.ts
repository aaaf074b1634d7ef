import { LiveStream } from '@gasgauge/server/testing/live-stream';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** docs/api.md (metrics.live): a refused stream is a 200 stream with one error event naming the field, then its end. */
let s: TestServer;
const streams: LiveStream[] = [];
beforeAll(async () => {
  s = await startTestServer({ autoTick: false });
});
afterAll(async () => {
  await Promise.all(streams.map((l) => l.close()));
  await s?.close();
});

async function refusal(townId: string, auth: string | null) {
  const live = new LiveStream(s.url, townId, auth);
  streams.push(live);
  expect(await live.endsWithin(5000)).toBe(true);
  return live.events.map((e) => [e.event, e.data?.data?.httpStatus, e.data?.data?.path]);
}

describe('metrics.live refuses on the stream', () => {
  it.each([
    ['a townId over 64 characters', () => 't'.repeat(65), 400, 'townId'],
    ['an unknown town', () => 'town_nope', 404, 'townId'],
  ])('%s', async (_, townId, status, path) => {
    expect(await refusal(townId(), s.adminToken)).toEqual([
      ['connected', undefined, undefined],
      ['serialized-error', status, path],
    ]);
  });

  it('no credential: 401 on authorization', async () => {
    expect(await refusal(s.townId, null)).toEqual([
      ['connected', undefined, undefined],
      ['serialized-error', 401, 'authorization'],
    ]);
  });

  it('the server still answers', async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});
