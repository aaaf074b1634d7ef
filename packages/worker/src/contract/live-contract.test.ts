import { describe, expect, it } from 'vitest';
import { MAX_LIVE_PER_USER } from '../../../api/src/metrics/live-hub.js';
import { LiveStream } from '../../../server/src/testing/live-stream.js';
import { SSE_KEEP_ALIVE_MS } from '../keep-alive.js';
import { HOSTS, useHost } from '../testing/hosts.js';

/**
 * A place freed within four of the Worker's keep-alives (Node frees it at once), well under a stream's lifetime (10
 * minutes): `wrangler dev` relays a stream over two connections, each finding a closed one on a write of its own.
 */
const FREED_WITHIN_MS = 4 * SSE_KEEP_ALIVE_MS;

/** `p`, or a failure naming `what` after `ms`: a step that hangs fails the test with its name rather than time it out. */
async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a stream is open and counted: its first throughput came, and it has not ended a moment later. False once it
 * ended (refused).
 */
async function opened(l: LiveStream): Promise<boolean> {
  await within(10_000, Promise.race([l.waitFor((e) => e.event === 'message').catch(() => {}), l.finished]), 'first event');
  return l.messages.length > 0 && !(await l.endsWithin(1_000));
}

const lastEvent = (l: LiveStream) => {
  const e = l.events.at(-1);
  return [e?.event, e?.data?.data?.code];
};

/**
 * A viewer who closes a live stream (a reload, a closed tab: the client drops the connection) stops holding one of
 * its MAX_LIVE_PER_USER streams of the town at once, not when the stream's lifetime ends, on an idle town too (no
 * tick, no ingest: nothing is written to the stream that could fail). On Workers the isolate had not learnt the
 * client had gone, so 20 reloads locked a user out of live numbers for the whole lifetime.
 */
describe.each(HOSTS)('%s host: metrics.live', (_name, start) => {
  const host = useHost(start);

  it(`frees a closed stream's place at once: ${MAX_LIVE_PER_USER} closed, a new one opens within seconds`, async () => {
    const viewer = await host.c.user('reloader');
    const t = await host.c.town('idle live', viewer.token);
    const streams: LiveStream[] = [];
    const open = () => {
      const l = new LiveStream(host.h.url, t.id, viewer.token);
      streams.push(l);
      return l;
    };
    try {
      const first = Array.from({ length: MAX_LIVE_PER_USER }, open);
      expect(await Promise.all(first.map(opened))).toEqual(first.map(() => true));
      // The bound holds: one more is refused while they are open.
      const over = open();
      expect(await opened(over)).toBe(false);
      expect(lastEvent(over)).toEqual(['serialized-error', 'TOO_MANY_REQUESTS']);
      // Refused before its first push, with the 429 of every refusal (on Workers it sent one throughput first, and 500).
      expect(over.messages).toHaveLength(0);
      expect(over.events.at(-1)?.data?.data?.httpStatus).toBe(429);

      // The viewer goes: each request aborted, its connection closed.
      await within(5_000, Promise.all(first.map((l) => l.close())), 'closing the streams');
      const closedAt = Date.now();
      for (;;) {
        const again = open();
        if (await opened(again)) break;
        expect(lastEvent(again), 'refused, not failed').toEqual(['serialized-error', 'TOO_MANY_REQUESTS']);
        expect(Date.now() - closedAt, `a place freed within ${FREED_WITHIN_MS} ms of the close`).toBeLessThan(FREED_WITHIN_MS);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await within(5_000, Promise.all(streams.map((l) => l.close())), 'closing every stream');
    }
  }, 60_000);
});
