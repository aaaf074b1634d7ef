import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { Control } from '../control/control.js';

const T0 = Date.UTC(2026, 10, 25, 12);

function setup() {
  const control = new Control(openSqlite(join(tempDir('gg-alerts-'), 'control.sqlite')), () => T0);
  const user = control.createUser('user_1', 'ada');
  const lows = () =>
    control.alerts
      .list(user.id, 100)
      .filter((a) => a.kind === 'low_balance')
      .map((a) => a.details);
  return { control, user, lows };
}

describe('low-balance alert re-arms when its threshold moves', () => {
  it('a threshold moved to or below the balance re-arms: the next entry below it raises one', () => {
    const { control, user, lows } = setup();
    control.ledger.grant(user.id, 1_000_000, T0); // $1, below the default $5: raised
    expect(lows()).toEqual([{ balanceMicrodollars: 1_000_000, thresholdMicrodollars: 5_000_000 }]);
    control.alerts.configure(user.id, { lowBalanceMicrodollars: 900_000 });
    control.ledger.debit(user.id, 'd1', 200_000, T0, 'town_1');
    // Before the fix the alert stayed armed for the old crossing: nothing was raised at $0.80 < $0.90.
    expect(lows()).toEqual([
      { balanceMicrodollars: 800_000, thresholdMicrodollars: 900_000 },
      { balanceMicrodollars: 1_000_000, thresholdMicrodollars: 5_000_000 },
    ]);
  });

  it('a threshold moved while the balance stays below it, saved again, or a webhook change raise nothing new', () => {
    const { control, user, lows } = setup();
    control.ledger.grant(user.id, 1_000_000, T0);
    control.alerts.configure(user.id, { lowBalanceMicrodollars: 3_000_000 }); // still below: the crossing holds
    control.alerts.configure(user.id, { lowBalanceMicrodollars: 3_000_000 });
    control.alerts.configure(user.id, { webhookUrl: 'https://example.com/hook' });
    control.ledger.debit(user.id, 'd1', 100_000, T0, 'town_1');
    expect(lows()).toHaveLength(1);
  });

  it('a threshold raised above a balance that was not low raises at the next entry', () => {
    const { control, user, lows } = setup();
    control.ledger.grant(user.id, 10_000_000, T0);
    control.alerts.configure(user.id, { lowBalanceMicrodollars: 20_000_000 });
    expect(lows()).toEqual([]);
    control.ledger.debit(user.id, 'd1', 100_000, T0, 'town_1');
    expect(lows()).toEqual([{ balanceMicrodollars: 9_900_000, thresholdMicrodollars: 20_000_000 }]);
  });
});
