import type { BeadStats } from '../../api/beads.js';
import { formatCount, formatInteger, formatMoney, formatMoneyExact, formatPercent } from '../../lib/format.js';
import { LoadError } from '../../ui/LoadError.js';
import { spendShares } from './beads-text.js';

/** The range's closed-bead statistics: what a finished task costs, and where the rest of the money went. */
export function BeadStatsSummary({ stats, error }: { stats: BeadStats | undefined; error: Error | undefined }) {
  if (error && !stats) {
    return <LoadError what="the bead statistics" error={error} alert />;
  }
  const money = (v: number | null | undefined) =>
    v === null || v === undefined ? <span className="muted">—</span> : <span title={formatMoneyExact(v)}>{formatMoney(v)}</span>;
  const shares = stats ? spendShares(stats) : undefined;
  const share = (v: number | null) => (v === null ? <span className="muted">—</span> : formatPercent(v));
  return (
    <section className="bead-stats" aria-label="Bead statistics for the range">
      <dl>
        <div className="card">
          <dt>Closed beads</dt>
          <dd>{stats ? formatInteger(stats.closedBeads) : '…'}</dd>
        </div>
        <div className="card">
          <dt>Cost per closed bead</dt>
          <dd>
            {money(stats?.costPerClosedBead.median)} <span className="muted small">median</span> ·{' '}
            {money(stats?.costPerClosedBead.p90)} <span className="muted small">p90</span>
          </dd>
        </div>
        <div className="card">
          <dt>Tokens per line of code</dt>
          <dd>
            {typeof stats?.tokensPerLine === 'number' ? formatCount(stats.tokensPerLine) : <span className="muted">—</span>}
          </dd>
        </div>
        <div className="card">
          <dt>Spend on beads never closed</dt>
          <dd>
            {shares ? share(shares.neverClosed) : '…'}
            {/* Of the spend on beads, where the next card's share is of all the spend: each says of what. */}
            {shares && shares.neverClosed !== null && (
              <span className="muted small"> of {formatMoney(shares.onBeads)} on beads</span>
            )}
          </dd>
        </div>
        <div className="card">
          <dt>Spend on no bead</dt>
          <dd>
            {money(stats?.noBeadCostMicrodollars)}
            {stats && (
              <span className="muted small">
                {' '}
                · {shares ? share(shares.noBead) : '…'} of {formatMoney(stats.totalCostMicrodollars)}
              </span>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}
