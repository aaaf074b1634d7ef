import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { MAX_JSON_VALUES } from '../json.js';
import { Store } from '../outbox/store.js';
import { generateCodexTree } from '../testing/codex-rollouts.js';
import { removeDir, tempDir } from '../testing/server.js';
import { writeTree } from '../testing/transcripts.js';
import type { UsageRecord } from '../wire.js';
import { codexPrices } from './prices.js';
import { CodexSource } from './source.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = tempDir('gg-codex-src-');
});
afterEach(() => {
  store?.close();
  removeDir(dir);
});

const prices = codexPrices();
const open = (opts: { state?: string; now?: () => number; agents?: AgentMap } = {}) => {
  store = new Store(join(dir, opts.state ?? 'state'));
  return new CodexSource({
    store,
    homes: [join(dir, 'codex')],
    agents: opts.agents ?? new AgentMap(),
    prices,
    rescanMs: 0,
    ...(opts.now ? { now: opts.now } : {}),
  });
};
const records = (): Map<string, UsageRecord> =>
  new Map(
    (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[])
      .map((b) => JSON.parse(b) as UsageRecord)
      .map((r) => [r.id, r]),
  );

const ts = (s: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, s)).toISOString();
const line = (t: string, type: string, payload: object) => JSON.stringify({ timestamp: t, type, payload });
const usage = (input: number, cached: number, output: number, reasoning = 0) => ({
  input_tokens: input,
  cached_input_tokens: cached,
  output_tokens: output,
  reasoning_output_tokens: reasoning,
  total_tokens: input + output,
});
const write = (rel: string, lines: string[]) => {
  const path = join(dir, 'codex', rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

describe('CodexSource', () => {
  it('maps a turn to the five amounts without counting a token twice, and attributes it by cwd', async () => {
    write('sessions/2026/11/20/rollout-a.jsonl', [
      line(ts(0), 'session_meta', { id: 's', cwd: '/work/town/gastown/polecats/toast' }),
      line(ts(1), 'turn_context', { cwd: '/work/town/gastown/polecats/toast', model: 'gpt-5-codex' }),
      line(ts(2), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(1000, 600, 300, 120) } }),
    ]);
    const src = open({ agents: new AgentMap({ gastownRoot: '/work/town' }) });
    await src.poll();
    const [r] = [...records().values()];
    // Codex's 1000 input include 600 cached; its 300 output include 120 reasoning.
    expect(r).toMatchObject({
      agentId: 'gastown/polecats/toast',
      model: 'gpt-5-codex',
      provider: 'openai',
      inputTokens: 400,
      cacheReadTokens: 600,
      outputTokens: 180,
      reasoningTokens: 120,
      cacheWriteTokens: 0,
      at: Date.parse(ts(2)),
    });
    // 400 × $1.25 + 600 × $0.125 + 300 × $10 per million (reasoning billed as output).
    expect(r?.costMicrodollars).toBe(Math.round(400 * 1.25 + 600 * 0.125 + 300 * 10));
  });

  it('read in pieces with restarts mid-file sends exactly what one read sends', async () => {
    const tree = generateCodexTree({ seed: 9, agents: 2, sessionsPerAgent: 4, turnsPerSession: 10 });
    // One read of the whole tree, in its own state.
    writeTree(join(dir, 'whole'), tree.files);
    store = new Store(join(dir, 'state-whole'));
    await new CodexSource({ store, homes: [join(dir, 'whole')], agents: new AgentMap(), prices, rescanMs: 0 }).poll();
    const whole = records();
    store.close();

    // The same lines appended in five pieces, the reporter restarted after each (its state reopened).
    for (let k = 0; k < 5; k++) {
      writeTree(join(dir, 'codex'), tree.files, (_, n) => [Math.floor((n * k) / 5), Math.floor((n * (k + 1)) / 5)]);
      await open().poll();
      if (k < 4) store.close();
    }
    expect(records()).toEqual(whole);
    expect(whole.size).toBe(tree.expected.turns);
  });

  it('a file replaced or read again from the start sends the same ids and nothing new', async () => {
    const lines = [
      line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5.2-codex' }),
      line(ts(1), 'event_msg', { type: 'token_count', info: { total_token_usage: usage(100, 0, 10) } }),
      line(ts(2), 'event_msg', { type: 'token_count', info: { total_token_usage: usage(300, 50, 40) } }),
    ];
    const path = write('sessions/2026/11/20/rollout-b.jsonl', lines);
    const src = open();
    await src.poll();
    const first = records();
    // Codex never rewrites a rollout, but a restore or a copy does: another inode, the same lines.
    writeFileSync(`${path}.tmp`, `${lines.join('\n')}\n`);
    renameSync(`${path}.tmp`, path);
    await src.poll();
    expect(records()).toEqual(first);
    // Only totals: the second turn is the increase over the first.
    expect(
      [...first.values()].sort((a, b) => a.at - b.at).map((r) => [r.inputTokens, r.cacheReadTokens, r.outputTokens]),
    ).toEqual([
      [100, 0, 10],
      [150, 50, 30],
    ]);
  });

  it("holds a sub-agent file's first usage event until the second shows whether it is a replay, or the file goes quiet", async () => {
    let now = Date.now();
    const meta = line(ts(0), 'session_meta', { id: 'sub', cwd: '/w', source: { subagent: { thread_spawn: { depth: 1 } } } });
    const ctx = line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5' });
    const path = write('sessions/2026/11/20/rollout-sub.jsonl', [
      meta,
      ctx,
      line(ts(1), 'event_msg', {
        type: 'token_count',
        info: { last_token_usage: usage(500, 0, 50), total_token_usage: usage(500, 0, 50) },
      }),
    ]);
    const src = open({ now: () => now });
    await src.poll();
    expect(records().size).toBe(0);
    // Another event in the same second: both were a replay of the parent and count nothing.
    writeFileSync(
      path,
      `${[
        meta,
        ctx,
        line(ts(1), 'event_msg', {
          type: 'token_count',
          info: { last_token_usage: usage(500, 0, 50), total_token_usage: usage(500, 0, 50) },
        }),
        line(ts(1), 'event_msg', {
          type: 'token_count',
          info: { last_token_usage: usage(70, 0, 7), total_token_usage: usage(570, 0, 57) },
        }),
        // The sub-agent's own turn, only totals: the increase over the replayed totals.
        line(ts(9), 'event_msg', { type: 'token_count', info: { total_token_usage: usage(600, 0, 60) } }),
      ].join('\n')}\n`,
    );
    await src.poll();
    expect([...records().values()].map((r) => [r.inputTokens, r.outputTokens])).toEqual([[30, 3]]);

    // A sub-agent whose only usage event stays alone: counted once the file has been quiet for a minute.
    write('sessions/2026/11/20/rollout-sub2.jsonl', [
      meta,
      ctx,
      line(ts(20), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(11, 0, 1) } }),
    ]);
    await src.poll();
    expect(records().size).toBe(1);
    now += 61_000;
    await src.poll();
    expect(records().size).toBe(2);
  });

  it('prices every turn at the priority rate when config.toml asks for it', async () => {
    write('sessions/2026/11/20/rollout-c.jsonl', [
      line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5.5' }),
      line(ts(1), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(1000, 0, 100) } }),
    ]);
    writeFileSync(join(dir, 'codex', 'config.toml'), 'model = "gpt-5.5"\nservice_tier = "priority" # faster\n');
    await open().poll();
    // (1000 × $5 + 100 × $30) per million, × 2.5 for gpt-5.5's priority tier.
    expect([...records().values()][0]?.costMicrodollars).toBe(Math.round((1000 * 5 + 100 * 30) * 2.5));
  });

  it('skips a usage line of too many JSON values as malformed (it would take gigabytes to parse) and reads the lines around it', async () => {
    const hostile = `{"type":"event_msg","payload":{"type":"token_count","info":${'['.repeat(MAX_JSON_VALUES)}${']'.repeat(MAX_JSON_VALUES)}}}`;
    write('sessions/2026/11/20/rollout-h.jsonl', [
      line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5-codex' }),
      line(ts(1), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(100, 0, 10) } }),
      hostile,
      line(ts(3), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(200, 0, 20) } }),
    ]);
    const src = open();
    await src.poll();
    expect([...records().values()].map((r) => r.inputTokens).sort()).toEqual([100, 200]);
    expect(src.stats.malformed).toBe(1);
  });
});
