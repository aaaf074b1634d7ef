import { readFileSync } from 'node:fs';
import { type HttpResult, request, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { controlState, townState } from '@gasgauge/server/testing/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * One edge case per row of the "Limits" table in docs/api.md: the largest accepted value is
 * accepted, the smallest refused one gets the row's status naming the field, and the refusal stores
 * nothing. A new limit adds a row there and a case here (the first test checks they match).
 */
const NOW = 1_795_608_000_000;
const MiB = 1024 * 1024;

let s: TestServer;
let orgId: string;
beforeAll(async () => {
  s = await startTestServer({ clock: () => NOW, autoTick: false });
  orgId = (await s.post('/trpc/orgs.create', { name: 'limits org' }, s.adminToken)).body.result.data.id;
});
afterAll(async () => {
  await s?.close();
});

let seq = 0;
const uid = () => `lim-${++seq}`;
const usage = (over: Record<string, unknown> = {}) => ({
  id: uid(),
  agentId: 'a',
  model: 'm',
  inputTokens: 1,
  outputTokens: 1,
  costMicrodollars: 1,
  at: NOW,
  ...over,
});
let names = 0;
/** A fresh name of exactly 64 characters (organisation names are unique). */
const name64 = (first: string) => `${first}${String(++names).padStart(63, 'n')}`;
const note = (over: Record<string, unknown> = {}) => ({ id: uid(), at: NOW, type: 'note', name: 'n', ...over });
const bead = (over: Record<string, unknown> = {}) => ({ id: uid(), at: NOW, type: 'bead', beadId: 'b', status: 'open', ...over });
const loc = (over: Record<string, unknown> = {}) => ({ agentId: 'a', additions: 1, deletions: 1, ...over });
const many = (n: number, make: () => unknown) => Array.from({ length: n }, make);

/** Inputs that name the server's town or organisation are built when the case runs, after beforeAll. */
type Lazy = unknown | (() => unknown);
const value = (v: Lazy): unknown => (typeof v === 'function' ? (v as () => unknown)() : v);
const ingest = (route: 'usage' | 'loc' | 'events', body: Lazy) => () => s.post(`/api/towns/${s.townId}/${route}`, value(body));
const mutate = (proc: string, input: Lazy) => () => s.post(`/trpc/${proc}`, value(input), s.adminToken);
const query = (proc: string, input: Lazy) => () => s.get(trpcPath(proc, value(input)));
const series = (over: Record<string, unknown>) => () => ({ townId: s.townId, from: NOW - 60_000, to: NOW, ...over });

/** A usage body padded with spaces to exactly `bytes`. */
function paddedUsage(bytes: number): string {
  const json = JSON.stringify({ records: [usage()] });
  return json.slice(0, -1) + ' '.repeat(bytes - Buffer.byteLength(json)) + json.slice(-1);
}

/** A /auth/login form of exactly `bytes` (an unknown token: a redirect back to the login page). */
function loginForm(bytes: number): () => Promise<HttpResult> {
  return async () => {
    const prefix = 'token=ggu_';
    const res = await fetch(`${s.url}/auth/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.url },
      body: prefix + 'x'.repeat(bytes - prefix.length),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
}

interface Case {
  /** The row's first cell in docs/api.md's Limits table. */
  row: string;
  name: string;
  ok: () => Promise<HttpResult>;
  over: () => Promise<HttpResult>;
  status?: number;
  /** The error's path; undefined for a refusal without a JSON body (431). */
  path?: string;
  /** The accepted request's status (default 200): 404 for an id of the longest length that names nothing. */
  okStatus?: number;
  okMessage?: RegExp;
  /** What a refusal must leave unchanged: the town's data (ingest) or the accounts and towns (tRPC). */
  state?: 'town' | 'control';
}

const ROW = {
  body: 'request body (ingest routes, `/auth/*`)',
  url: 'URL and headers',
  records: 'usage records per batch',
  events: 'events per batch',
  agents: 'lines-of-code agents per batch',
  ids: "ids: `id`, `agentId`, `model`, `provider`, `beadId`, `role`, `kind`, `assigneeAgentId`, a note's `name`",
  title: "a bead's `title`",
  tokens: 'token amounts of a usage record (each of the five)',
  cost: '`costMicrodollars` of a usage record',
  loc: '`additions`, `deletions`, `files` of a lines-of-code report',
  at: 'event time `at`',
  names: 'names of users, towns, organisations',
  townId: '`townId`, `organizationId`',
  maxPoints: '`maxPoints` (timeseries, breakdown)',
  range: '`from`, `to` (timeseries, breakdown)',
  tz: '`tz`',
  feed: '`limit` of `metrics.events`',
  ledger: '`limit` of `billing.ledger`',
  alerts: '`limit` of `billing.alerts`',
  ttl: 'ingest token lifetime `ttlSeconds`',
  grant: '`amountMicrodollars` of `billing.grant`',
  grantNote: '`note` of `billing.grant`',
  cap: '`capMicrodollars` of `towns.setBudget`',
  low: '`lowBalanceMicrodollars` of `billing.setAlertSettings`',
  webhook: '`webhookUrl`',
} as const;

const TOKENS = ['inputTokens', 'outputTokens', 'reasoningTokens', 'cacheReadTokens', 'cacheWriteTokens'];
const IDS: [string, (v: string) => unknown, string][] = [
  ['usage id', (v) => ({ records: [usage({ id: v })] }), 'records[0].id'],
  ['agentId', (v) => ({ records: [usage({ agentId: v })] }), 'records[0].agentId'],
  ['model', (v) => ({ records: [usage({ model: v })] }), 'records[0].model'],
  ['provider', (v) => ({ records: [usage({ provider: v })] }), 'records[0].provider'],
  ['event id', (v) => ({ events: [note({ id: v })] }), 'events[0].id'],
  ["a note's name", (v) => ({ events: [note({ name: v })] }), 'events[0].name'],
  ['beadId', (v) => ({ events: [bead({ beadId: v })] }), 'events[0].beadId'],
  ['kind', (v) => ({ events: [bead({ kind: v })] }), 'events[0].kind'],
  ['assigneeAgentId', (v) => ({ events: [bead({ assigneeAgentId: v })] }), 'events[0].assigneeAgentId'],
  ['role', (v) => ({ events: [{ id: uid(), at: NOW, type: 'agent', agentId: 'a', status: 'idle', role: v }] }), 'events[0].role'],
  ['loc agentId', (v) => ({ agents: [loc({ agentId: v })] }), 'agents[0].agentId'],
];
const routeOf = (body: unknown) =>
  Object.keys(body as object)[0] === 'records' ? 'usage' : Object.keys(body as object)[0] === 'events' ? 'events' : 'loc';

const cases: Case[] = [
  {
    row: ROW.body,
    name: 'ingest body of 1 MiB',
    ok: ingest('usage', paddedUsage(MiB)),
    over: ingest('usage', paddedUsage(MiB + 1)),
    status: 413,
    path: 'body',
    state: 'town',
  },
  {
    row: ROW.body,
    name: '/auth/login form of 1 MiB (an unknown token: back to /login)',
    ok: loginForm(MiB),
    okStatus: 303,
    over: loginForm(MiB + 1),
    status: 413,
    path: 'body',
  },
  {
    row: ROW.url,
    name: 'a query string of 8 KiB and one of 20 KiB',
    ok: () => s.get(`/api/health?pad=${'x'.repeat(8 * 1024)}`, null),
    over: () => s.get(`/api/health?pad=${'x'.repeat(20 * 1024)}`, null),
    status: 431,
  },
  ...(
    [
      [
        ROW.records,
        'usage',
        'records',
        () => ({ id: uid(), agentId: 'a', model: 'm', inputTokens: 0, outputTokens: 0, costMicrodollars: 0, at: NOW }),
      ],
      [ROW.events, 'events', 'events', () => note()],
      [ROW.agents, 'loc', 'agents', () => loc()],
    ] as const
  ).flatMap(([row, route, key, make]): Case[] => [
    {
      row,
      name: `5,000 ${key}, then 5,001`,
      ok: () => ingest(route, { [key]: many(5000, make) })(),
      over: () => ingest(route, { [key]: many(5001, make) })(),
      path: key,
      state: 'town',
    },
    {
      row,
      name: `1 of ${key}, then 0`,
      ok: () => ingest(route, { [key]: [make()] })(),
      over: ingest(route, { [key]: [] }),
      path: key,
      state: 'town',
    },
  ]),
  ...IDS.flatMap(([what, body, path]): Case[] => [
    {
      row: ROW.ids,
      name: `${what} of 256 characters, then 257`,
      ok: () => ingest(routeOf(body('')), body('x'.repeat(255) + uid().slice(-1)))(),
      over: () => ingest(routeOf(body('')), body('x'.repeat(257)))(),
      path,
      state: 'town',
    },
    {
      row: ROW.ids,
      name: `${what} of 1 character, then empty`,
      ok: () => ingest(routeOf(body('')), body('y'))(),
      over: () => ingest(routeOf(body('')), body(''))(),
      path,
      state: 'town',
    },
  ]),
  {
    row: ROW.title,
    name: 'a title of 1,000 characters, then 1,001',
    ok: () => ingest('events', { events: [bead({ title: 't'.repeat(1000) })] })(),
    over: () => ingest('events', { events: [bead({ title: 't'.repeat(1001) })] })(),
    path: 'events[0].title',
    state: 'town',
  },
  ...TOKENS.flatMap((field): Case[] => [
    {
      row: ROW.tokens,
      name: `${field} 1,000,000,000, then 1,000,000,001`,
      ok: () => ingest('usage', { records: [usage({ [field]: 1_000_000_000 })] })(),
      over: () => ingest('usage', { records: [usage({ [field]: 1_000_000_001 })] })(),
      path: `records[0].${field}`,
      state: 'town',
    },
    {
      row: ROW.tokens,
      name: `${field} 0, then -1`,
      ok: () => ingest('usage', { records: [usage({ [field]: 0 })] })(),
      over: () => ingest('usage', { records: [usage({ [field]: -1 })] })(),
      path: `records[0].${field}`,
      state: 'town',
    },
  ]),
  {
    row: ROW.cost,
    name: 'cost 10,000,000,000, then one more',
    ok: () => ingest('usage', { records: [usage({ costMicrodollars: 10_000_000_000 })] })(),
    over: () => ingest('usage', { records: [usage({ costMicrodollars: 10_000_000_001 })] })(),
    path: 'records[0].costMicrodollars',
    state: 'town',
  },
  ...['additions', 'deletions', 'files'].map(
    (field): Case => ({
      row: ROW.loc,
      name: `${field} 1,000,000,000, then 1,000,000,001`,
      ok: ingest('loc', { agents: [loc({ agentId: `loc-${field}`, [field]: 1_000_000_000 })] }),
      over: ingest('loc', { agents: [loc({ agentId: `loc-${field}`, [field]: 1_000_000_001 })] }),
      path: `agents[0].${field}`,
      state: 'town',
    }),
  ),
  {
    row: ROW.at,
    name: 'at 10,000,000,000,000, then one more',
    ok: () => ingest('events', { events: [note({ at: 10_000_000_000_000 })] })(),
    over: () => ingest('events', { events: [note({ at: 10_000_000_000_001 })] })(),
    path: 'events[0].at',
    state: 'town',
  },
  {
    row: ROW.at,
    name: 'at 0, then -1',
    ok: () => ingest('usage', { records: [usage({ at: 0 })] })(),
    over: () => ingest('usage', { records: [usage({ at: -1 })] })(),
    path: 'records[0].at',
    state: 'town',
  },
  {
    row: ROW.names,
    name: 'a town name of 64 characters, then 65',
    ok: () => mutate('towns.create', { name: name64('T') })(),
    over: mutate('towns.create', { name: `T${'n'.repeat(64)}` }),
    path: 'name',
    state: 'control',
  },
  {
    row: ROW.names,
    name: 'an organisation name of 64 characters, then one starting with a dash',
    ok: () => mutate('orgs.create', { name: name64('O') })(),
    over: mutate('orgs.create', { name: '-org' }),
    path: 'name',
    state: 'control',
  },
  {
    row: ROW.townId,
    name: 'a townId of 64 characters (not found), then 65',
    ok: query('metrics.throughput', { townId: 't'.repeat(64) }),
    over: query('metrics.throughput', { townId: 't'.repeat(65) }),
    okStatus: 404,
    path: 'townId',
  },
  {
    row: ROW.townId,
    name: 'an organizationId of 64 characters (not found), then 65',
    ok: query('billing.balance', { organizationId: 'o'.repeat(64) }),
    over: query('billing.balance', { organizationId: 'o'.repeat(65) }),
    okStatus: 404,
    path: 'organizationId',
  },
  {
    row: ROW.maxPoints,
    name: 'maxPoints 5,000, then 5,001',
    ok: query('metrics.timeseries', series({ maxPoints: 5000 })),
    over: query('metrics.timeseries', series({ maxPoints: 5001 })),
    path: 'maxPoints',
  },
  {
    row: ROW.maxPoints,
    name: 'maxPoints 1, then 0 (REST)',
    ok: () => s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${NOW - 60_000}&to=${NOW}&maxPoints=1`),
    over: () => s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${NOW - 60_000}&to=${NOW}&maxPoints=0`),
    path: 'maxPoints',
  },
  {
    row: ROW.range,
    name: 'to one ms after from, then equal to it',
    ok: query('metrics.timeseries', series({ from: NOW, to: NOW + 1 })),
    over: query('metrics.timeseries', series({ from: NOW, to: NOW })),
    path: 'to',
  },
  {
    row: ROW.range,
    name: 'from 0, then -1',
    ok: query('metrics.breakdown', series({ from: 0, to: 1, by: 'agent', metric: 'tokens' })),
    over: query('metrics.breakdown', series({ from: -1, to: 1, by: 'agent', metric: 'tokens' })),
    path: 'from',
  },
  {
    row: ROW.tz,
    name: 'a known zone, then an unknown one (day buckets)',
    ok: query(
      'metrics.timeseries',
      series({ from: NOW - 30 * 86_400_000, maxPoints: 3, tz: 'America/Argentina/ComodRivadavia' }),
    ),
    over: query('metrics.timeseries', series({ from: NOW - 30 * 86_400_000, maxPoints: 3, tz: 'Mars/Olympus' })),
    path: 'tz',
  },
  {
    row: ROW.tz,
    name: 'a zone of 64 characters (refused only as unknown), then 65',
    ok: query('metrics.timeseries', series({ from: NOW - 30 * 86_400_000, maxPoints: 3, tz: 'Z'.repeat(64) })),
    okStatus: 400,
    okMessage: /unknown IANA time zone/,
    over: query('metrics.timeseries', series({ tz: 'Z'.repeat(65) })),
    path: 'tz',
  },
  {
    row: ROW.feed,
    name: 'limit 200, then 201',
    ok: query('metrics.events', () => ({ townId: s.townId, limit: 200 })),
    over: query('metrics.events', () => ({ townId: s.townId, limit: 201 })),
    path: 'limit',
  },
  {
    row: ROW.ledger,
    name: 'limit 500, then 501',
    ok: query('billing.ledger', { limit: 500 }),
    over: query('billing.ledger', { limit: 501 }),
    path: 'limit',
  },
  {
    row: ROW.alerts,
    name: 'limit 200, then 201',
    ok: query('billing.alerts', { limit: 200 }),
    over: query('billing.alerts', { limit: 201 }),
    path: 'limit',
  },
  {
    row: ROW.ttl,
    name: 'ttlSeconds 28,800, then 28,801',
    ok: () => mutate('towns.mintIngestToken', { townId: s.townId, ttlSeconds: 28_800 })(),
    over: () => mutate('towns.mintIngestToken', { townId: s.townId, ttlSeconds: 28_801 })(),
    path: 'ttlSeconds',
  },
  {
    row: ROW.ttl,
    name: 'ttlSeconds 1, then 0',
    ok: () => mutate('towns.mintIngestToken', { townId: s.townId, ttlSeconds: 1 })(),
    over: () => mutate('towns.mintIngestToken', { townId: s.townId, ttlSeconds: 0 })(),
    path: 'ttlSeconds',
  },
  {
    row: ROW.grant,
    name: 'a grant of 1,000,000,000,000, then one more',
    ok: mutate('billing.grant', () => ({ organizationId: orgId, amountMicrodollars: 1_000_000_000_000 })),
    over: mutate('billing.grant', () => ({ organizationId: orgId, amountMicrodollars: 1_000_000_000_001 })),
    path: 'amountMicrodollars',
    state: 'control',
  },
  {
    row: ROW.grantNote,
    name: 'a note of 500 characters, then 501',
    ok: mutate('billing.grant', () => ({ organizationId: orgId, amountMicrodollars: 1, note: 'n'.repeat(500) })),
    over: mutate('billing.grant', () => ({ organizationId: orgId, amountMicrodollars: 1, note: 'n'.repeat(501) })),
    path: 'note',
    state: 'control',
  },
  {
    row: ROW.cap,
    name: 'a cap of 2^53 − 1, then 2^53',
    ok: () => mutate('towns.setBudget', { townId: s.townId, period: 'day', capMicrodollars: Number.MAX_SAFE_INTEGER })(),
    over: () => mutate('towns.setBudget', { townId: s.townId, period: 'day', capMicrodollars: 2 ** 53 })(),
    path: 'capMicrodollars',
    state: 'control',
  },
  {
    row: ROW.cap,
    name: 'a cap of 1, then 0',
    ok: () => mutate('towns.setBudget', { townId: s.townId, period: 'week', capMicrodollars: 1 })(),
    over: () => mutate('towns.setBudget', { townId: s.townId, period: 'week', capMicrodollars: 0 })(),
    path: 'capMicrodollars',
    state: 'control',
  },
  {
    row: ROW.low,
    name: 'a threshold of 2^53 − 1, then 2^53',
    ok: mutate('billing.setAlertSettings', { lowBalanceMicrodollars: Number.MAX_SAFE_INTEGER }),
    over: mutate('billing.setAlertSettings', { lowBalanceMicrodollars: 2 ** 53 }),
    path: 'lowBalanceMicrodollars',
    state: 'control',
  },
  {
    row: ROW.low,
    name: 'a threshold of 0, then -1',
    ok: mutate('billing.setAlertSettings', { lowBalanceMicrodollars: 0 }),
    over: mutate('billing.setAlertSettings', { lowBalanceMicrodollars: -1 }),
    path: 'lowBalanceMicrodollars',
    state: 'control',
  },
  {
    row: ROW.webhook,
    name: 'a URL of 2,000 characters, then 2,001',
    ok: mutate('billing.setAlertSettings', { webhookUrl: webhook(2000) }),
    over: mutate('billing.setAlertSettings', { webhookUrl: webhook(2001) }),
    path: 'webhookUrl',
    state: 'control',
  },
];

/** A public https URL of exactly `length` characters. */
function webhook(length: number): string {
  const base = 'https://hooks.example.com/';
  return base + 'w'.repeat(length - base.length);
}

/** The first cells of the Limits table in docs/api.md. */
function documentedRows(): string[] {
  const md = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  const section = md.slice(md.indexOf('## Limits'), md.indexOf('\n## ', md.indexOf('## Limits') + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| limit') && !line.startsWith('| ---'))
    .map((line) => (line.split(' | ')[0] as string).slice(2).trim());
}

describe('input limits (docs/api.md "Limits")', () => {
  it('every documented limit has an edge case here, and every case a documented row', () => {
    expect([...new Set(cases.map((c) => c.row))].sort()).toEqual(documentedRows().sort());
  });

  it.each(cases)('$row: $name', async ({ ok, okStatus = 200, okMessage, over, status = 400, path, state }) => {
    const before = state === 'town' ? await townState(s, s.townId, NOW) : state === 'control' ? await adminView() : undefined;
    const refused = await over();
    expect(refused.status, JSON.stringify(refused.body).slice(0, 300)).toBe(status);
    if (path !== undefined) expect(refused.body.error.path ?? refused.body.error.data?.path).toBe(path);
    if (state === 'town') expect(await townState(s, s.townId, NOW)).toEqual(before);
    if (state === 'control') expect(await adminView()).toEqual(before);
    const accepted = await ok();
    expect(accepted.status, JSON.stringify(accepted.body).slice(0, 300)).toBe(okStatus);
    if (okMessage) expect(accepted.body.error.message).toMatch(okMessage);
    expect((await request(s.url, 'GET', '/api/health', null)).status).toBe(200);
  });
});

const adminView = () => controlState(s, [{ token: s.adminToken, orgId, townId: s.townId }]);
