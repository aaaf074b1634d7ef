import {
  AppError,
  accountOfTown,
  MAX_TOTALS_SERIES,
  type TickHealth,
  TOKEN_TYPES,
  type TownInfo,
  type TownTotals,
} from '@gasgauge/core';
import { Hono } from 'hono';
import { z } from 'zod';
import { bearer } from '../auth/bearer.js';
import { IngestKeyVerifier, isScrapeKey } from '../auth/ingest-key.js';
import { authenticateUser } from '../auth/user-auth.js';
import type { ApiDeps } from '../deps.js';
import { parseOrThrow } from '../http/validate.js';
import { chargedHandle, enterRead, townPrincipal, userPrincipal } from '../ports/read-budget.js';
import { townId } from '../towns/router.js';
import { formatOpenMetrics, type MetricFamily, OPENMETRICS_CONTENT_TYPE } from './openmetrics.js';

/**
 * The town's metrics for Prometheus (OpenMetrics text). Counters come from the stored usage records, so they
 * only grow, across server restarts too. At most MAX_TOTALS_SERIES agent × model pairs get series of their
 * own; the rest are summed into the separate `gasgauge_other_…` metrics (no label value can collide with them).
 */
export function prometheusRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  const scrapeKeys = new IngestKeyVerifier(deps.control, 'scrape', deps.vouch);
  app.get('/api/towns/:townId/metrics/prometheus', async (c) => {
    const authorization = c.req.header('authorization');
    const params = parseOrThrow(z.object({ townId }), c.req.param());
    const { info, principal } = await scrapeTown(authorization, params.townId);
    await enterRead(deps.readBudget, principal, deps.clientGone?.(c));
    const totals = await chargedHandle(deps.towns.get(info.id), deps.readBudget, principal).totals(MAX_TOTALS_SERIES);
    const balance = await deps.control.balance(accountOfTown(info));
    const tick = await deps.tickHealth?.(info.id);
    return c.body(formatOpenMetrics(townFamilies(totals, balance, tick)), 200, { 'content-type': OPENMETRICS_CONTENT_TYPE });
  });

  /**
   * A user who may read the town, or a scrape key (`ggp_…`, or a legacy `ggs_…`) of this very town (403 for another town's),
   * and whose read budget the scrape is charged to: the user's, or for a key its town's.
   */
  async function scrapeTown(authorization: string | undefined, id: string): Promise<{ info: TownInfo; principal: string }> {
    const credential = authorization ? bearer(authorization) : '';
    if (!isScrapeKey(credential)) {
      const user = await authenticateUser(deps.control, authorization, deps.vouch);
      return { info: await deps.control.townFor(user, id), principal: userPrincipal(user.id) };
    }
    const key = await scrapeKeys.info(credential, deps.clock());
    if (key.townId !== id) throw new AppError('forbidden', 'this scrape key is for another town', { path: 'townId' });
    const town = await deps.control.town(id);
    if (!town) throw new AppError('not_found', 'town not found', { path: 'townId' });
    return { info: town, principal: townPrincipal(id) };
  }
  return app;
}

