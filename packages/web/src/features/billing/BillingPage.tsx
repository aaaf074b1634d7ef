import { type ReactNode, useEffect, useId, useMemo, useState } from 'react';
import { fetchAlerts, fetchLedger } from '../../api/billing.js';
import { fetchOrgs, type OrgRole } from '../../api/orgs.js';
import { errorMessage, isHidden, isUnauthorized } from '../../api/trpc.js';
import { formatMoneyExact, formatMoneySigned, formatStamp, moneyExactPadding } from '../../lib/format.js';
import { useNow } from '../../lib/use-now.js';
import { redirectToLogin, useQuery } from '../../lib/use-query.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { useTowns } from '../towns/use-towns.js';
import { AlertSettingsForm } from './AlertSettingsForm.js';
import {
  ALERT_KIND,
  alertText,
  deliveryText,
  EMPTY_LEDGER,
  type LedgerState,
  mayReadLedger,
  mergeNewest,
  mergeOlder,
  type TankState,
  tankFigures,
  tankFlag,
  tankTone,
} from './billing-text.js';
import { useBalance } from './use-balance.js';
import './billing.css';
import { LoadError, RefreshError } from '../../ui/LoadError.js';
import { roleText } from '../orgs/roles.js';

/** Balances, ledgers and alerts change at most once a minute per town (a debit per town and minute). */
const REFRESH_MS = 15_000;
const LEDGER_PAGE = 20;
const ALERTS_SHOWN = 20;
/** Ledger and alert times to the minute, with the date. */

type TownNames = ReadonlyMap<string, string>;

/** One card per account the user can see: their own, then each organisation's. */
export function BillingPage({ userName }: { userName: string | undefined }) {
  const orgs = useQuery('orgs', fetchOrgs, { refetchMs: 60_000 });
  const towns = useTowns();
  const townNames = useMemo<TownNames>(() => new Map(towns.data?.map((t) => [t.id, t.name])), [towns.data]);
  const now = useNow(5000);
  return (
    <>
      <div className="page-head">
        <h1>Billing</h1>
      </div>
      <p className="muted billing-intro">
        A town spends from the account that owns it: yours for your towns, an organisation's for its towns. Spend is debited once
        a minute per town. Credits are added by the server's operator (<code>gasgauge credits grant</code>; on Cloudflare Workers,
        an admin's <code>billing.grant</code>).
      </p>
      <div className="accounts">
        <AccountCard account={null} title="Personal" subtitle={userName} orgRole={null} townNames={townNames} now={now} />
        {orgs.error && !orgs.data && <LoadError what="your organisations" error={orgs.error} />}
        {orgs.data?.map((o) => (
          <AccountCard key={o.id} account={o.id} title={o.name} orgRole={o.role} townNames={townNames} now={now} />
        ))}
      </div>
    </>
  );
}

function AccountCard(props: {
  /** null: the user's own account. */
  account: string | null;
  title: string;
  subtitle?: string | undefined;
  orgRole: OrgRole | null;
  townNames: TownNames;
  now: number;
}) {
  const { account, title, subtitle, orgRole: role, townNames, now } = props;
  const headingId = useId();
  const tank = useBalance(account, 0, { refetchMs: REFRESH_MS });
  return (
    <section className="card account" aria-labelledby={headingId} data-account={account ?? 'personal'}>
      <header className="account-head">
        <h2 id={headingId}>{title}</h2>
        <span className="badge">{role === null ? 'personal' : roleText(role)}</span>
        {subtitle && (
          <span className="muted small">
            <bdi>{subtitle}</bdi>
          </span>
        )}
      </header>
      <TankFigures state={tank} />
      {mayReadLedger(role) ? (
        <>
          <AlertSettingsForm account={account} />
          <div className="account-lists">
            <Ledger account={account} title={title} townNames={townNames} />
            <Alerts account={account} townNames={townNames} now={now} />
          </div>
        </>
      ) : (
        <p className="muted small">
          Your role ({role === null ? '' : roleText(role)}) sees the balance only: the ledger and alerts are for owners, admins
          and billing managers.
        </p>
      )}
    </section>
  );
}

