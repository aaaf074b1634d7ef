import { describe, expect, it } from 'vitest';
import { eventually, rec } from '../testing/client.js';
import { HOSTS, useHost } from '../testing/hosts.js';

/** Who may do what, and billing exactly once, over HTTP, unchanged against every host. */
describe.each(HOSTS)('%s host: auth, access and billing', (_name, start) => {
  const host = useHost(start);

  it('authenticates ingest and reads: 401 without or with a bad credential, 403 for another town, 404 for a town not there', async () => {
    const a = await host.c.town('auth a');
    const b = await host.c.town('auth b');
    const body = [rec({ id: 'x' })];
    expect((await host.c.usage(a.id, null as unknown as string, body)).status).toBe(401);
    expect((await host.c.usage(a.id, 'not-a-jwt', body)).status).toBe(401);
    expect((await host.c.usage(a.id, host.h.adminToken, body)).status).toBe(401);
    const other = await host.c.usage(a.id, b.ingest, body);
    expect(other.status).toBe(403);
    expect(other.body.error.path).toBe('townId');
    expect((await host.c.usage(a.id, a.ingest, body)).status).toBe(200);
    expect((await host.c.get(`/api/towns/${a.id}/metrics/throughput`, null)).status).toBe(401);
    expect((await host.c.get(`/api/towns/${a.id}/metrics/throughput`, 'ggu_not-a-token')).status).toBe(401);
    expect((await host.c.get(`/api/towns/${a.id}/metrics/throughput`, a.ingest)).status).toBe(401);
    expect((await host.c.get('/api/towns/town_doesnotexist0/metrics/throughput')).status).toBe(404);
  });

  it("hides another user's town (404) and refuses what a member may see but not do (403)", async () => {
    const alice = await host.c.user('alice');
    const bob = await host.c.user('bob');
    const carol = await host.c.user('carol');
    const own = await host.c.town('alice town', alice.token);
    const read = (token: string) => host.c.get(`/api/towns/${own.id}/metrics/throughput`, token);
    expect((await read(alice.token)).status).toBe(200);
    expect((await read(bob.token)).status).toBe(404);
    expect((await host.c.mutate('towns.mintIngestToken', { townId: own.id }, bob.token)).status).toBe(404);
    const org = (await host.c.mutate('orgs.create', { name: 'acme' }, alice.token)).body.result.data.id as string;
    expect(
      (await host.c.mutate('orgs.setMember', { organizationId: org, userName: 'carol', role: 'member' }, alice.token)).status,
    ).toBe(200);
    expect((await host.c.mutate('orgs.acceptInvitation', { organizationId: org }, carol.token)).status).toBe(200);
    const orgTown = (await host.c.mutate('towns.create', { name: 'acme town', organizationId: org }, alice.token)).body.result
      .data.id;
    expect((await host.c.get(`/api/towns/${orgTown}/metrics/throughput`, carol.token)).status).toBe(200);
    // clock-free: budgets in this file are only allowed or refused (by role); no spend is measured against them.
    const budget = { townId: orgTown, period: 'day', capMicrodollars: 5_000_000 };
    expect((await host.c.mutate('towns.setBudget', budget, carol.token)).status).toBe(403);
    expect((await host.c.get(`/api/towns/${orgTown}/metrics/throughput`, bob.token)).status).toBe(404);
    expect((await host.c.mutate('billing.grant', { userName: 'bob', amountMicrodollars: 1 }, alice.token)).status).toBe(403);
    expect((await host.c.mutate('users.create', { name: 'mallory' }, alice.token)).status).toBe(403);
  });

  it('sees a change of access on the very next request: a role, a removal, a replaced token', async () => {
    const owner = await host.c.user('dora');
    const member = await host.c.user('erin');
    const org = (await host.c.mutate('orgs.create', { name: 'next request' }, owner.token)).body.result.data.id as string;
    await host.c.mutate('orgs.setMember', { organizationId: org, userName: 'erin', role: 'admin' }, owner.token);
    expect((await host.c.mutate('orgs.acceptInvitation', { organizationId: org }, member.token)).status).toBe(200);
    const town = (await host.c.mutate('towns.create', { name: 'next town', organizationId: org }, owner.token)).body.result.data
      .id;
    const read = (token: string) => host.c.get(`/api/towns/${town}/metrics/throughput`, token);
    const budget = (token: string) =>
      host.c.mutate('towns.setBudget', { townId: town, period: 'day', capMicrodollars: 1_000_000 }, token);
    // Each answer below is first read (and on Workers remembered) before the change that must void it.
    expect((await budget(member.token)).status).toBe(200);
    await host.c.mutate('orgs.setMember', { organizationId: org, userName: 'erin', role: 'member' }, owner.token);
    expect((await budget(member.token)).status).toBe(403);
    expect((await read(member.token)).status).toBe(200);
    expect((await host.c.mutate('orgs.removeMember', { organizationId: org, userName: 'erin' }, owner.token)).status).toBe(200);
    expect((await read(member.token)).status).toBe(404);
    expect((await read(owner.token)).status).toBe(200);
    expect((await host.c.mutate('users.mintToken', { name: 'dora', revokeOthers: true })).status).toBe(200);
    expect((await read(owner.token)).status).toBe(401);
  });

  it('refuses an alert webhook aimed at this machine or a private network', async () => {
    for (const webhookUrl of ['http://127.0.0.1:9/hook', 'http://10.0.0.1/hook', 'http://[::1]/hook', 'http://localhost/hook']) {
      const r = await host.c.mutate('billing.setAlertSettings', { webhookUrl });
      expect(r.status, webhookUrl).toBe(400);
      expect(r.body.error.data.path ?? r.body.error.message).toMatch(/webhookUrl/);
    }
    // A public one is taken (and removed again at once: no test may reach the network).
    expect((await host.c.mutate('billing.setAlertSettings', { webhookUrl: 'https://hooks.example.com/gasgauge' })).status).toBe(
      200,
    );
    expect((await host.c.mutate('billing.setAlertSettings', { webhookUrl: null })).status).toBe(200);
  });

  it("debits a town's spend from its owner's account exactly once", async () => {
    const payer = await host.c.user('payer');
    expect((await host.c.mutate('billing.grant', { userName: 'payer', amountMicrodollars: 1_000_000 })).status).toBe(200);
    const t = await host.c.town('billed town', payer.token);
    const spend = [rec({ id: 's1', costMicrodollars: 1234 }), rec({ id: 's2', costMicrodollars: 766 })];
    expect((await host.c.usage(t.id, t.ingest, spend)).status).toBe(200);
    expect((await host.c.usage(t.id, t.ingest, spend)).body).toMatchObject({ accepted: 0, duplicates: 2 });
    const balance = async () => (await host.c.get('/api/balance', payer.token)).body.balanceMicrodollars as number;
    await eventually(async () => ((await balance()) === 1_000_000 - 2000 ? true : undefined), 'the debit');
    // Many more ticks (200 ms each) settle nothing new.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await balance()).toBe(1_000_000 - 2000);
    const ledger = (await host.c.query('billing.ledger', { limit: 50 }, payer.token)).body.result.data;
    const debits = ledger.entries.filter((e: { kind: string }) => e.kind === 'debit');
    expect(debits.map((e: { amountMicrodollars: number }) => e.amountMicrodollars)).toEqual([-2000]);
  });
});
