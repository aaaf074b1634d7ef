import { AGENT_STATUSES, BEAD_SORTS, BEAD_STATUSES, BUDGET_PERIODS, ROLES } from '@gasgauge/core';
import fc from 'fast-check';
import { DANGEROUS_KEYS, deepJson } from './arbitraries.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The ids the fuzz test's server has: towns and organisations of each user, and names. */
export interface World {
  now: number;
  townIds: string[];
  orgIds: string[];
  userNames: string[];
}

/** Ids and names: ordinary ones, any string, and names that are also Object.prototype keys. */
const id = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'polecat-1', 'claude-sonnet-4-5') },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(...DANGEROUS_KEYS) },
);
const tokens = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 1_000_000_000));
const cost = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(0, 1_000_000_000_000));
/** Event times from older than the longest retention to further ahead than the allowed skew. */
const at = (now: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: now - 10 * MINUTE, max: now + 10 * MINUTE }) },
    { weight: 1, arbitrary: fc.integer({ min: now - 401 * DAY, max: now }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 10_000_000_000_000) },
  );
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Drops the keys whose value is undefined, so optional fields are sometimes absent. */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const few = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: 1, maxLength: 4 });

export const ingestBodies = (w: World) => ({
  usage: fc.record({
    records: few(
      fc
        .record({
          id,
          agentId: id,
          model: id,
          provider: opt(id),
          inputTokens: tokens,
          outputTokens: tokens,
          reasoningTokens: opt(tokens),
          cacheReadTokens: opt(tokens),
          cacheWriteTokens: opt(tokens),
          costMicrodollars: cost,
          at: at(w.now),
          mode: opt(fc.constantFrom('cumulative', 'delta')),
          beadId: opt(id),
          session: opt(id),
        })
        .map(defined),
    ),
  }),
  loc: fc.record({
    agents: few(fc.record({ agentId: id, additions: tokens, deletions: tokens, files: opt(tokens) }).map(defined)),
  }),
  events: fc.record({
    events: few(
      fc.oneof(
        fc
          .record({
            id,
            at: at(w.now),
            type: fc.constant('agent'),
            agentId: id,
            role: opt(id),
            status: fc.constantFrom(...AGENT_STATUSES),
            beadId: opt(id),
          })
          .map(defined),
        fc
          .record({
            id,
            at: at(w.now),
            type: fc.constant('bead'),
            beadId: id,
            status: fc.constantFrom(...BEAD_STATUSES),
            kind: opt(id),
            title: opt(fc.string({ maxLength: 50 })),
            assigneeAgentId: opt(id),
            parentId: opt(id),
          })
          .map(defined),
        fc
          .record({
            id,
            at: at(w.now),
            type: fc.constant('note'),
            name: id,
            data: opt(fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: deepJson })),
          })
          .map(defined),
      ),
    ),
  }),
  /** An OTLP/JSON ExportMetricsServiceRequest (POST /v1/metrics). */
  otlpMetrics: fc.record({ resourceMetrics: few(resourceMetrics(w.now)) }),
  /** An OTLP/JSON ExportLogsServiceRequest (POST /v1/logs) with the events that count. */
  otlpLogs: fc.record({ resourceLogs: few(resourceLogs(w.now)) }),
});

/** An attribute's text: what a point names, and what no posted id may be (empty, past 256 characters). */
const attributeText = fc.oneof(
  { weight: 8, arbitrary: fc.oneof(fc.constantFrom('input', 'output', 'cacheRead', 'cacheCreation'), id) },
  { weight: 1, arbitrary: fc.constantFrom('', 'p'.repeat(257), '😀'.repeat(257)) },
);
const attribute = fc.record({
  key: fc.oneof(
    fc.constantFrom(
      'type',
      'model',
      'session.id',
      'gt.agent',
      'gt.issue',
      'token_type',
      'gen_ai.token.type',
      'gen_ai.provider.name',
      'service.name',
    ),
    id,
  ),
  value: fc.oneof(
    fc.record({ stringValue: attributeText }),
    fc.record({ intValue: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.string()) }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ boolValue: fc.boolean() }),
  ),
});
const nanos = (now: number) =>
  fc.oneof(
    at(now).map((ms) => String(BigInt(ms) * 1_000_000n)),
    fc.constantFrom('0', '18446744073709551615', '18446744073709551616', '36893488147419103232000', '-1', 'x'),
  );