/** The figures' places while the balance loads: the same list with '…' for each value, so nothing moves when they arrive. */
const PENDING_FIGURES = {
  balanceExact: '…',
  burn: '…',
  burn24h: '…',
  runway: '…',
  threshold: '…',
  rising: false,
  runwayBurn: '',
};

function TankFigures({ state }: { state: TankState }) {
  if (state.status === 'hidden') return <p className="muted">Balance hidden: your role may not see this account.</p>;
  if (state.status === 'error') return <LoadError what="the balance" error={state.error} />;
  const loaded = state.status === 'ok' ? tankFigures(state.tank) : undefined;
  const f = loaded ?? PENDING_FIGURES;
  const flag = loaded && tankFlag(loaded.level);
  return (
    <>
      {state.status === 'ok' && state.stale && <RefreshError what="the balance" error={state.stale} />}
      {!loaded && <p className="visually-hidden">Loading balance…</p>}
      <dl className={`tank tone-${loaded ? tankTone(loaded.level) : 'neutral'}`} aria-busy={!loaded}>
        <div className="tank-balance">
          <dt>Balance</dt>
          <dd>
            {f.balanceExact}
            {flag && <span className="badge tank-flag">{flag}</span>}
          </dd>
        </div>
        <div>
          <dt>Burn, last hour</dt>
          <dd>{f.burn}</dd>
        </div>
        <div>
          <dt>Burn, 24 h average</dt>
          <dd>{f.burn24h}</dd>
        </div>
        <div>
          <dt>Time to empty</dt>
          <dd>
            {f.runway}
            {f.rising && <span className="muted small"> at {f.runwayBurn}, the last 10 minutes' burn</span>}
          </dd>
        </div>
        <div>
          <dt>Low below</dt>
          <dd>{f.threshold}</dd>
        </div>
      </dl>
    </>
  );
}

/** The newest entries, refreshed; "Older" appends the page before the oldest shown. */
function Ledger({ account, title, townNames }: { account: string | null; title: string; townNames: TownNames }) {
  const first = useQuery(`ledger:${account ?? ''}`, (signal) => fetchLedger(account, { limit: LEDGER_PAGE }, signal), {
    refetchMs: REFRESH_MS,
  });
  const [state, setState] = useState<LedgerState>(EMPTY_LEDGER);
  const [older, setOlder] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  useEffect(() => {
    const page = first.data;
    if (page) setState((s) => mergeNewest(s, page));
  }, [first.data]);

  const loadOlder = async () => {
    const before = state.nextCursor;
    if (before === null) return;
    setOlder({ busy: true, error: null });
    try {
      const page = await fetchLedger(account, { limit: LEDGER_PAGE, before });
      // A refresh that started the list again in the meantime has another cursor: this page no longer joins it.
      setState((s) => (s.nextCursor === before ? mergeOlder(s, page) : s));
      setOlder({ busy: false, error: null });
    } catch (err) {
      if (isUnauthorized(err)) return redirectToLogin();
      setOlder({ busy: false, error: errorMessage(err) });
    }
  };

  let body: ReactNode;
  if (first.error && isHidden(first.error)) body = <p className="muted">Ledger hidden: your role may not read it.</p>;
  else if (first.error && !state.loaded) body = <LoadError what="the ledger" error={first.error} />;
  else if (!state.loaded) body = <p className="muted">Loading ledger…</p>;
  else if (state.entries.length === 0) body = <p className="muted">No entries yet: no credits granted, nothing spent.</p>;
  else
    body = (
      <>
        <ScrollRegion className="table-scroll" label={`Ledger of ${title}`}>
          <table className="ledger">
            <caption className="visually-hidden">Ledger of {title}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col" className="ledger-kind">
                  Entry
                </th>
                <th scope="col">Town or note</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col" className="num">
                  Balance after
                </th>
              </tr>
            </thead>
            <tbody>
              {state.entries.map((e) => (
                <tr key={e.seq} data-seq={e.seq}>
                  <td className="ledger-when">
                    <time dateTime={new Date(e.at).toISOString()}>{formatStamp(e.at)}</time>
                  </td>
                  <td className="ledger-kind">
                    <span className={`badge entry-${e.kind}`}>{e.kind}</span>
                  </td>
                  <td className="ledger-what">
                    {e.townId && <span>{townNames.get(e.townId) ?? e.townId}</span>}
                    {e.note && <span className="muted">{e.note}</span>}
                  </td>
                  <td className={`num amount-${e.kind}`}>
                    {formatMoneySigned(e.amountMicrodollars)}
                    <DecimalsPad microdollars={e.amountMicrodollars} />
                  </td>
                  <td className="num">
                    {formatMoneyExact(e.balanceAfterMicrodollars)}
                    <DecimalsPad microdollars={e.balanceAfterMicrodollars} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
        <div className="ledger-more">
          {state.nextCursor !== null ? (
            <button type="button" onClick={loadOlder} disabled={older.busy}>
              {older.busy ? 'Loading…' : 'Older'}
            </button>
          ) : (
            <span className="muted small">
              {state.entries.length === 1 ? 'The only entry.' : 'Every entry is shown, back to the first.'}
            </span>
          )}
          {older.error && (
            <span role="alert" className="error-text">
              {older.error}
            </span>
          )}
        </div>
      </>
    );
  return (
    <div className="ledger-block">
      <h3>Ledger</h3>
      {/* A reporter that delivers past hours has their debits timed before entries made earlier: say why. */}
      <p className="muted small">
        Latest first, in the order made. A debit is timed at the end of the hour its spend is dated in, or now for the hour under
        way.
      </p>
      {first.error && state.loaded && !isHidden(first.error) && <RefreshError what="the ledger" error={first.error} />}
      {body}
    </div>
  );
}

/** Low-balance and budget alerts, newest first, with where their webhook delivery stands. */
function Alerts({ account, townNames, now }: { account: string | null; townNames: TownNames; now: number }) {
  const q = useQuery(`alerts:${account ?? ''}`, (signal) => fetchAlerts(account, ALERTS_SHOWN, signal), {
    refetchMs: REFRESH_MS,
  });
  let body: ReactNode;
  if (q.error && isHidden(q.error)) body = <p className="muted">Alerts hidden: your role may not read them.</p>;
  else if (q.error && !q.data) body = <LoadError what="the alerts" error={q.error} />;
  else if (!q.data) body = <p className="muted">Loading alerts…</p>;
  else if (q.data.length === 0)
    body = (
      <p className="muted">
        No alerts. One is raised when the balance falls below its line or a town crosses 80 % or 100 % of its budget.
      </p>
    );
  else
    body = (
      <ul className="alerts">
        {q.data.map((a) => {
          const d = deliveryText(a, now);
          return (
            <li key={a.id} data-alert={a.id}>
              <span className={`badge alert-${a.kind}`}>{ALERT_KIND[a.kind]}</span>
              <span className="alert-text">{alertText(a, a.townId === null ? undefined : townNames.get(a.townId))}</span>
              <time className="muted small" dateTime={new Date(a.at).toISOString()}>
                {formatStamp(a.at)}
              </time>
              <span className={`badge delivery delivery-${d.tone}`} title={a.lastError ?? undefined}>
                {d.text}
              </span>
              {a.lastError && a.delivery !== 'delivered' && <span className="muted small alert-error">{a.lastError}</span>}
            </li>
          );
        })}
      </ul>
    );
  return (
    <div className="alerts-block">
      <h3>Alerts</h3>
      {q.error && q.data && !isHidden(q.error) && <RefreshError what="the alerts" error={q.error} />}
      {body}
    </div>
  );
}

/**
 * Invisible room for the decimals an amount does not show, so a right-aligned column's decimal points
 * line up. A pseudo-element's text is neither read out, copied nor part of the cell's text.
 */
function DecimalsPad({ microdollars }: { microdollars: number }) {
  const pad = moneyExactPadding(microdollars);
  return pad === '' ? null : <span className="decimals-pad" data-pad={pad} />;
}
