import { Control, ROLES } from '@gasgauge/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataDir } from '../data-dir.js';
import { openSqlite } from '../sqlite.js';
import { gasgauge } from '../testing/cli.js';
import { tempDir } from '../testing/temp.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output, checked field by field
type Json = any;

let data: string;
/** One command with --data and --json: its exit code and the JSON object it printed. */
async function json(...args: string[]): Promise<{ code: number; body: Json; stderr: string }> {
  const r = await gasgauge(...args, '--data', data, '--json');
  return { code: r.code, body: r.stdout === '' ? undefined : JSON.parse(r.stdout), stderr: r.stderr };
}

/** Reads the control database the CLI wrote, directly. */
function control<T>(fn: (c: Control) => T): T {
  const sql = openSqlite(new DataDir(data).controlFile);
  try {
    return fn(new Control(sql, () => Date.now()));
  } finally {
    sql.close();
  }
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const ids: Record<string, string> = {};

beforeAll(async () => {
  data = tempDir('gg-billing-cli-');
  // The first command creates the database; the others may then run side by side.
  const [first, ...rest] = USERS;
  const runs = [await json('user', 'add', first as string)];
  runs.push(...(await Promise.all(rest.map((name) => json('user', 'add', name)))));
  for (const r of runs) {
    expect(r.code, r.stderr).toBe(0);
    ids[r.body.user.name] = r.body.user.id;
  }
});

describe('gasgauge org and town create --org', () => {
  it('creates an organisation, adds a member with each role and a town the organisation owns', async () => {
    const created = await json('org', 'create', 'Acme', '--owner', 'alice');
    expect(created.code, created.stderr).toBe(0);
    expect(created.body).toEqual({ org: { id: expect.stringMatching(/^org_/), name: 'Acme', createdAt: expect.any(Number) } });
    const orgId = created.body.org.id as string;

    const members = { bob: 'admin', carol: 'member', dave: 'billing_manager', erin: 'owner' } as const;
    expect(new Set(Object.values(members))).toEqual(new Set(ROLES));
    for (const [user, role] of Object.entries(members)) {
      const r = await json('org', 'add-member', 'Acme', user, '--role', role);
      expect(r.code, r.stderr).toBe(0);
      expect(r.body).toEqual({ membership: { orgId, userId: ids[user], role, createdAt: expect.any(Number) } });
    }
    expect(control((c) => c.orgs.members(orgId, { limit: 100 }).members.map((m) => [m.userName, m.role]))).toEqual([
      ['alice', 'owner'],
      ['bob', 'admin'],
      ['carol', 'member'],
      ['dave', 'billing_manager'],
      ['erin', 'owner'],
    ]);

    const town = await json('town', 'create', 'Acme Town', '--org', 'Acme');
    expect(town.code, town.stderr).toBe(0);
    expect(town.body).toEqual({
      town: {
        id: expect.stringMatching(/^town_/),
        name: 'Acme Town',
        ownerUserId: null,
        ownerOrgId: orgId,
        createdAt: expect.any(Number),
        owner: { kind: 'org', name: 'Acme' },
      },
    });
    expect(control((c) => c.town(town.body.town.id)?.ownerOrgId)).toBe(orgId);
  });

  it('removes a member, names an unknown user or a non-member, and keeps the last owner', async () => {
    const created = await json('org', 'create', 'Delta', '--owner', 'alice');
    expect(created.code, created.stderr).toBe(0);
    const orgId = created.body.org.id as string;
    expect((await json('org', 'add-member', 'Delta', 'bob', '--role', 'member')).code).toBe(0);
    const removed = await json('org', 'remove-member', 'Delta', 'bob');
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.body).toEqual({ removed: { org: 'Delta', user: 'bob' } });
    const [again, nobody, last] = [
      await json('org', 'remove-member', 'Delta', 'bob'),
      await json('org', 'remove-member', 'Delta', 'nobody'),
      await json('org', 'remove-member', 'Delta', 'alice'),
    ];
    expect([again.code, again.body.error.code]).toEqual([1, 'not_found']);
    expect(nobody.body).toEqual({ error: { code: 'not_found', message: 'no user named "nobody"', path: 'user' } });
    expect([last.code, last.body.error.code, last.body.error.message]).toEqual([
      1,
      'conflict',
      'an organisation keeps at least one owner: make another member an owner first, then remove or change this one',
    ]);
    expect(control((c) => c.orgs.members(orgId, { limit: 100 }).members.map((m) => [m.userName, m.role]))).toEqual([
      ['alice', 'owner'],
    ]);
  });

  it('town create takes exactly one of --owner and --org, and names an unknown organisation', async () => {
    const [both, neither, unknown] = await Promise.all([
      json('town', 'create', 'Both', '--owner', 'alice', '--org', 'Acme'),
      json('town', 'create', 'Neither'),
      json('town', 'create', 'Lost', '--org', 'Nowhere'),
    ]);
    expect(both.code).toBe(2);
    expect(both.body).toEqual({ error: { code: 'usage', message: 'give exactly one of --owner USER and --org ORG' } });
    expect(neither.code).toBe(2);
    expect(unknown.code).toBe(1);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: 'no organisation named "Nowhere"', path: 'org' } });
    expect(control((c) => c.allTownIds().map((id) => c.town(id)?.name))).not.toEqual(
      expect.arrayContaining(['Both', 'Neither', 'Lost']),
    );
    const plain = await gasgauge('town', 'create', 'Both', '--owner', 'alice', '--org', 'Acme', '--data', data);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('Usage: gasgauge town create NAME --owner USER | --org ORG');
  });

  it('refuses an unknown organisation, user or role, and an unknown owner, storing nothing', async () => {
    const created = await json('org', 'create', 'Beta', '--owner', 'alice');
    expect(created.code, created.stderr).toBe(0);
    const orgId = created.body.org.id as string;

    const [role, org, user, owner, noRole] = await Promise.all([
      json('org', 'add-member', 'Beta', 'bob', '--role', 'superuser'),
      json('org', 'add-member', 'Nowhere', 'bob', '--role', 'member'),
      json('org', 'add-member', 'Beta', 'nobody', '--role', 'member'),
      json('org', 'create', 'Gamma', '--owner', 'nobody'),
      json('org', 'add-member', 'Beta', 'bob'),
    ]);
    expect(role.code).toBe(2);
    expect(role.body).toEqual({
      error: {
        code: 'bad_request',
        message: '--role "superuser": role must be one of owner, admin, member, billing_manager',
        path: 'role',
        option: '--role',
      },
    });
    expect(org.code).toBe(1);
    expect(org.body).toEqual({ error: { code: 'not_found', message: 'no organisation named "Nowhere"', path: 'org' } });
    expect(user.code).toBe(1);
    expect(user.body).toEqual({ error: { code: 'not_found', message: 'no user named "nobody"', path: 'user' } });
    expect(owner.code).toBe(1);
    expect(owner.body).toEqual({ error: { code: 'not_found', message: 'no user named "nobody"', path: 'owner' } });
    expect(noRole.code).toBe(2);
    expect(noRole.body).toEqual({ error: { code: 'usage', message: '--role is required' } });

    expect(control((c) => c.orgs.members(orgId, { limit: 100 }).members.map((m) => [m.userName, m.role]))).toEqual([
      ['alice', 'owner'],
    ]);
    expect(control((c) => c.orgs.byName('Gamma'))).toBeUndefined();
    // The organisation keeps its one owner.
    const demote = await json('org', 'add-member', 'Beta', 'alice', '--role', 'member');
    expect(demote.code).toBe(1);
    expect(demote.body.error).toMatchObject({ code: 'conflict', path: 'role' });
  });
});

