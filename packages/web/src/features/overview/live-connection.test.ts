import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepLive, type LiveObserver, PROBE_AFTER_MS, PROBE_TIMEOUT_MS, RETRY_MS, SILENCE_MS } from './live-connection.js';

/*
 * The server ends each live stream after LIVE_STREAM_MAX_MS (packages/api live-hub.ts), so a viewer
 * left open for hours goes through many streams; the page must not flash "stale" at each one.
 */

class Subscriptions {
  readonly observers: LiveObserver<number>[] = [];
  unsubscribed = 0;
  readonly events: string[] = [];
  subscribe = (o: LiveObserver<number>) => {
    this.observers.push(o);
    return { unsubscribe: () => void this.unsubscribed++ };
  };
  get last(): LiveObserver<number> {
    const o = this.observers.at(-1);
    if (!o) throw new Error('no subscription');
    return o;
  }
  handlers = {
    data: (n: number) => void this.events.push(`data ${n}`),
    stale: () => void this.events.push('stale'),
    unauthorized: () => void this.events.push('unauthorized'),
    isUnauthorized: (err: unknown) => err === 'unauthorized',
    gone: () => void this.events.push('gone'),
    isGone: (err: unknown) => err === 'town not found',
  };
}

describe('keepLive', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('replaces a stream the server ended after its lifetime at once, without saying stale', () => {
    const s = new Subscriptions();
    const stop = keepLive(s.subscribe, s.handlers);
    // A tick a minute for the stream's 10 minutes, then the server ends it.
    for (let minute = 1; minute <= 10; minute++) {
      s.last.onData(minute);
      vi.advanceTimersByTime(60_000);
    }
    s.last.onComplete();
    expect(s.observers).toHaveLength(2);
    expect(s.unsubscribed).toBe(1);
    s.last.onData(11);
    expect(s.events).toEqual(Array.from({ length: 11 }, (_, i) => `data ${i + 1}`));
    stop();
  });

  it('waits RETRY_MS, saying stale, after a stream that ended as soon as it opened (no reconnect loop)', () => {
    const s = new Subscriptions();
    const stop = keepLive(s.subscribe, s.handlers);
    s.last.onData(1);
    s.last.onComplete();
    expect(s.events).toEqual(['data 1', 'stale']);
    expect(s.observers).toHaveLength(1);
    vi.advanceTimersByTime(RETRY_MS);
    expect(s.observers).toHaveLength(2);
    stop();
  });

  it('says stale and retries after an error or a silent stream; stops for good when signed out', () => {
    const s = new Subscriptions();
    const stop = keepLive(s.subscribe, s.handlers);
    s.last.onError(new Error('network'));
    vi.advanceTimersByTime(RETRY_MS);
    expect(s.observers).toHaveLength(2);
    vi.advanceTimersByTime(SILENCE_MS);
    expect(s.events).toEqual(['stale', 'stale']);
    vi.advanceTimersByTime(RETRY_MS);
    expect(s.observers).toHaveLength(3);
    s.last.onError('unauthorized');
    vi.advanceTimersByTime(SILENCE_MS + RETRY_MS);
    expect(s.observers).toHaveLength(3);
    expect(s.events).toEqual(['stale', 'stale', 'unauthorized']);
    stop();
  });

  it('closes the subscription and subscribes no more once stopped', () => {
    const s = new Subscriptions();
    const stop = keepLive(s.subscribe, s.handlers);
    stop();
    expect(s.unsubscribed).toBe(1);
    s.last.onComplete();
    vi.advanceTimersByTime(SILENCE_MS + RETRY_MS);
    expect(s.observers).toHaveLength(1);
  });

  it('stops for good when the stream is refused on its town (the user lost access), saying gone, not stale', () => {
    const s = new Subscriptions();
    const stop = keepLive(s.subscribe, s.handlers);
    s.last.onData(1);
    s.last.onError('town not found');
    vi.advanceTimersByTime(SILENCE_MS * 2);
    expect(s.events).toEqual(['data 1', 'gone']);
    expect(s.observers).toHaveLength(1);
    stop();
  });

  it('asks whether the server answers after PROBE_AFTER_MS of silence: stale at once when it does not, never while it does', async () => {
    const answers: ('yes' | 'no' | 'hang')[] = ['yes', 'yes', 'no', 'hang'];
    const probes: AbortSignal[] = [];
    const s = new Subscriptions();
    const stop = keepLive(s.subscribe, {
      ...s.handlers,
      probe: (signal) => {
        probes.push(signal);
        const answer = answers.shift();
        if (answer === 'hang')
          return new Promise<boolean>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        return Promise.resolve(answer === 'yes');
      },
    });
    s.last.onData(1);
    // A quiet town: its server answers, twice, and the stream stays live.
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS * 2);
    expect(probes).toHaveLength(2);
    expect(s.events).toEqual(['data 1']);
    // Data puts the next probe off.
    s.last.onData(2);
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS - 1);
    expect(probes).toHaveLength(2);
    // No answer: stale, and a new stream after RETRY_MS.
    await vi.advanceTimersByTimeAsync(1);
    expect(s.events).toEqual(['data 1', 'data 2', 'stale']);
    await vi.advanceTimersByTimeAsync(RETRY_MS);
    expect(s.observers).toHaveLength(2);
    // A probe that hangs counts as no answer once PROBE_TIMEOUT_MS has passed.
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS + PROBE_TIMEOUT_MS - 1);
    expect(s.events).toEqual(['data 1', 'data 2', 'stale']);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.events).toEqual(['data 1', 'data 2', 'stale', 'stale']);
    expect(probes.at(-1)?.aborted).toBe(true);
    stop();
  });

  it('replaces at once a stream still without its first push when the server answers (opened while it hung)', async () => {
    const s = new Subscriptions();
    const probes: AbortSignal[] = [];
    const stop = keepLive(s.subscribe, {
      ...s.handlers,
      probe: (signal) => {
        probes.push(signal);
        return Promise.resolve(true);
      },
    });
    // Opened, and nothing came: the server pushes at once on a stream that works.
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS);
    expect(probes).toHaveLength(1);
    expect(s.events).toEqual(['stale']);
    expect(s.observers).toHaveLength(2);
    expect(s.unsubscribed).toBe(1);
    // The new one pushes: a quiet town after that keeps its stream while the server answers.
    s.last.onData(1);
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS * 3);
    expect(s.observers).toHaveLength(2);
    // The browser reconnected the stream by itself after an error: its first push is to come again.
    s.last.onConnectionStateChange({ state: 'connecting', error: new Error('network') });
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS);
    expect(s.events).toEqual(['stale', 'data 1', 'stale', 'stale']);
    expect(s.observers).toHaveLength(3);
    stop();
  });
});
