import { LiveStream } from '@gasgauge/server/testing/live-stream';
import { request, startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIVE_PER_TOWN, MAX_LIVE_PER_USER, MAX_LIVE_PER_USER_ALL_TOWNS } from './live-hub.js';

/*
 * Every live stream re-reads its town on each push, so one user opening thousands of them (a script,
 * a tab left reloading) costs the server a core: a town has at most MAX_LIVE_PER_TOWN at once, and one
 * user holds at most MAX_LIVE_PER_USER of them, so no reader can shut the town's other viewers out.
 */

let s: TestServer;
const streams: LiveStream[] = [];
let town: { id: string; readers: string[]; owner: string };
beforeAll(async () => {
  s = await startTestServer({ tickMs: 60_000 });
  town = await orgTown(s, MAX_LIVE_PER_TOWN / MAX_LIVE_PER_USER + 1);
});
afterAll(async () => {
  await Promise.all(streams.map((l) => l.close()));
  await s?.close();
});

/** An organisation's town, its owner and `n` members (readers), each with an API token. */
async function orgTown(server: TestServer, n: number): Promise<{ id: string; readers: string[]; owner: string }> {
  const ok = async (p: Promise<{ status: number; body: { result: { data: { id: string } } } }>) => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.result.data;
  };
  const trpc = (token: string, proc: string, input: unknown) => request(server.url, 'POST', `/trpc/${proc}`, token, input);
  const owner = (await server.addUser(`owner${Math.random().toString(36).slice(2, 8)}`)).token;
  const org = (await ok(trpc(owner, 'orgs.create', { name: `live org ${Math.random().toString(36).slice(2, 8)}` }))).id;
  const id = (await ok(trpc(owner, 'towns.create', { name: 'live town', organizationId: org }))).id;
  const readers: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `reader${i}${Math.random().toString(36).slice(2, 8)}`;
    const reader = await server.addUser(name);
    await ok(trpc(owner, 'orgs.setMember', { organizationId: org, userName: name, role: 'member' }));
    await ok(trpc(reader.token, 'orgs.acceptInvitation', { organizationId: org }));
    readers.push(reader.token);
  }
  return { id, readers, owner };
}

async function openOn(url: string, townId: string, token: string): Promise<LiveStream> {
  const l = new LiveStream(url, townId, token);
  streams.push(l);
  await Promise.race([l.waitFor((e) => e.event === 'message'), l.finished]);
  return l;
}

/** MAX_LIVE_PER_TOWN streams of the town, MAX_LIVE_PER_USER by each reader in turn. */
const fill = () =>
  Promise.all(
    Array.from({ length: MAX_LIVE_PER_TOWN }, (_, i) =>
      openOn(s.url, town.id, town.readers[Math.floor(i / MAX_LIVE_PER_USER)] as string),
    ),
  );

const refusal = (l: LiveStream) =>
  l.events.map((e) => [e.event, e.data?.data?.code, e.data?.data?.path, e.data?.data?.httpStatus]);

describe('metrics.live streams per town', () => {
  it(`takes ${MAX_LIVE_PER_TOWN} at once, refuses the next (TOO_MANY_REQUESTS naming townId), and counts a closed one out`, async () => {
    const first = await fill();
    expect(first.every((l) => l.status === 200 && !l.ended)).toBe(true);

    // A subscription's refusal comes on the stream (as for a revoked credential): an error event, then the end.
    const over = new LiveStream(s.url, town.id, town.readers.at(-1) as string);
    streams.push(over);
    expect(await over.endsWithin(5000)).toBe(true);
    expect(refusal(over)).toEqual([
      ['connected', undefined, undefined, undefined],
      ['serialized-error', 'TOO_MANY_REQUESTS', 'townId', 429],
    ]);

    // Closed streams (read or not) no longer count: as many open again.
    await Promise.all(first.map((l) => l.close()));
    const again = await fill();
    expect(again.every((l) => l.status === 200 && !l.ended)).toBe(true);
    await Promise.all(again.map((l) => l.close()));
    // The server still answers everything else.
    expect((await s.get(`/api/towns/${s.townId}/metrics/throughput`)).status).toBe(200);
  }, 60_000);
});

