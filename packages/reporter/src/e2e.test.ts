import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from './agents.js';
import { PriceList } from './claude/pricing.js';
import { ClaudeSource } from './claude/source.js';
import { Store } from './outbox/store.js';
import { type Child, cliTown, freePort, startGasgauge, startServe, stopAll, waitFor } from './testing/processes.js';
import { removeDir, serverTotals, tempDir, throughput, tokenTotals } from './testing/server.js';
import { expectedTokens, generateTree, writeTree } from './testing/transcripts.js';
import type { UsageRecord } from './wire.js';

/**
 * The whole path with real processes: `gasgauge serve` and `gasgauge report` as child processes, the
 * server killed (SIGKILL) mid-run and restarted, the reporter killed and restarted, transcripts and
 * the Gas Town log growing throughout. At the end the server's totals equal the sources exactly.
 */
describe('gasgauge report end to end, through crashes of both sides', () => {
  const dir = tempDir('gg-e2e-');
  const children: Child[] = [];
  afterAll(async () => {
    await stopAll(children);
    removeDir(dir);
  });

  it('delivers every response, event and gauge exactly once', async () => {
    const data = join(dir, 'data');
    const claude = join(dir, 'claude');
    const town = join(dir, 'town');
    const state = join(dir, 'state');
    const worktree = join(town, 'gastown', 'polecats', 'toast');
    mkdirSync(worktree, { recursive: true });
    const port = await freePort();

    // The server, a town, an ingest token.
    let server = await startServe(children, data, port);
    const { url, adminToken } = server;
    const townId = await cliTown(data, 'E2E', join(dir, 'token'));

    // The sources: transcripts written in three parts, a Gas Town log, a git worktree with 12 new lines.
    const tree = generateTree({
      seed: 7,
      agents: 3,
      sessionsPerAgent: 2,
      responsesPerSession: 25,
      worktreeRoot: join(town, 'gastown', 'polecats'),
    });
    const part =
      (k: number) =>
      (_: string, n: number): [number, number] => [Math.floor((n * k) / 3), Math.floor((n * (k + 1)) / 3)];
    writeTree(claude, tree.files, part(0));
    execFileSync('git', ['init', '-q', '-b', 'main', worktree]);
    execFileSync('git', [
      '-C',
      worktree,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@e',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'base',
    ]);
    writeFileSync(join(worktree, 'new.txt'), 'x\n'.repeat(12));
    const gtLog = join(town, '.events.jsonl');
    const gt = (i: number, type: string, actor: string, payload: object) =>
      `${JSON.stringify({ ts: new Date(Date.now() - 3_600_000 + i * 1000).toISOString(), source: 'gt', type, actor, payload, visibility: 'feed' })}\n`;
    appendFileSync(
      gtLog,
      gt(1, 'spawn', 'gt', { rig: 'gastown', polecat: 'toast' }) +
        gt(2, 'sling', 'mayor', { bead: 'gt-1', target: 'gastown/polecats/toast' }),
    );

    const report = (...extra: string[]) => {
      const c = startGasgauge([
        'report',
        ...['--server', url, '--town', townId, '--token-file', join(dir, 'token')],
        ...[
          '--claude-dir',
          claude,
          '--no-codex',
          '--no-gemini',
          '--no-opencode',
          '--gastown',
          town,
          '--worktree',
          worktree,
          '--base',
          'main',
          '--state',
          state,
        ],
        ...['--loc-interval', '1', ...extra],
      ]);
      children.push(c);
      return c;
    };
    const totals = () => serverTotals(url, adminToken, townId);

    // 1. The reporter delivers the first part.
    let reporter = report();
    await waitFor('the first usage to arrive', async () => ((await totals()).input_tokens ?? 0) > 0 || undefined);

    // 2. The server dies; the sources grow meanwhile; it comes back on the same port and data.
    await server.child.kill('SIGKILL');
    writeTree(claude, tree.files, part(1));
    appendFileSync(gtLog, gt(3, 'hook', 'gastown/polecats/toast', { bead: 'gt-1' }));
    await new Promise((r) => setTimeout(r, 1500));
    server = await startServe(children, data, port);

    // 3. The reporter dies (SIGKILL, mid-delivery); more lines arrive; a new reporter picks up from the saved state.
    await waitFor('delivery to resume', async () => ((await totals()).events ?? 0) >= 3 || undefined);
    await reporter.kill('SIGKILL');
    // It saw the outage and kept retrying rather than dropping anything.
    expect(reporter.output()).toMatch(/delivery failed \(no answer from .*ECONNREFUSED/);
    writeTree(claude, tree.files, part(2));
    appendFileSync(
      gtLog,
      gt(4, 'done', 'gastown/polecats/toast', { bead: 'gt-1', branch: 'polecat/toast/gt-1' }) +
        gt(5, 'merged', 'gastown/refinery', { mr: 'gt-mr', worker: 'toast', branch: 'polecat/toast/gt-1' }) +
        '{"half a line\n',
    );
    reporter = report();
    await new Promise((r) => setTimeout(r, 700));
    await reporter.kill('SIGKILL');

    // 4. A --once run takes in whatever is left and exits 0 only when the server acknowledged everything.
    const once = report('--once', '--json');
    expect(await once.exited, once.output()).toBe(0);
    const summary = JSON.parse(once.output().trim().split('\n').pop() as string);
    expect(summary).toMatchObject({ delivered: true, pending: 0, quarantined: 0 });

    // The server holds exactly what the sources say.
    const t = await totals();
    expect(tokenTotals(t)).toEqual(expectedTokens(tree.expected));
    expect(t.cost_microdollars).toBe(await expectedCost(claude, join(dir, 'check-state')));
    // spawn 1 + sling 2 + hook 2 + done 2 + merged 2 (bead closed + note)
    expect([t.events, t.beads_created, t.beads_closed]).toEqual([9, 1, 1]);
    const now = await throughput(url, adminToken, townId);
    expect([now.locAdditions, now.locDeletions]).toEqual([12, 0]);
    await server.child.kill('SIGTERM');
  }, 120_000);
});

/** The cost the reporter's own rules give the final tree (checked against ccusage in claude/ccusage.test.ts). */
async function expectedCost(claudeDir: string, stateDir: string): Promise<number> {
  const store = new Store(stateDir);
  try {
    const src = new ClaudeSource({ store, configDirs: [claudeDir], agents: new AgentMap(), prices: PriceList.load() });
    await src.poll();
    const bodies = store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[];
    return bodies.reduce((sum, b) => sum + (JSON.parse(b) as UsageRecord).costMicrodollars, 0);
  } finally {
    store.close();
  }
}
