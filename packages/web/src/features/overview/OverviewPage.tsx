import { useCallback, useState } from 'react';
import { fetchAgents, fetchEvents } from '../../api/metrics.js';
import { formatAgo } from '../../lib/format.js';
import { useNow } from '../../lib/use-now.js';
import { useQuery } from '../../lib/use-query.js';
import { useThrottled } from '../../lib/use-throttled.js';
import { ConnectReporter } from '../../ui/ConnectReporter.js';
import { useBalance } from '../billing/use-balance.js';
import { TownHeader } from '../towns/TownHeader.js';
import { useTown } from '../towns/use-towns.js';
import { AgentTable } from './AgentTable.js';
import { BudgetBar } from './BudgetBar.js';
import { EventFeed } from './EventFeed.js';
import { Gauge } from './Gauge.js';
import { gaugeModels } from './gauges.js';
import { useLive } from './use-live.js';
import './overview.css';

/** Refetch agents, events and the balance on a live push, but at most this often. */
const LISTS_EVERY_MS = 1000;
/** Agents per "show more", up to the server's largest page (metrics.agents limit ≤ 500). */
const AGENTS_PAGE = 100;
const AGENTS_MAX = 500;
/** Events in the feed: one small page, refetched on a push (big note data stays on the server). */
const FEED_EVENTS = 50;

export function OverviewPage({ townId }: { townId: string }) {
  const live = useLive(townId);
  const now = useNow(1000);
  // Each live push (a tick or an ingest) may have changed agents, events and the balance (a tick
  // settles the town's debits): re-read them, throttled, the last push of a burst included.
  // A refresh, not a new question: it never aborts the request in flight (a new page's, say).
  const pushes = useThrottled(live.version, LISTS_EVERY_MS);
  const [agentsShown, setAgentsShown] = useState({ townId, n: AGENTS_PAGE });
  const agentsLimit = agentsShown.townId === townId ? agentsShown.n : AGENTS_PAGE;
  const agents = useQuery(`${townId}:${agentsLimit}`, (signal) => fetchAgents(townId, agentsLimit, signal), { refresh: pushes });
  const events = useQuery(townId, (signal) => fetchEvents(townId, FEED_EVENTS, signal), { refresh: pushes });
  const moreAgents = agents.data?.nextCursor ? (agentsLimit < AGENTS_MAX ? 'more' : 'capped') : 'none';
  const showMore = useCallback(
    () => setAgentsShown({ townId, n: Math.min(AGENTS_MAX, agentsLimit + AGENTS_PAGE) }),
    [townId, agentsLimit],
  );
  // The gas tank is the owning account's: the organisation's for an organisation's town.
  const town = useTown(townId).data;
  const tank = useBalance(town ? town.ownerOrgId : undefined, pushes);
  const t = live.data;
  const noData = t !== undefined && t.dataAgeMs === null;

  return (
    <>
      <TownHeader townId={townId} tab="overview">
        <LiveBadge status={live.status} dataAgeMs={t?.dataAgeMs ?? null} receivedAt={live.receivedAt} now={now} />
      </TownHeader>
      {live.status === 'stale' && (
        <p className="banner warn" role="status">
          Live updates interrupted — the numbers below are stale. Reconnecting…
        </p>
      )}
      {t?.storage.full && (
        <p className="banner danger" role="alert">
          This town's storage quota is used up: new usage, events and lines of code are refused (HTTP 507) and not stored.
          Reporters keep theirs and try again every minute. Room comes back as old data passes its retention, or when the server's
          operator raises the quota (<code>--max-town-mb</code>).
        </p>
      )}
      <section className="gauges" aria-label="Live gauges">
        {gaugeModels(t, tank).map((m) => (
          <Gauge key={m.label} model={m} />
        ))}
      </section>
      {t?.budget && <BudgetBar budget={t.budget} now={now} />}
      {noData && <ConnectReporter townId={townId} />}
      <div className="overview-lists">
        <section className="card" aria-labelledby="agents-title">
          <h2 id="agents-title">Agents</h2>
          <AgentTable townId={townId} agents={agents.data?.agents} now={now} more={moreAgents} onMore={showMore} />
        </section>
        {/* Shown once the agents are in: it sits below their table, which would push it down a page when they arrive. */}
        <section className="card" aria-labelledby="feed-title" hidden={!agents.data && !agents.error}>
          <h2 id="feed-title">Event feed</h2>
          <EventFeed townId={townId} events={events.data} now={now} />
        </section>
      </div>
    </>
  );
}

function LiveBadge(props: { status: string; dataAgeMs: number | null; receivedAt: number | undefined; now: number }) {
  const { status, dataAgeMs, receivedAt, now } = props;
  // The data's age as of the last push, plus the time since that push.
  const age = dataAgeMs === null || receivedAt === undefined ? null : dataAgeMs + (now - receivedAt);
  const text = status === 'live' ? 'Live' : status === 'stale' ? 'Stale' : status === 'gone' ? 'Not available' : 'Connecting…';
  // Only Live / Stale / Connecting is a live region: the age re-renders every second and is read on demand.
  return (
    <span className={`live-badge live-${status}`} data-live={status}>
      <span className="dot" aria-hidden="true" />
      <span role="status">{text}</span>
      {age !== null && status === 'live' && <span className="muted live-age"> · last data {formatAgo(age)}</span>}
    </span>
  );
}
