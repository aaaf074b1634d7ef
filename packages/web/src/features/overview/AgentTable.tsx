import type { AgentRow } from '../../api/metrics.js';
import { formatAgo, formatCount, formatInteger } from '../../lib/format.js';
import { ScrollRegion } from '../../ui/ScrollRegion.js';

/**
 * The town's agents by id, a page of them: who each is, what it does now, and what it burned in the
 * last hour. `more` says whether the town has more agents than shown, and whether another page may be shown.
 */
export function AgentTable(props: {
  agents: AgentRow[] | undefined;
  now: number;
  more: 'none' | 'more' | 'capped';
  onMore: () => void;
}) {
  const { agents, now, more, onMore } = props;
  if (!agents) return <p className="muted">Loading agents…</p>;
  if (agents.length === 0) return <p className="muted">No agents yet. They appear with their first event or usage record.</p>;
  return (
    <>
      <ScrollRegion className="table-scroll" label="Agents">
        <table className="agents">
          <caption className="visually-hidden">Agents</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Current bead</th>
              <th scope="col">Last activity</th>
              <th scope="col" className="num">
                Tokens, last hour
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.id}>
                <th scope="row">
                  <bdi>{a.id}</bdi>
                </th>
                <td>{a.role ? <bdi>{a.role}</bdi> : <span className="muted">—</span>}</td>
                <td>
                  <span className={`badge status-${a.status}`}>{a.status}</span>
                </td>
                <td>
                  {a.beadId ? (
                    <code>
                      <bdi>{a.beadId}</bdi>
                    </code>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>{a.lastSeenAt === null ? <span className="muted">—</span> : formatAgo(now - a.lastSeenAt)}</td>
                <td className="num" title={`${formatInteger(a.tokensLastHour)} tokens`}>
                  {formatCount(a.tokensLastHour)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      {more === 'more' && (
        <button type="button" className="ghost" onClick={onMore}>
          Show more agents
        </button>
      )}
      {more === 'capped' && (
        <p className="muted">The first {agents.length} agents by id; the API lists the rest (metrics.agents).</p>
      )}
    </>
  );
}
