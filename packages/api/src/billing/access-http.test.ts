import { type HttpResult, request, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Who may do what, over real HTTP: one personal town (alice's), one organisation (acme) with a town,
 * and a user for every role plus an outsider. Statuses only: 404 where the caller may not even know
 * the thing exists, 403 where they see it but may not do this.
 */
let s: TestServer;
const tokens = new Map<string, string>();
let acme: string;
let orgTown: string;
let aliceTown: string;

const query = (who: string, proc: string, input: unknown) =>
  request(s.url, 'GET', trpcPath(proc, input), tokens.get(who) as string);
const mutate = (who: string, proc: string, input: unknown) =>
  request(s.url, 'POST', `/trpc/${proc}`, tokens.get(who) as string, input);
const ok = (r: HttpResult) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.data;
};

beforeAll(async () => {
  s = await startTestServer();
  for (const name of ['alice', 'bob', 'carol', 'dave', 'eve']) tokens.set(name, (await s.addUser(name)).token);
  acme = ok(await mutate('alice', 'orgs.create', { name: 'acme' })).id;
  ok(await mutate('alice', 'orgs.setMember', { organizationId: acme, userName: 'bob', role: 'admin' }));
  ok(await mutate('bob', 'orgs.acceptInvitation', { organizationId: acme }));
  ok(await mutate('bob', 'orgs.setMember', { organizationId: acme, userName: 'carol', role: 'member' }));
  ok(await mutate('carol', 'orgs.acceptInvitation', { organizationId: acme }));
  ok(await mutate('bob', 'orgs.setMember', { organizationId: acme, userName: 'dave', role: 'billing_manager' }));
  ok(await mutate('dave', 'orgs.acceptInvitation', { organizationId: acme }));
  orgTown = ok(await mutate('bob', 'towns.create', { name: 'Acme Town', organizationId: acme })).id;
  aliceTown = ok(await mutate('alice', 'towns.create', { name: 'Alice Town' })).id;
}, 30_000);
afterAll(() => s?.close());

const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'eve'] as const;

