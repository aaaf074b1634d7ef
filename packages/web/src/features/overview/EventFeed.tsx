import { memo } from 'react';
import type { FeedEvent } from '../../api/metrics.js';
import { Link } from '../../app/router.js';
import { beadPath } from '../../app/routes.js';
import { formatAgo, formatLocal } from '../../lib/format.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { eventNames, eventText, nameParts } from './event-text.js';

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
            {/* An English line, whatever the script of the names in it (a <bdi> alone took an Arabic agent's direction). */}
            <bdi className="feed-text" dir="ltr">
              <NamesApart townId={townId} text={eventText(e)} names={eventNames(e)} beadId={e.beadId ?? null} />
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

/**
 * The line, each name in it set apart (a <bdi>: a right-to-left name reads right to left and leaves the
 * words around it in place), and the bead it names (its first mention) a link to the bead's page.
 */
function NamesApart(props: { townId: string; text: string; names: string[]; beadId: string | null }) {
  const { townId, text, names, beadId } = props;
  const parts = nameParts(text, names);
  const link = beadId === null ? -1 : parts.findIndex((p) => p.name && p.text === beadId);
  return parts.map((p, i) => {
    if (!p.name) return p.text;
    return (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one line, in order; they never move
      <bdi key={i}>{i === link && beadId !== null ? <Link to={beadPath(townId, beadId)}>{p.text}</Link> : p.text}</bdi>
    );
  });
}
