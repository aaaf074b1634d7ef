import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { type BudgetPeriod, fetchBudget, saveBudget } from '../../api/budget.js';
import { isHidden } from '../../api/trpc.js';
import { parseUsd, usdText } from '../../lib/usd-input.js';
import { useNow } from '../../lib/use-now.js';
import { useQuery } from '../../lib/use-query.js';
import { invalidIf, OutcomeLine, useAction } from '../../ui/action.js';
import { LoadError } from '../../ui/LoadError.js';
import { budgetLine } from '../overview/budget.js';
import './budget.css';

const PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month'];
const LOCAL_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;
/** How often the spend so far is read again while the tab is open. */
const SPENT_REFETCH_MS = 15_000;

interface Form {
  period: BudgetPeriod;
  /** Dollars as typed; blank: no cap. */
  cap: string;
  tz: string;
}

/**
 * The town's spending cap per day, week or month in a time zone's calendar (towns.setBudget; owners and admins).
 * Crossing 80 % and 100 % alerts the paying account; ingest never stops for a budget. A blank cap removes it.
 */
export function BudgetForm({ townId }: { townId: string }) {
  // Refetched now and then: the spend so far, shown beside the form, moves while the page is open.
  const saved = useQuery(`budget:${townId}`, (signal) => fetchBudget(townId, signal), { refetchMs: SPENT_REFETCH_MS });
  const now = useNow(SPENT_REFETCH_MS);
  const [form, setForm] = useState<Form | null>(null);
  const { outcome, act, set: setOutcome } = useAction();
  const id = useId();

  // The form starts from what is saved, once; a refetch never overwrites what the user is typing.
  useEffect(() => {
    if (saved.data !== undefined && form === null) {
      const b = saved.data;
      setForm(b ? { period: b.period, cap: usdText(b.capMicrodollars), tz: b.tz } : { period: 'month', cap: '', tz: LOCAL_TZ });
    }
  }, [saved.data, form]);

  let body: ReactNode;
  if (saved.error && !form) body = <LoadError what="the budget" error={saved.error} />;
  else {
    // While the budget loads, the same form, empty and disabled: it takes the room it will take.
    const loading = form === null;
    const shown = form ?? { period: 'month', cap: '', tz: '' };
    const set = (patch: Partial<Form>) => {
      if (!form) return;
      setForm({ ...form, ...patch });
      setOutcome({ kind: 'idle' });
    };
    const submit = async (e: FormEvent) => {
      e.preventDefault();
      if (!form) return;
      const cap = form.cap.trim() === '' ? null : parseUsd(form.cap);
      if (cap === 0 || (cap === null && form.cap.trim() !== ''))
        return setOutcome({
          kind: 'error',
          field: 'cap',
          text: 'The cap is a dollar amount above 0, like 50 or 12.50; blank for none.',
        });
      await act(async () => {
        try {
          await saveBudget(townId, form.period, cap, form.tz.trim() || 'UTC');
        } catch (err) {
          throw isHidden(err) ? new Error('Your role may not change this town’s budget.', { cause: err }) : err;
        }
        saved.refetch();
        return 'Saved.';
      });
    };
    body = (
      <form className="budget-form" onSubmit={submit} noValidate aria-label="Budget" aria-busy={loading}>
        {loading && <p className="visually-hidden">Loading the budget…</p>}
        <span className="field">
          <label htmlFor={`${id}-cap`}>Cap, dollars</label>
          <input
            id={`${id}-cap`}
            value={shown.cap}
            disabled={loading}
            inputMode="decimal"
            placeholder="none"
            aria-invalid={invalidIf(outcome, 'cap')}
            onChange={(e) => set({ cap: e.target.value })}
          />
        </span>
        <span className="field">
          <label htmlFor={`${id}-period`}>per</label>
          <select
            id={`${id}-period`}
            value={shown.period}
            disabled={loading}
            onChange={(e) => set({ period: e.target.value as BudgetPeriod })}
          >
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </span>
        <span className="field">
          <label htmlFor={`${id}-tz`}>in the calendar of</label>
          <input
            id={`${id}-tz`}
            value={shown.tz}
            disabled={loading}
            maxLength={64}
            onChange={(e) => set({ tz: e.target.value })}
          />
        </span>
        <button type="submit" disabled={loading || outcome.kind === 'busy'}>
          Save budget
        </button>
        <OutcomeLine outcome={outcome} />
      </form>
    );
  }
  // The saved budget's period so far, as the Overview's budget line says it: "$4.10 of $5.00 this week (82 %)".
  let spent: ReactNode = null;
  if (saved.data) {
    const line = budgetLine(saved.data, now, LOCAL_TZ);
    spent = (
      <p className={`budget-spent tone-${line.tone}`} data-budget-spent>
        <span>Spent so far: {line.spent}</span>
        {line.flag && <span className="badge budget-flag">{line.flag}</span>}
        <span className="muted small">{line.detail}</span>
      </p>
    );
  }
  return (
    <section className="town-budget" aria-labelledby="budget-title">
      <h2 id="budget-title">Budget</h2>
      <p className="muted">
        A spending cap for this town per day, week or month. Crossing 80 % and 100 % of it alerts the account that pays (see
        Billing); agents are never stopped and no usage is dropped. Leave the cap blank for none.
      </p>
      {spent}
      {body}
    </section>
  );
}
