import { startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

/** Status, the result's data or the error, and the response's size in bytes and time. */
interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON response shapes
  data: any;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON response shapes
  error: any;
  bytes: number;
  ms: number;
}

/** A tRPC query on real HTTP. */
async function query(proc: string, input: unknown): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(s.url + trpcPath(proc, input), { headers: { authorization: `Bearer ${s.adminToken}` } });
  const text = await res.text();
  const ms = performance.now() - started;
  const body = JSON.parse(text);
  return { status: res.status, data: body.result?.data, error: body.error, bytes: Buffer.byteLength(text), ms };
}

async function pages(proc: string, input: Record<string, unknown>): Promise<{ ids: string[]; count: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let count = 0;
  do {
    const r = await query(proc, { ...input, ...(cursor === undefined ? {} : { cursor }) });
    expect(r.status, JSON.stringify(r.error)).toBe(200);
    const list = (r.data.events ?? r.data.agents) as { id: string }[];
    ids.push(...list.map((x) => x.id));
    cursor = r.data.nextCursor ?? undefined;
    count++;
  } while (cursor !== undefined && count < 100);
  return { ids, count };
}

describe('metrics.events with 500 notes of 16 KiB stored', () => {
  const NOTES = 500;
  const big = (i: number) => ({ text: `${i}`.padEnd(16_000, '.') });

  beforeAll(async () => {
    const at = Date.now() - 60_000;
    for (let from = 0; from < NOTES; from += 50) {
      const events = Array.from({ length: 50 }, (_, k) => ({
        id: `note-${from + k}`,
        at: at + (from + k) * 10,
        type: 'note',
        name: 'report',
        data: big(from + k),
      }));
      const r = await s.post(`/api/towns/${s.townId}/events`, { events });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    // A small note (mail) whose data the feed shows.
    const mail = {
      id: 'mail',
      at: Date.now(),
      type: 'note',
      name: 'mail',
      data: { from: 'mayor', to: 'polecat-1', subject: 'hi' },
    };
    expect((await s.post(`/api/towns/${s.townId}/events`, { events: [mail] })).status).toBe(200);
  });

  it('answers the overview’s request (the newest 50) in a few KiB, without the big data', async () => {
    const r = await query('metrics.events', { townId: s.townId, limit: 50 });
    expect(r.status).toBe(200);
    expect(r.data.events).toHaveLength(50);
    expect(r.data.events[0]).toMatchObject({ id: 'mail', dataOmitted: false, body: { data: { subject: 'hi' } } });
    expect(r.data.events[1]).toMatchObject({ id: `note-${NOTES - 1}`, dataOmitted: true });
    expect(r.data.events[1].body.data).toBeUndefined();
    expect(r.bytes).toBeLessThan(16 * 1024);
    console.log(`metrics.events limit 50 with ${NOTES} big notes: ${r.bytes} bytes in ${r.ms.toFixed(1)} ms`);
  });

  it('keeps the largest page small too, and the default page smaller', async () => {
    const max = await query('metrics.events', { townId: s.townId, limit: 200 });
    expect(max.data.events).toHaveLength(200);
    expect(max.bytes).toBeLessThan(64 * 1024);
    const dflt = await query('metrics.events', { townId: s.townId });
    expect(dflt.data.events).toHaveLength(50);
    console.log(`metrics.events limit 200: ${max.bytes} bytes in ${max.ms.toFixed(1)} ms`);
  });

  it('pages through every event once with nextCursor', async () => {
    const { ids, count } = await pages('metrics.events', { townId: s.townId, limit: 200 });
    expect(count).toBe(3);
    expect(ids).toHaveLength(NOTES + 1);
    expect(new Set(ids).size).toBe(NOTES + 1);
    expect(ids.at(-1)).toBe('note-0');
  });

  it('gives one event whole with metrics.event', async () => {
    const r = await query('metrics.event', { townId: s.townId, id: 'note-7' });
    expect(r.status).toBe(200);
    expect(r.data.event).toMatchObject({ id: 'note-7', dataOmitted: false, body: { data: big(7) } });
    const missing = await query('metrics.event', { townId: s.townId, id: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.error.data.path).toBe('id');
  });

  it.each([
    [{ limit: 201 }, 'limit'],
    [{ limit: 0 }, 'limit'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
    [{ cursor: `1.${'x'.repeat(300)}` }, 'cursor'],
  ])('400 for %j, naming the field', async (over, path) => {
    const r = await query('metrics.events', { townId: s.townId, ...over });
    expect(r.status).toBe(400);
    expect(r.error.data.path).toBe(path);
  });
});

describe('metrics.agents with 1,200 agents', () => {
  let townId: string;
  beforeAll(async () => {
    townId = await s.createTown('crowded');
    const token = await s.mint(townId);
    const at = Date.now() - 1000;
    const events = Array.from({ length: 1200 }, (_, i) => ({
      id: `a${i}`,
      at,
      type: 'agent',
      agentId: `agent-${String(i).padStart(4, '0')}`,
      status: 'working',
    }));
    expect((await s.post(`/api/towns/${townId}/events`, { events }, token)).status).toBe(200);
  });

  it('answers 100 by default, with a cursor for the next page', async () => {
    const r = await query('metrics.agents', { townId });
    expect(r.data.agents).toHaveLength(100);
    expect(r.data.nextCursor).toBe('agent-0099');
    // About 210 bytes an agent since issue 12 added its cost, current bead and runaway flag (was 16 KiB).
    expect(r.bytes).toBeLessThan(24 * 1024);
  });

  it('pages through all of them at the largest page', async () => {
    const { ids, count } = await pages('metrics.agents', { townId, limit: 500 });
    expect(count).toBe(3);
    expect(ids).toEqual(Array.from({ length: 1200 }, (_, i) => `agent-${String(i).padStart(4, '0')}`));
  });

  it.each([
    [{ limit: 501 }, 'limit'],
    [{ cursor: '' }, 'cursor'],
  ])('400 for %j, naming the field', async (over, path) => {
    const r = await query('metrics.agents', { townId, ...over });
    expect(r.status).toBe(400);
    expect(r.error.data.path).toBe(path);
  });
});
