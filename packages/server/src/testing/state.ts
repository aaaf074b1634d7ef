import type { TestServer } from './server.js';

const DAY = 86_400_000;

/** A batched tRPC GET of several queries (`undefined` input: a procedure that takes none). */
export function batchPath(reads: [procedure: string, input: unknown][]): string {
  const input = Object.fromEntries(reads.map(([, i], n) => [n, i]));
  return `/trpc/${reads.map(([p]) => p).join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
}

/**
 * What a town holds, as its readers see it (one batched read as the admin): every counter over all
 * retained time, throughput, the feed, the agents, and usage by agent and by model. Two equal results
 * around a refused request mean it stored nothing, when the clock stands still.
 */
export async function townState(s: TestServer, townId: string, now: number): Promise<unknown> {
  const range = { townId, from: now - 401 * DAY, to: now + 600_000, maxPoints: 1 };
  const r = await s.get(
    batchPath([
      ['metrics.timeseries', range],
      ['metrics.throughput', { townId }],
      ['metrics.events', { townId, limit: 200 }],
      ['metrics.agents', { townId, limit: 500 }],
      ['metrics.breakdown', { ...range, by: 'agent', metric: 'tokens' }],
      ['metrics.breakdown', { ...range, by: 'model', metric: 'cost' }],
    ]),
  );
  if (r.status !== 200) throw new Error(`town state: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}

/**
 * What tRPC mutations can change, as each user sees it: towns, organisations and the members of one,
 * the gas tank, ledger, alerts and alert settings, and one town's throughput (its budget).
 */
export async function controlState(s: TestServer, views: { token: string; orgId: string; townId: string }[]): Promise<unknown> {
  return Promise.all(
    views.map(async ({ token, orgId, townId }) => {
      const r = await s.get(
        batchPath([
          ['towns.list', undefined],
          ['orgs.list', undefined],
          ['billing.balance', {}],
          ['billing.ledger', {}],
          ['billing.alerts', {}],
          ['billing.alertSettings', {}],
          ['orgs.members', { organizationId: orgId }],
          ['metrics.throughput', { townId }],
        ]),
        token,
      );
      return r.body;
    }),
  );
}
