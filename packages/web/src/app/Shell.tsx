import type { ReactNode } from 'react';
import type { SessionUser } from '../features/auth/session.js';
import { Logo } from '../ui/Logo.js';
import { Link, useLocation } from './router.js';
import { BILLING_PATH, ORGS_PATH } from './routes.js';
import type { ThemeChoice } from './theme.js';

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_LABEL: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

/** Header (brand, user, theme, sign out) around every signed-in page. */
export function Shell(props: {
  user: SessionUser | undefined;
  themeChoice: ThemeChoice;
  onTheme(c: ThemeChoice): void;
  children: ReactNode;
}) {
  const { user, themeChoice, onTheme, children } = props;
  const { path } = useLocation();
  const current = (to: string) => (path === to || path === `${to}/` ? ('page' as const) : undefined);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <Logo /> Gas Gauge
        </Link>
        <nav className="main-nav" aria-label="Main">
          <Link to="/" aria-current={current('/')}>
            Towns
          </Link>
          <Link to={BILLING_PATH} aria-current={current(BILLING_PATH)}>
            Billing
          </Link>
          <Link to={ORGS_PATH} aria-current={current(ORGS_PATH)}>
            Organisations
          </Link>
        </nav>
        <div className="topbar-right">
          <button type="button" className="ghost" onClick={() => onTheme(NEXT_THEME[themeChoice])} title="Switch theme">
            {THEME_LABEL[themeChoice]}
          </button>
          <span className="muted user-name" title={user?.name}>
            {user?.name}
          </span>
          {/* A form post, so sign-out works without script and carries the page's Origin. */}
          <form method="post" action="/auth/logout">
            <button type="submit" className="ghost">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main id="main" className="page">
        {children}
      </main>
    </>
  );
}