/** Every metric family the endpoint exposes, in order (the Grafana dashboard test checks its queries against these names). */
export function townFamilies(t: TownTotals, balanceMicrodollars: number, tick?: TickHealth): MetricFamily[] {
  const pair = (u: { agentId: string; model: string }) => [['agent', u.agentId] as const, ['model', u.model] as const];
  const other = t.other ?? { tokens: TOKEN_TYPES.map(() => 0), costMicrodollars: 0, pairs: 0 };
  return [
    {
      name: 'gasgauge_tokens',
      type: 'counter',
      unit: 'tokens',
      help: `Tokens used, by agent, model and type (the ${MAX_TOTALS_SERIES} largest agent-model pairs).`,
      samples: t.usage.flatMap((u) =>
        TOKEN_TYPES.map((type, i) => ({ labels: [...pair(u), ['type', type] as const], value: u.tokens[i] as number })),
      ),
    },
    {
      name: 'gasgauge_other_tokens',
      type: 'counter',
      unit: 'tokens',
      help: 'Tokens used by the agent-model pairs beyond the largest ones, by type.',
      samples: TOKEN_TYPES.map((type, i) => ({ labels: [['type', type]], value: other.tokens[i] as number })),
    },
    {
      name: 'gasgauge_cost_microdollars',
      type: 'counter',
      unit: 'microdollars',
      help: `Cost in microdollars, by agent and model (the ${MAX_TOTALS_SERIES} largest agent-model pairs).`,
      samples: t.usage.map((u) => ({ labels: pair(u), value: u.costMicrodollars })),
    },
    {
      name: 'gasgauge_other_cost_microdollars',
      type: 'counter',
      unit: 'microdollars',
      help: 'Cost in microdollars of the agent-model pairs beyond the largest ones.',
      samples: [{ labels: [], value: other.costMicrodollars }],
    },
    {
      name: 'gasgauge_other_pairs',
      type: 'gauge',
      help: 'How many agent-model pairs the gasgauge_other_ counters sum.',
      samples: [{ labels: [], value: other.pairs }],
    },
    {
      name: 'gasgauge_agents',
      type: 'gauge',
      help: 'Agents by status.',
      samples: t.agents.map(([status, n]) => ({ labels: [['status', status]], value: n })),
    },
    {
      name: 'gasgauge_beads',
      type: 'gauge',
      help: 'Beads by status.',
      samples: t.beads.map(([status, n]) => ({ labels: [['status', status]], value: n })),
    },
    {
      name: 'gasgauge_lines_of_code',
      type: 'gauge',
      help: 'Outstanding lines of code reported by agents (unexpired reports), added and removed.',
      samples: [
        { labels: [['kind', 'additions']], value: t.loc.additions },
        { labels: [['kind', 'deletions']], value: t.loc.deletions },
      ],
    },
    {
      name: 'gasgauge_activity',
      type: 'counter',
      help: 'Activity since the town began, from OpenTelemetry (Claude Code): lines added and removed, commits, pull requests, sessions, active milliseconds.',
      samples: t.activity.map(([kind, value]) => ({ labels: [['kind', kind]], value })),
    },
    {
      name: 'gasgauge_balance_microdollars',
      type: 'gauge',
      unit: 'microdollars',
      help: "The balance of the account that pays for the town's spend.",
      samples: [{ labels: [], value: balanceMicrodollars }],
    },
    {
      name: 'gasgauge_storage_bytes',
      type: 'gauge',
      unit: 'bytes',
      help: "The town's data, as its storage quota counts it.",
      samples: [{ labels: [], value: t.storage.usedBytes }],
    },
    {
      name: 'gasgauge_storage_quota_bytes',
      type: 'gauge',
      unit: 'bytes',
      help: "The town's storage quota (gasgauge serve --max-town-mb).",
      samples: t.storage.quotaBytes === null ? [] : [{ labels: [], value: t.storage.quotaBytes }],
    },
    {
      name: 'gasgauge_storage_full',
      type: 'gauge',
      help: '1 while the town holds its storage quota and refuses every ingest with 507, else 0.',
      samples: [{ labels: [], value: t.storage.full ? 1 : 0 }],
    },
    // How the town's scheduled ticks go (a host without a scheduler of its own has no samples): a tick keeps the
    // charts' tiers, beads and billing up to date, and every one failing (a full disk) is what an operator alerts on.
    {
      name: 'gasgauge_tick_consecutive_failures',
      type: 'gauge',
      help: "The town's ticks that failed in a row since the last one that succeeded (each is retried after a longer wait); 0 while it ticks.",
      samples: tick ? [{ labels: [], value: tick.failures }] : [],
    },
    {
      name: 'gasgauge_tick_failures',
      type: 'counter',
      help: "The town's ticks that failed, in all.",
      samples: tick ? [{ labels: [], value: tick.failuresTotal }] : [],
    },
    {
      name: 'gasgauge_tick_last_success_timestamp_seconds',
      type: 'gauge',
      unit: 'seconds',
      help: "When the town's last tick succeeded, in whole seconds of Unix time; no sample before its first.",
      samples: tick?.lastOkAt != null ? [{ labels: [], value: Math.floor(tick.lastOkAt / 1000) }] : [],
    },
  ];
}
