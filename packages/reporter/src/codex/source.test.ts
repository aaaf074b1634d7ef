import { appendFileSync, mkdirSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { MAX_JSON_VALUES } from '../json.js';
import { Store } from '../outbox/store.js';
import { generateCodexTree } from '../testing/codex-rollouts.js';
import { growOnEachCursor } from '../testing/fast-writer.js';
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
      // The session its OTLP logs name as `conversation.id` (docs/api.md, one session, two paths).
      session: 's',
    });
    // 400 × $1.25 + 600 × $0.125 + 300 × $10 per million (reasoning billed as output).
    expect(r?.costMicrodollars).toBe(Math.round(400 * 1.25 + 600 * 0.125 + 300 * 10));
  });

  it('watched (a running reporter), a pass reads at most passFileBytes of one rollout and goes on to the next; the next polls read the rest', async () => {
    const turns = (n: number) =>
      Array.from({ length: n }, () =>
        line(ts(2), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(100, 0, 10) }, pad: 'x'.repeat(200) }),
      );
    const rollout = (name: string, n: number) =>
      write(`sessions/2026/11/20/${name}`, [
        line(ts(0), 'session_meta', { id: name, cwd: '/w' }),
        line(ts(1), 'turn_context', { cwd: '/w', model: 'gpt-5-codex' }),
        ...turns(n),
      ]);
    // ~3.3 MB and 1 turn: passes of about 1 MiB (a step may go a batch past it) for the first.
    const big = rollout('rollout-a.jsonl', 10_000);
    const small = rollout('rollout-b.jsonl', 1);
    store = new Store(join(dir, 'state'));
    const src = new CodexSource({
      store,
      homes: [join(dir, 'codex')],
      agents: new AgentMap(),
      prices,
      passFileBytes: 1024 * 1024,
    });
    src.watch();
    try {
      await src.poll();
      expect(src.stats.bytes).toBeLessThan(statSync(big).size);
      expect(src.stats.turns).toBeGreaterThan(0);
      // Nothing is written meanwhile: the rollout cut short is looked at again all the same.
      for (let k = 0; k < 4; k++) await src.poll();
      expect(src.stats).toMatchObject({ bytes: statSync(big).size + statSync(small).size, turns: 10_001 });
    } finally {
      src.close();
    }
  });

  it('a rollout written faster than it is read ends its pass at the size the pass began with; the next pass reads on', async () => {
    const turns = (n: number) =>
      Array.from({ length: n }, () =>
        line(ts(2), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(100, 0, 10) }, pad: 'x'.repeat(200) }),
      );
    const path = write('sessions/2026/11/20/rollout-a.jsonl', [
      line(ts(0), 'session_meta', { id: 's', cwd: '/w' }),
      line(ts(1), 'turn_context', { cwd: '/w', model: 'gpt-5-codex' }),
      ...turns(5_000),
    ]);
    const size = statSync(path).size;
    const src = open();
    // ~1.5 MiB more per 1 MiB batch read.
    growOnEachCursor(store, () => appendFileSync(path, `${turns(5_000).join('\n')}\n`), 6);
    await src.poll();
    expect(src.stats).toMatchObject({ bytes: size, turns: 5_000 });
    for (let pass = 0; pass < 10 && src.stats.bytes < statSync(path).size; pass++) await src.poll();
    expect(src.stats).toMatchObject({ bytes: statSync(path).size, turns: 35_000 });
  });

  it('a rollout truncated in place and written past the cursor before the next poll is read from its start', async () => {
    const rollout = (model: string, n: number) => [
      line(ts(0), 'session_meta', { id: 's', cwd: '/w' }),
      line(ts(1), 'turn_context', { cwd: '/w', model }),
      ...Array.from({ length: n }, (_, i) =>
        line(ts(2 + i), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(100 + i, 0, 10) } }),
      ),
    ];
    const path = write('sessions/2026/11/20/rollout-a.jsonl', rollout('gpt-5-codex', 3));
    const src = open();
    await src.poll();
    expect(src.stats.turns).toBe(3);
    // The same inode, larger than the cursor, never seen smaller: only the line before the cursor tells.
    truncateSync(path, 0);
    appendFileSync(path, `${rollout('gpt-5', 6).join('\n')}\n`);
    await src.poll();
    expect([...records().values()].filter((r) => r.model === 'gpt-5')).toHaveLength(6);
  });

  it('a rollout rewritten in place to the same size is read again from its start, by this process and the next', async () => {
    // Another session each time, its last line another count of as many digits: the same size.
    const rollout = (session: string, input: number) => [
      line(ts(0), 'session_meta', { id: session, cwd: '/w' }),
      line(ts(1), 'turn_context', { cwd: '/w', model: 'gpt-5-codex' }),
      line(ts(2), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(input, 0, 10) } }),
    ];
    const path = write('sessions/2026/11/20/rollout-a.jsonl', rollout('s1', 100));
    const old = new Date(Date.now() - 10_000);
    utimesSync(path, old, old);
    const { ino, size } = statSync(path);
    const turns = () =>
      [...records().values()].map((r) => [r.session, r.inputTokens]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    let src = open();
    await src.poll();
    write('sessions/2026/11/20/rollout-a.jsonl', rollout('s2', 200));
    expect(statSync(path)).toMatchObject({ ino, size });
    await src.poll();
    expect(turns()).toEqual([
      ['s1', 100],
      ['s2', 200],
    ]);
    // And by the next process, after another such rewrite.
    utimesSync(path, old, old);
    src.close();
    store.close();
    write('sessions/2026/11/20/rollout-a.jsonl', rollout('s3', 300));
    src = open();
    await src.poll();
    expect(turns()).toEqual([
      ['s1', 100],
      ['s2', 200],
      ['s3', 300],
    ]);
    src.close();
  });

  it('watched, a pass the full outbox stopped inside the last file it reads leaves that file for the next poll', async () => {
    // One rollout, read in batches of ~one line: the outbox (full after any one record) stops the pass inside it,
    // the step calls the file done, and it is the last of the pass: nothing else names it again (no write, no event).
    write('sessions/2026/11/20/rollout-a.jsonl', [
      line(ts(0), 'session_meta', { id: 's', cwd: '/w' }),
      line(ts(1), 'turn_context', { cwd: '/w', model: 'gpt-5-codex' }),
      ...Array.from({ length: 4 }, (_, i) =>
        line(ts(2 + i), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(100 + i, 0, 10) } }),
      ),
    ]);
    store = new Store(join(dir, 'state'), { maxPendingBytes: 1 });
    const src = new CodexSource({ store, homes: [join(dir, 'codex')], agents: new AgentMap(), prices, read: { batchBytes: 64 } });
    src.watch();
    try {
      const delivered = new Set<string>();
      for (let k = 0; k < 8 && delivered.size < 4; k++) {
        await src.poll();
        for (const id of records().keys()) delivered.add(id);
        store.sql.prepare('DELETE FROM outbox').run();
        store.recount();
      }
      expect(delivered.size).toBe(4);
    } finally {
      src.close();
    }
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
    // Its parent's file is not here: the first two usage events decide.
    const spawn = { thread_spawn: { parent_thread_id: 'elsewhere', depth: 1 } };
    const meta = line(ts(0), 'session_meta', { id: 'sub', cwd: '/w', source: { subagent: spawn } });
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
    // Restarted meanwhile: the file is read to its end, but its held event is still looked at until it settles.
    src.close();
    store.close();
    const again = open({ now: () => now });
    await again.poll();
    expect(records().size).toBe(1);
    now += 61_000;
    await again.poll();
    expect(records().size).toBe(2);
    again.close();
  });

  it("skips the turns a fork's file replays from its parent's file, matched in order up to the fork's time, while tailing", async () => {
    const ctx = line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5' });
    const tokens = (t: string, last: object, total: object) =>
      line(t, 'event_msg', { type: 'token_count', info: { last_token_usage: last, total_token_usage: total } });
    write('sessions/2026/11/20/rollout-p.jsonl', [
      line(ts(0), 'session_meta', { id: 'parent', cwd: '/w' }),
      ctx,
      tokens(ts(10), usage(1000, 0, 100), usage(1000, 0, 100)),
      tokens(ts(20), usage(2000, 0, 200), usage(3000, 0, 300)),
      // After the fork: not in the replay.
      tokens(ts(50), usage(4000, 0, 400), usage(7000, 0, 700)),
    ]);
    const head = [line(ts(30), 'session_meta', { id: 'child', forked_from_id: 'parent', cwd: '/w' }), ctx];
    // The replay, under new times in different seconds; then the fork's own turn (written later).
    const replayed = [
      tokens(ts(31), usage(1000, 0, 100), usage(1000, 0, 100)),
      tokens(ts(33), usage(2000, 0, 200), usage(3000, 0, 300)),
    ];
    const own = tokens(ts(40), usage(4000, 0, 400), usage(7000, 0, 700));
    const child = write('sessions/2026/11/20/rollout-c.jsonl', [...head, ...replayed]);
    const src = open();
    await src.poll();
    expect([...records().values()].map((r) => r.inputTokens).sort()).toEqual([1000, 2000, 4000]);
    writeFileSync(child, `${[...head, ...replayed, own].join('\n')}\n`);
    await src.poll();
    // The fork's own turn counts, though equal in counts to the parent's turn after the fork.
    expect([...records().values()].map((r) => r.inputTokens).sort()).toEqual([1000, 2000, 4000, 4000]);

    // A fork whose first turn is not its parent's: the same-second test decides (here: no replay).
    write('sessions/2026/11/20/rollout-d.jsonl', [
      line(ts(30), 'session_meta', { id: 'other', forked_from_id: 'parent', cwd: '/w' }),
      ctx,
      tokens(ts(31), usage(5, 0, 1), usage(5, 0, 1)),
      tokens(ts(32), usage(6, 0, 1), usage(11, 0, 2)),
    ]);
    await src.poll();
    expect([...records().values()].map((r) => r.inputTokens).sort((a, b) => a - b)).toEqual([5, 6, 1000, 2000, 4000, 4000]);
  });

  it('counts a token_count written twice once: its totals did not move', async () => {
    const twice = line(ts(1), 'event_msg', {
      type: 'token_count',
      info: { last_token_usage: usage(100, 0, 10), total_token_usage: usage(100, 0, 10) },
    });
    write('sessions/2026/11/20/rollout-t.jsonl', [
      line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5' }),
      twice,
      twice.replace(ts(1), ts(2)),
      line(ts(3), 'event_msg', {
        type: 'token_count',
        info: { last_token_usage: usage(7, 0, 1), total_token_usage: usage(107, 0, 11) },
      }),
    ]);
    await open().poll();
    expect([...records().values()].map((r) => r.inputTokens).sort((a, b) => a - b)).toEqual([7, 100]);
  });

  it('reads a file again from its start when an older reporter saved it mid-replay', async () => {
    const meta = line(ts(0), 'session_meta', { id: 's', forked_from_id: 'gone', cwd: '/w' });
    const path = write('sessions/2026/11/20/rollout-o.jsonl', [
      meta,
      line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5' }),
      line(ts(1), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(10, 0, 1) } }),
      line(ts(5), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(20, 0, 2) } }),
    ]);
    const src = open();
    // The shape an older reporter saved: its first event held as a line, at the offset past it.
    const firstTwo = `${meta}\n${line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5' })}\n`.length;
    store.transaction(() => {
      store.setCursor('codex', path, statSync(path).ino, firstTwo);
      store.sql
        .prepare('INSERT INTO codex_files (path, state) VALUES (?, ?)')
        .run(
          path,
          JSON.stringify({ prev: null, model: 'gpt-5', cwd: '/w', replay: 'one', second: 'x', pending: { kind: 'tokens' } }),
        );
    });
    await src.poll();
    // Seconds 1 and 5 differ: no replay, both count.
    expect([...records().values()].map((r) => r.inputTokens).sort((a, b) => a - b)).toEqual([10, 20]);
  });

  it("keeps the first session_meta's id as every turn's session; a state saved before sessions were kept sends none", async () => {
    const lines = [
      line(ts(0), 'session_meta', { id: 'own', cwd: '/w' }),
      line(ts(0), 'turn_context', { cwd: '/w', model: 'gpt-5' }),
      line(ts(1), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(10, 0, 1) } }),
      line(ts(2), 'session_meta', { id: 'other', cwd: '/w' }),
      line(ts(3), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(20, 0, 2) } }),
    ];
    write('sessions/2026/11/20/rollout-s.jsonl', lines);
    await open().poll();
    expect([...records().values()].map((r) => [r.inputTokens, r.session])).toEqual([
      [10, 'own'],
      [20, 'own'],
    ]);
    store.close();

    // An older reporter's state (v2, no session) past the first line: the id is not known, so none is sent.
    const path = write('sessions/2026/11/20/rollout-t.jsonl', lines);
    const src = open({ state: 'state-old' });
    store.transaction(() => {
      store.setCursor('codex', path, statSync(path).ino, `${lines.slice(0, 3).join('\n')}\n`.length);
      store.sql.prepare('INSERT INTO codex_files (path, state) VALUES (?, ?)').run(
        path,
        JSON.stringify({
          v: 2,
          prev: null,
          model: 'gpt-5',
          cwd: '/w',
          replay: 'done',
          parent: null,
          forkedAt: null,
          index: 0,
          seconds: [],
          second: null,
          held: [],
        }),
      );
    });
    await src.poll();
    const sent = [...records().values()].filter((r) => r.inputTokens === 20);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.session).toBeUndefined();
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

