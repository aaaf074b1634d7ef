import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { type BeadDetail, fetchBead, type TimelineEntry } from '../../api/beads.js';
import { isHidden } from '../../api/trpc.js';
import { Link } from '../../app/router.js';
import { beadPath, beadsPath } from '../../app/routes.js';
import type { Theme } from '../../app/theme.js';
import {
  formatDurationLong,
  formatInteger,
  formatMoney,
  formatMoneyAxis,
  formatMoneyExact,
  formatStamp,
  plural,
} from '../../lib/format.js';
import { showInvisible } from '../../lib/invisible.js';
import { rangeAnnouncement } from '../../lib/range.js';
import { useQuery } from '../../lib/use-query.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { ChartGroup } from '../observability/chart-group.js';
import { TimeChart } from '../observability/TimeChart.js';
import { TownHeader } from '../towns/TownHeader.js';
import { BeadTable } from './BeadTable.js';
import { beadCostChart } from './bead-chart.js';
import { beadTokens, statusText } from './beads-text.js';
import '../observability/observability.css';
import './beads.css';
import { LoadError, RefreshError } from '../../ui/LoadError.js';

/** Times on the page to the minute, with the date. */
const COST_SERIES = [{ key: 'cost', label: 'Cost' }] as const;
const STATUS_TIMES = ['open', 'in_progress', 'in_review', 'blocked'] as const;

/** One bead: its totals, time per status, cost over time (the app's uPlot chart), timeline and children. */
export function BeadPage({ townId, beadId, theme }: { townId: string; beadId: string; theme: Theme }) {
  const bead = useQuery(`${townId}|${beadId}`, (signal) => fetchBead(townId, beadId, signal), { refetchMs: 15_000 });
  const d = bead.data;
  let body: ReactNode;
  if (bead.error && !d) {
    body = isHidden(bead.error) ? (
      <section className="empty">
        <h2>Bead not found</h2>
        <p>
          This town has no bead <code>{showInvisible(beadId)}</code>. <Link to={beadsPath(townId)}>See its beads</Link>.
        </p>
      </section>
    ) : (
      <LoadError what="the bead" error={bead.error} alert />
    );
  } else if (!d) body = <p className="muted">Loading bead…</p>;
  else
    body = (
      <>
        {bead.error && <RefreshError what="the bead" error={bead.error} />}
        <BeadDetails townId={townId} detail={d} theme={theme} />
      </>
    );
  return (
    <>
      <TownHeader townId={townId} tab="beads" />
      <p className="crumbs">
        <Link to={beadsPath(townId)}>← All beads</Link>
      </p>
      {body}
    </>
  );
}

