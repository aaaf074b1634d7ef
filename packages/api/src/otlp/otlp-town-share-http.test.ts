import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTO, post, tokenUsageExport, totals, townWithKey } from './testing/town.js';

/**
 * Each town's OTLP exports are charged the time their decoding takes, against the host's share per principal
 * (the read budget's rates): a town that spent its share is refused with a 429 before its body is read, and
 * another town's exports, and users' reads, go on. A real server with a small share (50 ms at once, 1 ms a second).
 */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ autoTick: false, readBudgetMsPerS: 1, readBudgetBurstMs: 50 });
});
afterAll(async () => {
  await s?.close();
});

const at = Date.now() - 60_000;
/** A delta export of one input-token point of 1 for each of `agents` agents: decoding it takes a few ms. */
const wideExport = (agents: number, time: number) =>
  tokenUsageExport(Array.from({ length: agents }, (_, a) => ({ agent: `polecat-${a}`, points: [{ value: 1, time }] })));

describe("a town's share of the server's time for OTLP", () => {
  it('a town that spent it is refused (429, Retry-After, nothing stored); another town and a reader are not', async () => {
    const greedy = await townWithKey(s, 'greedy');
    const other = await townWithKey(s, 'other');
    const AGENTS = 300;
    let accepted = 0;
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const answer = await post(s, '/v1/metrics', greedy.key, wideExport(AGENTS, at + i), PROTO);
      if (answer.status === 200) accepted++;
      else refused = answer;
    }
    expect(accepted).toBeGreaterThan(0);
    expect(refused?.status).toBe(429);
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    const error = JSON.parse(Buffer.from(refused?.bytes ?? []).toString()).error;
    expect(error.code).toBe('too_many_requests');
    expect(error.message).toMatch(/^this town's OTLP exports have held the server for more than their share/);

    const fine = await post(s, '/v1/metrics', other.key, wideExport(AGENTS, at), PROTO);
    expect(fine.status).toBe(200);
    expect((await totals(s, other.townId)).input_tokens).toBe(AGENTS);
    // The refused export stored nothing: the greedy town holds exactly what was accepted.
    expect((await totals(s, greedy.townId)).input_tokens).toBe(accepted * AGENTS);
  });

  it('the refusal comes before the body is read: a body that never ends is answered at once', async () => {
    const greedy = await townWithKey(s, 'greedy stream');
    for (let i = 0; i < 200; i++) {
      if ((await post(s, '/v1/metrics', greedy.key, wideExport(300, at + i), PROTO)).status === 429) break;
    }
    // A stream that sends one chunk and then nothing: reading it would wait for ever.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(16));
      },
    });
    const res = await fetch(`${s.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${greedy.key}`, ...PROTO },
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(5_000),
    } as RequestInit);
    expect(res.status).toBe(429);
    expect(res.headers.get('connection')).toBe('close');
    await res.body?.cancel();
  });
});
