import { useState } from 'react';
import { type BeadSort, type BeadStatusFilter, fetchBeadStats, fetchBeads } from '../../api/beads.js';
import { navigate, useLocation } from '../../app/router.js';
import { parseRange, type RangeSpec, rangeSearch } from '../../lib/range.js';
import { useQuery } from '../../lib/use-query.js';
import { RangePicker } from '../observability/RangePicker.js';
import { useResolvedRange } from '../observability/use-range.js';
import { TownHeader } from '../towns/TownHeader.js';
import { BeadStatsSummary } from './BeadStatsSummary.js';
import { BeadTable } from './BeadTable.js';
import { parseBeadsQuery, STATUSES, statusText, withParam } from './beads-text.js';
import { RunawayRulesForm } from './RunawayRulesForm.js';
import '../observability/observability.css';
import './beads.css';
import { LoadError } from '../../ui/LoadError.js';

/** Rows per page (beads.list allows up to 200). */
const PAGE_SIZE = 50;
/** A preset range follows now this often: bead totals change with every ingest, but a table should not jump. */
const REFRESH_MS = 30_000;

/**
 * What each bead cost over a range that lives in the URL (with the sort and status filter), a page at a
 * time, and the town's runaway rules. Pages follow the API's cursors; a new range, sort or filter starts
 * again at the first page.
 */
export function BeadsPage({ townId }: { townId: string }) {
  const { path, search } = useLocation();
  const spec = parseRange(search);
  const { sort, status } = parseBeadsQuery(search);
  const [autoRefresh, setAutoRefresh] = useState(true);
  const { from, to } = useResolvedRange(spec, autoRefresh && spec.kind === 'preset', REFRESH_MS);
  // The cursors of the pages before this one, for Previous; reset when what is listed changes.
  const picked = spec.kind === 'preset' ? spec.preset : `${spec.from}-${spec.to}`;
  const listing = `${townId}|${picked}|${sort}|${status}`;
  const [pages, setPages] = useState<{ listing: string; cursors: (string | null)[] }>({ listing, cursors: [null] });
  const cursors = pages.listing === listing ? pages.cursors : [null];
  const cursor = cursors[cursors.length - 1] ?? null;

  // The auto-refresh that moves a preset along with now asks again as a refresh: it never aborts a slow answer.
  const refresh = `${from}|${to}`;
  const list = useQuery(
    `${listing}|${cursor}`,
    (signal) =>
      fetchBeads(
        { townId, from, to, sort, limit: PAGE_SIZE, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) },
        signal,
      ),
    { refresh },
  );
  const stats = useQuery(`${townId}|${picked}`, (signal) => fetchBeadStats({ townId, from, to }, signal), { refresh });

  const go = (next: string) => navigate(path + next, { replace: true });
  const onRange = (next: RangeSpec) => navigate(path + rangeSearch(next, search));
  const onSort = (next: BeadSort) => go(withParam(search, 'sort', next === 'cost' ? null : next));
  const onStatus = (next: string) => go(withParam(search, 'status', next === '' ? null : next));
  const nextCursor = list.data?.nextCursor ?? null;

  return (
    <>
      <TownHeader townId={townId} tab="beads" />
      <RangePicker spec={spec} from={from} to={to} autoRefresh={autoRefresh} onAutoRefresh={setAutoRefresh} onChange={onRange} />
      <BeadStatsSummary stats={stats.data} error={stats.error} />
      <section className="card beads-list" aria-labelledby="beads-title" aria-busy={list.loading}>
        <div className="beads-list-head">
          <h2 id="beads-title">Beads</h2>
          <span className="inline-field">
            <label htmlFor="beads-status">Status</label>
            <select id="beads-status" value={status ?? ''} onChange={(e) => onStatus(e.target.value)}>
              <option value="">any</option>
              {STATUSES.map((s: BeadStatusFilter) => (
                <option key={s} value={s}>
                  {statusText(s)}
                </option>
              ))}
            </select>
          </span>
        </div>
        {list.error && <LoadError what="the beads" error={list.error} alert />}
        {!list.data && !list.error && <p className="muted">Loading beads…</p>}
        {list.data?.items.length === 0 && (
          <p className="muted">
            No beads{status ? ` ${statusText(status)}` : ''} with activity in this range. A bead appears with its first event or
            usage.
          </p>
        )}
        {list.data && list.data.items.length > 0 && (
          <BeadTable
            townId={townId}
            rows={list.data.items}
            caption="Beads with activity in the range"
            sort={sort}
            onSort={onSort}
            inRange
          />
        )}
        {(cursors.length > 1 || nextCursor) && (
          <nav className="pager" aria-label="Pages of beads">
            <button
              type="button"
              disabled={cursors.length <= 1}
              onClick={() => setPages({ listing, cursors: cursors.slice(0, -1) })}
            >
              Previous page
            </button>
            <span className="muted">Page {cursors.length}</span>
            <button
              type="button"
              disabled={!nextCursor}
              onClick={() => nextCursor && setPages({ listing, cursors: [...cursors, nextCursor] })}
            >
              Next page
            </button>
          </nav>
        )}
      </section>
      {/* Fetched at once but shown once the list is in: below the list, it would be pushed down a page when the rows arrive. */}
      <div hidden={!list.data && !list.error}>
        <RunawayRulesForm townId={townId} />
      </div>
    </>
  );
}
