import { useState } from 'react';
import { errorMessage, isUnauthorized } from '../api/trpc.js';
import { redirectToLogin } from '../lib/use-query.js';

/**
 * A form's or button's mutation as the page shows it: idle, running, done (a status line saying what
 * happened) or refused (an alert with the server's or the form's own message, and the field it names).
 */
export type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; text: string }
  | { kind: 'error'; text: string; field?: string };

/** The outcome under its form or button: `role="status"` when done, `role="alert"` when refused. */
export function OutcomeLine({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'error')
    return (
      <p role="alert" className="error-text">
        {outcome.text}
      </p>
    );
  if (outcome.kind === 'done')
    return (
      <p role="status" className="muted small">
        {outcome.text}
      </p>
    );
  return null;
}

/**
 * Runs a mutation with its outcome shown: `run` resolves to what to say when done; a refusal is its message
 * (on `field`, when given). A signed-out session goes to the login page. `set` shows an outcome the form
 * decides itself (a field it checked before sending).
 */
export function useAction(): {
  outcome: Outcome;
  act: (run: () => Promise<string>, field?: string) => Promise<void>;
  set: (outcome: Outcome) => void;
} {
  const [outcome, set] = useState<Outcome>({ kind: 'idle' });
  const act = async (run: () => Promise<string>, field?: string) => {
    set({ kind: 'busy' });
    try {
      set({ kind: 'done', text: await run() });
    } catch (err) {
      if (isUnauthorized(err)) return redirectToLogin();
      set({ kind: 'error', text: errorMessage(err), ...(field ? { field } : {}) });
    }
  };
  return { outcome, act, set };
}

/** `aria-invalid` for a field the outcome names. */
export function invalidIf(outcome: Outcome, field: string): true | undefined {
  return outcome.kind === 'error' && outcome.field === field ? true : undefined;
}
