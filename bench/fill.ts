import { COUNTERS, type CounterValues, GAUGES, type GaugeValues, RAW_TIER, type Sql, slotStart, TIERS } from '@gasgauge/core';
import { Random } from '@gasgauge/server';
import { progress } from './log.js';

export const SEVEN_DAYS_MS = 7 * 24 * 3_600_000;
export const RAW_ROWS = SEVEN_DAYS_MS / RAW_TIER.resolutionMs;

/** Column order of every tier table as written here: t, samples, each gauge and its max, each counter. */
const COLUMNS = ['samples', ...GAUGES.flatMap((g) => [g, `${g}_max`]), ...COUNTERS];
const IS_MAX = COLUMNS.map((c) => c.endsWith('_max'));
const insertSql = (table: string) => `INSERT INTO ${table} (t, ${COLUMNS.join(', ')}) VALUES (?${', ?'.repeat(COLUMNS.length)})`;

/** One raw 5 s row: gauges that wander with a daily rhythm, counters driven by how many agents work. */
function rawRowMaker(seed: number): (t: number) => number[] {
  const random = new Random(seed); // deterministic: every run fills the same data
  const rnd = () => random.next();
  const walk = (v: number, lo: number, hi: number) =>
    Math.min(hi, Math.max(lo, v + (rnd() < 0.5 ? -1 : 1) * (rnd() < 0.1 ? 1 : 0)));
  let total = 12;
  let open = 25;
  let locAdd = 800;
  let locDel = 300;
  return (t) => {
    const hour = (t / 3_600_000) % 24;
    const activity = 0.15 + 0.85 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 14));
    total = walk(total, 6, 20);
    open = walk(open, 5, 60);
    locAdd = Math.max(0, locAdd + Math.round((rnd() - 0.48) * 40));
    locDel = Math.max(0, locDel + Math.round((rnd() - 0.49) * 15));
    const stalled = rnd() < 0.05 ? 1 : 0;
    const dead = rnd() < 0.02 ? 1 : 0;
    const working = Math.min(total - stalled - dead, Math.round(total * activity * (0.6 + 0.4 * rnd())));
    const waiting = Math.min(total - stalled - dead - working, Math.round(rnd() * 2));
    const idle = total - stalled - dead - working - waiting;
    const g: GaugeValues = {
      agents_working: working,
      agents_idle: idle,
      agents_waiting: waiting,
      agents_stalled: stalled,
      agents_dead: dead,
      agents_total: total,
      beads_open: open,
      beads_in_progress: working,
      beads_in_review: Math.round(rnd() * 4),
      beads_blocked: Math.round(rnd() * 2),
      loc_additions: locAdd,
      loc_deletions: locDel,
    };
    const input = Math.round(working * rnd() * 8_000);
    const output = Math.round(working * rnd() * 1_500);
    const reasoning = Math.round(output * 0.3 * rnd());
    const cacheRead = Math.round(input * 3 * rnd());
    const cacheWrite = Math.round(input * 0.3 * rnd());
    const c: CounterValues = {
      events: Math.round(working * rnd() * 2),
      beads_created: rnd() < 0.02 ? 1 : 0,
      beads_closed: rnd() < 0.02 ? 1 : 0,
      input_tokens: input,
      output_tokens: output,
      reasoning_tokens: reasoning,
      cache_read_tokens: cacheRead,
      cache_write_tokens: cacheWrite,
      cost_microdollars: Math.round(input * 3 + (output + reasoning) * 15 + cacheRead * 0.3 + cacheWrite * 3.75),
    };
    // samples = 1; each gauge's sum and max are its one sample.
    return [1, ...GAUGES.flatMap((name) => [g[name], g[name]]), ...COUNTERS.map((name) => c[name])];
  };
}

/** Accumulates raw rows into one coarser slot: sums everywhere, max for the `_max` columns. */
class Rollup {
  t = Number.NaN;
  values: number[] = [];
  add(t: number, row: number[]): void {
    if (this.values.length === 0) {
      this.t = t;
      this.values = row.slice();
      return;
    }
    for (let i = 0; i < row.length; i++) {
      this.values[i] = IS_MAX[i]
        ? Math.max(this.values[i] as number, row[i] as number)
        : (this.values[i] as number) + (row[i] as number);
    }
  }
}

/**
 * Seven days of 5 s raw snapshots ending at `now`'s slot, and the rollups of every coarser tier made from exactly
 * those rows, in one transaction of direct inserts (what 7 days of ingest + ticks would have written).
 */
export function fillSevenDays(sql: Sql, now: number, label = 'timeseries fill'): Map<string, number> {
  const makeRow = rawRowMaker(20_251_125);
  const [raw, ...coarser] = TIERS;
  if (!raw) throw new Error('no tiers');
  const counts = new Map<string, number>(TIERS.map((tier) => [tier.table, 0]));
  const open = new Map(coarser.map((tier) => [tier.table, new Rollup()]));
  const flush = (table: string, rollup: Rollup) => {
    if (rollup.values.length === 0) return;
    sql.run(insertSql(table), rollup.t, ...rollup.values);
    counts.set(table, (counts.get(table) ?? 0) + 1);
    rollup.values = [];
  };
  const last = slotStart(now, raw.resolutionMs);
  sql.transaction(() => {
    for (let i = RAW_ROWS - 1; i >= 0; i--) {
      const t = last - i * raw.resolutionMs;
      const row = makeRow(t);
      sql.run(insertSql(raw.table), t, ...row);
      counts.set(raw.table, (counts.get(raw.table) ?? 0) + 1);
      for (const tier of coarser) {
        const rollup = open.get(tier.table) as Rollup;
        const slot = slotStart(t, tier.resolutionMs);
        if (rollup.values.length > 0 && rollup.t !== slot) flush(tier.table, rollup);
        rollup.add(slot, row);
      }
      if (i % 20_000 === 0) progress(`${label}: ${RAW_ROWS - i} of ${RAW_ROWS} raw rows`);
    }
    for (const tier of coarser) flush(tier.table, open.get(tier.table) as Rollup);
  });
  return counts;
}
