import { describe, expect, it } from 'vitest';
import { SSE_KEEP_ALIVE, withKeepAlive } from './keep-alive.js';

const EVERY_MS = 20;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An event stream whose chunks the test writes, and whether its source was cancelled. */
function source() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: () => {
      state.cancelled = true;
    },
  });
  const write = (s: string) => controller.enqueue(new TextEncoder().encode(s));
  const response = new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  return { response, write, close: () => controller.close(), state };
}

describe('withKeepAlive', () => {
  it('writes an SSE comment while the stream is idle, only between events, and the events whole', async () => {
    const s = source();
    const reader = (withKeepAlive(s.response, EVERY_MS).body as ReadableStream<Uint8Array>).getReader();
    s.write('event: connected\n');
    s.write('data: {}\n');
    expect(text((await reader.read()).value as Uint8Array)).toBe('event: connected\n');
    expect(text((await reader.read()).value as Uint8Array)).toBe('data: {}\n');
    // Mid-event: nothing is put between an event's lines.
    await sleep(EVERY_MS * 4);
    s.write('\n\n');
    expect(text((await reader.read()).value as Uint8Array)).toBe('\n\n');
    // Between events: a comment, again and again while idle.
    expect((await reader.read()).value).toEqual(SSE_KEEP_ALIVE);
    expect((await reader.read()).value).toEqual(SSE_KEEP_ALIVE);
    expect(text(SSE_KEEP_ALIVE)).toMatch(/^:[^\n]*\n\n$/);
    s.write('data: 1\n\n');
    expect(text((await reader.read()).value as Uint8Array)).toBe('data: 1\n\n');
    s.close();
    expect((await reader.read()).done).toBe(true);
  });

  it('passes a cancel (the client gone) to the source and stops writing', async () => {
    const s = source();
    const body = withKeepAlive(s.response, EVERY_MS).body as ReadableStream<Uint8Array>;
    const reader = body.getReader();
    s.write('data: 1\n\n');
    await reader.read();
    await reader.cancel(new Error('Network connection lost'));
    expect(s.state.cancelled).toBe(true);
    // Its timer is stopped: a keep-alive after the cancel would throw in the timer (enqueue on a closed stream).
    await sleep(EVERY_MS * 3);
  });

  it('piles up nothing for a reader that takes nothing', async () => {
    const s = source();
    const body = withKeepAlive(s.response, EVERY_MS).body as ReadableStream<Uint8Array>;
    await sleep(EVERY_MS * 10);
    const reader = body.getReader();
    expect((await reader.read()).value).toEqual(SSE_KEEP_ALIVE);
    s.write('data: 1\n\n');
    expect(text((await reader.read()).value as Uint8Array)).toBe('data: 1\n\n');
    await reader.cancel();
  });

  it('leaves any other response as it is', () => {
    const json = Response.json({ ok: true });
    expect(withKeepAlive(json)).toBe(json);
  });
});
