import { Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { LiveStream } from '@gasgauge/server/testing/live-stream';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newUserToken } from '../auth/user-token.js';

/*
 * A live stream outlives the request that authenticated it: it must end once its credential no
 * longer signs anyone in (sign-out, session expiry, a deleted API token), at the next push.
 */

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
  await live.waitFor((e) => e.event === 'message' && e.data.tokensPerSecond > 0, { from });

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
    await other.waitFor((e) => e.event === 'message', { from });
    expect(other.ended).toBe(false);
  });
});

describe('metrics.live re-checks access before every push', () => {
  it("ends a member's stream once they are demoted to a role that may not read the town", async () => {
    const bob = await s.addUser('bob');
    const call = async (proc: string, input: unknown) => {
      const r = await fetch(`${s.url}/trpc/${proc}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      expect(r.status).toBe(200);
      return ((await r.json()) as { result: { data: { id: string; token: string } } }).result.data;
    };
    const org = await call('orgs.create', { name: 'acme' });
    await call('orgs.setMember', { organizationId: org.id, userName: 'bob', role: 'member' });
    const accepted = await s.post('/trpc/orgs.acceptInvitation', { organizationId: org.id }, bob.token);
    expect(accepted.status).toBe(200);
    const town = await call('towns.create', { name: 'Acme Town', organizationId: org.id });
    const ingestToken = await s.mint(town.id);
    let n = 0;
    const spend = async () => {
      const rec = {
        id: `o${++n}`,
        agentId: 'a1',
        model: 'm',
        mode: 'delta',
        inputTokens: 3,
        outputTokens: 1,
        costMicrodollars: 1,
        at: Date.now(),
      };
      expect((await s.post(`/api/towns/${town.id}/usage`, { records: [rec] }, ingestToken)).status).toBe(200);
    };

    const live = new LiveStream(s.url, town.id, { authorization: `Bearer ${bob.token}` });
    streams.push(live);
    await live.waitFor((e) => e.event === 'message');
    let from = live.events.length;
    await spend();
    await live.waitFor((e) => e.event === 'message' && e.data.tokensPerSecond > 0, { from });

    await call('orgs.setMember', { organizationId: org.id, userName: 'bob', role: 'billing_manager' });
    from = live.events.length;
    await spend();
    expect(await live.endsWithin(1000)).toBe(true);
    expect(live.events.slice(from).map((e) => [e.event, e.data?.data?.code])).toEqual([['serialized-error', 'NOT_FOUND']]);
  });
});
