/**
 * What one `towns.list` costs a user with N towns (default 2,000; GG_LIST_TOWNS), each with a town file,
 * on a server that has not ticked them since it started (a restart): the first call and the next ones.
 * Run: npx tsx bench/towns-list.ts
 */
import { rmSync } from 'node:fs';
import { Control } from '@gasgauge/core';
import { DataDir, FileTownDirectory, openSqlite, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import { request, startTestServer, trpcPath } from '@gasgauge/server/testing/server';

const N = Number(process.env.GG_LIST_TOWNS ?? 2_000);
const dir = tempDir('gg-list-');
const first = await startTestServer({ dataDir: dir, autoTick: false, maxTownsPerOwner: N + 1 });
const { adminToken } = first;
await first.close();
const sql = openSqlite(new DataDir(dir).controlFile);
const control = new Control(sql, Date.now, { maxTownsPerOwner: N + 1 });
const owner = control.userByName('admin')?.id as string;
const ids = sql.transaction(() =>
  Array.from({ length: N }, (_, i) => control.createTown(`town_list_${i}`, `List ${i}`, { userId: owner }).id),
);
sql.close();
const files = new FileTownDirectory(new DataDir(dir), Date.now, { maxOpen: 64 });
for (const id of ids) files.get(id);
files.close();

const server = await startServer({
  dataDir: dir,
  port: 0,
  host: '127.0.0.1',
  autoTick: false,
  log: () => {},
  maxTownsPerOwner: N + 1,
});

try {
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await request(server.url, 'GET', trpcPath('towns.list'), adminToken);
    const ms = performance.now() - t0;
    console.log(
      `towns.list with ${N} towns, call ${i + 1}: ${ms.toFixed(0)} ms (HTTP ${r.status}, ${r.body.result.data.length} towns)`,
    );
  }
  // Every page, as the web UI reads them (towns.list takes a page since it was bounded).
  const t0 = performance.now();
  let after: string | undefined;
  let towns = 0;
  let calls = 0;
  let longest = 0;
  for (;;) {
    const c0 = performance.now();
    const page = (await request(server.url, 'GET', trpcPath('towns.list', after ? { after } : undefined), adminToken)).body.result
      .data as { id: string }[];
    longest = Math.max(longest, performance.now() - c0);
    calls++;
    towns += page.length;
    if (page.length === 0 || page.length >= N + 1) break;
    after = page.at(-1)?.id;
  }
  console.log(
    `every page: ${towns} towns in ${calls} calls, ${(performance.now() - t0).toFixed(0)} ms, longest call ${longest.toFixed(0)} ms`,
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
