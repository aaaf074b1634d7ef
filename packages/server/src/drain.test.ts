import { describe, expect, it } from 'vitest';
import { startTestServer } from './testing/server.js';
import { usageRecord } from './testing/temp.js';

describe('close() drains requests under way', () => {
  it('answers an ingest whose body is still arriving when shutdown begins, and refuses new connections', async () => {
    const s = await startTestServer();
    const body = JSON.stringify({ records: [usageRecord({ id: 'late', at: Date.now(), costMicrodollars: 42 })] });
    const half = Math.floor(body.length / 2);
    let push!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({ start: (c) => (push = c) });
    push.enqueue(new TextEncoder().encode(body.slice(0, half)));
    const response = fetch(`${s.url}/api/towns/${s.townId}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.ingestToken}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 200)); // the server is reading the body

    const closing = s.close();
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow(); // no new connections
    push.enqueue(new TextEncoder().encode(body.slice(half)));
    push.close();
    const res = await response;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    await closing;
  });
});