function BeadDetails({ townId, detail, theme }: { townId: string; detail: BeadDetail; theme: Theme }) {
  const { bead: b } = detail;
  return (
    <>
      <div className="bead-head">
        <h2 className="bead-name">
          <code>
            <bdi>{b.beadId}</bdi>
          </code>
          {b.title && <bdi className="bead-title-text">{b.title}</bdi>}
        </h2>
        <span className={`badge bead-${b.status ?? 'unknown'}`}>{statusText(b.status)}</span>
      </div>
      <dl className="bead-facts card">
        <Fact term="Cost">
          <span title={formatMoneyExact(b.costMicrodollars)}>{formatMoney(b.costMicrodollars)}</span>
        </Fact>
        <Fact term="Tokens">
          {formatInteger(beadTokens(b))}
          <span className="muted small">
            {' '}
            ({formatInteger(b.inputTokens)} in, {formatInteger(b.outputTokens)} out, {formatInteger(b.reasoningTokens)} reasoning,{' '}
            {formatInteger(b.cacheReadTokens)} cache read, {formatInteger(b.cacheWriteTokens)} cache write)
          </span>
        </Fact>
        <Fact term="Agents">
          {b.agents.length === 0 ? (
            <span className="muted">—</span>
          ) : (
            b.agents.map((a, i) => (
              <span key={a}>
                {i > 0 && ', '}
                <bdi>{a}</bdi>
              </span>
            ))
          )}
        </Fact>
        <Fact term="Attempts">{formatInteger(b.attempts)}</Fact>
        <Fact term="Duration">{b.durationMs === null ? '—' : formatDurationLong(b.durationMs)}</Fact>
        <Fact term="Created">{b.createdAt === null ? '—' : formatStamp(b.createdAt)}</Fact>
        <Fact term="Closed">{b.closedAt === null ? '—' : formatStamp(b.closedAt)}</Fact>
        <Fact term="Lines of code at review">{detail.locAtReview === null ? '—' : formatInteger(detail.locAtReview)}</Fact>
        {b.parentId && (
          <Fact term="Parent">
            <Link to={beadPath(townId, b.parentId)}>
              <code>
                <bdi>{b.parentId}</bdi>
              </code>
            </Link>
          </Fact>
        )}
        {detail.children.length > 0 && (
          <Fact term="With its descendants">
            <span title={formatMoneyExact(detail.rollup.costMicrodollars)}>{formatMoney(detail.rollup.costMicrodollars)}</span>
            <span className="muted small">
              {' '}
              over {plural(formatInteger(detail.rollup.beads), 'bead')}, this one included
              {detail.rollup.truncated ? ' (the first 1,000 counted)' : ''}
            </span>
          </Fact>
        )}
        {STATUS_TIMES.map((s) => (
          <Fact key={s} term={`Time ${statusText(s)}`}>
            {formatDurationLong(detail.statusTime[s])}
          </Fact>
        ))}
      </dl>
      <BeadCost cost={detail.cost} theme={theme} />
      <div className="bead-lists">
        <section className="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          <Timeline entries={detail.timeline} />
        </section>
        {detail.children.length > 0 && (
          <section className="card" aria-labelledby="children-title">
            <h2 id="children-title">Child beads</h2>
            <BeadTable townId={townId} rows={detail.children} caption="Child beads" />
          </section>
        )}
      </div>
    </>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Cost per bucket over the bead's life; drag to zoom, double-click to see all of it again. */
function BeadCost({ cost, theme }: { cost: BeadDetail['cost']; theme: Theme }) {
  const chart = useMemo(() => beadCostChart(cost), [cost]);
  const group = useMemo(() => new ChartGroup(1), []);
  const [zoom, setZoom] = useState<{ from: number; to: number } | null>(null);
  group.onZoom = (from, to) => setZoom({ from, to });
  group.onReset = () => setZoom(null);
  // Keys zoom and pan within the bead's life.
  group.limits = () => (chart ? { earliest: chart.from, latest: chart.to, maxSpan: chart.to - chart.from } : { maxSpan: 0 });
  const from = zoom?.from ?? chart?.from ?? 0;
  const to = zoom?.to ?? chart?.to ?? 1;
  useEffect(() => group.setRange(from, to), [group, from, to]);
  if (!chart) return <p className="muted">No cost recorded for this bead.</p>;
  return (
    <div className="charts bead-chart">
      <TimeChart
        group={group}
        tracked
        title="Cost over time"
        unit="dollars per bucket"
        series={COST_SERIES}
        data={chart.data}
        step={cost.step}
        formatValue={formatMoney}
        formatAxis={formatMoneyAxis}
        theme={theme}
        bars
        wide
      />
      {/* Announced when a drag or a key zooms, pans or resets the chart. */}
      <span className="visually-hidden" aria-live="polite">
        {zoom ? rangeAnnouncement({ kind: 'absolute', ...zoom }) : 'Range: the whole life of the bead'}
      </span>
    </div>
  );
}

function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  if (entries.length === 0) return <p className="muted">No status changes or agents yet.</p>;
  // Newest first, like the event feed: the API sends them oldest first, ties in the order they happened.
  const sorted = [...entries].reverse();
  return (
    <ScrollRegion className="feed-scroll" label="Timeline">
      <ol className="timeline">
        {sorted.map((e) => (
          // Rows hold no state: a duplicate key (one agent twice in a millisecond) costs nothing.
          <li key={`${e.t}:${e.kind}:${e.status ?? e.agentId}`}>
            <time dateTime={new Date(e.t).toISOString()}>{formatStamp(e.t, true)}</time>
            {e.kind === 'status' ? (
              <span>
                <span className={`badge bead-${e.status ?? 'unknown'}`}>{statusText(e.status ?? null)}</span>
              </span>
            ) : (
              <span>
                <bdi>{e.agentId ?? 'an agent'}</bdi> picked it up
              </span>
            )}
          </li>
        ))}
      </ol>
    </ScrollRegion>
  );
}
