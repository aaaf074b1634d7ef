import { type ReactNode, useEffect } from 'react';
import { LoginPage } from '../features/auth/LoginPage.js';
import { useSession } from '../features/auth/session.js';
import { BeadPage } from '../features/beads/BeadPage.js';
import { BeadsPage } from '../features/beads/BeadsPage.js';
import { BillingPage } from '../features/billing/BillingPage.js';
import { ObservabilityPage } from '../features/observability/ObservabilityPage.js';
import { OrgsPage } from '../features/orgs/OrgsPage.js';
import { OverviewPage } from '../features/overview/OverviewPage.js';
import { TownGate } from '../features/towns/TownGate.js';
import { TownSettingsPage } from '../features/towns/TownSettingsPage.js';
import { TownsPage } from '../features/towns/TownsPage.js';
import { redirectToLogin } from '../lib/use-query.js';
import { Link, useLocation } from './router.js';
import { matchRoute } from './routes.js';
import { Shell } from './Shell.js';
import { useTheme } from './theme.js';

export function App() {
  const { path, search } = useLocation();
  const route = matchRoute(path, search);
  // The login page needs no session check (and a 401 in the console there would only confuse).
  const session = useSession(route.page !== 'login');
  const { choice, theme, setChoice } = useTheme();
  const signedOut = session.status === 'signedOut' && route.page !== 'login';

  useEffect(() => {
    if (signedOut) redirectToLogin();
  }, [signedOut]);

  if (route.page === 'login') return <LoginPage />;
  if (session.status === 'signedOut') return <p className="muted page-loading">Loading…</p>;
  // While /auth/me answers, the page already renders and fetches (with the same cookie): no waterfall.
  // Only a 401 from /auth/me is signed out; while the server is unreachable the page stays, with a banner.
  const user = session.status === 'signedIn' ? session.user : undefined;

  let page: ReactNode;
  switch (route.page) {
    case 'towns':
      page = <TownsPage theme={theme} userName={user?.name ?? 'USER'} />;
      break;
    case 'billing':
      page = <BillingPage userName={user?.name} />;
      break;
    case 'orgs':
      page = <OrgsPage userName={user?.name} />;
      break;
    case 'overview':
      page = (
        <TownGate townId={route.townId}>
          <OverviewPage key={route.townId} townId={route.townId} />
        </TownGate>
      );
      break;
    case 'observability':
      page = (
        <TownGate townId={route.townId}>
          <ObservabilityPage key={route.townId} townId={route.townId} theme={theme} />
        </TownGate>
      );
      break;
    case 'beads':
      page = (
        <TownGate townId={route.townId}>
          <BeadsPage key={route.townId} townId={route.townId} />
        </TownGate>
      );
      break;
    case 'settings':
      page = (
        <TownGate townId={route.townId}>
          <TownSettingsPage key={route.townId} townId={route.townId} />
        </TownGate>
      );
      break;
    case 'bead':
      page = (
        <TownGate townId={route.townId}>
          <BeadPage key={`${route.townId}:${route.beadId}`} townId={route.townId} beadId={route.beadId} theme={theme} />
        </TownGate>
      );
      break;
    default:
      page = (
        <section className="empty">
          <h1>Page not found</h1>
          <p>
            <Link to="/">Go to your towns</Link>
          </p>
        </section>
      );
  }
  return (
    <Shell user={user} themeChoice={choice} onTheme={setChoice}>
      {session.status === 'unreachable' && (
        <p className="banner warn session-unreachable" role="status">
          Server unreachable ({session.reason}) — retrying…
        </p>
      )}
      {page}
    </Shell>
  );
}
