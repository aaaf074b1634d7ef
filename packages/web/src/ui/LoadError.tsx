import { loadErrorTone } from '../lib/busy.js';

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
