import { AppError } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { LiveHub, MAX_LIVE_PER_TOWN, MAX_LIVE_PER_USER } from './live-hub.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LiveHub stream lifetime', () => {
  it('releases streams nobody reads (a reader gone without closing) once their lifetime passes', async () => {
    const hub = new LiveHub({ maxStreamMs: 100 });
    let released = 0;
    // Opened and never read, never aborted: what a town object holds for an isolate that died.
    for (let i = 0; i < MAX_LIVE_PER_TOWN; i++) hub.changes('t', undefined, { onRelease: () => released++ });
    expect(() => hub.changes('t', undefined)).toThrow(AppError);
    await sleep(150);
    expect(hub.subscriberCount('t')).toBe(0);
    expect(released).toBe(MAX_LIVE_PER_TOWN);
    hub.changes('t', undefined);
    expect(hub.subscriberCount('t')).toBe(1);
    hub.close();
  });

  it('releases a stream returned before its first read at once (metrics.live whose first push failed), not at its lifetime', async () => {
    const hub = new LiveHub({ maxStreamMs: 600_000 });
    let released = 0;
    const streams = Array.from({ length: MAX_LIVE_PER_USER }, () =>
      hub.changes('t', new AbortController().signal, { who: 'u', onRelease: () => released++ }),
    );
    for (const stream of streams) await stream.return(undefined);
    expect(hub.subscriberCount('t')).toBe(0);
    expect(released).toBe(MAX_LIVE_PER_USER);
    hub.changes('t', undefined, { who: 'u' });
    hub.close();
  });

  it('ends a stream being read when its lifetime passes, after delivering its changes', async () => {
    const hub = new LiveHub({ maxStreamMs: 150 });
    const stream = hub.changes('t', undefined);
    const first = stream.next();
    hub.publish('t');
    expect(await first).toEqual({ done: false, value: undefined });
    const started = performance.now();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(hub.subscriberCount('t')).toBe(0);
  });

  it('calls onRelease once, however the stream ends (abort, close, lifetime)', async () => {
    const hub = new LiveHub({ maxStreamMs: 60_000 });
    const abort = new AbortController();
    const calls: string[] = [];
    const aborted = hub.changes('t', abort.signal, { onRelease: () => calls.push('aborted') });
    hub.changes('t', undefined, { onRelease: () => calls.push('closed') });
    abort.abort();
    expect(await aborted.next()).toEqual({ done: true, value: undefined });
    hub.close();
    hub.close();
    expect(calls).toEqual(['aborted', 'closed']);
    // A stream asked of a closed hub ends at once (and holds no timer).
    hub.changes('t', undefined, { onRelease: () => calls.push('after close') });
    expect(calls).toEqual(['aborted', 'closed', 'after close']);
    expect(hub.subscriberCount('t')).toBe(0);
  });
});
