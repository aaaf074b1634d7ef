import { COUNTERS, chooseResolution, GAUGES, type Timeseries } from '@gasgauge/core';
import type { BenchServer } from './env.js';
import { fillSevenDays, SEVEN_DAYS_MS } from './fill.js';
import type { LoadClient } from './load.js';
import { progress } from './log.js';
import type { Row } from './report.js';
import { fmtInt, fmtMs, percentile, timeMs } from './stats.js';

const CALLS = 200;
const NAIVE_CALLS = 25;
const MAX_POINTS = 500;

/** 3. A 7-day chart of one fully filled town: the tiered query in-process, a naive raw GROUP BY, and REST over HTTP. */
export async function benchTimeseries(server: BenchServer, load: LoadClient): Promise<Row[]> {
  const townId = server.createTown('bench-timeseries');
  const town = server.towns.get(townId);
  const filledAt = Date.now();
  const fillMs = timeMs(() => {
    const counts = fillSevenDays(town.sql, filledAt);
    progress(`timeseries fill: ${[...counts].map(([table, n]) => `${table} ${fmtInt(n)}`).join(', ')}`);
  });
  progress(`timeseries fill: done in ${fmtMs(fillMs)}`);

  const week = () => {
    const to = Date.now();
    return { from: to - SEVEN_DAYS_MS, to, maxPoints: MAX_POINTS };
  };
  const probe = week();
  const { step, count, tier } = chooseResolution(probe.from, probe.to, probe.to, MAX_POINTS);
  const naiveSql = `SELECT t / ${step} AS b, SUM(samples), ${GAUGES.map((g) => `AVG(${g}), MAX(${g}_max)`).join(', ')}, ${COUNTERS.map(
    (c) => `SUM(${c})`,
  ).join(', ')} FROM snapshots WHERE t BETWEEN ? AND ? GROUP BY 1`;

  progress('timeseries: in-process');
  for (let i = 0; i < 20; i++) town.timeseries(week());
  const tiered = Array.from({ length: CALLS }, () => timeMs(() => town.timeseries(week())));

  progress('timeseries: naive GROUP BY over raw rows');
  const naiveOnce = () => {
    const q = week();
    return town.sql.rows(naiveSql, q.from, q.to);
  };
  const naiveBuckets = naiveOnce().length;
  for (let i = 0; i < 2; i++) naiveOnce();
  const naive = Array.from({ length: NAIVE_CALLS }, () => timeMs(naiveOnce));
  // Half an hour of slack before the first row keeps every raw row inside the 30 min buckets of the check.
  const all = town.timeseries({ from: filledAt - SEVEN_DAYS_MS - 1_800_000, to: Date.now(), maxPoints: MAX_POINTS });
  checkTotals(all.series, town.sql.rows(naiveSql, 0, Number.MAX_SAFE_INTEGER));

  progress('timeseries: REST over HTTP');
  const job = {
    kind: 'timeseries',
    url: server.url,
    token: server.userToken,
    townId,
    spanMs: SEVEN_DAYS_MS,
    maxPoints: MAX_POINTS,
    concurrency: 1,
  } as const;
  await load.run({ ...job, maxRequests: 20, maxMs: 5000 });
  const rest = await load.run({ ...job, maxRequests: CALLS, maxMs: 30_000 });
  if (rest.errors > 0) throw new Error(`REST timeseries: ${rest.errors} failed, first: ${rest.firstError}`);

  const p50 = percentile(tiered, 50);
  const naiveP50 = percentile(naive, 50);
  const shape = `step ${step / 60_000} min from ${tier.table}, ${count} buckets, ${GAUGES.length * 2 + COUNTERS.length} series`;
  return [
    {
      name: 'Timeseries 7 d / 500 points, in-process, p50',
      value: fmtMs(p50),
      target: '≤ 5 ms',
      pass: p50 <= 5,
      detail: `${CALLS} calls, ${shape}; fill ${fmtInt(SEVEN_DAYS_MS / 5000)} raw rows + rollups in ${fmtMs(fillMs)}`,
    },
    {
      name: 'Timeseries 7 d / 500 points, in-process, p95',
      value: fmtMs(percentile(tiered, 95)),
      target: '—',
      pass: null,
      detail: '',
    },
    {
      name: 'Naive GROUP BY over raw snapshots, same step, p50',
      value: fmtMs(naiveP50),
      target: '—',
      pass: null,
      detail: `${NAIVE_CALLS} calls, ${naiveBuckets} buckets; ${(naiveP50 / p50).toFixed(1)}× the tiered p50`,
    },
    {
      name: 'Timeseries 7 d / 500 points, REST over HTTP, p50',
      value: fmtMs(percentile(rest.latenciesMs, 50)),
      target: '—',
      pass: null,
      detail: `${rest.requests} sequential GETs, p95 ${fmtMs(percentile(rest.latenciesMs, 95))} (user-token auth, tRPC caller, JSON)`,
    },
  ];
}

/** Sanity check of the fill: every counter totals the same from the tiered answer and from the raw rows. */
function checkTotals(series: Timeseries['series'], rawBuckets: unknown[][]): void {
  COUNTERS.forEach((c, i) => {
    const tiered = series[c].reduce<number>((a, v) => a + (v ?? 0), 0);
    const col = 2 + GAUGES.length * 2 + i;
    const raw = rawBuckets.reduce<number>((a, row) => a + (row[col] as number), 0);
    if (tiered !== raw) progress(`WARNING: ${c} totals differ: tiered ${tiered}, raw ${raw}`);
  });
}
