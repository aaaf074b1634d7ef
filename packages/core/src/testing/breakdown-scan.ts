import type { Sql, SqlValue } from '../sql.js';
import {
  type Breakdown,
  type BreakdownQuery,
  type BreakdownSeries,
  breakdownGrid,
  DEFAULT_BREAKDOWN_SERIES,
} from '../town/breakdown.js';

/**
 * metrics.breakdown as it was before `other` came from the rollup tier, the reference the tests compare breakdown
 * with: three passes over every row of the range in the breakdown tier (the top keys, their series by
 * `key IN (...)`, and every key per bucket for `other`).
 * Valid input only (breakdown validates).
 */
export function breakdownScan(sql: Sql, q: BreakdownQuery, now: number): Breakdown {
  const limit = q.limit ?? DEFAULT_BREAKDOWN_SERIES;
  const grid = breakdownGrid(q, now);
  const n = grid.t.length;
  const range = `FROM ${grid.breakdownTable} WHERE t >= ? AND t < ?`;
  const key = q.by === 'agent' ? 'agent_id' : 'model';
  const value = q.metric === 'cost' ? 'cost_microdollars' : 'tokens';
  const bucketRows = <R extends SqlValue[]>(query: string, ...params: SqlValue[]): [number, ...R][] =>
    sql.rows(query, ...grid.bucketParams, ...params).map((r) => [grid.toBucket(r[0] as number), ...(r.slice(1) as R)]);

  const measured = new Array<boolean>(n).fill(false);
  for (const [b] of bucketRows(
    `SELECT DISTINCT ${grid.bucketSql} FROM ${grid.table} WHERE t >= ? AND t < ?`,
    grid.first,
    grid.end,
  )) {
    measured[b] = true;
  }
  const empty = (): (number | null)[] => measured.map((m) => (m ? 0 : null));

  const top = sql.rows(
    `SELECT ${key}, SUM(${value}) AS total, COUNT(*) OVER () ${range} GROUP BY ${key} ORDER BY total DESC, ${key} LIMIT ?`,
    grid.first,
    grid.end,
    limit,
  ) as [string, number, number][];
  const keyCount = top[0]?.[2] ?? 0;
  const series: BreakdownSeries[] = top.map(([k]) => ({ key: k, values: empty() }));
  const index = new Map(series.map((s, i) => [s.key, i]));
  const topSum = new Array<number>(n).fill(0);
  if (series.length > 0) {
    const rows = bucketRows<[string, number]>(
      `SELECT ${grid.bucketSql}, ${key}, SUM(${value}) ${range} AND ${key} IN (${series.map(() => '?').join(', ')}) GROUP BY 1, 2`,
      grid.first,
      grid.end,
      ...series.map((s) => s.key),
    );
    for (const [b, k, v] of rows) {
      const values = (series[index.get(k) as number] as BreakdownSeries).values;
      values[b] = (values[b] ?? 0) + v;
      topSum[b] = (topSum[b] as number) + v;
    }
  }
  let other: Breakdown['other'] = null;
  if (keyCount > series.length) {
    const values = empty();
    for (const [b, v] of bucketRows<[number]>(
      `SELECT ${grid.bucketSql}, SUM(${value}) ${range} GROUP BY 1`,
      grid.first,
      grid.end,
    )) {
      values[b] = (values[b] ?? 0) + v;
    }
    other = { keys: keyCount - series.length, values: values.map((v, b) => (v === null ? null : v - (topSum[b] as number))) };
  }
  return { step: grid.step, t: grid.t, series, other };
}
