import { describe, expect, it } from 'vitest';
import type { BillingAlert, GasTank, LedgerEntry, LedgerPage } from '../../api/billing.js';
import {
  alertText,
  budgetCrossingText,
  deliveryText,
  EMPTY_LEDGER,
  mayReadLedger,
  mergeNewest,
  mergeOlder,
  runwayText,
  tankFigures,
} from './billing-text.js';

const tank = (over: Partial<GasTank> = {}): GasTank => ({
  accountId: 'user_1',
  balanceMicrodollars: 7_750_000,
  burnMicrodollarsPerHour: 2_250_000,
  burn24hMicrodollarsPerHour: 93_750,
  runwayBurnMicrodollarsPerHour: 2_250_000,
  secondsToEmpty: 12_400,
  lowBalance: false,
  lowBalanceThresholdMicrodollars: 5_000_000,
  asOf: 0,
  ...over,
});

describe('the gas tank in words', () => {
  it('says when it runs dry at the last hour burn, that it does not burn, or that it is empty', () => {
    expect(runwayText(tank())).toBe('runs dry in 3 h 26 min');
    expect(runwayText(tank({ burnMicrodollarsPerHour: 0, runwayBurnMicrodollarsPerHour: 0, secondsToEmpty: null }))).toBe(
      'not burning',
    );
    expect(runwayText(tank({ balanceMicrodollars: 0, secondsToEmpty: 0 }))).toBe('empty');
    // A debit may take the balance below zero; with nothing burning the API says null, the tank is still empty.
    expect(
      runwayText(
        tank({
          balanceMicrodollars: -225_000,
          burnMicrodollarsPerHour: 0,
          runwayBurnMicrodollarsPerHour: 0,
          secondsToEmpty: null,
        }),
      ),
    ).toBe('empty');
  });

  it('gives figures and one sentence, saying "low" below the account threshold', () => {
    expect(tankFigures(tank())).toMatchObject({
      level: 'ok',
      balance: '$7.75',
      balanceExact: '$7.75',
      burn: '$2.25/h',
      burn24h: '$0.0938/h',
      runway: 'runs dry in 3 h 26 min',
      threshold: '$5.00',
      sentence: '$7.75 left, burning $2.25 per hour, runs dry in 3 h 26 min',
    });
    const low = tankFigures(tank({ lowBalance: true, lowBalanceThresholdMicrodollars: 8_000_000 }));
    expect(low.level).toBe('low');
    expect(low.sentence).toBe('$7.75 left, low balance (below $8.00), burning $2.25 per hour, runs dry in 3 h 26 min');
    const empty = tankFigures(tank({ balanceMicrodollars: -225_000, lowBalance: true, secondsToEmpty: 0 }));
    expect(empty.level).toBe('empty');
    expect(empty.balanceExact).toBe('−$0.225');
    expect(empty.sentence).toBe('−$0.225 left, empty, burning $2.25 per hour');
    expect(
      tankFigures(
        tank({
          balanceMicrodollars: 0,
          lowBalance: true,
          burnMicrodollarsPerHour: 0,
          runwayBurnMicrodollarsPerHour: 0,
          secondsToEmpty: null,
        }),
      ).sentence,
    ).toBe('$0 left, empty');
    expect(
      tankFigures(tank({ burnMicrodollarsPerHour: 0, runwayBurnMicrodollarsPerHour: 0, secondsToEmpty: null })).sentence,
    ).toBe('$7.75 left, not burning');
  });

  it("says when the runway is at the last 10 minutes' rising burn", () => {
    const rising = tankFigures(tank({ runwayBurnMicrodollarsPerHour: 6_000_000, secondsToEmpty: 4650 }));
    expect(rising).toMatchObject({ burn: '$2.25/h', runwayBurn: '$6.00/h', rising: true, runway: 'runs dry in 1 h 17 min' });
    expect(rising.sentence).toBe('$7.75 left, burning $6.00 per hour over the last 10 minutes, rising, runs dry in 1 h 17 min');
    expect(tankFigures(tank()).rising).toBe(false);
  });
});

const alert = (over: Partial<BillingAlert>): BillingAlert => ({
  id: 1,
  kind: 'budget',
  accountId: 'user_1',
  townId: 'town_1',
  at: 0,
  details: {},
  delivery: 'none',
  attempts: 0,
  deliveredAt: null,
  lastError: null,
  ...over,
});

const crossing = {
  threshold: 0.8,
  period: 'day',
  tz: 'UTC',
  periodStart: 0,
  periodEnd: 86_400_000,
  capMicrodollars: 5_000_000,
  spentMicrodollars: 4_000_000,
};