const LOG_KEYS = [
  'event.name',
  'event.kind',
  'request_id',
  'session.id',
  'conversation.id',
  'model',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'cost_usd',
  'input_token_count',
  'output_token_count',
];
const logAttribute = fc.oneof(
  attribute,
  fc.record({
    key: fc.constantFrom(...LOG_KEYS),
    value: fc.record({
      stringValue: fc.oneof(
        fc.constantFrom('api_request', 'claude_code.api_request', 'codex.sse_event', 'response.completed', '-1', '1e300', ''),
        fc.integer({ min: 0, max: 2_000_000_000 }).map(String),
        fc.double().map(String),
      ),
    }),
  }),
);
const resourceLogs = (now: number) =>
  fc.record({
    resource: opt(fc.record({ attributes: fc.array(attribute, { maxLength: 4 }) })),
    scopeLogs: few(
      fc.record({
        logRecords: few(
          fc
            .record({
              timeUnixNano: opt(nanos(now)),
              observedTimeUnixNano: opt(nanos(now)),
              eventName: opt(fc.oneof(fc.constantFrom('claude_code.api_request', 'codex.sse_event'), id)),
              attributes: opt(fc.array(logAttribute, { maxLength: 8 })),
            })
            .map(defined),
        ),
      }),
    ),
  });
const numberPoint = (now: number) =>
  fc
    .record({
      attributes: opt(fc.array(attribute, { maxLength: 4 })),
      startTimeUnixNano: opt(nanos(now)),
      timeUnixNano: opt(nanos(now)),
      asInt: opt(fc.oneof(fc.integer({ min: -10, max: 2_000_000_000 }).map(String), fc.constantFrom('9223372036854775807'))),
      asDouble: opt(fc.oneof(fc.double(), fc.constantFrom(0.5, 1e300))),
      sum: opt(fc.double()),
    })
    .map(defined);
const resourceMetrics = (now: number) =>
  fc
    .record({
      resource: opt(fc.record({ attributes: fc.array(attribute, { maxLength: 4 }) })),
      scopeMetrics: few(
        fc
          .record({
            scope: opt(fc.record({ name: id, version: opt(id) }).map(defined)),
            metrics: few(
              fc
                .record({
                  name: fc.oneof(
                    fc.constantFrom(
                      'claude_code.token.usage',
                      'claude_code.cost.usage',
                      'codex.turn.token_usage',
                      'gen_ai.client.token.usage',
                      'claude_code.lines_of_code.count',
                      'claude_code.commit.count',
                      'claude_code.active_time.total',
                    ),
                    id,
                  ),
                  sum: opt(
                    fc.record({
                      dataPoints: few(numberPoint(now)),
                      aggregationTemporality: fc.integer({ min: -1, max: 3 }),
                      isMonotonic: fc.boolean(),
                    }),
                  ),
                  histogram: opt(
                    fc.record({ dataPoints: few(numberPoint(now)), aggregationTemporality: fc.integer({ min: 0, max: 2 }) }),
                  ),
                })
                .map(defined),
            ),
          })
          .map(defined),
      ),
    })
    .map(defined);

/**
 * A valid input for every tRPC procedure (`undefined`: it takes none). The fuzz test fails when the
 * router has a procedure this table lacks, so a new procedure is fuzzed from the day it exists.
 */
