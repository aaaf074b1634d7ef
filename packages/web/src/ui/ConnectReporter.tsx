import { Link } from '../app/router.js';
import { settingsPath } from '../app/routes.js';
import { ScrollRegion } from './ScrollRegion.js';

/**
 * What to do when a town has no data: mint an ingest token on the server (or make an ingest key in the Settings tab),
 * then run the reporter beside the agents or post usage with it.
 */
export function ConnectReporter({ townId }: { townId: string }) {
  const origin = window.location.origin;
  const curl = `curl -X POST ${origin}/api/towns/${townId}/usage \\
  -H "Authorization: Bearer $(cat token)" -H 'Content-Type: application/json' \\
  -d '{"records":[{"id":"msg_1","agentId":"polecat-1","model":"claude-sonnet-4-5",
       "inputTokens":1200,"outputTokens":240,"costMicrodollars":7860,"at":'"$(date +%s%3N)"'}]}'`;
  return (
    <section className="empty" aria-labelledby="connect-title">
      <h2 id="connect-title">No data from this town yet</h2>
      <p>
        Mint an ingest token for this town where the server's data directory is (it lives at most 8 hours; add{' '}
        <code>--data DIR</code> when the server does not run on <code>./data</code>)…
      </p>
      <ScrollRegion as="pre" className="command" label="Command to mint an ingest token">
        <code>npx gasgauge token mint --town {townId} --ttl 8h &gt; token</code>
      </ScrollRegion>
      <p>
        No shell where the server runs? The town's owners and admins can make a long-lived ingest key in its{' '}
        <Link to={settingsPath(townId)}>Settings</Link> tab and save it as <code>token</code> instead.
      </p>
      <p>
        …then run the reporter beside the agents: it reads Claude Code, Codex, Gemini CLI and OpenCode/Kilo sessions (and Gas
        Town's event log with <code>--gastown DIR</code>) and delivers them once each:
      </p>
      <ScrollRegion as="pre" className="command" label="Command to run the reporter">
        <code>
          npx gasgauge report --server {origin} --town {townId} --token-file token
        </code>
      </ScrollRegion>
      <p>Or post usage yourself. The gauges move within a second of the first record:</p>
      <ScrollRegion as="pre" className="command" label="Command to post usage">
        <code>{curl}</code>
      </ScrollRegion>
    </section>
  );
}
