import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Control, MAX_GRANT_MICRODOLLARS } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { type HttpResult, request, startTestServer, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { controlState, townState } from '@gasgauge/server/testing/state';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP } from './otlp/schema.js';
import { DEFAULT_CHANGE_BUDGET_BURST, MAX_CHANGE_BUDGET_BURST } from './ports/change-budget.js';

/**
 * One edge case per row of the "Limits" table in docs/api.md: the largest accepted value is
 * accepted, the smallest refused one gets the row's status naming the field, and the refusal stores
 * nothing. A new limit adds a row there and a case here (the first test checks they match).
 */
const NOW = 1_795_608_000_000;
const HOUR = 3_600_000;
const MiB = 1024 * 1024;

let s: TestServer;
let orgId: string;
beforeAll(async () => {
  // The admin makes hundreds of changes here: a change budget none of them meets (the budget's own case has a server of its own).
  s = await startTestServer({ clock: () => NOW, autoTick: false, changeBudgetBurst: MAX_CHANGE_BUDGET_BURST });
  orgId = (await s.post('/trpc/orgs.create', { name: 'limits org' }, s.adminToken)).body.result.data.id;
});
afterAll(async () => {
  await s?.close();
  await budgeted?.close();
});

/**
 * The change budget's edge: a server with the default burst that earns nothing back while the test runs (1 a minute),
 * and two users, one of whom has made the burst's changes less one (its next is accepted), the other the burst (refused).
 */