export function procedureInputs(w: World): Record<string, fc.Arbitrary<unknown>> {
  const townId = fc.constantFrom(...w.townIds);
  const organizationId = fc.constantFrom(...w.orgIds);
  const userName = fc.constantFrom(...w.userNames);
  const span = ([from, length]: [number, number]) => ({ from, to: from + length });
  const range = fc.oneof(
    // Up to now, where the ingest runs put their data.
    {
      weight: 3,
      arbitrary: fc.integer({ min: 1, max: 2 * DAY }).map((back) => ({ from: w.now - back, to: w.now + 10 * MINUTE })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.integer({ min: w.now - 401 * DAY, max: w.now }), fc.integer({ min: 1, max: 60 * DAY })).map(span),
    },
    // Valid by the schema (non-negative integers), far beyond any data or Date's range.
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(0, w.now), fc.constantFrom(1, 8.64e15, Number.MAX_SAFE_INTEGER - w.now)).map(span),
    },
  );
  const maxPoints = opt(fc.integer({ min: 1, max: 5000 }));
  const tz = opt(fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Mars/Olympus'));
  const series = fc.tuple(townId, range, maxPoints, tz).map(([t, r, m, z]) => defined({ townId: t, ...r, maxPoints: m, tz: z }));
  const town = townId.map((t) => ({ townId: t }));
  const account = opt(organizationId).map((o) => defined({ organizationId: o }));
  const none = fc.constant(undefined);
  return {
    'towns.list': fc.oneof(none, fc.record({ limit: opt(fc.integer({ min: 1, max: 100 })), after: opt(townId) }).map(defined)),
    'towns.get': town,
    'towns.create': fc.record({ name: id, organizationId: opt(organizationId) }).map(defined),
    'towns.mintIngestToken': fc
      .record({ townId, agentId: opt(id), ttlSeconds: opt(fc.integer({ min: 1, max: 8 * 3600 })) })
      .map(defined),
    'towns.createKey': fc
      .record({ townId, name: id, agentId: opt(id), kind: opt(fc.constantFrom('ingest', 'scrape')) })
      .map(defined),
    'towns.listKeys': town,
    'towns.revokeKey': fc.record({ townId, name: id }),
    'towns.setBudget': fc
      .record({
        townId,
        period: fc.constantFrom(...BUDGET_PERIODS),
        capMicrodollars: fc.option(fc.integer({ min: 1, max: 1e12 }), { nil: null }),
        tz,
      })
      .map(defined),
    'towns.getRunawayRules': town,
    'towns.setRunawayRules': fc.record({
      townId,
      spendRate: fc.record({
        enabled: fc.boolean(),
        microdollars: fc.integer({ min: 1, max: 1e12 }),
        windowMinutes: fc.integer({ min: 1, max: 1440 }),
      }),
      noProgress: fc.record({
        enabled: fc.boolean(),
        minutes: fc.integer({ min: 1, max: 1440 }),
        minMicrodollars: fc.integer({ min: 0, max: 1e12 }),
      }),
      beadBudgetMicrodollars: fc.option(fc.integer({ min: 1, max: 1e12 }), { nil: null }),
    }),
    'beads.list': fc
      .tuple(
        townId,
        opt(range),
        opt(fc.constantFrom(...BEAD_STATUSES)),
        opt(fc.constantFrom(...BEAD_SORTS)),
        opt(fc.tuple(fc.option(fc.nat(), { nil: undefined }), fc.string({ minLength: 1, maxLength: 30 }))),
        opt(fc.integer({ min: 1, max: 200 })),
      )
      .map(([t, r, status, sort, c, limit]) =>
        defined({ townId: t, ...r, status, sort, cursor: c && `${c[0] ?? ''}:${c[1]}`, limit }),
      ),
    'beads.get': fc.tuple(townId, id).map(([t, beadId]) => ({ townId: t, beadId })),
    'beads.stats': fc.tuple(townId, opt(range)).map(([t, r]) => ({ townId: t, ...r })),
    'metrics.timeseries': series,
    'metrics.throughput': town,
    'metrics.breakdown': fc
      .tuple(series, fc.constantFrom('agent', 'model'), fc.constantFrom('tokens', 'cost'), opt(fc.integer({ min: 1, max: 50 })))
      .map(([s, by, metric, limit]) => defined({ ...s, by, metric, limit })),
    'metrics.agents': fc
      .tuple(townId, opt(fc.integer({ min: 1, max: 500 })), opt(fc.string({ minLength: 1, maxLength: 256 })))
      .map(([t, limit, cursor]) => defined({ townId: t, limit, cursor })),
    'metrics.events': fc
      .tuple(townId, opt(fc.integer({ min: 1, max: 200 })), opt(fc.tuple(fc.nat(), fc.string({ minLength: 1 }))))
      .map(([t, limit, c]) => defined({ townId: t, limit, cursor: c && `${c[0]}.${c[1]}` })),
    'metrics.event': fc.tuple(townId, fc.string({ minLength: 1, maxLength: 256 })).map(([t, id]) => ({ townId: t, id })),
    'metrics.live': town,
    'orgs.list': fc.oneof(none, fc.record({ limit: opt(fc.integer({ min: 1, max: 100 })), after: opt(id) }).map(defined)),
    'orgs.create': fc.record({ name: id }),
    'orgs.members': fc
      .tuple(organizationId, opt(fc.integer({ min: 1, max: 500 })), opt(userName))
      .map(([o, limit, after]) => defined({ organizationId: o, limit, after })),
    'orgs.setMember': fc.record({ organizationId, userName, role: fc.constantFrom(...ROLES) }),
    'orgs.removeMember': fc.record({ organizationId, userName }),
    'orgs.invitations': fc.oneof(none, fc.record({ limit: opt(fc.integer({ min: 1, max: 100 })), after: opt(id) }).map(defined)),
    'orgs.acceptInvitation': fc.record({ organizationId }),
    'orgs.declineInvitation': fc.record({ organizationId }),
    'billing.balance': account,
    'billing.ledger': fc
      .tuple(account, opt(fc.integer({ min: 1, max: 500 })), opt(fc.integer({ min: 1, max: 1000 })))
      .map(([a, limit, before]) => defined({ ...a, limit, before })),
    'billing.alerts': fc.tuple(account, opt(fc.integer({ min: 1, max: 200 }))).map(([a, limit]) => defined({ ...a, limit })),
    'billing.alertSettings': account,
    'billing.setAlertSettings': fc
      .tuple(
        account,
        opt(fc.integer({ min: 0, max: 100_000_000 })),
        opt(fc.option(fc.constantFrom('https://hooks.example.com/gg', 'http://example.org/x?y=1'), { nil: null })),
      )
      .map(([a, low, url]) => defined({ ...a, lowBalanceMicrodollars: low, webhookUrl: url })),
    'billing.grant': fc
      .tuple(
        fc.oneof(
          userName.map((u) => ({ userName: u })),
          organizationId.map((o) => ({ organizationId: o })),
        ),
        fc.integer({ min: 1, max: 100_000_000 }),
        opt(fc.string({ maxLength: 40 })),
      )
      .map(([who, amount, note]) => defined({ ...who, amountMicrodollars: amount, note })),
    'users.create': fc.tuple(id, opt(fc.boolean())).map(([name, admin]) => defined({ name, admin })),
    'users.mintToken': fc.record({ name: userName }),
  };
}