describe('metrics.live streams per user', () => {
  it(`lets one reader hold ${MAX_LIVE_PER_USER} of a town's streams, not all ${MAX_LIVE_PER_TOWN}: the owner and the others still watch`, async () => {
    const greedy = town.readers[0] as string;
    const held = await Promise.all(Array.from({ length: MAX_LIVE_PER_USER }, () => openOn(s.url, town.id, greedy)));
    expect(held.every((l) => l.status === 200 && !l.ended)).toBe(true);
    const more = Array.from({ length: 5 }, () => new LiveStream(s.url, town.id, greedy));
    streams.push(...more);
    for (const l of more) {
      expect(await l.endsWithin(5000)).toBe(true);
      expect(refusal(l)).toEqual([
        ['connected', undefined, undefined, undefined],
        ['serialized-error', 'TOO_MANY_REQUESTS', 'townId', 429],
      ]);
      expect(l.events.at(-1)?.data?.message).toMatch(/you already have/);
    }
    const owner = await openOn(s.url, town.id, town.owner);
    const other = await openOn(s.url, town.id, town.readers[1] as string);
    expect([owner, other].every((l) => l.status === 200 && !l.ended)).toBe(true);
    await Promise.all([...held, owner, other].map((l) => l.close()));
  }, 60_000);
});

describe('metrics.live streams per user across towns', () => {
  it(`lets one user hold ${MAX_LIVE_PER_USER_ALL_TOWNS} streams across towns, refuses the next, and counts a closed one out`, async () => {
    // Enough towns of the admin for MAX_LIVE_PER_USER_ALL_TOWNS streams at MAX_LIVE_PER_USER each, and one more.
    const towns = [s.townId];
    while (towns.length * MAX_LIVE_PER_USER <= MAX_LIVE_PER_USER_ALL_TOWNS)
      towns.push(await s.createTown(`many ${towns.length}`));
    const held = await Promise.all(
      Array.from({ length: MAX_LIVE_PER_USER_ALL_TOWNS }, (_, i) =>
        openOn(s.url, towns[Math.floor(i / MAX_LIVE_PER_USER)] as string, s.adminToken),
      ),
    );
    expect(held.every((l) => l.status === 200 && !l.ended)).toBe(true);

    // The last town holds fewer than MAX_LIVE_PER_USER of them: the refusal is the cap across towns.
    const last = towns.at(-1) as string;
    const over = new LiveStream(s.url, last, s.adminToken);
    streams.push(over);
    expect(await over.endsWithin(5000)).toBe(true);
    expect(refusal(over)).toEqual([
      ['connected', undefined, undefined, undefined],
      ['serialized-error', 'TOO_MANY_REQUESTS', 'townId', 429],
    ]);
    expect(over.events.at(-1)?.data?.message).toMatch(/across your towns/);
    // Another user is not counted with them.
    const other = await openOn(s.url, town.id, town.readers[0] as string);
    expect(other.ended).toBe(false);

    // A closed stream (of another town) frees its place.
    await (held[0] as LiveStream).close();
    const next = await openOn(s.url, last, s.adminToken);
    expect([next.status, next.ended]).toEqual([200, false]);
    await Promise.all([...held, other, next].map((l) => l.close()));
  }, 60_000);
});

describe('metrics.live stream lifetime (LIVE_STREAM_MAX_MS, 2 s here)', () => {
  let short: TestServer;
  let shortTown: { id: string; readers: string[] };
  beforeAll(async () => {
    short = await startTestServer({ tickMs: 60_000, liveStreamMaxMs: 2000 });
    shortTown = await orgTown(short, MAX_LIVE_PER_TOWN / MAX_LIVE_PER_USER);
  });
  afterAll(async () => {
    await short?.close();
  });

  it('ends each stream with a return event once its lifetime passes, and its place is free again', async () => {
    // Timed per stream, from its own request and first message: opening all 200 may itself take 2 s on a loaded host.
    const all = await Promise.all(
      Array.from({ length: MAX_LIVE_PER_TOWN }, async (_, i) => {
        const requested = performance.now();
        const l = new LiveStream(short.url, shortTown.id, shortTown.readers[Math.floor(i / MAX_LIVE_PER_USER)] as string);
        streams.push(l);
        const first = await l.waitFor((e) => e.event === 'message');
        return { l, requested, first: first.at };
      }),
    );
    await Promise.all(all.map(({ l }) => l.endsWithin(10_000)));
    for (const { l, requested, first } of all) {
      const last = l.events.at(-1);
      expect(l.ended && last?.event === 'return').toBe(true);
      const endedAt = last?.at ?? 0;
      // Not before its lifetime (the server took it after the request), and not long after it.
      expect(endedAt - requested).toBeGreaterThanOrEqual(2000);
      expect(endedAt - first).toBeLessThan(5000);
    }
    // Their places are free: a new stream opens.
    const next = new LiveStream(short.url, shortTown.id, shortTown.readers[0] as string);
    streams.push(next);
    await next.waitFor((e) => e.event === 'message');
    expect(next.ended).toBe(false);
  }, 60_000);
});