describe('budget crossings and alerts', () => {
  it('describes a crossing from its details, and refuses what is not one', () => {
    expect(budgetCrossingText(crossing)).toBe('Budget 80 % reached: $4.00 of $5.00 per day');
    expect(budgetCrossingText({ ...crossing, threshold: 1, spentMicrodollars: 5_200_000, period: 'week' }, 'Gas Town')).toBe(
      'Budget 100 % reached in Gas Town: $5.20 of $5.00 per week',
    );
    expect(budgetCrossingText({ threshold: 0.8 })).toBeUndefined();
  });

  it('describes low-balance and budget alerts, naming the town', () => {
    expect(
      alertText(
        alert({
          kind: 'low_balance',
          townId: null,
          details: { balanceMicrodollars: 7_750_000, thresholdMicrodollars: 8_000_000 },
        }),
      ),
    ).toBe('Low balance: $7.75, below $8.00');
    expect(alertText(alert({ details: crossing }), 'Tank Town')).toBe('Budget 80 % reached in Tank Town: $4.00 of $5.00 per day');
    expect(alertText(alert({ details: crossing }))).toBe('Budget 80 % reached in town_1: $4.00 of $5.00 per day');
    expect(alertText(alert({ details: { nonsense: true } }))).toBe('Budget threshold reached');
    const runaway = {
      rule: 'spendRate',
      agentId: 'polecat-1',
      costMicrodollars: 6_200_000,
      limitMicrodollars: 5_000_000,
      windowMinutes: 10,
    };
    expect(alertText(alert({ kind: 'runaway', details: runaway }))).toBe(
      'Runaway: polecat-1 spent $6.20 in 10 min (limit $5.00)',
    );
    expect(alertText(alert({ kind: 'runaway', details: {} }))).toBe('Runaway spend');
  });

  it('says where webhook delivery stands', () => {
    expect(deliveryText(alert({ delivery: 'none' }), 0)).toEqual({ text: 'not sent: no webhook', tone: 'neutral' });
    expect(deliveryText(alert({ delivery: 'pending' }), 0).text).toBe('sending');
    expect(deliveryText(alert({ delivery: 'pending', attempts: 2 }), 0)).toEqual({
      text: 'retrying after 2 attempts',
      tone: 'warn',
    });
    expect(deliveryText(alert({ delivery: 'delivered', attempts: 1, deliveredAt: 1000 }), 61_000)).toEqual({
      text: 'delivered 1 min ago',
      tone: 'ok',
    });
    expect(deliveryText(alert({ delivery: 'failed', attempts: 1 }), 0)).toEqual({
      text: 'failed after 1 attempt',
      tone: 'danger',
    });
  });

  it('shows the ledger to owners, admins and billing managers, and on personal accounts', () => {
    expect([null, 'owner', 'admin', 'billing_manager', 'member'].map((r) => mayReadLedger(r as never))).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });
});

const entry = (seq: number): LedgerEntry => ({
  seq,
  accountId: 'user_1',
  at: seq * 1000,
  kind: 'debit',
  amountMicrodollars: -1,
  balanceAfterMicrodollars: 100 - seq,
  townId: 'town_1',
  note: null,
});
/** A page of `seqs` (newest first), as the API answers it: a cursor when there are older entries. */
const page = (seqs: number[], more: boolean): LedgerPage => ({
  entries: seqs.map(entry),
  nextCursor: more ? (seqs.at(-1) ?? null) : null,
});
const seqs = (s: { entries: LedgerEntry[] }) => s.entries.map((e) => e.seq);

describe('ledger paging', () => {
  it('appends older pages until the first entry', () => {
    let s = mergeNewest(EMPTY_LEDGER, page([30, 29, 28], true));
    expect(s).toMatchObject({ loaded: true, nextCursor: 28 });
    s = mergeOlder(s, page([27, 25, 24], true));
    s = mergeOlder(s, page([3], false));
    expect(seqs(s)).toEqual([30, 29, 28, 27, 25, 24, 3]);
    expect(s.nextCursor).toBeNull();
  });

  it('keeps what was loaded when a refresh overlaps it, and keeps the cursor of the oldest page', () => {
    let s = mergeOlder(mergeNewest(EMPTY_LEDGER, page([30, 29, 28], true)), page([27, 26, 25], true));
    s = mergeNewest(s, page([32, 31, 30], true));
    expect(seqs(s)).toEqual([32, 31, 30, 29, 28, 27, 26, 25]);
    expect(s.nextCursor).toBe(25);
  });

  it('starts again from a refresh that does not reach what was loaded, rather than hide a gap', () => {
    let s = mergeOlder(mergeNewest(EMPTY_LEDGER, page([30, 29, 28], true)), page([27, 26, 25], true));
    s = mergeNewest(s, page([40, 39, 38], true));
    expect(seqs(s)).toEqual([40, 39, 38]);
    expect(s.nextCursor).toBe(38);
  });

  it('handles an account that had no entries, then some', () => {
    let s = mergeNewest(EMPTY_LEDGER, page([], false));
    expect(s).toEqual({ loaded: true, entries: [], nextCursor: null });
    s = mergeNewest(s, page([2, 1], false));
    expect(seqs(s)).toEqual([2, 1]);
    expect(s.nextCursor).toBeNull();
    s = mergeNewest(mergeNewest(EMPTY_LEDGER, page([], false)), page([9, 8, 7], true));
    expect(s.nextCursor).toBe(7);
  });
});
