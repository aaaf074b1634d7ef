import { describe, expect, it } from 'vitest';
import { HOSTS, useHost } from '../testing/hosts.js';

/**
 * Time zones are IANA names on every host: workerd's Intl also takes offsets (`+14:00`) and ICU's placeholder zone
 * `Factory`, Node 20's does neither.
 */
describe.each(HOSTS)('%s host: time zones', (_name, start) => {
  const host = useHost(start);

  it('refuses an offset or ICU’s Factory as a budget’s or a chart’s zone (400 on tz), and takes a name in any case', async () => {
    // clock-free: the budgets here are refused or saved for their zone's name; no spend is measured against them.
    const town = await host.c.town('zones');
    const now = Date.now();
    for (const tz of ['+14:00', '-23:59', 'Factory', 'factory']) {
      const budget = await host.c.mutate('towns.setBudget', { townId: town.id, period: 'day', capMicrodollars: 1000, tz });
      expect(budget.status, tz).toBe(400);
      expect(budget.body.error.data.path).toBe('tz');
      const chart = await host.c.get(
        `/api/towns/${town.id}/metrics/timeseries?from=${now - 3 * 86_400_000}&to=${now}&maxPoints=3&tz=${encodeURIComponent(tz)}`,
      );
      expect(chart.status, tz).toBe(400);
      expect(chart.body.error.path).toBe('tz');
    }
    const ok = await host.c.mutate('towns.setBudget', {
      townId: town.id,
      period: 'day',
      capMicrodollars: 1000,
      tz: 'europe/KYIV',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.result.data.budget.tz).toMatch(/^Europe\/Ki/);
  });
});