let budgeted: TestServer | undefined;
const budgetUsers: { lastOk?: string; refused?: string } = {};
async function spendChanges(server: TestServer, token: string, n: number): Promise<void> {
  for (let done = 0; done < n; done += 10) {
    const k = Math.min(10, n - done);
    const r = await request(
      server.url,
      'POST',
      batchPath('billing.setAlertSettings', k),
      token,
      batchInputs(k, () => ({ lowBalanceMicrodollars: 1 })),
    );
    if (r.status !== 200) throw new Error(`spending changes: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
}
const threshold = async (server: TestServer, token: string) =>
  (await request(server.url, 'GET', trpcPath('billing.alertSettings', {}), token)).body.result.data
    .lowBalanceMicrodollars as number;

let seq = 0;
let keysTown = '';
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

/** towns.setRunawayRules input with one field (`group.field` or a top-level one) set to `v`. */
function runaway(field: string, v: number): unknown {
  const input = {
    townId: s.townId,
    spendRate: { enabled: true, microdollars: 5_000_000, windowMinutes: 10 },
    noProgress: { enabled: true, minutes: 30, minMicrodollars: 1_000_000 },
    beadBudgetMicrodollars: null as number | null,
  };
  if (field === 'beadBudgetMicrodollars') input.beadBudgetMicrodollars = v;
  if (field === 'spendRate.microdollars') input.spendRate.microdollars = v;
  if (field === 'spendRate.windowMinutes') input.spendRate.windowMinutes = v;
  if (field === 'noProgress.minutes') input.noProgress.minutes = v;
  if (field === 'noProgress.minMicrodollars') input.noProgress.minMicrodollars = v;
  return input;
}

/** A batched tRPC call of `n` times `proc` (with GET inputs when `input` is given). */
function batchPath(proc: string, n: number, input?: () => unknown): string {
  const path = `/trpc/${Array.from({ length: n }, () => proc).join(',')}?batch=1`;
  return input === undefined ? path : `${path}&input=${encodeURIComponent(JSON.stringify(batchInputs(n, input)))}`;
}
const batchInputs = (n: number, input: () => unknown) => Object.fromEntries(Array.from({ length: n }, (_, i) => [i, input()]));

/** `value` as JSON padded with spaces to exactly `bytes`. */
function padded(value: unknown, bytes: number): string {
  const json = JSON.stringify(value);
  return json.slice(0, -1) + ' '.repeat(bytes - Buffer.byteLength(json)) + json.slice(-1);
}
const paddedUsage = (bytes: number) => padded({ records: [usage()] }, bytes);

/** A delta OTLP point at NOW, as JSON padded to `bytes` before gzip, posted to /v1/metrics. */
function otlpGzip(bytes: number): () => Promise<HttpResult> {
  return async () => {
    const nanos = String(BigInt(NOW) * 1_000_000n);
    const point = {
      startTimeUnixNano: nanos,
      timeUnixNano: nanos,
      asInt: String(bytes),
      attributes: [{ key: 'type', value: { stringValue: 'input' } }],
    };
    const metric = {
      name: 'claude_code.token.usage',
      sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point] },
    };
    const body = gzipSync(padded({ resourceMetrics: [{ scopeMetrics: [{ metrics: [metric] }] }] }, bytes));
    const res = await fetch(`${s.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.ingestToken}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    return { status: res.status, body: await res.json() };
  };
}

/** An OTLP/JSON export of `n` delta points (metrics) or `n` api_request events (logs) at NOW, posted with the ingest token. */
function otlpExport(signal: 'metrics' | 'logs', n: number): () => Promise<HttpResult> {
  return async () => {
    const nanos = (i: number) => String(BigInt(NOW - i) * 1_000_000n);
    const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
    const body =
      signal === 'metrics'
        ? {
            resourceMetrics: [
              {
                scopeMetrics: [
                  {
                    metrics: [
                      {
                        name: 'claude_code.token.usage',
                        sum: {
                          aggregationTemporality: 1,
                          isMonotonic: true,
                          dataPoints: many(n, () => null).map((_, i) => ({
                            timeUnixNano: nanos(i),
                            asInt: '1',
                            attributes: [str('type', 'input')],
                          })),
                        },
                      },
                    ],
                  },
                ],
              },
            ],
          }
        : {
            resourceLogs: [
              {
                scopeLogs: [
                  {
                    logRecords: many(n, () => null).map((_, i) => ({
                      timeUnixNano: nanos(i),
                      // No request_id (keyed by attributes and time): 5,001 of them stay under 1 MiB.
                      attributes: [str('event.name', 'api_request'), str('input_tokens', '1')],
                    })),
                  },
                ],
              },
            ],
          };
    return s.post(`/v1/${signal}`, body);
  };
}

/** A counted api_request log record (a fresh request id), so a body refused whole is seen to store nothing. */
const apiRequest = (extra: Record<string, unknown> = {}) => ({
  timeUnixNano: String(BigInt(NOW) * 1_000_000n),
  eventName: 'claude_code.api_request',
  attributes: [
    { key: 'request_id', value: { stringValue: uid() } },
    { key: 'input_tokens', value: { stringValue: '1' } },
  ],
  ...extra,
});
const logsOf = (logRecords: unknown[]) => ({ resourceLogs: [{ scopeLogs: [{ logRecords }] }] });
const emptyObjects = (n: number) => many(n, () => ({}));
/** `n` resources (or scopes, or metrics) of an OTLP export, the last holding something counted. */
function otlpContainers(kind: 'resources' | 'scopes' | 'metrics', n: number): () => Promise<HttpResult> {
  return async () => {
    if (kind === 'resources')
      return s.post('/v1/logs', { resourceLogs: [...emptyObjects(n - 1), { scopeLogs: [{ logRecords: [apiRequest()] }] }] });
    if (kind === 'scopes')
      return s.post('/v1/logs', { resourceLogs: [{ scopeLogs: [...emptyObjects(n - 1), { logRecords: [apiRequest()] }] }] });
    const point = {
      timeUnixNano: String(BigInt(NOW) * 1_000_000n),
      asInt: '1',
      attributes: [{ key: 'type', value: { stringValue: 'input' } }],
    };
    const metric = {
      name: 'claude_code.token.usage',
      sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point] },
    };
    return s.post('/v1/metrics', { resourceMetrics: [{ scopeMetrics: [{ metrics: [...emptyObjects(n - 1), metric] }] }] });
  };
}
/** A protobuf logs export of exactly `n` messages: the request, a resource, a scope, an api_request (5), then records of empty attributes. */
function otlpMessages(n: number): () => Promise<HttpResult> {
  return async () => {
    const records: unknown[] = [apiRequest()];
    for (let left = n - 8; left > 0; left -= 1001) records.push({ attributes: emptyObjects(Math.min(1000, left - 1)) });
    const bytes = OTLP.logsRequest.encode(OTLP.logsRequest.fromObject(logsOf(records))).finish();
    const res = await fetch(`${s.url}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.ingestToken}`, 'content-type': 'application/x-protobuf' },
      body: Buffer.from(bytes),
    });
    const text = await res.text();
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
}
/** Values of JSON text as the receiver counts them: containers + commas + 1, outside strings. */
function jsonValues(text: string): number {
  return 1 + (text.replace(/"(?:[^"\\]|\\.)*"/g, '').match(/[[{,]/g)?.length ?? 0);
}
/** An OTLP JSON logs export of exactly `n` values: an api_request beside an unknown list of zeros. */
function otlpJsonValues(n: number): () => Promise<HttpResult> {
  return async () => {
    const body = (zeros: number) => ({ ...logsOf([apiRequest()]), x: many(zeros, () => 0) });
    const zeros = n - jsonValues(JSON.stringify(body(1))) + 1;
    return s.post('/v1/logs', body(zeros));
  };
}
/** An OTLP JSON logs export `depth` lists and objects deep: an unknown field of a resource, objects nested in it. */
function otlpJsonDepth(depth: number): () => Promise<HttpResult> {
  let inner: unknown = 1;
  for (let i = 0; i < depth - 3; i++) inner = { y: inner };
  return () => s.post('/v1/logs', { resourceLogs: [{ x: inner }] });
}
/** A value nested `depth` arrays (or key-value lists) deep. */
const nestedValue = (kind: 'arrayValue' | 'kvlistValue', depth: number): unknown =>
  depth === 0
    ? { stringValue: 'x' }
    : {
        [kind]: {
          values: [kind === 'arrayValue' ? nestedValue(kind, depth - 1) : { key: 'k', value: nestedValue(kind, depth - 1) }],
        },
      };

