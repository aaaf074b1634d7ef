/** The Beads tab's pure parts: the URL's choices, a row's totals, the runaway-rules form. Tested without a browser. */
import type { BeadRow, BeadSort, BeadStats, BeadStatusFilter, RunawayRulesSettings } from '../../api/beads.js';
import { parseUsd, usdText } from '../../lib/usd-input.js';

export const SORTS: readonly { key: BeadSort; label: string }[] = [
  { key: 'cost', label: 'Cost' },
  { key: 'tokens', label: 'Tokens' },
  { key: 'duration', label: 'Duration' },
  { key: 'closedAt', label: 'Closed' },
];
/** The bead statuses beads.list filters on (core's BEAD_STATUSES). */
export const STATUSES: readonly BeadStatusFilter[] = ['open', 'in_progress', 'in_review', 'blocked', 'closed', 'failed'];

/** The list's sort and status filter from the page's query; anything unknown is the default (cost, every status). */
export function parseBeadsQuery(search: string): { sort: BeadSort; status: BeadStatusFilter | null } {
  const q = new URLSearchParams(search);
  const sort = SORTS.find((s) => s.key === q.get('sort'))?.key ?? 'cost';
  const status = STATUSES.find((s) => s === q.get('status')) ?? null;
  return { sort, status };
}

/** `search` with `key` set to `value`, or removed when `value` is null (the default). */
export function withParam(search: string, key: string, value: string | null): string {
  const q = new URLSearchParams(search);
  if (value === null) q.delete(key);
  else q.set(key, value);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** in_progress → in progress. */
export function statusText(status: string | null): string {
  return status === null ? 'unknown' : status.replaceAll('_', ' ');
}

/** All five token kinds of a bead. */
export function beadTokens(
  b: Pick<BeadRow, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'reasoningTokens'>,
): number {
  return b.inputTokens + b.outputTokens + b.cacheReadTokens + b.cacheWriteTokens + b.reasoningTokens;
}

/** The runaway-rules form as typed: dollars and minutes as text, a blank budget for none. */
export interface RulesForm {
  spendRateEnabled: boolean;
  spendRateUsd: string;
  spendRateWindowMinutes: string;
  noProgressEnabled: boolean;
  noProgressMinutes: string;
  noProgressMinUsd: string;
  beadBudgetUsd: string;
}

export function rulesToForm(r: RunawayRulesSettings): RulesForm {
  return {
    spendRateEnabled: r.spendRate.enabled,
    spendRateUsd: usdText(r.spendRate.microdollars),
    spendRateWindowMinutes: String(r.spendRate.windowMinutes),
    noProgressEnabled: r.noProgress.enabled,
    noProgressMinutes: String(r.noProgress.minutes),
    noProgressMinUsd: usdText(r.noProgress.minMicrodollars),
    beadBudgetUsd: r.beadBudgetMicrodollars === null ? '' : usdText(r.beadBudgetMicrodollars),
  };
}

/** Minutes a rule may look back or wait: a minute to a day (towns.setRunawayRules). */
export const RULE_MINUTES = { min: 1, max: 1440 } as const;
/** The largest amount a rule takes: $1M (towns.setRunawayRules). */
export const RULE_MAX_MICRODOLLARS = 1_000_000_000_000;

/**
 * The settings the form says, or the first field that is not valid (its input's name, and why).
 * The server checks again and has the last word; this only saves a round trip for a typo.
 */
export function formToRules(
  f: RulesForm,
): { ok: true; rules: RunawayRulesSettings } | { ok: false; field: keyof RulesForm; message: string } {
  const usd = (field: keyof RulesForm, positive: boolean) => {
    const v = parseUsd(f[field] as string);
    if (v === null) return { field, message: 'Enter a dollar amount, like 5 or 0.25 (at most six decimals).' };
    if (positive && v === 0) return { field, message: 'Enter an amount above $0.' };
    if (v > RULE_MAX_MICRODOLLARS) return { field, message: 'Enter at most $1,000,000.' };
    return v;
  };
  const minutes = (field: keyof RulesForm) => {
    const text = (f[field] as string).trim();
    const v = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
    if (!(v >= RULE_MINUTES.min && v <= RULE_MINUTES.max)) {
      return { field, message: `Enter whole minutes from ${RULE_MINUTES.min} to ${RULE_MINUTES.max}.` };
    }
    return v;
  };
  const spend = usd('spendRateUsd', true);
  if (typeof spend !== 'number') return { ok: false, ...spend };
  const window = minutes('spendRateWindowMinutes');
  if (typeof window !== 'number') return { ok: false, ...window };
  const idle = minutes('noProgressMinutes');
  if (typeof idle !== 'number') return { ok: false, ...idle };
  const min = usd('noProgressMinUsd', false);
  if (typeof min !== 'number') return { ok: false, ...min };
  let budget: number | null = null;
  if (f.beadBudgetUsd.trim() !== '') {
    const b = usd('beadBudgetUsd', true);
    if (typeof b !== 'number') return { ok: false, ...b };
    budget = b;
  }
  return {
    ok: true,
    rules: {
      spendRate: { enabled: f.spendRateEnabled, microdollars: spend, windowMinutes: window },
      noProgress: { enabled: f.noProgressEnabled, minutes: idle, minMicrodollars: min },
      beadBudgetMicrodollars: budget,
    },
  };
}

/**
 * The two shares of the range's spend the summary shows (the never-closed one of the spend on beads, `onBeads`,
 * microdollars; the no-bead one of all of it), or null where there was nothing to share: "0 %" of
 * nothing read as a finding (no spend on beads at all, said as none of it on beads never closed).
 */
export function spendShares(stats: BeadStats): { neverClosed: number | null; noBead: number | null; onBeads: number } {
  const onBeads = stats.totalCostMicrodollars - stats.noBeadCostMicrodollars;
  return {
    neverClosed: onBeads > 0 ? stats.neverClosedShare : null,
    noBead: stats.totalCostMicrodollars > 0 ? stats.noBeadCostMicrodollars / stats.totalCostMicrodollars : null,
    onBeads,
  };
}
