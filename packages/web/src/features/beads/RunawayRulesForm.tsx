import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { fetchRunawayRules, type RunawayEpisode, saveRunawayRules } from '../../api/beads.js';
import { errorMessage, isHidden, isUnauthorized } from '../../api/trpc.js';
import { Link } from '../../app/router.js';
import { beadPath } from '../../app/routes.js';
import { formatTime } from '../../lib/format.js';
import { redirectToLogin, useQuery } from '../../lib/use-query.js';
import { LoadError } from '../../ui/LoadError.js';
import { formToRules, RULE_MINUTES, type RulesForm, rulesToForm } from './beads-text.js';

type Status =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'error'; field?: keyof RulesForm; message: string };

/**
 * The town's runaway rules (towns.getRunawayRules / setRunawayRules): a spend-rate cap per agent, a
 * "spending without progress" rule, and a per-bead budget. Each raises one alert per episode.
 */
export function RunawayRulesForm({ townId }: { townId: string }) {
  const saved = useQuery(`rules:${townId}`, (signal) => fetchRunawayRules(townId, signal));
  const [form, setForm] = useState<RulesForm | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();

  // The form starts from what is saved, once; a refetch never overwrites what the user is typing.
  useEffect(() => {
    if (saved.data && form === null) setForm(rulesToForm(saved.data));
  }, [saved.data, form]);

  const field = (name: keyof RulesForm) => ({
    id: `${id}-${name}`,
    name,
    'aria-invalid': status.kind === 'error' && status.field === name ? true : undefined,
    'aria-describedby': status.kind === 'error' && status.field === name ? `${id}-error` : undefined,
  });
  const set = (name: keyof RulesForm, value: string | boolean) => {
    if (form) setForm({ ...form, [name]: value });
    if (status.kind !== 'saving') setStatus({ kind: 'idle' });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    const parsed = formToRules(form);
    if (!parsed.ok) {
      setStatus({ kind: 'error', field: parsed.field, message: parsed.message });
      formRef.current?.querySelector<HTMLInputElement>(`[name="${parsed.field}"]`)?.focus();
      return;
    }
    setStatus({ kind: 'saving' });
    try {
      await saveRunawayRules({ townId, ...parsed.rules });
      setStatus({ kind: 'saved' });
      saved.refetch();
    } catch (err) {
      if (isUnauthorized(err)) return redirectToLogin();
      setStatus({ kind: 'error', message: isHidden(err) ? 'Your role may not change this town’s rules.' : errorMessage(err) });
    }
  };

  let body: ReactNode;
  if (saved.error && isHidden(saved.error)) body = <p className="muted">Rules hidden: your role may not read them.</p>;
  else if (saved.error && !form) body = <LoadError what="the rules" error={saved.error} />;
  else if (!form) body = <p className="muted">Loading rules…</p>;
  else
    body = (
      <form ref={formRef} className="rules-form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>Spend rate</legend>
          <label className="check">
            <input type="checkbox" checked={form.spendRateEnabled} onChange={(e) => set('spendRateEnabled', e.target.checked)} />
            Flag an agent that spends more than the limit within the window
          </label>
          <span className="rule-line">
            <span className="field">
              <label htmlFor={`${id}-spendRateUsd`}>Limit, dollars</label>
              <input
                {...field('spendRateUsd')}
                inputMode="decimal"
                value={form.spendRateUsd}
                onChange={(e) => set('spendRateUsd', e.target.value)}
              />
            </span>
            <span className="field">
              <label htmlFor={`${id}-spendRateWindowMinutes`}>Window, minutes</label>
              <input
                {...field('spendRateWindowMinutes')}
                inputMode="numeric"
                value={form.spendRateWindowMinutes}
                onChange={(e) => set('spendRateWindowMinutes', e.target.value)}
              />
            </span>
          </span>
        </fieldset>
        <fieldset>
          <legend>Spending without progress</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={form.noProgressEnabled}
              onChange={(e) => set('noProgressEnabled', e.target.checked)}
            />
            Flag an agent whose lines of code and bead status have not changed while it spends
          </label>
          <span className="rule-line">
            <span className="field">
              <label htmlFor={`${id}-noProgressMinutes`}>For, minutes</label>
              <input
                {...field('noProgressMinutes')}
                inputMode="numeric"
                value={form.noProgressMinutes}
                onChange={(e) => set('noProgressMinutes', e.target.value)}
              />
            </span>
            <span className="field">
              <label htmlFor={`${id}-noProgressMinUsd`}>Spent at least, dollars</label>
              <input
                {...field('noProgressMinUsd')}
                inputMode="decimal"
                value={form.noProgressMinUsd}
                onChange={(e) => set('noProgressMinUsd', e.target.value)}
              />
            </span>
          </span>
        </fieldset>
        <fieldset>
          <legend>Budget per bead</legend>
          <span className="rule-line">
            <span className="field">
              <label htmlFor={`${id}-beadBudgetUsd`}>Cap, dollars (alerts at 80 % and 100 %; blank: none)</label>
              <input
                {...field('beadBudgetUsd')}
                inputMode="decimal"
                value={form.beadBudgetUsd}
                onChange={(e) => set('beadBudgetUsd', e.target.value)}
              />
            </span>
          </span>
        </fieldset>
        <div className="rules-actions">
          <button type="submit" className="primary" disabled={status.kind === 'saving'}>
            Save rules
          </button>
          <span role="status">{status.kind === 'saved' ? 'Saved.' : status.kind === 'saving' ? 'Saving…' : ''}</span>
          {status.kind === 'error' && (
            <span id={`${id}-error`} role="alert" className="error-text">
              {status.message}
            </span>
          )}
        </div>
        <p className="muted small">
          Minutes from {RULE_MINUTES.min} to {RULE_MINUTES.max}, amounts up to $1,000,000. Each rule raises one alert per episode
          (listed on the Billing page and sent to the account’s webhook) and an event in the feed; a rule never stops ingest.
        </p>
      </form>
    );

  return (
    <section className="card runaway-rules" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Runaway rules</h2>
      {saved.data && <Episodes townId={townId} episodes={saved.data.episodes} />}
      {body}
    </section>
  );
}

const RULE_TEXT: Record<RunawayEpisode['rule'], string> = {
  spendRate: 'spend rate',
  noProgress: 'spending without progress',
  beadBudget: 'bead budget',
};

/** The agents and beads a rule flags now: each episode ends (and the rule re-arms) when its condition clears. */
function Episodes({ townId, episodes }: { townId: string; episodes: readonly RunawayEpisode[] }) {
  if (episodes.length === 0) return <p className="muted">Nothing is flagged now.</p>;
  return (
    <ul className="episodes">
      {episodes.map((e) => (
        <li key={`${e.rule}:${e.subject}`}>
          <span className="badge runaway-flag">{RULE_TEXT[e.rule]}</span>{' '}
          {e.rule === 'beadBudget' ? (
            <>
              <Link to={beadPath(townId, e.subject)}>
                <bdi>{e.subject}</bdi>
              </Link>{' '}
              at {e.level} % of its budget
            </>
          ) : (
            <bdi>{e.subject}</bdi>
          )}{' '}
          <span className="muted">since {formatTime(e.since, 1000)}</span>
        </li>
      ))}
    </ul>
  );
}