/** A usage body whose one record's agentId holds `agentId` as raw bytes (JSON escapes stay escapes). */
function usageWithAgent(agentId: Buffer): () => Promise<HttpResult> {
  return () => {
    const [head, tail] = JSON.stringify({ records: [usage({ agentId: '@' })] }).split('"@"') as [string, string];
    return ingest('usage', new Uint8Array(Buffer.concat([Buffer.from(`${head}"`), agentId, Buffer.from(`"${tail}`)])))();
  };
}

/** `depth` nested arrays: `[]` is 1 level (as json-bounds.ts counts). */
const nested = (depth: number): unknown => (depth === 0 ? 0 : [nested(depth - 1)]);

/** An ingest token for the server's town signed with the server's key, issued at `iat` (epoch s). */
function tokenIssuedAt(iat: number): Promise<string> {
  const key = process.env.GASGAUGE_SECRET ?? readFileSync(join(s.dataDir, 'secret.key'), 'utf8').trim();
  return new SignJWT({ town: s.townId, scope: 'ingest' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(key));
}

/**
 * Fills the hour starting at `hour` with `total` of one usage amount (all others 0), each record at
 * most `perRecord`, in two requests: the bound is on the hour across requests, not on one batch.
 */
async function fillHour(hour: number, field: string, total: number, perRecord: number): Promise<void> {
  const n = Math.ceil(total / perRecord);
  const records = Array.from({ length: n }, (_, i) => hourRecord(hour, field, i < n - 1 ? perRecord : total - perRecord * i));
  for (const part of [records.slice(0, records.length >> 1), records.slice(records.length >> 1)]) {
    const r = await ingest('usage', { records: part })();
    if (r.status !== 200) throw new Error(`fill ${field}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }
}
const hourRecord = (hour: number, field: string, amount: number) =>
  usage({ at: hour + 1000, inputTokens: 0, outputTokens: 0, costMicrodollars: 0, [field]: amount });

/** Grants straight into the control store, as `gasgauge credits grant` would, up to `balance`. */
function fillBalance(userName: string, balance: number): void {
  const sql = openSqlite(join(s.dataDir, 'control.sqlite'));
  try {
    const control = new Control(sql, () => NOW);
    const account = control.userByName(userName)?.id as string;
    sql.transaction(() => {
      for (let left = balance - control.ledger.balance(account); left > 0; left -= MAX_GRANT_MICRODOLLARS)
        control.ledger.grant(account, Math.min(left, MAX_GRANT_MICRODOLLARS), NOW);
    });
  } finally {
    sql.close();
  }
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
  /** Brings the server to just below a bound that sums over requests (run before the state is read). */
  setup?: () => Promise<void>;
}

const ROW = {
  body: 'request body (ingest, tRPC)',
  authForm: 'a `/auth/*` form (`/auth/login`, `/auth/link`), read before any credential',
  utf8: 'request body text',
  jsonNesting: 'nesting of a JSON request body (ingest, tRPC)',
  url: 'URL and headers',
  urlText: 'URL path and query text',
  records: 'usage records per batch',
  events: 'events per batch',
  agents: 'lines-of-code agents per batch',
  ids: "ids: `id`, `agentId`, `model`, `provider`, `beadId`, `session`, `parentId`, `role`, `kind`, `assigneeAgentId`, a note's `name`",
  title: "a bead's `title`",
  noteData: "a note's `data`",
  tokens: 'token amounts of a usage record (each of the five)',
  cost: '`costMicrodollars` of a usage record',
  hourTokens: 'tokens of one kind per town and hour',
  hourCost: 'cost per town and hour',
  loc: '`additions`, `deletions`, `files` of a lines-of-code report',
  at: 'event time `at`',
  names: 'names of users, towns, organisations',
  townId: '`townId`, `organizationId`',
  maxPoints: '`maxPoints` (timeseries, breakdown)',
  range: '`from`, `to` (timeseries, breakdown)',
  tz: '`tz`',
  feed: '`limit` of `metrics.events`',
  feedCursor: '`cursor` of `metrics.events`',
  townsLimit: '`limit` of `towns.list` (and `GET /api/towns?limit=`)',
  townsAfter: '`after` of `towns.list` (and `GET /api/towns?after=`)',
  orgsLimit: '`limit` of `orgs.list`, `orgs.invitations`',
  orgsAfter: '`after` of `orgs.list`, `orgs.invitations`',
  membersLimit: '`limit` of `orgs.members`',
  membersAfter: '`after` of `orgs.members`',
  agentsLimit: '`limit` of `metrics.agents`',
  agentsCursor: '`cursor` of `metrics.agents`',
  breakdownLimit: '`limit` of `metrics.breakdown`',
  ledger: '`limit` of `billing.ledger`',
  alerts: '`limit` of `billing.alerts`',
  ttl: 'ingest token lifetime `ttlSeconds`',
  iat: 'ingest token `iat`',
  keys: 'ingest keys per town (ingest and scrape keys together)',
  otlpGzip: 'an OTLP body sent with `Content-Encoding: gzip`, once inflated',
  otlpPoints: 'data points of an OTLP metrics export, log records of an OTLP logs export',
  otlpContainers: 'resources, scopes and metrics of an OTLP export (each)',
  otlpMessages: 'messages of an OTLP protobuf export (every resource, scope, metric, point, record, attribute and value)',
  otlpJsonValues: 'values of an OTLP JSON body (its objects, lists and commas, plus one)',
  otlpJsonNesting: 'nesting of an OTLP JSON body (lists and objects open at once)',
  otlpAttributes: 'attributes in one list of an OTLP export (of a resource, scope, data point or log record)',
  otlpDepth: 'nesting of an OTLP value (`arrayValue`, `kvlistValue`)',
  grant: '`amountMicrodollars` of `billing.grant`',
  balance: 'an account balance after `billing.grant`',
  grantNote: '`note` of `billing.grant`',
  cap: '`capMicrodollars` of `towns.setBudget`',
  low: '`lowBalanceMicrodollars` of `billing.setAlertSettings`',
  webhook: '`webhookUrl`',
  beadsLimit: '`limit` of `beads.list`',
  beadsCursor: '`cursor` of `beads.list`',
  beadsRange: '`from`, `to` (beads.list, beads.stats)',
  beadId: '`beadId` of `beads.get` (and of `GET …/bead?beadId=`)',
  runawayAmount: '`spendRate.microdollars`, `beadBudgetMicrodollars` of `towns.setRunawayRules`',
  runawayMin: '`noProgress.minMicrodollars` of `towns.setRunawayRules`',
  runawayMinutes: '`spendRate.windowMinutes`, `noProgress.minutes` of `towns.setRunawayRules`',
  trpcBatch: 'calls in one batched tRPC request (`?batch=1`)',
  changes: 'changes per user: tRPC mutations, sign-ins, login-link redemptions',
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
  ['usage beadId', (v) => ({ records: [usage({ beadId: v })] }), 'records[0].beadId'],
  ['usage session', (v) => ({ records: [usage({ session: v })] }), 'records[0].session'],
  ['parentId', (v) => ({ events: [bead({ parentId: v })] }), 'events[0].parentId'],
  ['kind', (v) => ({ events: [bead({ kind: v })] }), 'events[0].kind'],
  ['assigneeAgentId', (v) => ({ events: [bead({ assigneeAgentId: v })] }), 'events[0].assigneeAgentId'],
  ['role', (v) => ({ events: [{ id: uid(), at: NOW, type: 'agent', agentId: 'a', status: 'idle', role: v }] }), 'events[0].role'],
  ['loc agentId', (v) => ({ agents: [loc({ agentId: v })] }), 'agents[0].agentId'],
];
const routeOf = (body: unknown) =>
  Object.keys(body as object)[0] === 'records' ? 'usage' : Object.keys(body as object)[0] === 'events' ? 'events' : 'loc';

const cases: Case[] = [
  {
    row: ROW.changes,
    name: `the ${DEFAULT_CHANGE_BUDGET_BURST}th change at once, then the ${DEFAULT_CHANGE_BUDGET_BURST + 1}th (which stores nothing)`,
    setup: async () => {
      budgeted = await startTestServer({ clock: () => NOW, autoTick: false, changeBudgetPerMin: 1 });
      const lastOk = (await budgeted.addUser('last-ok')).token;
      const refused = (await budgeted.addUser('refused')).token;
      await spendChanges(budgeted, lastOk, DEFAULT_CHANGE_BUDGET_BURST - 1);
      await spendChanges(budgeted, refused, DEFAULT_CHANGE_BUDGET_BURST);
      Object.assign(budgetUsers, { lastOk, refused });
    },
    ok: async () => {
      const server = budgeted as TestServer;
      const r = await request(server.url, 'POST', '/trpc/billing.setAlertSettings', budgetUsers.lastOk as string, {
        lowBalanceMicrodollars: 2,
      });
      expect(await threshold(server, budgetUsers.lastOk as string)).toBe(2);
      return r;
    },
    over: async () => {
      const server = budgeted as TestServer;
      const r = await request(server.url, 'POST', '/trpc/billing.setAlertSettings', budgetUsers.refused as string, {
        lowBalanceMicrodollars: 2,
      });
      expect(r.body.error.message).toMatch(/^change budget spent: /);
      expect(await threshold(server, budgetUsers.refused as string)).toBe(1);
      return r;
    },
    status: 429,
  },
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
    name: 'tRPC mutation body of 1 MiB',
    ok: mutate('billing.setAlertSettings', padded({ lowBalanceMicrodollars: 7 }, MiB)),
    over: mutate('billing.setAlertSettings', padded({ lowBalanceMicrodollars: 8 }, MiB + 1)),
    status: 413,
    path: 'body',
    state: 'control',
  },
  {
    row: ROW.authForm,
    name: '/auth/login form of 16 KiB (an unknown token: back to /login)',
    ok: loginForm(16 * 1024),
    okStatus: 303,
    over: loginForm(16 * 1024 + 1),
    status: 413,
    path: 'body',
  },
  {
    row: ROW.utf8,
    name: 'an ingest body with a 4-byte UTF-8 character, then with a byte that is not UTF-8',
    ok: usageWithAgent(Buffer.from('agent-😀', 'utf8')),
    over: usageWithAgent(Buffer.from([0x61, 0xff])),
    path: 'body',
    state: 'town',
  },
  {
    row: ROW.utf8,
    name: 'an ingest id with an escaped surrogate pair, then a lone surrogate',
    ok: usageWithAgent(Buffer.from('pair-\\ud83d\\ude00')),
    over: usageWithAgent(Buffer.from('lone-\\ud83d')),
    path: 'records[0].agentId',
    state: 'town',
  },
  {
    row: ROW.utf8,
    name: 'a tRPC input with a surrogate pair, then a lone surrogate',
    ok: mutate('billing.grant', () => ({ organizationId: orgId, amountMicrodollars: 1, note: 'pair \ud83d\ude00' })),
    over: mutate('billing.grant', () => ({ organizationId: orgId, amountMicrodollars: 1, note: 'lone \ud83d' })),
    path: 'note',
    state: 'control',
  },
  {
    row: ROW.jsonNesting,
    name: 'a usage body 128 lists and objects deep (its schema names the field), then 129',
    ok: ingest('usage', { records: nested(127) }),
    over: ingest('usage', { records: nested(128) }),
    okStatus: 400,
    okMessage: /^records\[0\]: /,
    path: 'body',
    state: 'town',
  },
  {
    row: ROW.jsonNesting,
    name: 'a tRPC mutation body 128 lists and objects deep (its schema names the field), then 129',
    ok: mutate('orgs.create', { name: nested(127) }),
    over: mutate('orgs.create', { name: nested(128) }),
    okStatus: 400,
    okMessage: /^name: /,
    path: 'body',
    state: 'control',
  },
  {
    row: ROW.urlText,
    name: 'a bead id with a whole UTF-8 escape (an unknown bead), then with its first byte only',
    ok: () => s.get(`/api/towns/${s.townId}/bead?beadId=caf%C3%A9`),
    okStatus: 404,
    over: () => s.get(`/api/towns/${s.townId}/bead?beadId=caf%C3`),
    path: 'beadId',
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
  {
    row: ROW.noteData,
    name: 'data of 16,384 bytes as JSON, then 16,385',
    ok: () => ingest('events', { events: [note({ data: 'd'.repeat(16_384 - 2) })] })(),
    over: () => ingest('events', { events: [note({ data: 'd'.repeat(16_384 - 1) })] })(),
    path: 'events[0].data',
    state: 'town',
  },
  {
    row: ROW.noteData,
    name: 'data 32 levels deep, then 33',
    ok: () => ingest('events', { events: [note({ data: nested(32) })] })(),
    over: () => ingest('events', { events: [note({ data: nested(33) })] })(),
    path: 'events[0].data',
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
  {
    row: ROW.hourTokens,
    name: 'an hour filled to 100,000,000,000 input tokens less one, then 2 more, then 1 more',
    setup: () => fillHour(NOW - 2 * HOUR, 'inputTokens', 100_000_000_000 - 1, 1_000_000_000),
    ok: () => ingest('usage', { records: [hourRecord(NOW - 2 * HOUR, 'inputTokens', 1)] })(),
    over: () =>
      ingest('usage', {
        records: [hourRecord(NOW - 2 * HOUR, 'outputTokens', 5), hourRecord(NOW - 2 * HOUR, 'inputTokens', 2)],
      })(),
    path: 'records[1].inputTokens',
    state: 'town',
  },
  {
    row: ROW.hourCost,
    name: 'an hour filled to $100,000 less 1 µ$, then 2 µ$ more, then 1 µ$ more',
    setup: () => fillHour(NOW - 3 * HOUR, 'costMicrodollars', 100_000_000_000 - 1, 10_000_000_000),
    ok: () => ingest('usage', { records: [hourRecord(NOW - 3 * HOUR, 'costMicrodollars', 1)] })(),
    over: () =>
      ingest('usage', {
        records: [hourRecord(NOW - 3 * HOUR, 'inputTokens', 5), hourRecord(NOW - 3 * HOUR, 'costMicrodollars', 2)],
      })(),
    path: 'records[1].costMicrodollars',
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
    name: 'a townId of 64 characters (not found), then 65 (Prometheus REST)',
    ok: () => s.get(`/api/towns/${'t'.repeat(64)}/metrics/prometheus`),
    over: () => s.get(`/api/towns/${'t'.repeat(65)}/metrics/prometheus`),
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
    row: ROW.range,
    name: 'to 10,000,000,000,000, then one more',
    ok: query('metrics.timeseries', series({ from: 10_000_000_000_000 - 60_000, to: 10_000_000_000_000 })),
    over: query('metrics.timeseries', series({ from: 10_000_000_000_000 - 60_000, to: 10_000_000_000_001 })),
    path: 'to',
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
    row: ROW.tz,
    name: 'REST: a known zone, then one of 65 characters',
    ok: () => s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${NOW - 60_000}&to=${NOW}&tz=Europe/Berlin`),
    over: () => s.get(`/api/towns/${s.townId}/metrics/timeseries?from=${NOW - 60_000}&to=${NOW}&tz=${'Z'.repeat(65)}`),
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
    row: ROW.feedCursor,
    name: 'a cursor of 300 characters, then 301',
    ok: query('metrics.events', () => ({ townId: s.townId, cursor: `${NOW}.`.padEnd(300, 'c') })),
    over: query('metrics.events', () => ({ townId: s.townId, cursor: `${NOW}.`.padEnd(301, 'c') })),
    path: 'cursor',
  },
  ...(
    [
      [100, 101],
      [1, 0],
    ] as const
  ).map(
    ([ok, over]): Case => ({
      row: ROW.townsLimit,
      name: `limit ${ok}, then ${over}`,
      ok: query('towns.list', () => ({ limit: ok })),
      over: query('towns.list', () => ({ limit: over })),
      path: 'limit',
    }),
  ),
  {
    row: ROW.townsLimit,
    name: 'REST: limit 100, then 101',
    ok: () => s.get('/api/towns?limit=100'),
    over: () => s.get('/api/towns?limit=101'),
    path: 'limit',
  },
  {
    row: ROW.townsAfter,
    name: 'a town id of 64 characters (naming no town: an empty page), then 65',
    ok: query('towns.list', () => ({ after: 't'.repeat(64) })),
    over: query('towns.list', () => ({ after: 't'.repeat(65) })),
    path: 'after',
  },
  ...(['orgs.list', 'orgs.invitations'] as const).flatMap((proc): Case[] => [
    ...(
      [
        [100, 101],
        [1, 0],
      ] as const
    ).map(
      ([ok, over]): Case => ({
        row: ROW.orgsLimit,
        name: `${proc}: limit ${ok}, then ${over}`,
        ok: query(proc, { limit: ok }),
        over: query(proc, { limit: over }),
        path: 'limit',
      }),
    ),
    {
      row: ROW.orgsAfter,
      name: `${proc}: an organisation name of 64 characters, then 65`,
      ok: query(proc, { after: 'o'.repeat(64) }),
      over: query(proc, { after: 'o'.repeat(65) }),
      path: 'after',
    },
    {
      row: ROW.orgsAfter,
      name: `${proc}: an organisation name of 1 character, then an empty one`,
      ok: query(proc, { after: 'o' }),
      over: query(proc, { after: '' }),
      path: 'after',
    },
  ]),
  ...(
    [
      [500, 501],
      [1, 0],
    ] as const
  ).map(
    ([ok, over]): Case => ({
      row: ROW.membersLimit,
      name: `limit ${ok}, then ${over}`,
      ok: query('orgs.members', () => ({ organizationId: orgId, limit: ok })),
      over: query('orgs.members', () => ({ organizationId: orgId, limit: over })),
      path: 'limit',
    }),
  ),
  {
    row: ROW.membersAfter,
    name: 'a user name of 64 characters (naming no member: an empty page), then 65',
    ok: query('orgs.members', () => ({ organizationId: orgId, after: 'u'.repeat(64) })),
    over: query('orgs.members', () => ({ organizationId: orgId, after: 'u'.repeat(65) })),
    path: 'after',
  },
  {
    row: ROW.membersAfter,
    name: 'a user name of 1 character, then an empty one',
    ok: query('orgs.members', () => ({ organizationId: orgId, after: 'a' })),
    over: query('orgs.members', () => ({ organizationId: orgId, after: '' })),
    path: 'after',
  },
  {
    row: ROW.townsAfter,
    name: 'REST: after of 64 characters, then 65',
    ok: () => s.get(`/api/towns?after=${'t'.repeat(64)}`),
    over: () => s.get(`/api/towns?after=${'t'.repeat(65)}`),
    path: 'after',
  },
  ...(
    [
      [500, 501],
      [1, 0],
    ] as const
  ).map(
    ([ok, over]): Case => ({
      row: ROW.agentsLimit,
      name: `limit ${ok}, then ${over}`,
      ok: query('metrics.agents', () => ({ townId: s.townId, limit: ok })),
      over: query('metrics.agents', () => ({ townId: s.townId, limit: over })),
      path: 'limit',
    }),
  ),
  ...(
    [
      [256, 257],
      [1, 0],
    ] as const
  ).map(
    ([ok, over]): Case => ({
      row: ROW.agentsCursor,
      name: `a cursor of ${ok} character(s), then ${over}`,
      ok: query('metrics.agents', () => ({ townId: s.townId, cursor: 'a'.repeat(ok) })),
      over: query('metrics.agents', () => ({ townId: s.townId, cursor: 'a'.repeat(over) })),
      path: 'cursor',
    }),
  ),
  ...(
    [
      [50, 51],
      [1, 0],
    ] as const
  ).map(
    ([ok, over]): Case => ({
      row: ROW.breakdownLimit,
      name: `limit ${ok}, then ${over}`,
      ok: query('metrics.breakdown', series({ by: 'model', metric: 'cost', limit: ok })),
      over: query('metrics.breakdown', series({ by: 'model', metric: 'cost', limit: over })),
      path: 'limit',
    }),
  ),
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
    row: ROW.iat,
    name: 'a token issued 60 s ahead of the server, then 61 s',
    ok: async () => s.post(`/api/towns/${s.townId}/usage`, { records: [usage()] }, await tokenIssuedAt(NOW / 1000 + 60)),
    over: async () => s.post(`/api/towns/${s.townId}/usage`, { records: [usage()] }, await tokenIssuedAt(NOW / 1000 + 61)),
    status: 401,
    state: 'town',
  },
  {
    row: ROW.otlpGzip,
    name: 'a gzipped OTLP/JSON body inflating to 1 MiB, then one byte more',
    ok: otlpGzip(MiB),
    over: otlpGzip(MiB + 1),
    status: 413,
    path: 'body',
    state: 'town',
  },
  {
    row: ROW.otlpPoints,
    name: 'an OTLP metrics export of 5,000 points, then 5,001',
    ok: otlpExport('metrics', 5000),
    over: otlpExport('metrics', 5001),
    path: 'resourceMetrics',
    state: 'town',
  },
  {
    row: ROW.otlpPoints,
    name: 'an OTLP logs export of 5,000 api_request events, then 5,001',
    ok: otlpExport('logs', 5000),
    over: otlpExport('logs', 5001),
    path: 'resourceLogs',
    state: 'town',
  },
  {
    row: ROW.otlpContainers,
    name: 'an OTLP logs export of 5,000 resources, then 5,001',
    ok: otlpContainers('resources', 5000),
    over: otlpContainers('resources', 5001),
    path: 'resourceLogs',
    state: 'town',
  },
  {
    row: ROW.otlpContainers,
    name: 'an OTLP logs export of 5,000 scopes, then 5,001',
    ok: otlpContainers('scopes', 5000),
    over: otlpContainers('scopes', 5001),
    path: 'scopeLogs',
    state: 'town',
  },
  {
    row: ROW.otlpContainers,
    name: 'an OTLP metrics export of 5,000 metrics, then 5,001',
    ok: otlpContainers('metrics', 5000),
    over: otlpContainers('metrics', 5001),
    path: 'metrics',
    state: 'town',
  },
  {
    row: ROW.otlpMessages,
    name: 'an OTLP protobuf logs export of 150,000 messages, then 150,001',
    ok: otlpMessages(150_000),
    over: otlpMessages(150_001),
    path: 'body',
    state: 'town',
  },
  {
    row: ROW.otlpJsonValues,
    name: 'an OTLP JSON logs export of 150,000 values, then 150,001',
    ok: otlpJsonValues(150_000),
    over: otlpJsonValues(150_001),
    path: 'body',
    state: 'town',
  },
  {
    row: ROW.otlpJsonNesting,
    name: 'an OTLP JSON logs export 128 lists and objects deep, then 129',
    ok: otlpJsonDepth(128),
    over: otlpJsonDepth(129),
    path: 'body',
    state: 'town',
  },
  {
    row: ROW.otlpAttributes,
    name: 'an OTLP log record of 1,024 attributes, then 1,025',
    ok: () => s.post('/v1/logs', logsOf([apiRequest(), { attributes: emptyObjects(1024) }])),
    over: () => s.post('/v1/logs', logsOf([apiRequest(), { attributes: emptyObjects(1025) }])),
    path: 'attributes',
    state: 'town',
  },
  {
    row: ROW.otlpDepth,
    name: 'an OTLP log body of arrays nested 16 deep, then 17',
    ok: () => s.post('/v1/logs', logsOf([apiRequest({ body: nestedValue('arrayValue', 16) })])),
    over: () => s.post('/v1/logs', logsOf([apiRequest({ body: nestedValue('arrayValue', 17) })])),
    path: 'arrayValue',
    state: 'town',
  },
  {
    row: ROW.otlpDepth,
    name: 'an OTLP attribute of key-value lists nested 16 deep, then 17',
    ok: () => s.post('/v1/logs', logsOf([apiRequest(), { attributes: [{ key: 'k', value: nestedValue('kvlistValue', 16) }] }])),
    over: () => s.post('/v1/logs', logsOf([apiRequest(), { attributes: [{ key: 'k', value: nestedValue('kvlistValue', 17) }] }])),
    path: 'kvlistValue',
    state: 'town',
  },
  {
    row: ROW.keys,
    name: 'the 100th key of a town, then the 101st',
    setup: async () => {
      keysTown = await s.createTown('keys town');
      for (let i = 1; i <= 100; i++) {
        const r = await s.post('/trpc/towns.createKey', { townId: keysTown, name: `k${i}` }, s.adminToken);
        if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      }
    },
    ok: async () => {
      await s.post('/trpc/towns.revokeKey', { townId: keysTown, name: 'k100' }, s.adminToken);
      return mutate('towns.createKey', { townId: keysTown, name: 'k100 again' })();
    },
    over: () => mutate('towns.createKey', { townId: keysTown, name: 'k101' })(),
    status: 403,
    path: 'name',
    state: 'control',
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
    row: ROW.balance,
    name: "the admin's balance at $1B less 1 µ$: a grant of 2 µ$, then of 1 µ$",
    setup: async () => fillBalance('admin', 1_000_000_000_000_000 - 1),
    ok: mutate('billing.grant', { userName: 'admin', amountMicrodollars: 1 }),
    over: mutate('billing.grant', { userName: 'admin', amountMicrodollars: 2 }),
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
  ...(
    [
      [200, 201],
      [1, 0],
    ] as const
  ).map(
    ([ok, over]): Case => ({
      row: ROW.beadsLimit,
      name: `limit ${ok}, then ${over}`,
      ok: query('beads.list', () => ({ townId: s.townId, limit: ok })),
      over: query('beads.list', () => ({ townId: s.townId, limit: over })),
      path: 'limit',
    }),
  ),
  {
    row: ROW.beadsCursor,
    name: 'a cursor of 300 characters, then 301 (REST)',
    ok: () => s.get(`/api/towns/${s.townId}/beads?cursor=1:${'b'.repeat(298)}`),
    over: () => s.get(`/api/towns/${s.townId}/beads?cursor=1:${'b'.repeat(299)}`),
    path: 'cursor',
  },
  {
    row: ROW.beadsCursor,
    name: 'a cursor it made, then one it did not',
    ok: query('beads.list', () => ({ townId: s.townId, cursor: '5:gt-1' })),
    over: query('beads.list', () => ({ townId: s.townId, cursor: 'gt-1' })),
    path: 'cursor',
  },
  {
    row: ROW.beadsRange,
    name: 'to one ms after from, then equal to it',
    ok: query('beads.list', () => ({ townId: s.townId, from: NOW, to: NOW + 1 })),
    over: query('beads.list', () => ({ townId: s.townId, from: NOW, to: NOW })),
    path: 'to',
  },
  {
    row: ROW.beadsRange,
    name: 'to 10,000,000,000,000, then one more (REST stats)',
    ok: () => s.get(`/api/towns/${s.townId}/beads-stats?from=0&to=10000000000000`),
    over: () => s.get(`/api/towns/${s.townId}/beads-stats?from=0&to=10000000000001`),
    path: 'to',
  },
  {
    row: ROW.beadId,
    name: 'a beadId of 256 characters (not found), then 257',
    ok: query('beads.get', () => ({ townId: s.townId, beadId: 'b'.repeat(256) })),
    over: query('beads.get', () => ({ townId: s.townId, beadId: 'b'.repeat(257) })),
    okStatus: 404,
    path: 'beadId',
  },
  {
    row: ROW.beadId,
    name: 'a beadId of 256 characters (not found), then 257 (REST, the id in the query)',
    ok: () => s.get(`/api/towns/${s.townId}/bead?beadId=${'b'.repeat(256)}`),
    over: () => s.get(`/api/towns/${s.townId}/bead?beadId=${'b'.repeat(257)}`),
    okStatus: 404,
    path: 'beadId',
  },
  ...(
    [
      ['spendRate.microdollars', 1_000_000_000_000, 1_000_000_000_001],
      ['spendRate.microdollars', 1, 0],
      ['beadBudgetMicrodollars', 1_000_000_000_000, 1_000_000_000_001],
      ['beadBudgetMicrodollars', 1, 0],
    ] as const
  ).map(
    ([field, ok, over]): Case => ({
      row: ROW.runawayAmount,
      name: `${field} ${ok}, then ${over}`,
      ok: () => mutate('towns.setRunawayRules', runaway(field, ok))(),
      over: () => mutate('towns.setRunawayRules', runaway(field, over))(),
      path: field,
      state: 'town',
    }),
  ),
  ...(
    [
      [1_000_000_000_000, 1_000_000_000_001],
      [0, -1],
    ] as const
  ).map(
    ([ok, over]): Case => ({
      row: ROW.runawayMin,
      name: `minMicrodollars ${ok}, then ${over}`,
      ok: () => mutate('towns.setRunawayRules', runaway('noProgress.minMicrodollars', ok))(),
      over: () => mutate('towns.setRunawayRules', runaway('noProgress.minMicrodollars', over))(),
      path: 'noProgress.minMicrodollars',
      state: 'town',
    }),
  ),
  ...(
    [
      ['spendRate.windowMinutes', 1440, 1441],
      ['noProgress.minutes', 1440, 1441],
      ['noProgress.minutes', 1, 0],
    ] as const
  ).map(
    ([field, ok, over]): Case => ({
      row: ROW.runawayMinutes,
      name: `${field} ${ok}, then ${over}`,
      ok: () => mutate('towns.setRunawayRules', runaway(field, ok))(),
      over: () => mutate('towns.setRunawayRules', runaway(field, over))(),
      path: field,
      state: 'town',
    }),
  ),
  {
    row: ROW.trpcBatch,
    name: '10 queries in a batch, then 11',
    ok: () => s.get(batchPath('beads.stats', 10, () => ({ townId: s.townId }))),
    over: () => s.get(batchPath('beads.stats', 11, () => ({ townId: s.townId }))),
    path: 'input',
  },
  {
    row: ROW.trpcBatch,
    name: '10 mutations in a batch, then 11 (none of them done)',
    ok: () =>
      s.post(
        batchPath('orgs.create', 10),
        batchInputs(10, () => ({ name: name64('b') })),
        s.adminToken,
      ),
    over: () =>
      s.post(
        batchPath('orgs.create', 11),
        batchInputs(11, () => ({ name: name64('b') })),
        s.adminToken,
      ),
    path: 'input',
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

  it.each(cases)('$row: $name', async ({ ok, okStatus = 200, okMessage, over, status = 400, path, state, setup }) => {
    await setup?.();
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
