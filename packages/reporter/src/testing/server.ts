import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';

export { tempDir };

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

async function call(url: string, method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

/** A town, through tRPC with a user token; returns its id. */
export async function createTown(url: string, adminToken: string, name = 'test town'): Promise<string> {
  return (await call(url, 'POST', '/trpc/towns.create', adminToken, { name })).result.data.id;
}

export async function mintToken(
  url: string,
  adminToken: string,
  townId: string,
  opts: { ttlSeconds?: number; agentId?: string } = {},
): Promise<string> {
  return (await call(url, 'POST', '/trpc/towns.mintIngestToken', adminToken, { townId, ttlSeconds: 28_800, ...opts })).result.data
    .token;
}

/** The timeseries' counters (the reporter does not import the server's code). */
const COUNTERS = [
  'events',
  'beads_created',
  'beads_closed',
  'input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_microdollars',
] as const;
type Counter = (typeof COUNTERS)[number];

/**
 * Sums every counter series of the town over [from, to): the totals the server holds. The default window reaches a
 * week back: the generated trees start hours ago (Codex and Gemini CLI's three), and a window that began three hours
 * before each call dropped their first records between two calls.
 */
export async function serverTotals(
  url: string,
  adminToken: string,
  townId: string,
  from = Date.now() - 7 * 86_400_000,
  to = Date.now() + 600_000,
): Promise<Record<Counter, number>> {
  const q = `from=${from}&to=${to}&maxPoints=5000`;
  const body = (await call(url, 'GET', `/api/towns/${townId}/metrics/timeseries?${q}`, adminToken)) as {
    series: Record<Counter, (number | null)[]>;
  };
  const sums = {} as Record<Counter, number>;
  for (const c of COUNTERS) sums[c] = body.series[c].reduce<number>((s, v) => s + (v ?? 0), 0);
  return sums;
}

/** A town's four token totals (serverTotals), in the order of expectedTokens (testing/transcripts.ts). */
export function tokenTotals(t: Record<Counter, number>): number[] {
  return [t.input_tokens, t.output_tokens, t.cache_read_tokens, t.cache_write_tokens];
}

export async function throughput(url: string, adminToken: string, townId: string) {
  return call(url, 'GET', `/api/towns/${townId}/metrics/throughput`, adminToken);
}

export interface InProcessServer {
  url: string;
  dataDir: string;
  adminToken: string;
  townId: string;
  ingestToken: string;
  tokenFile: string;
  close(): Promise<void>;
}

/** The real server (startServer) on port 0 over a temp data dir, with a town and a token file. */
export async function startTestServer(dir: string, opts: { tickMs?: number } = {}): Promise<InProcessServer> {
  const dataDir = join(dir, 'server');
  const server = await startServer({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    tickMs: opts.tickMs ?? 100,
    log: () => {},
  });
  const adminToken = server.adminToken as string;
  const townId = await createTown(server.url, adminToken);
  const ingestToken = await mintToken(server.url, adminToken, townId);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${ingestToken}\n`);
  return { url: server.url, dataDir, adminToken, townId, ingestToken, tokenFile, close: () => server.close() };
}
