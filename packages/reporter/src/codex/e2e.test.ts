import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reporterCodexTotals } from '../testing/codex-referee.js';
import { generateCodexTree } from '../testing/codex-rollouts.js';
import { gasgauge } from '../testing/processes.js';
import { type InProcessServer, removeDir, serverTotals, startTestServer, tempDir } from '../testing/server.js';
import { writeTree } from '../testing/transcripts.js';

/**
 * A Codex home through `gasgauge report --once` (a child process) into the real server over loopback:
 * the server's totals equal each turn once, and a second reporter with no saved state (everything read
 * and sent again) adds nothing.
 */
describe('Codex CLI sessions end to end', () => {
  const dir = tempDir('gg-codex-e2e-');
  let server: InProcessServer | undefined;
  afterAll(async () => {
    await server?.close();
    removeDir(dir);
  });

  it('lands every turn once, however often it is sent', async () => {
    server = await startTestServer(dir);
    const home = join(dir, 'codex');
    const tree = generateCodexTree({ seed: 21, agents: 2, sessionsPerAgent: 3, turnsPerSession: 10 });
    writeTree(home, tree.files);
    const report = (state: string) =>
      gasgauge<{ delivered: boolean; sent: number }>([
        'report',
        ...['--server', (server as InProcessServer).url, '--town', (server as InProcessServer).townId],
        ...['--token-file', (server as InProcessServer).tokenFile, '--state', join(dir, state)],
        ...['--codex-home', home, '--no-claude', '--no-gemini', '--no-opencode', '--once', '--timeout', '60'],
      ]);
    const first = await report('state-1');
    expect(first).toMatchObject({ delivered: true, sent: tree.expected.turns });
    const totals = () =>
      serverTotals(server?.url as string, server?.adminToken as string, server?.townId as string, Date.now() - 86_400_000);
    const e = tree.expected;
    const want = {
      input_tokens: e.input - e.cached,
      cache_read_tokens: e.cached,
      output_tokens: e.output - e.reasoning,
      reasoning_tokens: e.reasoning,
      cache_write_tokens: 0,
    };
    const after1 = await totals();
    expect(after1).toMatchObject(want);
    // The cost the reporter's rules give (checked against ccusage in ccusage.test.ts).
    const mine = await reporterCodexTotals(home, join(dir, 'check-state'));
    expect(after1.cost_microdollars).toBe(mine.records.reduce((s, r) => s + r.costMicrodollars, 0));

    // State lost: a new reporter reads every file from the start and sends every record again.
    const second = await report('state-2');
    expect(second).toMatchObject({ delivered: true, sent: tree.expected.turns });
    expect(await totals()).toEqual(after1);
  }, 120_000);
});
