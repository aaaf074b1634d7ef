import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from './agents.js';
import { PriceList } from './claude/pricing.js';
import { ClaudeSource } from './claude/source.js';
import { Store } from './outbox/store.js';
import { type Child, cliTown, freePort, startGasgauge, startServe, stopAll } from './testing/processes.js';
import { removeDir, serverTotals, tempDir } from './testing/server.js';
import { generateTree, writeTree } from './testing/transcripts.js';
import type { UsageRecord } from './wire.js';

/**
 * Issue 12's "done when": a town fed only by unmodified Claude Code transcripts and Gas Town's event log,
 * through real `gasgauge serve` and `gasgauge report` processes, knows exactly what each bead cost. The
 * transcripts are delivered first and the event log after (a reporter catching up), so every record is
 * attributed by an agent event that arrived later than it.
 */
describe('cost per bead from transcripts and the Gas Town log', () => {
  const dir = tempDir('gg-beads-e2e-');
  const children: Child[] = [];
  afterAll(async () => {
    await stopAll(children);
    removeDir(dir);
  });

  it('attributes every response to the bead its agent was slung, exactly, and the rest to no bead', async () => {
    const data = join(dir, 'data');
    const claude = join(dir, 'claude');
    const town = join(dir, 'town');
    mkdirSync(town, { recursive: true });
    const port = await freePort();
    const server = await startServe(children, data, port);
    const { url, adminToken } = server;
    const townId = await cliTown(data, 'Beads', join(dir, 'token'));

    const tree = generateTree({
      seed: 12,
      agents: 2,
      sessionsPerAgent: 2,
      responsesPerSession: 20,
      worktreeRoot: join(town, 'gastown', 'polecats'),
    });
    writeTree(claude, tree.files);
    const records = await parsed(claude, join(dir, 'check-state'));

    // Each agent is slung bead A a third of the way through its responses, is done with it at two thirds,
    // and hooks bead B for the rest: its first third is on no bead.
    const log: string[] = [];
    const agentEvents: { agentId: string; at: number; beadId: string | null }[] = [];
    const line = (at: number, type: string, actor: string, payload: object) =>
      log.push(`${JSON.stringify({ ts: new Date(at).toISOString(), source: 'gt', type, actor, payload, visibility: 'feed' })}\n`);
    const agents = [...new Set(records.map((r) => r.agentId))].sort();
    expect(agents).toEqual(['gastown/polecats/agent-0', 'gastown/polecats/agent-1']);
    agents.forEach((agentId, k) => {
      const times = records
        .filter((r) => r.agentId === agentId)
        .map((r) => r.at)
        .sort((a, b) => a - b);
      const at = (f: number) => times[Math.floor(times.length * f)] as number;
      const [a, b] = [`gt-${k}a`, `gt-${k}b`];
      line(at(1 / 3), 'sling', 'mayor', { bead: a, target: agentId });
      line(at(2 / 3) + 1, 'done', agentId, { bead: a, branch: `polecat/${k}/${a}` });
      line(at(0.8), 'hook', agentId, { bead: b });
      agentEvents.push(
        { agentId, at: at(1 / 3), beadId: a },
        { agentId, at: at(2 / 3) + 1, beadId: null },
        { agentId, at: at(0.8), beadId: b },
      );
    });
    writeFileSync(join(town, '.events.jsonl'), '');

    const report = async () => {
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
          '--state',
          join(dir, 'state'),
        ],
        ...['--once', '--json'],
      ]);
      children.push(c);
      expect(await c.exited, c.output()).toBe(0);
    };
    // The transcripts first, then the event log that says which bead each agent worked on.
    await report();
    appendFileSync(join(town, '.events.jsonl'), log.join(''));
    await report();

    const expected = new Map<string | null, number>();
    for (const r of records) {
      const held = agentEvents
        .filter((e) => e.agentId === r.agentId && e.at <= r.at)
        .sort((x, y) => x.at - y.at)
        .at(-1);
      const bead = held?.beadId ?? null;
      expected.set(bead, (expected.get(bead) ?? 0) + r.costMicrodollars);
    }
    expect(expected.size).toBe(5); // four beads and no bead, none empty

    const get = async (path: string) => {
      const res = await fetch(url + path, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(res.status).toBe(200);
      return res.json();
    };
    const list = (await get(`/api/towns/${townId}/beads?limit=200`)) as { items: { beadId: string; costMicrodollars: number }[] };
    const stats = await get(`/api/towns/${townId}/beads-stats`);
    const got = new Map<string | null, number>(list.items.map((b) => [b.beadId, b.costMicrodollars]));
    got.set(null, stats.noBeadCostMicrodollars);
    expect([...got].sort()).toEqual([...expected].sort());
    // Sum over beads + no bead = the town's total, by the timeseries too.
    const total = records.reduce((s, r) => s + r.costMicrodollars, 0);
    expect(stats.totalCostMicrodollars).toBe(total);
    expect((await serverTotals(url, adminToken, townId, Date.now() - 4 * 3_600_000)).cost_microdollars).toBe(total);
    // The bead the agent finished went to review, and holds its agent.
    const bead = await get(`/api/towns/${townId}/beads/gt-0a`);
    expect(bead.bead).toMatchObject({ status: 'in_review', agents: ['gastown/polecats/agent-0'], attempts: 1 });
    await server.child.kill('SIGTERM');
  }, 120_000);
});

/** The usage records the reporter makes of the tree (its own parser, into a scratch outbox). */
async function parsed(claudeDir: string, stateDir: string): Promise<UsageRecord[]> {
  const store = new Store(stateDir);
  try {
    const src = new ClaudeSource({
      store,
      configDirs: [claudeDir],
      agents: new AgentMap({ gastownRoot: join(claudeDir, '..', 'town') }),
      prices: PriceList.load(),
    });
    await src.poll();
    const bodies = store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[];
    return bodies.map((b) => JSON.parse(b) as UsageRecord);
  } finally {
    store.close();
  }
}
