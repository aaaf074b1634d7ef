/**
 * What `orgs.members` costs for an organisation of N members (default 5,000; GG_ORG_MEMBERS) among
 * N + 20,000 users, over real HTTP: one call's time and bytes, and with paging every page's.
 * Run: npx tsx bench/org-members.ts
 */
import { Control } from '@gasgauge/core';
import { DataDir, openSqlite, startServer } from '@gasgauge/server';
import { tempDir } from '@gasgauge/server/testing';
import { request, startTestServer, trpcPath } from '@gasgauge/server/testing/server';

const N = Number(process.env.GG_ORG_MEMBERS ?? 5_000);
const OTHERS = 20_000;
const dir = tempDir('gg-members-');
const first = await startTestServer({ dataDir: dir, autoTick: false });
const { adminToken } = first;
await first.close();
const sql = openSqlite(new DataDir(dir).controlFile);
const control = new Control(sql, Date.now);
const admin = control.userByName('admin')?.id as string;
const orgId = 'org_bench';
sql.transaction(() => {
  control.orgs.create(orgId, 'bench', admin);
  for (let i = 0; i < N + OTHERS; i++) {
    // Names out of creation order, so an order by name is not the table's.
    const user = control.createUser(`user_b${i}`, `u${((i * 7919) % (N + OTHERS)).toString(36)}x`);
    if (i < N) control.orgs.setMember(orgId, user.id, 'member');
  }
});
sql.close();

const server = await startServer({ dataDir: dir, port: 0, host: '127.0.0.1', autoTick: false, log: () => {} });
try {
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await request(server.url, 'GET', trpcPath('orgs.members', { organizationId: orgId }), adminToken);
    const ms = performance.now() - t0;
    const data = r.body.result.data as { members: unknown[]; nextCursor?: string | null };
    console.log(
      `orgs.members, ${N + 1} members, call ${i + 1}: ${ms.toFixed(1)} ms, ${data.members.length} members, ${JSON.stringify(r.body).length} bytes`,
    );
  }
  // Every page, as the web UI's "More" reads them.
  const t0 = performance.now();
  let after: string | undefined;
  let members = 0;
  let calls = 0;
  let longest = 0;
  for (;;) {
    const c0 = performance.now();
    const input = { organizationId: orgId, ...(after ? { after } : {}) };
    const data = (await request(server.url, 'GET', trpcPath('orgs.members', input), adminToken)).body.result.data as {
      members: unknown[];
      nextCursor?: string | null;
    };
    longest = Math.max(longest, performance.now() - c0);
    calls++;
    members += data.members.length;
    if (!data.nextCursor) break;
    after = data.nextCursor;
  }
  console.log(
    `all pages: ${calls} calls, ${members} members, ${(performance.now() - t0).toFixed(0)} ms, slowest call ${longest.toFixed(1)} ms`,
  );
} finally {
  await server.close();
}