describe('access matrix', () => {
  const cases: [string, (who: string) => Promise<HttpResult>, Record<(typeof PEOPLE)[number], number>][] = [
    [
      "read an org town's metrics",
      (who) => query(who, 'metrics.throughput', { townId: orgTown }),
      { alice: 200, bob: 200, carol: 200, dave: 404, eve: 404 },
    ],
    [
      "read an org town's metrics (REST)",
      (who) => request(s.url, 'GET', `/api/towns/${orgTown}/metrics/throughput`, tokens.get(who) as string),
      { alice: 200, bob: 200, carol: 200, dave: 404, eve: 404 },
    ],
    [
      'read a personal town',
      (who) => query(who, 'metrics.throughput', { townId: aliceTown }),
      { alice: 200, bob: 404, carol: 404, dave: 404, eve: 404 },
    ],
    [
      "mint an org town's ingest token",
      (who) => mutate(who, 'towns.mintIngestToken', { townId: orgTown }),
      { alice: 200, bob: 200, carol: 200, dave: 404, eve: 404 },
    ],
    // clock-free: a budget here is only allowed or refused (by role); no spend is measured against it.
    [
      "set an org town's budget",
      (who) => mutate(who, 'towns.setBudget', { townId: orgTown, period: 'day', capMicrodollars: 5_000_000 }),
      { alice: 200, bob: 200, carol: 403, dave: 404, eve: 404 },
    ],
    [
      'create an org town',
      (who) => mutate(who, 'towns.create', { name: `by ${who}`, organizationId: acme }),
      { alice: 200, bob: 200, carol: 403, dave: 403, eve: 404 },
    ],
    [
      "see the org's balance",
      (who) => query(who, 'billing.balance', { organizationId: acme }),
      { alice: 200, bob: 200, carol: 200, dave: 200, eve: 404 },
    ],
    [
      "see the org's balance (REST)",
      (who) => request(s.url, 'GET', `/api/balance?organizationId=${acme}`, tokens.get(who) as string),
      { alice: 200, bob: 200, carol: 200, dave: 200, eve: 404 },
    ],
    [
      "page the org's ledger",
      (who) => query(who, 'billing.ledger', { organizationId: acme }),
      { alice: 200, bob: 200, carol: 403, dave: 200, eve: 404 },
    ],
    [
      "see the org's alerts",
      (who) => query(who, 'billing.alerts', { organizationId: acme }),
      { alice: 200, bob: 200, carol: 403, dave: 200, eve: 404 },
    ],
    [
      "change the org's alert settings",
      (who) => mutate(who, 'billing.setAlertSettings', { organizationId: acme, lowBalanceMicrodollars: 1_000_000 }),
      { alice: 200, bob: 200, carol: 403, dave: 200, eve: 404 },
    ],
    [
      "list the org's members",
      (who) => query(who, 'orgs.members', { organizationId: acme }),
      { alice: 200, bob: 200, carol: 200, dave: 200, eve: 404 },
    ],
    [
      'grant credits',
      (who) => mutate(who, 'billing.grant', { organizationId: acme, amountMicrodollars: 1 }),
      { alice: 403, bob: 403, carol: 403, dave: 403, eve: 403 },
    ],
  ];

  for (const [what, call, expected] of cases) {
    it(what, async () => {
      const got = [];
      for (const who of PEOPLE) got.push([who, (await call(who)).status]);
      expect(got).toEqual(PEOPLE.map((who) => [who, expected[who]]));
    });
  }

  it('lists to each user only the towns they may read', async () => {
    const names = async (who: string) =>
      (ok(await query(who, 'towns.list', undefined)) as { name: string }[]).map((t) => t.name).sort();
    expect(await names('carol')).toEqual(['Acme Town', 'by alice', 'by bob']);
    expect(await names('dave')).toEqual([]);
    expect(await names('eve')).toEqual([]);
    expect(await names('alice')).toEqual(['Acme Town', 'Alice Town', 'by alice', 'by bob']);
  });

  it('lets only an owner make or unmake owners, and keeps the last owner', async () => {
    expect((await mutate('bob', 'orgs.setMember', { organizationId: acme, userName: 'carol', role: 'owner' })).status).toBe(403);
    expect((await mutate('bob', 'orgs.setMember', { organizationId: acme, userName: 'alice', role: 'member' })).status).toBe(403);
    expect((await mutate('carol', 'orgs.setMember', { organizationId: acme, userName: 'eve', role: 'member' })).status).toBe(403);
    const last = await mutate('alice', 'orgs.setMember', { organizationId: acme, userName: 'alice', role: 'admin' });
    expect([last.status, last.body.error.data.path]).toEqual([409, 'role']);
    const members = ok(await query('alice', 'orgs.members', { organizationId: acme })).members as {
      userName: string;
      role: string;
    }[];
    expect(members.map((m) => [m.userName, m.role]).sort()).toEqual([
      ['alice', 'owner'],
      ['bob', 'admin'],
      ['carol', 'member'],
      ['dave', 'billing_manager'],
    ]);
  });
});

