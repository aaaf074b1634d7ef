/**
 * The one table of what a snapshot measures. Everything that reads or writes snapshot columns
 * (schema, ingest, tick, timeseries, throughput) derives its SQL from these lists.
 *
 * Counters are deltas summed over a bucket; gauges are sampled by the tick and averaged (with max).
 */
export const COUNTERS = [
  'events',
  'beads_created',
  'beads_closed',
  'input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_microdollars',
] as const;

export const GAUGES = [
  'agents_working',
  'agents_idle',
  'agents_waiting',
  'agents_stalled',
  'agents_dead',
  'agents_total',
  'beads_open',
  'beads_in_progress',
  'beads_in_review',
  'beads_blocked',
  'loc_additions',
  'loc_deletions',
] as const;

export type Counter = (typeof COUNTERS)[number];
export type Gauge = (typeof GAUGES)[number];
export type CounterValues = Record<Counter, number>;
export type GaugeValues = Record<Gauge, number>;

export function zeroCounters(): CounterValues {
  const zero = {} as CounterValues;
  for (const c of COUNTERS) zero[c] = 0;
  return zero;
}

export function isZero(c: CounterValues): boolean {
  return COUNTERS.every((k) => c[k] === 0);
}

export function addInto(target: CounterValues, add: Partial<CounterValues>): void {
  for (const k of COUNTERS) target[k] += add[k] ?? 0;
}
