import { type FormEvent, useEffect, useId, useState } from 'react';
import { fetchAlertSettings, saveAlertSettings } from '../../api/billing.js';
import { errorMessage, isUnauthorized } from '../../api/trpc.js';
import { parseUsd, usdText } from '../../lib/usd-input.js';
import { redirectToLogin, useQuery } from '../../lib/use-query.js';
import { LoadError } from '../../ui/LoadError.js';

type Status = { kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; field?: 'low' | 'webhook'; message: string };

/**
 * An account's low-balance line and alert webhook (billing.alertSettings / setAlertSettings; owners, admins and
 * billing managers). A blank webhook removes it. The server checks the URL (scheme, private addresses).
 */
export function AlertSettingsForm({ account }: { account: string | null }) {
  const saved = useQuery(`alert-settings:${account ?? ''}`, (signal) => fetchAlertSettings(account, signal));
  const [low, setLow] = useState<string | null>(null);
  const [webhook, setWebhook] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const id = useId();

  // The form starts from what is saved, once; a refetch never overwrites what the user is typing.
  useEffect(() => {
    if (saved.data && low === null) {
      setLow(usdText(saved.data.lowBalanceMicrodollars));
      setWebhook(saved.data.webhookUrl ?? '');
    }
  }, [saved.data, low]);

  if (saved.error && low === null) return <LoadError what="the alert settings" error={saved.error} />;
  if (low === null) return <p className="muted small">Loading alert settings…</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const lowBalanceMicrodollars = parseUsd(low);
    if (lowBalanceMicrodollars === null) {
      setStatus({ kind: 'error', field: 'low', message: 'The low-balance line is a dollar amount, like 25 or 12.50.' });
      return;
    }
    const webhookUrl = webhook.trim() === '' ? null : webhook.trim();
    if (webhookUrl !== null && !isHttpUrl(webhookUrl)) {
      setStatus({ kind: 'error', field: 'webhook', message: 'The webhook is an http:// or https:// URL, or blank for none.' });
      return;
    }
    setStatus({ kind: 'saving' });
    try {
      await saveAlertSettings(account, { lowBalanceMicrodollars, webhookUrl });
      setStatus({ kind: 'saved' });
      saved.refetch();
    } catch (err) {
      if (isUnauthorized(err)) return redirectToLogin();
      setStatus({ kind: 'error', field: 'webhook', message: errorMessage(err) });
    }
  };
  const invalid = (field: 'low' | 'webhook') => (status.kind === 'error' && status.field === field ? true : undefined);
  return (
    <form className="alert-settings" onSubmit={submit} noValidate aria-label="Alert settings">
      <label htmlFor={`${id}-low`}>Low balance below, dollars</label>
      <input
        id={`${id}-low`}
        value={low}
        inputMode="decimal"
        aria-invalid={invalid('low')}
        onChange={(e) => {
          setLow(e.target.value);
          setStatus({ kind: 'idle' });
        }}
      />
      <label htmlFor={`${id}-webhook`}>Alert webhook (optional)</label>
      <input
        id={`${id}-webhook`}
        type="url"
        value={webhook}
        placeholder="https://…"
        maxLength={2000}
        aria-invalid={invalid('webhook')}
        onChange={(e) => {
          setWebhook(e.target.value);
          setStatus({ kind: 'idle' });
        }}
      />
      <button type="submit" disabled={status.kind === 'saving'}>
        Save alerts
      </button>
      {status.kind === 'saved' && (
        <p role="status" className="muted small">
          Saved.
        </p>
      )}
      {status.kind === 'error' && (
        <p role="alert" className="error-text">
          {status.message}
        </p>
      )}
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
