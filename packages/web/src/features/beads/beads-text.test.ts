import { describe, expect, it } from 'vitest';
import {
  beadTokens,
  formToRules,
  parseBeadsQuery,
  type RulesForm,
  rulesToForm,
  spendShares,
  statusText,
  withParam,
} from './beads-text.js';

describe('the beads query', () => {
  it('reads sort and status, defaulting anything unknown', () => {
    expect(parseBeadsQuery('')).toEqual({ sort: 'cost', status: null });
    expect(parseBeadsQuery('?sort=tokens&status=in_review')).toEqual({ sort: 'tokens', status: 'in_review' });
    expect(parseBeadsQuery('?sort=__proto__&status=done')).toEqual({ sort: 'cost', status: null });
  });
  it('sets and removes one parameter, keeping the range', () => {
    expect(withParam('?range=6h', 'sort', 'duration')).toBe('?range=6h&sort=duration');
    expect(withParam('?range=6h&sort=duration', 'sort', null)).toBe('?range=6h');
    expect(withParam('?sort=tokens', 'sort', null)).toBe('');
  });
});

describe('a bead row', () => {
  it('sums the five token kinds and names its status', () => {
    expect(beadTokens({ inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4, reasoningTokens: 5 })).toBe(15);
    expect(statusText('in_progress')).toBe('in progress');
    expect(statusText(null)).toBe('unknown');
  });
});

describe('the rules form', () => {
  const rules = {
    spendRate: { enabled: true, microdollars: 5_000_000, windowMinutes: 10 },
    noProgress: { enabled: false, minutes: 30, minMicrodollars: 500_000 },
    beadBudgetMicrodollars: null,
  };
  it('round-trips the settings', () => {
    expect(formToRules(rulesToForm(rules))).toEqual({ ok: true, rules });
    const withBudget = { ...rules, beadBudgetMicrodollars: 20_000_000 };
    expect(formToRules(rulesToForm(withBudget))).toEqual({ ok: true, rules: withBudget });
  });
  it('names the first field that is wrong', () => {
    const form: RulesForm = rulesToForm(rules);
    expect(formToRules({ ...form, spendRateUsd: '0' })).toMatchObject({ ok: false, field: 'spendRateUsd' });
    expect(formToRules({ ...form, spendRateWindowMinutes: '0' })).toMatchObject({ ok: false, field: 'spendRateWindowMinutes' });
    expect(formToRules({ ...form, noProgressMinutes: '1441' })).toMatchObject({ ok: false, field: 'noProgressMinutes' });
    expect(formToRules({ ...form, noProgressMinutes: '2.5' })).toMatchObject({ ok: false, field: 'noProgressMinutes' });
    expect(formToRules({ ...form, noProgressMinUsd: 'lots' })).toMatchObject({ ok: false, field: 'noProgressMinUsd' });
    expect(formToRules({ ...form, beadBudgetUsd: '0' })).toMatchObject({ ok: false, field: 'beadBudgetUsd' });
    expect(formToRules({ ...form, beadBudgetUsd: '1000000.000001' })).toMatchObject({ ok: false, field: 'beadBudgetUsd' });
    expect(formToRules({ ...form, beadBudgetUsd: '1000000' })).toMatchObject({ ok: true });
    expect(formToRules({ ...form, beadBudgetUsd: '  ' })).toMatchObject({ ok: true, rules: { beadBudgetMicrodollars: null } });
  });
});

describe('spendShares', () => {
  const stats = (total: number, noBead: number, neverClosedShare: number) => ({
    closedBeads: 0,
    costPerClosedBead: { median: null, p90: null },
    tokensPerLine: null,
    neverClosedShare,
    noBeadCostMicrodollars: noBead,
    totalCostMicrodollars: total,
  });
  it('is null where there was nothing to share, never 0 % of nothing', () => {
    expect(spendShares(stats(0, 0, 0))).toEqual({ neverClosed: null, noBead: null, onBeads: 0 });
    // All of it on no bead: none on beads to be never closed.
    expect(spendShares(stats(500, 500, 0))).toEqual({ neverClosed: null, noBead: 1, onBeads: 0 });
    expect(spendShares(stats(1000, 250, 0.5))).toEqual({ neverClosed: 0.5, noBead: 0.25, onBeads: 750 });
    expect(spendShares(stats(1000, 0, 0))).toEqual({ neverClosed: 0, noBead: 0, onBeads: 1000 });
  });
});
