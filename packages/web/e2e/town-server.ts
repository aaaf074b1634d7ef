import { type RunningServer, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import { chromiumAvailable } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { postJson } from './helpers.js';

/**
 * What most browser tests start from: the web UI built, a real server on loopback (its own data dir
 * named `prefix…`, ticking every 200 ms) with one town, and an ingest token for it. `clock`: the server's
 * (a test of a budget's day or week passes `middayClock(tz)`, and installs it in the page too).
 */
export async function startTownServer(
  prefix: string,
  townName: string,
  opts: { clock?: () => number; maxTownMb?: number } = {},
): Promise<{ server: RunningServer; admin: string; townId: string; ingestToken: string }> {
  if (!chromiumAvailable()) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
  ensureWebBuilt();
  const server = await startServer({ dataDir: tempDir(prefix), port: 0, host: '127.0.0.1', tickMs: 200, log: () => {}, ...opts });
  const admin = server.adminToken as string;
  const trpc = async (proc: string, input: unknown) =>
    ((await postJson(`${server.url}/trpc/${proc}`, admin, input)) as { result: { data: { id: string; token: string } } }).result
      .data;
  const townId = (await trpc('towns.create', { name: townName })).id;
  const ingestToken = (await trpc('towns.mintIngestToken', { townId })).token;
  return { server, admin, townId, ingestToken };
}
