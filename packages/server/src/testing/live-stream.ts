import type { Throughput } from '@gasgauge/core';
import { trpcPath } from './server.js';

export interface SseEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of a data: line
  data: any;
  /** performance.now() when the event was parsed. */
  at: number;
}

/** A tRPC `metrics.live` subscription over SSE, read with global fetch; every event is kept with its arrival time. */
export class LiveStream {
  readonly events: SseEvent[] = [];
  status = 0;
  contentType: string | null = null;
  ended = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  /** Settles when the stream ends (server closed it, or we aborted). */
  readonly finished: Promise<void>;

  /** `auth`: a user token (sent as a bearer), request headers (a session cookie), or null for none. */
  constructor(url: string, townId: string, auth: string | HeadersInit | null) {
    const headers = new Headers(typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : (auth ?? {}));
    headers.set('accept', 'text/event-stream');
    this.finished = this.pump(fetch(url + trpcPath('metrics.live', { townId }), { headers, signal: this.abort.signal }));
  }

  /** Throughput messages (events without an `event:` name), in order. */
  get messages(): (SseEvent & { data: Throughput })[] {
    return this.events.filter((e) => e.event === 'message');
  }

  private async pump(response: Promise<Response>): Promise<void> {
    let buffer = '';
    try {
      const res = await response;
      this.status = res.status;
      this.contentType = res.headers.get('content-type');
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.search(/\r?\n\r?\n/);
        while (end >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          end = buffer.search(/\r?\n\r?\n/);
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted) throw err;
    } finally {
      this.ended = true;
      this.wake?.();
    }
  }

  private parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    const text = data.join('\n');
    // tRPC ends a finished subscription with `event: return` and an empty data line.
    this.events.push({ event, data: text === '' ? null : JSON.parse(text), at: performance.now() });
    this.wake?.();
  }

  /** The first event from index `from` on that satisfies `pred`; rejects after `timeoutMs` or if the stream ends first. */
  async waitFor(pred: (e: SseEvent) => boolean, opts: { from?: number; timeoutMs?: number } = {}): Promise<SseEvent> {
    const deadline = performance.now() + (opts.timeoutMs ?? 10_000);
    for (;;) {
      const hit = this.events.slice(opts.from ?? 0).find(pred);
      if (hit) return hit;
      if (this.ended) throw new Error(`stream ended; events: ${JSON.stringify(this.events)}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out; events: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Whether the server closed the stream within `ms`. */
  async endsWithin(ms: number): Promise<boolean> {
    await Promise.race([this.finished, new Promise((resolve) => setTimeout(resolve, ms))]);
    return this.ended;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.finished;
  }
}
