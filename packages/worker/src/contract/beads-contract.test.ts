import { describe, expect, it } from 'vitest';
import type { HttpResult } from '../../../server/src/testing/server.js';
import { eventually, rec } from '../testing/client.js';
import { HOSTS, useHost } from '../testing/hosts.js';

const MINUTE = 60_000;

/** Cost per bead and runaway rules, run unchanged against every host. */
describe.each(HOSTS)('%s host: cost per bead and runaway rules', (_name, start) => {
  const host = useHost(start);

  /** A tRPC answer's data, after checking it is a 200. */
  const data = (r: HttpResult) => {
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.result.data;
  };

  it("attributes usage to the bead its agent works on; the beads' sum plus the no-bead spend is the town's total", async () => {
    const t = await host.c.town('beads');
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
    const events = [
      { id: 'ev1', at, type: 'agent', agentId: 'polecat-1', role: 'polecat', status: 'working', beadId: 'gt-12' },
      { id: 'ev2', at: at + 1000, type: 'bead', beadId: 'gt-12', status: 'in_progress', title: 'Fix the flaky test' },
      { id: 'ev3', at: at + 20_000, type: 'bead', beadId: 'gt-12', status: 'closed' },
    ];
    expect((await host.c.post(`/api/towns/${t.id}/events`, { events }, t.ingest)).status).toBe(200);
    const usage = await host.c.usage(t.id, t.ingest, [
      rec({ id: 'u1', agentId: 'polecat-1', inputTokens: 1200, costMicrodollars: 7000, at: at + 5000 }), // gt-12's, by the event
      rec({ id: 'u2', agentId: 'polecat-2', inputTokens: 10, costMicrodollars: 875, at: at + 6000 }), // no bead
      rec({ id: 'u3', agentId: 'polecat-1', beadId: 'gt-99', costMicrodollars: 100, at: at + 7000 }), // its own beadId
    ]);
    expect(usage.body).toMatchObject({ accepted: 3 });

    const list = await host.c.get(`/api/towns/${t.id}/beads`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const items = list.body.items as { beadId: string; costMicrodollars: number }[];
    expect(items.map((b) => [b.beadId, b.costMicrodollars])).toEqual([
      ['gt-12', 7000],
      ['gt-99', 100],
    ]);
    expect(items[0]).toMatchObject({ title: 'Fix the flaky test', status: 'closed', inputTokens: 1200, agents: ['polecat-1'] });
    // Keyed in one SQL statement on each host: a status filter, a range, the duration and closedAt sorts
    // (gt-99 has no status events: null, last), a page by cursor.
    const page = async (query: string) => {
      const r = await host.c.get(`/api/towns/${t.id}/beads?${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return { ids: (r.body.items as { beadId: string }[]).map((b) => b.beadId), next: r.body.nextCursor as string | null };
    };
    expect((await page('status=closed')).ids).toEqual(['gt-12']);
    expect((await page(`from=${at}&to=${at + 6000}`)).ids).toEqual(['gt-12']);
    expect((await page('sort=closedAt')).ids).toEqual(['gt-12', 'gt-99']);
    const first = await page('sort=duration&limit=1');
    expect(first.ids).toEqual(['gt-12']);
    expect(await page(`sort=duration&limit=1&cursor=${encodeURIComponent(first.next ?? '')}`)).toEqual({
      ids: ['gt-99'],
      next: null,
    });

    const one = data(await host.c.query('beads.get', { townId: t.id, beadId: 'gt-12' }));
    expect(one.bead).toMatchObject({ beadId: 'gt-12', costMicrodollars: 7000, closedAt: at + 20_000 });
    expect((await host.c.query('beads.get', { townId: t.id, beadId: 'gt-404' })).status).toBe(404);

    const stats = data(await host.c.query('beads.stats', { townId: t.id }));
    expect(stats).toMatchObject({ closedBeads: 1, noBeadCostMicrodollars: 875, totalCostMicrodollars: 7975 });
    expect(items.reduce((a, b) => a + b.costMicrodollars, 0) + 875).toBe(stats.totalCostMicrodollars);

    // Reopened (the event posted twice, the second a duplicate): open again, not counted closed.
    const reopen = { id: 'ev4', at: at + 30_000, type: 'bead', beadId: 'gt-12', status: 'in_progress', title: 'Fix it' };
    for (const events of [[reopen], [reopen]])
      expect((await host.c.post(`/api/towns/${t.id}/events`, { events }, t.ingest)).status).toBe(200);
    const reopened = data(await host.c.query('beads.get', { townId: t.id, beadId: 'gt-12' }));
    expect(reopened.bead).toMatchObject({ status: 'in_progress', title: 'Fix it', closedAt: null });
    expect(data(await host.c.query('beads.stats', { townId: t.id }))).toMatchObject({ closedBeads: 0 });
  });

  it("an agent's status, role and bead follow its events' order, not their arrival (ties at one ms by event id)", async () => {
    const t = await host.c.town('agent-order');
    const at = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
    const agent = { type: 'agent', agentId: 'polecat-1' };
    for (const events of [
      [{ id: 'ev-b', at, ...agent, status: 'working', beadId: 'gt-1' }],
      [{ id: 'ev-a', at, ...agent, status: 'idle' }], // the same ms, an older id: not newer
      [{ id: 'ev-0', at: at - MINUTE, ...agent, role: 'polecat', status: 'working' }], // late, the only role
    ])
      expect((await host.c.post(`/api/towns/${t.id}/events`, { events }, t.ingest)).status).toBe(200);
    const agents = data(await host.c.query('metrics.agents', { townId: t.id }));
    expect(agents.agents).toMatchObject([{ id: 'polecat-1', role: 'polecat', status: 'working', beadId: 'gt-1' }]);
  });

  it('reads a bead by any id over REST, `.` and `..` among them, with the id in the query', async () => {
    const t = await host.c.town('dot-beads');
    const at = Date.now() - 10 * MINUTE;
    const ids = ['.', '..', 'a/b', '%2E%2E', 'gt 1?#'];
    const events = ids.map((beadId, i) => ({ id: `ev${i}`, at: at + i, type: 'bead', beadId, status: 'open', title: `t${i}` }));
    expect((await host.c.post(`/api/towns/${t.id}/events`, { events }, t.ingest)).status).toBe(200);
    for (const [i, beadId] of ids.entries()) {
      const r = await host.c.get(`/api/towns/${t.id}/bead?${new URLSearchParams({ beadId })}`);
      expect({ status: r.status, beadId: r.body.bead?.beadId, title: r.body.bead?.title }).toEqual({
        status: 200,
        beadId,
        title: `t${i}`,
      });
    }
    // The path form cannot name `..`: the URL client resolves it away before the request leaves.
    expect(new URL(`http://h/api/towns/${t.id}/beads/%2E%2E`).pathname).toBe(`/api/towns/${t.id}/`);
    const missing = await host.c.get(`/api/towns/${t.id}/bead`);
    expect({ status: missing.status, path: missing.body.error?.path }).toEqual({ status: 400, path: 'beadId' });
    const empty = await host.c.get(`/api/towns/${t.id}/bead?beadId=`);
    expect({ status: empty.status, path: empty.body.error?.path }).toEqual({ status: 400, path: 'beadId' });
    expect((await host.c.get(`/api/towns/${t.id}/bead?beadId=nope`)).status).toBe(404);
  });

  it('saves runaway rules, and a spend-rate alert raised by the tick shows in billing.alerts exactly once', async () => {
    const t = await host.c.town('runaway');
    const rules = {
      spendRate: { enabled: true, microdollars: 1000, windowMinutes: 10 },
      noProgress: { enabled: false, minutes: 30, minMicrodollars: 1_000_000 },
      beadBudgetMicrodollars: null,
    };
    expect(data(await host.c.mutate('towns.setRunawayRules', { townId: t.id, ...rules }))).toEqual(rules);
    expect(data(await host.c.query('towns.getRunawayRules', { townId: t.id }))).toMatchObject({ ...rules, episodes: [] });

    await host.c.usage(t.id, t.ingest, [rec({ id: 'burn1', agentId: 'polecat-7', costMicrodollars: 5000 })]);
    const runaway = async () => {
      const alerts: { kind: string; townId: string | null; details: unknown }[] = data(
        await host.c.query('billing.alerts', { limit: 200 }),
      ).alerts;
      return alerts.filter((a) => a.kind === 'runaway' && a.townId === t.id);
    };
    const first = await eventually(async () => ((await runaway()).length > 0 ? runaway() : undefined), 'a runaway alert');
    expect(first).toHaveLength(1);
    expect(first[0]?.details).toMatchObject({ rule: 'spendRate', agentId: 'polecat-7' });
    // More spend while the episode lasts, and several more ticks: still one alert.
    await host.c.usage(t.id, t.ingest, [rec({ id: 'burn2', agentId: 'polecat-7', costMicrodollars: 5000 })]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runaway()).toHaveLength(1);
    expect(data(await host.c.query('towns.getRunawayRules', { townId: t.id })).episodes).toMatchObject([
      { rule: 'spendRate', subject: 'polecat-7' },
    ]);
  });
});
