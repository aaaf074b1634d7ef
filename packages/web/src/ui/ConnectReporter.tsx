import { ScrollRegion } from './ScrollRegion.js';

/**
 * What to do when a town has no data: mint an ingest token on the server and post usage with it.
 * The token is minted in a terminal, never in this page, so no credential passes through the UI.
 */
export function ConnectReporter({ townId }: { townId: string }) {
  const origin = window.location.origin;
  const curl = `curl -X POST ${origin}/api/towns/${townId}/usage \\
  -H "Authorization: Bearer INGEST_TOKEN" -H 'Content-Type: application/json' \\
  -d '{"records":[{"id":"msg_1","agentId":"polecat-1","model":"claude-sonnet-4-5",
       "inputTokens":1200,"outputTokens":240,"costMicrodollars":7860,"at":'"$(date +%s%3N)"'}]}'`;
  return (
    <section className="empty" aria-labelledby="connect-title">
      <h2 id="connect-title">No data from this town yet</h2>
      <p>Connect a reporter: mint an ingest token for this town on the server (it lives at most 8 hours)…</p>
      <ScrollRegion as="pre" className="command" label="Command to mint an ingest token">
        <code>npx gasgauge token mint --town {townId} --ttl 8h</code>
      </ScrollRegion>
      <p>…and post usage with it. The gauges move within a second of the first record:</p>
      <ScrollRegion as="pre" className="command" label="Command to post usage">
        <code>{curl}</code>
      </ScrollRegion>
      <p className="muted">
        The reporter package (<code>@gasgauge/reporter</code>) does this for Claude Code transcripts and agent SDK events.
      </p>
    </section>
  );
}
