import { Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newUserToken } from '../auth/user-token.js';

/*
 * A live stream outlives the request that authenticated it: it must end once its credential no
 * longer signs anyone in (sign-out, session expiry, a deleted API token), at the next push.
 */

interface SseEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of a data: line
  data: any;
}

/** `metrics.live` over SSE with global fetch; `ended` when the server closes the body. */
class LiveStream {
  readonly events: SseEvent[] = [];
  ended = false;
  readonly finished: Promise<void>;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;

  constructor(url: string, townId: string, headers: Record<string, string>) {
    const res = fetch(url + trpcPath('metrics.live', { townId }), {
      headers: { accept: 'text/event-stream', ...headers },
      signal: this.abort.signal,
    });
    this.finished = this.pump(res);
  }

  get messages(): SseEvent[] {
    return this.events.filter((e) => e.event === 'message');
  }

  private async pump(response: Promise<Response>): Promise<void> {
    let buffer = '';
    try {
      const res = await response;
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.search(/\r?\n\r?\n/); end >= 0; end = buffer.search(/\r?\n\r?\n/)) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
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
    this.events.push({ event, data: JSON.parse(data.join('\n')) });
    this.wake?.();
  }

  /** Resolves with the first event from `from` on that satisfies `pred`. */
  async waitFor(pred: (e: SseEvent) => boolean, from = 0, timeoutMs = 5000): Promise<SseEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - performance.now();
      if (this.ended || left <= 0) throw new Error(`no such event; ended=${this.ended} ${JSON.stringify(this.events)}`);
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

let s: TestServer;
const streams: LiveStream[] = [];
beforeAll(async () => {
  // Ticks a minute apart: the pushes below come from the ingests.
  s = await startTestServer({ tickMs: 60_000 });
});
afterAll(async () => {
  await Promise.all(streams.map((l) => l.close()));
  await s?.close();
});

function open(headers: Record<string, string>): LiveStream {
  const l = new LiveStream(s.url, s.townId, headers);
  streams.push(l);
  return l;
}

let seq = 0;
/** An ingest, which pushes to every live stream of the town within 200 ms. */
async function ingest(): Promise<void> {
  const id = `rec-${++seq}`;
  const r = await s.post(`/api/towns/${s.townId}/usage`, {
    records: [
      { id, agentId: 'a1', model: 'm', mode: 'delta', inputTokens: 10, outputTokens: 1, costMicrodollars: 5, at: Date.now() },
    ],
  });
  expect(r.status).toBe(200);
}

async function signIn(): Promise<string> {
  const res = await fetch(`${s.url}/auth/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: s.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: s.adminToken }).toString(),
  });
  expect(res.status).toBe(303);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

/** Runs `fn` on the control database beside the running server (WAL: both may write). */
function withControl<T>(fn: (control: Control) => T): T {
  const sql = openSqlite(`${s.dataDir}/control.sqlite`);
  try {
    return fn(new Control(sql, () => Date.now()));
  } finally {
    sql.close();
  }
}

/** Pushes still arrive (the credential is good), then `revoke` happens, then the next push ends the stream. */
async function expectEndsAfter(live: LiveStream, revoke: () => Promise<void> | void): Promise<void> {
  await live.waitFor((e) => e.event === 'message');
  let from = live.events.length;
  await ingest();
  await live.waitFor((e) => e.event === 'message' && e.data.tokensPerSecond > 0, from);

  await revoke();
  from = live.events.length;
  await ingest();
  expect(await live.endsWithin(1000), `events: ${JSON.stringify(live.events.slice(from))}`).toBe(true);
  const after = live.events.slice(from);
  expect(after.filter((e) => e.event === 'message')).toEqual([]);
  expect(after.map((e) => [e.event, e.data?.data?.code])).toEqual([['serialized-error', 'UNAUTHORIZED']]);
}

describe('metrics.live re-authenticates before every push', () => {
  it('ends a cookie stream after sign-out', async () => {
    const cookie = await signIn();
    const live = open({ cookie });
    await expectEndsAfter(live, async () => {
      const out = await fetch(`${s.url}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { origin: s.url, cookie } });
      expect(out.status).toBe(303);
    });
  });

  it('ends a cookie stream once the session expires', async () => {
    const cookie = await signIn();
    const live = open({ cookie });
    const tokenHash = await hashToken(decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1)));
    await expectEndsAfter(live, () => {
      const changed = withControl((c) =>
        c.sql.run('UPDATE sessions SET expires_at = ? WHERE token_hash = ?', Date.now() - 1, tokenHash),
      );
      expect(changed).toBe(1);
    });
  });

  it('ends a bearer stream once its API token is deleted, and leaves other streams alone', async () => {
    const token = newUserToken();
    const tokenHash = await hashToken(token);
    withControl((c) => c.addToken((c.userByName('admin') as { id: string }).id, tokenHash, 'doomed'));
    const other = open({ authorization: `Bearer ${s.adminToken}` });
    await other.waitFor((e) => e.event === 'message');
    const live = open({ authorization: `Bearer ${token}` });
    await expectEndsAfter(live, () => {
      expect(withControl((c) => c.sql.run('DELETE FROM api_tokens WHERE token_hash = ?', tokenHash))).toBe(1);
    });
    // The admin's own token is untouched: its stream still gets pushes.
    const from = other.events.length;
    await ingest();
    await other.waitFor((e) => e.event === 'message', from);
    expect(other.ended).toBe(false);
  });
});
