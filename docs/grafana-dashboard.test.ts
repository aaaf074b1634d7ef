import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { townFamilies } from '../packages/api/src/metrics/prometheus.js';

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

/** The sample names the Prometheus endpoint exposes (a counter's samples end in `_total`). */
const exposed = new Set(
  townFamilies(
    {
      usage: [],
      other: null,
      agents: [],
      beads: [],
      loc: { additions: 0, deletions: 0 },
      activity: [],
      storage: { usedBytes: 0, quotaBytes: 0, full: false },
    },
    0,
  ).map((f) => (f.type === 'counter' ? `${f.name}_total` : f.name)),
);

/** Every string anywhere in a parsed JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

const metricNames = (text: string) => [...text.matchAll(/\bgasgauge_[a-z_]+/g)].map((m) => m[0]);

describe('docs/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(read('./grafana-dashboard.json')) as { panels: { targets: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));

  it('queries only metrics the endpoint exposes', () => {
    const used = strings(dashboard).flatMap(metricNames);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(exposed, name).toContain(name);
  });

  it('shows tokens/s and $/h by agent through rate(), agents by status and the balance', () => {
    const has = (re: RegExp) =>
      expect(
        exprs.some((e) => re.test(e)),
        String(re),
      ).toBe(true);
    has(/sum by \(agent\) \(rate\(gasgauge_tokens_total\b/);
    has(/sum by \(agent\) \(rate\(gasgauge_cost_microdollars_total\b.*\* 3600 \/ 1e6/);
    has(/sum by \(status\) \(gasgauge_agents\b/);
    has(/gasgauge_balance_microdollars\b/);
  });

  it('and docs/prometheus.md names only exposed metrics too', () => {
    const used = metricNames(read('./prometheus.md')).filter((n) => n !== 'gasgauge_other_'); // the family prefix in prose
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(exposed, name).toContain(name);
  });
});
