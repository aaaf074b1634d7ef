import { useMemo } from 'react';
import { type TownInfo, trpc } from '../../api/trpc.js';
import { Link } from '../../app/router.js';
import { townPath } from '../../app/routes.js';
import type { Theme } from '../../app/theme.js';
import { loadErrorTone } from '../../lib/busy.js';
import { toAligned } from '../../lib/columns.js';
import { formatCount, formatMoneyPerHour } from '../../lib/format.js';
import { useQuery } from '../../lib/use-query.js';
import { Sparkline } from './Sparkline.js';

const HOUR = 3_600_000;
const REFRESH_MS = 30_000;

/** One town: its name, the last hour of cost as a sparkline, and what it costs per hour now. */
export function TownCard({ town, theme }: { town: TownInfo; theme: Theme }) {
  const spark = useQuery(
    town.id,
    async (signal) => {
      const to = Date.now();
      const answer = await trpc.metrics.timeseries.query({ townId: town.id, from: to - HOUR, to, maxPoints: 60 }, { signal });
      return { ...answer, asOf: Date.now() };
    },
    { refetchMs: REFRESH_MS },
  );
  const rate = useQuery(town.id, (signal) => trpc.metrics.throughput.query({ townId: town.id }, { signal }), {
    refetchMs: REFRESH_MS,
  });

  const data = useMemo(
    () =>
      spark.data &&
      toAligned(spark.data, [{ values: spark.data.series.cost_microdollars, transform: 'perHour' }], spark.data.asOf),
    [spark.data],
  );

  // An empty sparkline under "cost, last hour" looked like a chart that failed to load.
  const spent = spark.data?.series.cost_microdollars.some((v) => (v ?? 0) > 0);
  const t = rate.data;
  // A failed refresh leaves the last figures up: say they are not current (they stayed, unmarked, while the server was down).
  const failed = rate.error ?? spark.error;
  const none = failed ? '\u2014' : '\u2026';
  return (
    <li className="town-card card">
      <Link to={townPath(town.id)} className="town-link">
        <bdi className="town-name">{town.name}</bdi>
        {/* Whose it is: two towns of one name in two organisations are told apart by it. */}
        <span className="muted town-owner">
          {town.ownerOrgId === null ? (
            'Personal'
          ) : (
            <>
              Organisation <bdi>{town.ownerOrgName ?? town.ownerOrgId}</bdi>
            </>
          )}
        </span>
        <span className="muted town-id">{town.id}</span>
      </Link>
      <div className="town-spark">
        <Sparkline data={data} theme={theme} label={`Cost per hour over the last hour in ${town.name}`} />
        <span className="muted small">{spent === false ? 'no spend in the last hour' : 'cost, last hour'}</span>
      </div>
      <dl className="town-stats">
        <div>
          <dt>Cost</dt>
          <dd>{t ? formatMoneyPerHour(t.costMicrodollarsPerHour) : none}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>{t ? `${formatCount(t.tokensPerSecond)}/s` : none}</dd>
        </div>
        <div>
          <dt>Agents</dt>
          <dd>{t ? `${t.agentsActive}/${t.agentsTotal}` : none}</dd>
        </div>
      </dl>
      {failed && (
        <p className={`town-stale banner ${loadErrorTone(failed)}`} role="status">
          {t ? 'Not refreshed' : 'Not loaded'} ({failed.message}){t ? ': these figures may be out of date.' : '.'}
        </p>
      )}
    </li>
  );
}