describe('CodexSource against a parent rollout made huge', () => {
  it("reads at most 256 MiB of a fork's parent in one go: a 16 GiB sparse parent does not hold the thread", async () => {
    const parent = write('sessions/2026/11/20/rollout-2026-11-20T10-00-00-p.jsonl', [
      line(ts(0), 'session_meta', { id: 'P', cwd: '/work/a' }),
    ]);
    truncateSync(parent, 16 * 2 ** 30); // no disk used: a 16 GiB line of NULs, no newline
    write('sessions/2026/11/20/rollout-2026-11-20T10-00-01-c.jsonl', [
      line(ts(1), 'session_meta', { id: 'C', cwd: '/work/a', forked_from_id: 'P' }),
      line(ts(2), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(100, 0, 10) } }),
      line(ts(3), 'event_msg', { type: 'token_count', info: { last_token_usage: usage(200, 0, 20) } }),
    ]);
    const src = open();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    try {
      while (!(await src.poll())) {}
      await src.poll();
    } finally {
      delay.disable();
    }
    expect([...records().values()].map((r) => r.inputTokens).sort()).toEqual([100, 200]);
    // Before, the parent's turns were read to its end in one call: seconds with no event loop turn.
    expect(delay.max / 1e6).toBeLessThan(2500);
  }, 120_000);
});