describe('gasgauge credits', () => {
  it('grant adds exact microdollars; show prints the gas tank and the ledger, newest first', async () => {
    const first = await json('credits', 'grant', '--org', 'Acme', '--usd', '25', '--note', 'top-up');
    expect(first.code, first.stderr).toBe(0);
    const orgId = first.body.entry.accountId as string;
    expect(first.body).toEqual({
      entry: {
        seq: expect.any(Number),
        accountId: orgId,
        at: expect.any(Number),
        kind: 'grant',
        amountMicrodollars: 25_000_000,
        balanceAfterMicrodollars: 25_000_000,
        townId: null,
        note: 'top-up',
      },
      balanceMicrodollars: 25_000_000,
    });
    const second = await json('credits', 'grant', '--org', 'Acme', '--usd', '0.000001', '--note', 'one microdollar');
    expect(second.code, second.stderr).toBe(0);
    expect(second.body.balanceMicrodollars).toBe(25_000_001);

    const show = await json('credits', 'show', '--org', 'Acme');
    expect(show.code, show.stderr).toBe(0);
    expect(show.body.account).toEqual({ kind: 'org', id: orgId, name: 'Acme' });
    expect(show.body.gasTank).toEqual({
      accountId: orgId,
      balanceMicrodollars: 25_000_001,
      burnMicrodollarsPerHour: 0,
      burn24hMicrodollarsPerHour: 0,
      runwayBurnMicrodollarsPerHour: 0,
      secondsToEmpty: null,
      lowBalance: false,
      lowBalanceThresholdMicrodollars: 5_000_000,
      asOf: expect.any(Number),
    });
    expect(show.body.entries.map((e: Json) => [e.amountMicrodollars, e.balanceAfterMicrodollars, e.note])).toEqual([
      [1, 25_000_001, 'one microdollar'],
      [25_000_000, 25_000_000, 'top-up'],
    ]);

    const limited = await json('credits', 'show', '--org', 'Acme', '--limit', '1');
    expect(limited.body.entries.map((e: Json) => e.note)).toEqual(['one microdollar']);
    // Past its bound, --limit is refused naming the value given (it said the range alone).
    const over = await json('credits', 'show', '--org', 'Acme', '--limit', '501');
    expect([over.code, over.body.error?.message]).toEqual([2, '--limit must be from 1 to 500, not "501"']);

    const human = await gasgauge('credits', 'show', '--org', 'Acme', '--data', data);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Balance:        $25.000001');
    expect(human.stdout).toContain('not burning');
    expect(human.stdout).toContain('Low balance:    no, alerts below $5.00\n');
    expect(human.stdout.indexOf('one microdollar')).toBeLessThan(human.stdout.indexOf('top-up'));
    // The order is the ledger's, not the times': a late hour's debit is timed before the entry under it.
    expect(human.stdout).toContain(
      'Ledger, the latest 2 entries first (a debit is timed at the end of the hour its spend is dated in, or now for the hour under way):\n',
    );
  });

  it("a user's personal account is separate from their organisation's", async () => {
    const grant = await json('credits', 'grant', '--user', 'bob', '--usd', '1.5');
    expect(grant.code, grant.stderr).toBe(0);
    expect(grant.body.entry).toMatchObject({ accountId: ids.bob, amountMicrodollars: 1_500_000, note: null });
    const show = await json('credits', 'show', '--user', 'bob');
    expect(show.body.account).toEqual({ kind: 'user', id: ids.bob, name: 'bob' });
    expect(show.body.gasTank).toMatchObject({ balanceMicrodollars: 1_500_000, lowBalance: true });
    expect((await json('credits', 'show', '--org', 'Acme')).body.gasTank.balanceMicrodollars).toBe(25_000_001);
  });

  it('refuses a bad amount or an unknown account with an error naming the field, and stores nothing', async () => {
    const before = await json('credits', 'show', '--org', 'Acme');
    const runs = await Promise.all([
      json('credits', 'grant', '--org', 'Acme', '--usd=-5'),
      json('credits', 'grant', '--org', 'Acme', '--usd', '-5'),
      json('credits', 'grant', '--org', 'Acme', '--usd', '1.0000001'),
      json('credits', 'grant', '--org', 'Acme', '--usd', 'abc'),
      json('credits', 'grant', '--org', 'Acme', '--usd', '0'),
      json('credits', 'grant', '--org', 'Acme', '--usd', '0.000000'),
      json('credits', 'grant', '--org', 'Acme', '--usd', '1e3'),
      json('credits', 'grant', '--org', 'Acme', '--usd', '2000000'),
      json('credits', 'grant', '--org', 'Acme'),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.body.error.code).toBe('usage');
      expect(r.body.error.message).toContain('--usd');
    }
    expect(runs[0]?.body.error.message).toBe('--usd must not be negative, not "-5"');
    expect(runs[2]?.body.error.message).toBe('--usd has at most 6 decimals (one microdollar), not "1.0000001"');
    expect(runs[3]?.body.error.message).toBe('--usd must be an amount in dollars like 25 or 0.50, not "abc"');
    expect(runs[5]?.body.error.message).toBe('--usd must be more than 0, not "0.000000"');

    const [org, user, both, neither] = await Promise.all([
      json('credits', 'grant', '--org', 'Nowhere', '--usd', '5'),
      json('credits', 'grant', '--user', 'nobody', '--usd', '5'),
      json('credits', 'grant', '--user', 'bob', '--org', 'Acme', '--usd', '5'),
      json('credits', 'show'),
    ]);
    expect(org.code).toBe(1);
    expect(org.body).toEqual({ error: { code: 'not_found', message: 'no organisation named "Nowhere"', path: 'org' } });
    expect(user.code).toBe(1);
    expect(user.body).toEqual({ error: { code: 'not_found', message: 'no user named "nobody"', path: 'user' } });
    expect(both.code).toBe(2);
    expect(both.body.error.message).toBe('give exactly one of --user USER and --org ORG');
    expect(neither.code).toBe(2);

    const after = await json('credits', 'show', '--org', 'Acme');
    expect(after.body.entries).toEqual(before.body.entries);
    expect(after.body.gasTank.balanceMicrodollars).toBe(25_000_001);
    expect((await json('credits', 'show', '--user', 'bob')).body.entries).toHaveLength(1);
    expect(control((c) => Number(c.sql.rows('SELECT COUNT(*) FROM ledger')[0]?.[0]))).toBe(3);
  }, 90_000); // ~15 CLI runs: 15 s on a quiet machine, ~45 s at a load average of 12

  it('alerts shows the defaults, sets the threshold and webhook, and refuses a webhook that is not http(s)', async () => {
    const defaults = await json('credits', 'alerts', '--user', 'carol');
    expect(defaults.code, defaults.stderr).toBe(0);
    expect(defaults.body).toEqual({ settings: { lowBalanceMicrodollars: 5_000_000, webhookUrl: null } });

    const refused = await json('credits', 'alerts', '--user', 'carol', '--webhook', 'http://127.0.0.1:9/hook');
    expect([refused.code, refused.body.error?.path]).toEqual([2, 'webhookUrl']);
    // The operator is told the way out, which the API's callers do not have.
    expect(refused.body.error.message).toBe(
      '--webhook "http://127.0.0.1:9/hook": the webhook may not point at a loopback, private or link-local address: pass --allow-private to keep it (the server delivers there only when started with --allow-private-webhooks)',
    );
    const set = await json(
      'credits',
      'alerts',
      '--user',
      'carol',
      '--low-usd',
      '10',
      '--webhook',
      'http://127.0.0.1:9/hook',
      '--allow-private',
    );
    expect(set.code, set.stderr).toBe(0);
    const settings = { lowBalanceMicrodollars: 10_000_000, webhookUrl: 'http://127.0.0.1:9/hook' };
    expect(set.body).toEqual({ settings });
    expect((await json('credits', 'alerts', '--user', 'carol')).body).toEqual({ settings });
    expect((await json('credits', 'show', '--user', 'carol')).body.gasTank.lowBalanceThresholdMicrodollars).toBe(10_000_000);

    const [ftp, both, negative, huge, loneAllow] = await Promise.all([
      json('credits', 'alerts', '--user', 'carol', '--webhook', 'ftp://x'),
      json('credits', 'alerts', '--user', 'carol', '--webhook', 'http://x', '--no-webhook'),
      json('credits', 'alerts', '--user', 'carol', '--low-usd=-1'),
      json('credits', 'alerts', '--user', 'carol', '--low-usd', '9007199254.740992'),
      json('credits', 'alerts', '--user', 'carol', '--allow-private', '--low-usd', '3'),
    ]);
    expect([loneAllow.code, loneAllow.body.error?.message]).toEqual([
      2,
      '--allow-private goes with --webhook URL (it accepts that URL on a private address)',
    ]);
    // One microdollar past the API's bound: the message says the bound (it said "is too large" alone).
    expect([huge.code, huge.body.error?.message]).toEqual([
      2,
      '--low-usd is at most $9,007,199,254.740991, not "9007199254.740992"',
    ]);
    expect(ftp.code).toBe(2);
    expect(ftp.body).toEqual({
      error: {
        code: 'bad_request',
        message: '--webhook "ftp://x": the webhook must be an http or https URL',
        path: 'webhookUrl',
        option: '--webhook',
      },
    });
    expect(both.code).toBe(2);
    expect(negative.code).toBe(2);
    expect(negative.body.error.message).toContain('--low-usd');
    expect((await json('credits', 'alerts', '--user', 'carol')).body).toEqual({ settings });

    const off = await json('credits', 'alerts', '--user', 'carol', '--no-webhook', '--low-usd', '0.5');
    expect(off.body).toEqual({ settings: { lowBalanceMicrodollars: 500_000, webhookUrl: null } });
    const human = await gasgauge('credits', 'alerts', '--user', 'carol', '--data', data);
    expect(human.stdout).toContain('$0.50');
    // Eleven CLI processes, each ~1 s of tsx start on an idle 2-core machine: 26 s were seen on a busy one.
  }, 90_000);
});

