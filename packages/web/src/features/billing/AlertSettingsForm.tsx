import { type FormEvent, useEffect, useId, useState } from 'react';
import { fetchAlertSettings, saveAlertSettings } from '../../api/billing.js';
import { parseUsd, usdText } from '../../lib/usd-input.js';
import { useQuery } from '../../lib/use-query.js';
import { invalidIf, OutcomeLine, useAction } from '../../ui/action.js';
import { LoadError } from '../../ui/LoadError.js';

/**
 * An account's low-balance line and alert webhook (billing.alertSettings / setAlertSettings; owners, admins and
 * billing managers). A blank webhook removes it. The server checks the URL (scheme, private addresses).
 */
export function AlertSettingsForm({ account }: { account: string | null }) {
  const saved = useQuery(`alert-settings:${account ?? ''}`, (signal) => fetchAlertSettings(account, signal));
  const [low, setLow] = useState<string | null>(null);
  const [webhook, setWebhook] = useState('');
  const { outcome, act, set } = useAction();
  const id = useId();

  // The form starts from what is saved, once; a refetch never overwrites what the user is typing.
  useEffect(() => {
    if (saved.data && low === null) {
      setLow(usdText(saved.data.lowBalanceMicrodollars));
      setWebhook(saved.data.webhookUrl ?? '');
    }
  }, [saved.data, low]);

  if (saved.error && low === null) return <LoadError what="the alert settings" error={saved.error} />;
  // While the settings load, the same form, empty and disabled: it takes the room it will take.
  const loading = low === null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (low === null) return;
    const lowBalanceMicrodollars = parseUsd(low);
    if (lowBalanceMicrodollars === null)
      return set({ kind: 'error', field: 'low', text: 'The low-balance line is a dollar amount, like 25 or 12.50.' });
    const webhookUrl = webhook.trim() === '' ? null : webhook.trim();
    if (webhookUrl !== null && !isHttpUrl(webhookUrl))
      return set({ kind: 'error', field: 'webhook', text: 'The webhook is an http:// or https:// URL, or blank for none.' });
    // The server checks the rest of the webhook (length, private addresses): its refusal names that field.
    await act(async () => {
      await saveAlertSettings(account, { lowBalanceMicrodollars, webhookUrl });
      saved.refetch();
      return 'Saved.';
    }, 'webhook');
  };
  return (
    <form className="alert-settings" onSubmit={submit} noValidate aria-label="Alert settings" aria-busy={loading}>
      {loading && <p className="visually-hidden">Loading alert settings…</p>}
      <label htmlFor={`${id}-low`}>Low balance below, dollars</label>
      <input
        id={`${id}-low`}
        value={low ?? ''}
        disabled={loading}
        inputMode="decimal"
        aria-invalid={invalidIf(outcome, 'low')}
        onChange={(e) => {
          setLow(e.target.value);
          set({ kind: 'idle' });
        }}
      />
      <label htmlFor={`${id}-webhook`}>Alert webhook (optional)</label>
      <input
        id={`${id}-webhook`}
        type="url"
        value={webhook}
        disabled={loading}
        placeholder="https://…"
        maxLength={2000}
        aria-invalid={invalidIf(outcome, 'webhook')}
        onChange={(e) => {
          setWebhook(e.target.value);
          set({ kind: 'idle' });
        }}
      />
      <button type="submit" disabled={loading || outcome.kind === 'busy'}>
        Save alerts
      </button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

/** What the server takes as a webhook's scheme (it checks the rest: length, private addresses). */
function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