describe('billing input', () => {
  const admin = () => s.adminToken;
  const grant = (body: unknown) => request(s.url, 'POST', '/trpc/billing.grant', admin(), body);
  const ledgerSize = async () =>
    (
      ok(
        await request(
          s.url,
          'GET',
          trpcPath('billing.ledger', { organizationId: acme }),
          tokens.get('alice') as string as string,
        ),
      ).entries as unknown[]
    ).length;

  it('rejects bad input with the field at fault and stores nothing', async () => {
    const before = await ledgerSize();
    const bad: [unknown, number, string][] = [
      [{ organizationId: acme, amountMicrodollars: -5_000_000 }, 400, 'amountMicrodollars'],
      [{ organizationId: acme, amountMicrodollars: 0 }, 400, 'amountMicrodollars'],
      [{ organizationId: acme, amountMicrodollars: 1.5 }, 400, 'amountMicrodollars'],
      [{ organizationId: acme, userName: 'alice', amountMicrodollars: 1 }, 400, 'userName'],
      [{ organizationId: 'org_nope', amountMicrodollars: 1 }, 404, 'organizationId'],
      [{ userName: 'nobody', amountMicrodollars: 1 }, 404, 'userName'],
      [{ organizationId: acme, amountMicrodollars: 1, note: 'x'.repeat(501) }, 400, 'note'],
    ];
    for (const [body, status, path] of bad) {
      const r = await grant(body);
      expect([r.status, r.body.error.data.path], JSON.stringify(body)).toEqual([status, path]);
    }
    const role = await mutate('alice', 'orgs.setMember', { organizationId: acme, userName: 'eve', role: 'superuser' });
    expect([role.status, role.body.error.data.path]).toEqual([400, 'role']);
    const hook = await mutate('alice', 'billing.setAlertSettings', { organizationId: acme, webhookUrl: 'ftp://example.com/x' });
    expect([hook.status, hook.body.error.data.path]).toEqual([400, 'webhookUrl']);
    const budget = await mutate('alice', 'towns.setBudget', { townId: orgTown, period: 'fortnight', capMicrodollars: 1 });
    expect([budget.status, budget.body.error.data.path]).toEqual([400, 'period']);
    const zone = await mutate('alice', 'towns.setBudget', {
      townId: orgTown,
      period: 'day',
      capMicrodollars: 1,
      tz: 'Mars/Olympus',
    });
    expect([zone.status, zone.body.error.data.path]).toEqual([400, 'tz']);
    const noPeriod = await mutate('alice', 'towns.setBudget', { townId: orgTown, capMicrodollars: 1 });
    expect([noPeriod.status, noPeriod.body.error.data.path]).toEqual([400, 'period']);
    for (const inside of [
      'http://169.254.169.254/latest/meta-data',
      'http://127.0.0.1:8787/api/health',
      'http://[::1]/x',
      // IPv4 loopback inside IPv6: compatible, translated, NAT64
      'http://[::127.0.0.1]/x',
      'http://[::ffff:0:7f00:1]/x',
      'http://[64:ff9b::7f00:1]/x',
    ]) {
      const r = await mutate('alice', 'billing.setAlertSettings', { organizationId: acme, webhookUrl: inside });
      expect([r.status, r.body.error.data.path], inside).toEqual([400, 'webhookUrl']);
    }

    expect(await ledgerSize()).toBe(before);
    expect(ok(await query('eve', 'orgs.list', undefined))).toEqual([]);
    expect(ok(await query('alice', 'billing.alertSettings', { organizationId: acme })).webhookUrl).toBeNull();
    const ok1 = ok(await grant({ organizationId: acme, amountMicrodollars: 25_000_000, note: 'invoice 7' }));
    expect(ok1).toMatchObject({
      kind: 'grant',
      amountMicrodollars: 25_000_000,
      balanceAfterMicrodollars: 25_000_000,
      note: 'invoice 7',
    });
    expect(await ledgerSize()).toBe(before + 1);
  });

  it('serves the gas tank over REST with the documented shape', async () => {
    const r = await request(s.url, 'GET', `/api/balance?organizationId=${acme}`, tokens.get('dave') as string as string);
    expect(Object.keys(r.body).sort()).toEqual(
      [
        'accountId',
        'asOf',
        'balanceMicrodollars',
        'burn24hMicrodollarsPerHour',
        'burnMicrodollarsPerHour',
        'lowBalance',
        'lowBalanceThresholdMicrodollars',
        'runwayBurnMicrodollarsPerHour',
        'secondsToEmpty',
      ].sort(),
    );
    const none = await request(s.url, 'GET', '/api/balance', null);
    expect(none.status).toBe(401);
  });
});
