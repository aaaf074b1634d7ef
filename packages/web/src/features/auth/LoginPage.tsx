import { useLocation } from '../../app/router.js';
import { Logo } from '../../ui/Logo.js';
import { loginError } from './session.js';
import './login.css';

/**
 * A plain HTML form that posts to the server: the token goes from the input to /auth/login, which
 * sets an HttpOnly cookie and redirects. No script reads or stores the token.
 */
export function LoginPage() {
  const { search } = useLocation();
  const q = new URLSearchParams(search);
  const error = loginError(q.get('error'));
  const next = q.get('next') ?? '/';
  return (
    <main className="login">
      <form className="login-card card" method="post" action="/auth/login">
        <div className="brand brand-large">
          <Logo /> Gas Gauge
        </div>
        <h1>Sign in</h1>
        {error && (
          <p className="banner danger" role="alert">
            {error}
          </p>
        )}
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} placeholder="ggu_…" required />
        <input type="hidden" name="next" value={next} />
        <button type="submit" className="primary">
          Sign in
        </button>
        <p className="muted small">
          Or, where <code>gasgauge serve</code> runs, run <code>gasgauge login-link --user admin</code> and open the one-time link
          it prints. A new token: <code>gasgauge user token admin</code>. On Cloudflare Workers (no CLI there), the admin's token
          is the Worker's <code>GASGAUGE_ADMIN_TOKEN</code>; other users' come from <code>users.mintToken</code>.
        </p>
      </form>
    </main>
  );
}
