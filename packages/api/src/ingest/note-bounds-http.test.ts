import { startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../http/json-depth.js';
import { MAX_NOTE_DATA_BYTES, MAX_NOTE_DATA_DEPTH } from './json-bounds.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

let n = 0;
/** Posts one note event (as raw JSON text, so any nesting can be sent) after a valid one. */
function postNote(dataJson: string) {
  n++;
  const at = Date.now();
  const body = `{"events": [{"id": "ok-${n}", "at": ${at}, "type": "note", "name": "fine"}, {"id": "note-${n}", "at": ${at}, "type": "note", "name": "n", "data": ${dataJson}}]}`;
  return s.post(`/api/towns/${s.townId}/events`, body);
}

/** `depth` nested arrays around a number: `[[1]]` is depth 2. */
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
/** A JSON string value whose JSON text is exactly `bytes` bytes of UTF-8, in 2-byte characters when it can. */
const stringOfBytes = (bytes: number) => JSON.stringify('é'.repeat(Math.floor((bytes - 2) / 2)) + 'x'.repeat((bytes - 2) % 2));

async function expectRefused(
  r: { status: number; body: { error: { code: string; path: string; message: string } } },
  message: RegExp,
) {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error).toMatchObject({ code: 'bad_request', path: 'events[1].data' });
  expect(r.body.error.message).toMatch(message);
}

describe("a note's data is bounded (400 naming the field, nothing stored)", () => {
  it(`accepts data nested ${MAX_NOTE_DATA_DEPTH} deep`, async () => {
    const r = await postNote(nested(MAX_NOTE_DATA_DEPTH));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.accepted).toBe(2);
  });

  it.each([MAX_NOTE_DATA_DEPTH + 1, MAX_JSON_DEPTH - 3])('refuses data nested %i deep', async (depth) => {
    await expectRefused(await postNote(nested(depth)), new RegExp(`deeper than ${MAX_NOTE_DATA_DEPTH}`));
  });

  it.each([MAX_JSON_DEPTH - 2, 1720, 100_000])(
    'refuses a body whose data takes it past its own nesting bound (%i deep) whole',
    async (depth) => {
      const r = await postNote(nested(depth));
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'bad_request', path: 'body' });
    },
  );

  it('counts objects as levels too', async () => {
    const obj = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect((await postNote(obj(MAX_NOTE_DATA_DEPTH))).status).toBe(200);
    await expectRefused(await postNote(obj(MAX_NOTE_DATA_DEPTH + 1)), /deeper/);
  });

  it(`accepts data of exactly ${MAX_NOTE_DATA_BYTES} bytes as JSON (UTF-8)`, async () => {
    const data = stringOfBytes(MAX_NOTE_DATA_BYTES);
    expect(Buffer.byteLength(data)).toBe(MAX_NOTE_DATA_BYTES);
    const r = await postNote(data);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it('refuses one byte more', async () => {
    const data = stringOfBytes(MAX_NOTE_DATA_BYTES + 1);
    expect(Buffer.byteLength(data)).toBe(MAX_NOTE_DATA_BYTES + 1);
    await expectRefused(await postNote(data), new RegExp(`larger than ${MAX_NOTE_DATA_BYTES} bytes`));
  });

  it('stores nothing from a refused batch', async () => {
    await expectRefused(await postNote(nested(MAX_NOTE_DATA_DEPTH + 1)), /deeper/);
    await expectRefused(await postNote(stringOfBytes(64 * 1024)), /larger/);
    const r = await s.get(trpcPath('metrics.events', { townId: s.townId, limit: 200 }));
    const ids = (r.body.result.data.events as { id: string }[]).map((e) => e.id);
    expect(ids).toContain(`ok-1`);
    expect(ids).not.toContain(`ok-${n}`);
    expect(ids).not.toContain(`ok-${n - 1}`);
    expect((await s.get('/api/health', null)).status).toBe(200);
  });
});
