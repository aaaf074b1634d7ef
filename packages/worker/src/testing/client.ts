import { type HttpResult, request, trpcPath } from '../../../server/src/testing/server.js';
import type { Host } from './hosts.js';

/** What the contract tests do over HTTP, the same on every host. */
export function client(h: Host) {
  const ok = (r: HttpResult, what: string) => {
    if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.result.data;
  };
  const c = {
    post: (path: string, body: unknown, token: string | null) => request(h.url, 'POST', path, token, body),
    get: (path: string, token: string | null = h.adminToken) => request(h.url, 'GET', path, token),
    query: (proc: string, input: unknown, token = h.adminToken) => request(h.url, 'GET', trpcPath(proc, input), token),
    mutate: (proc: string, input: unknown, token = h.adminToken) => request(h.url, 'POST', `/trpc/${proc}`, token, input),
    /** A town owned by the token's user, and an ingest token (8 h) for it. */
    town: async (name: string, token = h.adminToken): Promise<{ id: string; ingest: string }> => {
      const id = ok(await c.mutate('towns.create', { name }, token), 'towns.create').id as string;
      const ingest = ok(await c.mutate('towns.mintIngestToken', { townId: id }, token), 'mintIngestToken').token as string;
      return { id, ingest };
    },
    /** A user made by the admin over HTTP, and its API token. */
    user: async (name: string): Promise<{ id: string; token: string }> => {
      const r = ok(await c.mutate('users.create', { name }), 'users.create');
      return { id: r.user.id, token: r.token };
    },
    usage: (townId: string, ingest: string, records: unknown[]) => c.post(`/api/towns/${townId}/usage`, { records }, ingest),
    /** Sums of each counter over [from, to), with the buckets' values. */
    series: async (townId: string, from: number, to: number, maxPoints: number) => {
      const r = await c.get(`/api/towns/${townId}/metrics/timeseries?from=${from}&to=${to}&maxPoints=${maxPoints}`);
      if (r.status !== 200) throw new Error(`timeseries: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as { step: number; t: number[]; series: Record<string, (number | null)[]> };
    },
  };
  return c;
}

/** A usage record: delta mode, zero amounts unless given. */
export function rec(over: Record<string, unknown> & { id: string }) {
  return {
    agentId: 'polecat-1',
    model: 'claude-sonnet-4-5',
    inputTokens: 0,
    outputTokens: 0,
    costMicrodollars: 0,
    mode: 'delta',
    at: Date.now(),
    ...over,
  };
}

/** Polls until `check` returns something other than undefined (a tick is due within 200 ms on both hosts). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sum = (xs: (number | null)[] | undefined) => (xs ?? []).reduce<number>((a, x) => a + (x ?? 0), 0);
