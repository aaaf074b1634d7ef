import type { BeadRow, BeadSort } from '../../api/beads.js';
import { Link } from '../../app/router.js';
import { beadPath } from '../../app/routes.js';
import {
  formatCount,
  formatDurationLong,
  formatInteger,
  formatMoney,
  formatMoneyExact,
  formatStamp,
  plural,
} from '../../lib/format.js';
import { Name } from '../../ui/Name.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';
import { beadTokens, SORTS, statusText } from './beads-text.js';

/** Agents named in a row; the rest are counted (the API sends at most 20). */
const AGENTS_SHOWN = 3;

/** The columns whose amounts are those dated in the range when the rows are a range's (beads.list). */
const IN_RANGE: ReadonlySet<BeadSort> = new Set(['cost', 'tokens']);

/**
 * Beads, one per row. With `onSort` the cost, tokens, duration and closed headers are buttons that
 * sort the list (always largest or newest first, as the API does); without it the rows are as given.
 * `inRange`: the rows' cost and tokens are what was spent within a range, not over each bead's life, and
 * their headers say so (a bead's page, with its whole cost, would otherwise contradict the list).
 */
export function BeadTable(props: {
  townId: string;
  rows: readonly BeadRow[];
  caption: string;
  sort?: BeadSort;
  onSort?: (sort: BeadSort) => void;
  inRange?: boolean;
}) {
  const { townId, rows, caption, sort, onSort, inRange } = props;
  const head = (key: BeadSort) => {
    const named = SORTS.find((s) => s.key === key)?.label ?? key;
    // On a line of its own under the name, so the column is no wider for it (named as "Cost in range").
    const note = inRange && IN_RANGE.has(key) && (
      <>
        {' '}
        <span className="th-note">in range</span>
      </>
    );
    const active = sort === key;
    return (
      <th scope="col" className="num" aria-sort={active ? 'descending' : undefined}>
        {onSort ? (
          <button type="button" className="sort" aria-pressed={active} onClick={() => onSort(key)}>
            {named}
            <span aria-hidden="true">{active ? ' ▼' : ''}</span>
            {note}
          </button>
        ) : (
          <>
            {named}
            {note}
          </>
        )}
      </th>
    );
  };
  return (
    <ScrollRegion className="table-scroll" label={caption}>
      <table className="data-table beads">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Bead</th>
            <th scope="col">Title</th>
            <th scope="col">Status</th>
            <th scope="col">Agents</th>
            {head('cost')}
            {head('tokens')}
            {head('duration')}
            <th scope="col" className="num">
              Attempts
            </th>
            {head('closedAt')}
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <tr key={b.beadId}>
              <th scope="row">
                <Link to={beadPath(townId, b.beadId)}>
                  <code>
                    <Name>{b.beadId}</Name>
                  </code>
                </Link>
              </th>
              <td className="bead-title">{b.title ? <Name>{b.title}</Name> : <span className="muted">—</span>}</td>
              <td>
                <span className={`badge bead-${b.status ?? 'unknown'}`}>{statusText(b.status)}</span>
              </td>
              <td>
                <Agents agents={b.agents} />
              </td>
              <td className="num" title={formatMoneyExact(b.costMicrodollars)}>
                {formatMoney(b.costMicrodollars)}
              </td>
              <td className="num" title={plural(formatInteger(beadTokens(b)), 'token')}>
                {formatCount(beadTokens(b))}
              </td>
              <td className="num">
                {b.durationMs === null ? <span className="muted">—</span> : formatDurationLong(b.durationMs)}
              </td>
              <td className="num">{formatInteger(b.attempts)}</td>
              <td className="num">
                {b.closedAt === null ? (
                  <span className="muted">—</span>
                ) : (
                  <time dateTime={new Date(b.closedAt).toISOString()}>{formatStamp(b.closedAt)}</time>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

function Agents({ agents }: { agents: readonly string[] }) {
  if (agents.length === 0) return <span className="muted">—</span>;
  const shown = agents.slice(0, AGENTS_SHOWN);
  const rest = agents.length - shown.length;
  return (
    <span title={rest > 0 ? agents.join(', ') : undefined}>
      {shown.map((a, i) => (
        <span key={a}>
          {i > 0 && ', '}
          <Name>{a}</Name>
        </span>
      ))}
      {rest > 0 && <span className="muted"> +{rest} more</span>}
    </span>
  );
}