/** Query strings for the REST reads: valid-ish values as text, and anything else. */
export function restReads(w: World): fc.Arbitrary<{ path: string; query: Record<string, string | string[]> }> {
  const townSegment = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...w.townIds) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    { weight: 1, arbitrary: fc.constantFrom('..', '%', '__proto__', 'x'.repeat(5000)) },
  );
  const numberText = fc.oneof(
    fc.integer({ min: w.now - 401 * DAY, max: w.now + DAY }).map(String),
    fc.constantFrom(
      '0',
      '-1',
      '1.5',
      '1e3',
      '',
      'NaN',
      '9'.repeat(30),
      '9007199254740991',
      '9007199254740993',
      '10000000000000000',
      ' 1',
    ),
  );
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('UTC', 'Europe/Berlin', 'Mars/Olympus', 'x'.repeat(5000)),
  );
  const value = fc.oneof(numberText, text, fc.array(numberText, { minLength: 2, maxLength: 3 }));
  const extra = fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 2 });
  const series = fc
    .record({ from: value, to: value, maxPoints: opt(value), tz: opt(value) })
    .map((q) => defined(q) as Record<string, string | string[]>);
  return fc.oneof(
    fc.record({
      path: fc.constant('/api/towns'),
      query: fc.oneof(
        extra,
        fc.record({ limit: opt(value), after: opt(value) }).map((q) => defined(q) as Record<string, string | string[]>),
      ),
    }),
    fc.record({ path: townSegment.map((t) => `/api/towns/${encodeURIComponent(t)}/metrics/throughput`), query: extra }),
    fc.record({ path: townSegment.map((t) => `/api/towns/${encodeURIComponent(t)}/metrics/prometheus`), query: extra }),
    fc.record({
      path: townSegment.map((t) => `/api/towns/${encodeURIComponent(t)}/metrics/timeseries`),
      query: fc.tuple(series, extra).map(([a, b]) => ({ ...b, ...a })),
    }),
    fc.record({
      path: townSegment.map((t) => `/api/towns/${encodeURIComponent(t)}/beads`),
      query: fc
        .tuple(
          fc.record({
            from: opt(value),
            to: opt(value),
            sort: opt(value),
            status: opt(value),
            cursor: opt(value),
            limit: opt(value),
          }),
          extra,
        )
        .map(([a, b]) => ({ ...b, ...(defined(a) as Record<string, string | string[]>) })),
    }),
    fc.record({
      path: fc
        .tuple(townSegment, fc.oneof(fc.constantFrom('gt-1', 'b'), text))
        .map(([t, b]) => `/api/towns/${encodeURIComponent(t)}/beads/${encodeURIComponent(b)}`),
      query: extra,
    }),
    fc.record({
      path: townSegment.map((t) => `/api/towns/${encodeURIComponent(t)}/bead`),
      query: fc
        .tuple(fc.record({ beadId: opt(fc.oneof(fc.constantFrom('gt-1', 'b', '.', '..'), text)) }), extra)
        .map(([a, b]) => ({ ...b, ...(defined(a) as Record<string, string | string[]>) })),
    }),
    fc.record({
      path: townSegment.map((t) => `/api/towns/${encodeURIComponent(t)}/beads-stats`),
      query: fc
        .tuple(fc.record({ from: opt(value), to: opt(value) }), extra)
        .map(([a, b]) => ({ ...b, ...(defined(a) as Record<string, string | string[]>) })),
    }),
    fc.record({
      path: fc.constant('/api/balance'),
      query: fc.oneof(
        fc.constant({}),
        fc.oneof(fc.constantFrom(...w.orgIds), text).map((o) => ({ organizationId: o })),
      ),
    }),
    fc.record({ path: fc.constantFrom('/auth/me', '/api/health'), query: extra }),
    fc.record({ path: fc.constant('/auth/link'), query: fc.tuple(text, extra).map(([code, e]) => ({ ...e, code })) }),
  );
}