describe('--help of the new commands', () => {
  const HELP: Record<string, { usage: string; options: string[] }> = {
    'org create': { usage: 'gasgauge org create NAME --owner USER', options: ['--owner USER'] },
    'org add-member': { usage: 'gasgauge org add-member ORG USER --role ROLE', options: ['--role ROLE', ...ROLES] },
    'org remove-member': { usage: 'gasgauge org remove-member ORG USER', options: ['ORG', 'USER'] },
    'town create': { usage: 'gasgauge town create NAME --owner USER | --org ORG', options: ['--owner USER', '--org ORG'] },
    'credits grant': {
      usage: 'gasgauge credits grant (--user USER | --org ORG) --usd AMOUNT [--note TEXT]',
      options: ['--user USER', '--org ORG', '--usd AMOUNT', '--note TEXT'],
    },
    'credits show': {
      usage: 'gasgauge credits show (--user USER | --org ORG) [--limit N]',
      options: ['--user USER', '--org ORG', '--limit N'],
    },
    'credits alerts': {
      usage:
        'gasgauge credits alerts (--user USER | --org ORG) [--low-usd AMOUNT] [--webhook URL [--allow-private] | --no-webhook]',
      options: ['--user USER', '--org ORG', '--low-usd AMOUNT', '--webhook URL', '--allow-private', '--no-webhook'],
    },
  };

  it.each(Object.entries(HELP))('%s --help exits 0 and describes its options', async (command, { usage, options }) => {
    const r = await gasgauge(...command.split(' '), '--help');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.startsWith(usage)).toBe(true);
    for (const option of options) expect(r.stdout.slice(usage.length)).toContain(option);
  });

  it('the main help lists them', async () => {
    const r = await gasgauge('--help');
    for (const { usage } of Object.values(HELP)) expect(r.stdout).toContain(usage);
  });
});
