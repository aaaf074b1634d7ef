import { loadErrorTone } from '../lib/busy.js';

/**
 * "Could not refresh WHAT (why): what is shown may be out of date" — for a refresh that failed while the
 * last answer stays on screen (the page asks again by itself). A status, not an alert: it comes and goes
 * with the server.
 */
export function RefreshError({ what, error }: { what: string; error: Error }) {
  return (
    <p className={`banner ${loadErrorTone(error)}`} role="status">
      Could not refresh {what} ({error.message}): what is shown may be out of date.
    </p>
  );
}

/**
 * "Could not load WHAT: why" — red, or amber while the server sheds reads (the page retries by itself).
 * `alert`: announce it at once (a failure the user did not ask about); a busy server is a status.
 */
export function LoadError({ what, error, alert = false }: { what: string; error: Error; alert?: boolean }) {
  const tone = loadErrorTone(error);
  const role = tone === 'warn' ? 'status' : alert ? 'alert' : undefined;
  return (
    <p className={`banner ${tone}`} role={role}>
      Could not load {what}: {error.message}
    </p>
  );
}
