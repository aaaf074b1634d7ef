import type { FeedEvent } from '../../api/metrics.js';
import { formatAgo } from '../../lib/format.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { eventText } from './event-text.js';

/** The newest town events first. Not an aria-live region: a busy town would talk over everything else. */
export function EventFeed({ events, now }: { events: FeedEvent[] | undefined; now: number }) {
  if (!events) return <p className="muted">Loading events…</p>;
  if (events.length === 0) return <p className="muted">No events yet. Reporters post agent and bead events to the events API.</p>;
  return (
    <ScrollRegion className="feed-scroll" label="Event feed">
      <ol className="feed">
        {events.map((e) => (
          <li key={e.id}>
            <span className={`badge type-${e.type}`}>{e.type}</span>
            <bdi className="feed-text">{eventText(e)}</bdi>
            <time className="feed-time" dateTime={new Date(e.at).toISOString()} title={new Date(e.at).toLocaleString()}>
              {formatAgo(now - e.at)}
            </time>
          </li>
        ))}
      </ol>
    </ScrollRegion>
  );
}
