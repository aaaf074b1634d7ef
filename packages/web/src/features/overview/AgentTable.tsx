import { memo } from 'react';
import type { AgentRow } from '../../api/metrics.js';
import { Link } from '../../app/router.js';
import { beadPath } from '../../app/routes.js';
import { formatAgo, formatCount, formatInteger, formatMoney, formatMoneyExact, formatTime, plural } from '../../lib/format.js';
import { Name } from '../../ui/Name.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';

const RULE_TEXT = { spendRate: 'spend rate', noProgress: 'no progress' } as const;

/**
 * The town's agents by id, a page of them: who each is, what it does now, what it burned in the last
 * hour and on its current bead, and whether a runaway rule has flagged it. `more` says whether the
 * town has more agents than shown, and whether another page may be shown. Memoised: the page
 * re-renders on every live push (several a second on a busy town), the table only when its rows or
 * the clock changed.
 */
export const AgentTable = memo(function AgentTable(props: {
  townId: string;
  agents: AgentRow[] | undefined;
  now: number;
  more: 'none' | 'more' | 'capped';
  onMore: () => void;
}) {
  const { townId, agents, now, more, onMore } = props;
  if (!agents) return <p className="muted">Loading agents…</p>;
  if (agents.length === 0)
    return (
      <p className="muted">
        No agents to show. An agent is listed from its first event on; one known only from its usage, while that usage is dated in
        the last hour.
      </p>
    );
  const none = <span className="muted">—</span>;
  const money = (v: number | null | undefined) =>
    typeof v === 'number' ? <span title={formatMoneyExact(v)}>{formatMoney(v)}</span> : none;
  return (
    <>
      <ScrollRegion className="table-scroll" label="Agents">
        <table className="agents data-table">
          <caption className="visually-hidden">Agents</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Current bead</th>
              <th scope="col" className="num">
                Current bead cost
              </th>
              <th scope="col">Last event</th>
              <th scope="col" className="num">
                Tokens, last hour
              </th>
              <th scope="col" className="num">
                Cost, last hour
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => {
              const bead = a.currentBeadId ?? a.beadId;
              return (
                <tr key={a.id} className={a.runaway ? 'runaway' : undefined}>
                  <th scope="row">
                    <Name>{a.id}</Name>
                    {a.runaway && (
                      <span className="badge runaway-flag" title={`Flagged since ${formatTime(a.runaway.since, 1000)}`}>
                        runaway: {RULE_TEXT[a.runaway.rule]}
                      </span>
                    )}
                  </th>
                  <td>{a.role ? <Name>{a.role}</Name> : none}</td>
                  <td>
                    <span className={`badge status-${a.status}`}>{a.status}</span>
                  </td>
                  <td>
                    {bead ? (
                      <Link to={beadPath(townId, bead)}>
                        <code>
                          <Name>{bead}</Name>
                        </code>
                      </Link>
                    ) : (
                      none
                    )}
                  </td>
                  <td className="num">{money(a.currentBeadCostMicrodollars)}</td>
                  <td>{a.lastSeenAt === null ? none : formatAgo(now - a.lastSeenAt)}</td>
                  <td className="num" title={plural(formatInteger(a.tokensLastHour), 'token')}>
                    {formatCount(a.tokensLastHour)}
                  </td>
                  <td className="num">{money(a.costLastHourMicrodollars)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollRegion>
      {more === 'more' && (
        <button type="button" className="ghost" onClick={onMore}>
          Show more agents
        </button>
      )}
      {more === 'capped' && (
        <p className="muted">The first {plural(agents.length, 'agent')} by id; the API lists the rest (metrics.agents).</p>
      )}
    </>
  );
});
