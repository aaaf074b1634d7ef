import { memo } from 'react';
import type { FeedEvent } from '../../api/metrics.js';
import { Link } from '../../app/router.js';
import { beadPath } from '../../app/routes.js';
import { formatAgo, formatLocal } from '../../lib/format.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { eventText } from './event-text.js';

/**
 * The newest town events first. Not an aria-live region: a busy town would talk over everything else.
 * Memoised, as AgentTable: a live push re-renders the page, not the feed unless it changed.
 */
export const EventFeed = memo(function EventFeed(props: { townId: string; events: FeedEvent[] | undefined; now: number }) {
  const { townId, events, now } = props;
  if (!events) return <p className="muted">Loading events…</p>;
  if (events.length === 0) return <p className="muted">No events yet. Reporters post agent and bead events to the events API.</p>;
  return (
    <ScrollRegion className="feed-scroll" label="Event feed">
      <ol className="feed">
        {events.map((e) => (
          <li key={e.id}>
            <span className={`badge type-${e.type}`}>{e.type}</span>
            <bdi className="feed-text">
              <WithBeadLink townId={townId} text={eventText(e)} beadId={e.beadId ?? null} />
            </bdi>
            <time className="feed-time" dateTime={new Date(e.at).toISOString()} title={formatLocal(e.at)}>
              {formatAgo(now - e.at)}
            </time>
          </li>
        ))}
      </ol>
    </ScrollRegion>
  );
});

/** The line, with the bead it names (its first mention) as a link to the bead's page. */
function WithBeadLink({ townId, text, beadId }: { townId: string; text: string; beadId: string | null }) {
  const at = beadId ? text.indexOf(beadId) : -1;
  if (!beadId || at < 0) return text;
  return (
    <>
      {text.slice(0, at)}
      <Link to={beadPath(townId, beadId)}>{beadId}</Link>
      {text.slice(at + beadId.length)}
    </>
  );
}
