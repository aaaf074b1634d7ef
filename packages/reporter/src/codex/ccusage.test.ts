import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CcusageCodexTotals, ccusageCodex, ccusageCodexSessions, reporterCodexTotals } from '../testing/codex-referee.js';
import { generateCodexTree } from '../testing/codex-rollouts.js';
import { removeDir, tempDir } from '../testing/server.js';
import { writeTree } from '../testing/transcripts.js';

/**
 * Trees dated before 2026-07-30: from then on ccusage prices `codex-auto-review` as gpt-5.6-luna, whose
 * built-in price differs from LiteLLM's (the last test). Earlier turns fall back to gpt-5.4 and older.
 */
const START = Date.UTC(2026, 5, 1);

const tokensOf = (t: CcusageCodexTotals) => [t.inputTokens, t.cacheReadTokens, t.outputTokens, t.reasoningOutputTokens];

describe('Codex CLI totals against ccusage 20.0.24', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });
  const home = (files: Map<string, string[]>) => {
    const dir = tempDir('gg-codex-');
    dirs.push(dir);
    writeTree(join(dir, 'codex'), files);
    return dir;
  };

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: tokens equal \`ccusage codex daily --offline\` exactly, cost within 0.1 %`, async () => {
      const t = generateCodexTree({ seed, agents: 3, sessionsPerAgent: 4, turnsPerSession: 14, start: START });
      const dir = home(t.files);
      const [cc, mine] = await Promise.all([
        ccusageCodex(join(dir, 'codex'), 'daily'),
        reporterCodexTotals(join(dir, 'codex'), join(dir, 'state')),
      ]);
      expect(tokensOf(mine.totals)).toEqual(tokensOf(cc));
      expect(Math.abs(mine.totals.costUSD - cc.costUSD) / cc.costUSD).toBeLessThan(0.001);
      // And both equal the generator's own count of each turn once.
      const e = t.expected;
      expect(tokensOf(mine.totals)).toEqual([e.input - e.cached, e.cached, e.output, e.reasoning]);
      expect(mine.totals.records).toBe(e.turns);
      expect(mine.stats.malformed).toBe(t.malformed);
      console.info(
        `ccusage codex seed ${seed}: tokens ${tokensOf(cc).join('/')} both; cost ccusage $${cc.costUSD.toFixed(6)} reporter $${mine.totals.costUSD.toFixed(6)}`,
      );
    });
  }

  it('without resumed copies, `ccusage codex session` agrees too; with them, it counts each copy once per session', async () => {
    const plain = generateCodexTree({ seed: 4, resumed: false, start: START });
    const dir = home(plain.files);
    const [session, mine] = await Promise.all([
      ccusageCodex(join(dir, 'codex'), 'session'),
      reporterCodexTotals(join(dir, 'codex'), join(dir, 'state')),
    ]);
    expect(tokensOf(mine.totals)).toEqual(tokensOf(session));
    expect(Math.abs(mine.totals.costUSD - session.costUSD) / session.costUSD).toBeLessThan(0.001);

    // Deliberate difference: a resumed session's file begins with a copy of the earlier file's turns
    // (same times, same counts). ccusage's `session` report dedupes turns per session file, so it adds
    // the copies again; its `daily` report and the reporter count each turn once.
    const t = generateCodexTree({ seed: 5, sessionsPerAgent: 5, start: START });
    expect(t.copied.turns).toBeGreaterThan(0);
    const dir2 = home(t.files);
    const [session2, mine2] = await Promise.all([
      ccusageCodex(join(dir2, 'codex'), 'session'),
      reporterCodexTotals(join(dir2, 'codex'), join(dir2, 'state')),
    ]);
    expect(session2.outputTokens - mine2.totals.outputTokens).toBe(t.copied.output);
    expect(session2.cacheReadTokens - mine2.totals.cacheReadTokens).toBe(t.copied.cached);
  });

  it('priority tier (service_tier in config.toml): cost within 0.1 % of ccusage, which detects it the same way', async () => {
    const t = generateCodexTree({ seed: 6, start: START });
    const dir = home(t.files);
    writeFileSync(join(dir, 'codex', 'config.toml'), "service_tier = 'fast'\n");
    const [cc, mine] = await Promise.all([
      ccusageCodex(join(dir, 'codex'), 'daily'),
      reporterCodexTotals(join(dir, 'codex'), join(dir, 'state')),
    ]);
    expect(tokensOf(mine.totals)).toEqual(tokensOf(cc));
    expect(Math.abs(mine.totals.costUSD - cc.costUSD) / cc.costUSD).toBeLessThan(0.001);
  });

  it('deliberate difference: lines spaced after their colons count (ccusage 20.0.24 passes over them)', async () => {
    const spaced = (v: object) => JSON.stringify(v).replace(/":/g, '": ');
    const files = new Map([
      [
        'sessions/2026/06/08/rollout-spaced.jsonl',
        [
          spaced({ timestamp: '2026-06-08T10:00:00.000Z', type: 'turn_context', payload: { cwd: '/w', model: 'gpt-5' } }),
          spaced({
            timestamp: '2026-06-08T10:00:01.000Z',
            type: 'event_msg',
            payload: {
              type: 'token_count',
              info: { last_token_usage: { input_tokens: 1000, output_tokens: 10, total_tokens: 1010 } },
            },
          }),
        ],
      ],
    ]);
    const dir = home(files);
    const [cc, mine] = await Promise.all([
      ccusageCodex(join(dir, 'codex'), 'daily'),
      reporterCodexTotals(join(dir, 'codex'), join(dir, 'state')),
    ]);
    expect(tokensOf(cc)).toEqual([0, 0, 0, 0]);
    expect(tokensOf(mine.totals)).toEqual([1000, 0, 10, 0]);
  });

  it('deliberate difference: a time with 1 to 9 fraction digits is read (ccusage 20.0.24 fails its whole report on it); one without a zone is not', async () => {
    const turn = (ts: string, input: number) =>
      JSON.stringify({
        timestamp: ts,
        type: 'event_msg',
        payload: {
          type: 'token_count',
          info: { last_token_usage: { input_tokens: input, output_tokens: 1, total_tokens: input + 1 } },
        },
      });
    const ctx = JSON.stringify({
      timestamp: '2026-06-08T09:00:00.000Z',
      type: 'turn_context',
      payload: { cwd: '/w', model: 'gpt-5' },
    });
    const dir = home(
      new Map([
        [
          'sessions/2026/06/08/rollout-times.jsonl',
          [ctx, turn('2026-06-08T10:00:00.123456Z', 100), turn('2026-06-08T10:00:01.5Z', 200), turn('2026-06-08T10:00:02', 400)],
        ],
      ]),
    );
    await expect(ccusageCodex(join(dir, 'codex'), 'daily')).rejects.toThrow(/Invalid Codex timestamp/);
    const mine = await reporterCodexTotals(join(dir, 'codex'), join(dir, 'state'));
    // The zone-less one would be local time (another number on another machine): skipped.
    expect(mine.totals.inputTokens).toBe(300);
  });

  it('deliberate difference: `codex exec --json` output lines are not read (ccusage 20.0.24 counts their `usage`)', async () => {
    // What `codex exec --json` prints; Codex CLI writes its own rollouts, not these, into the sessions tree.
    const headless = JSON.stringify({
      type: 'turn.completed',
      usage: { input_tokens: 100, cached_input_tokens: 0, output_tokens: 1 },
    });
    const dir = home(new Map([['sessions/2026/06/08/rollout-exec.jsonl', [headless]]]));
    const [cc, mine] = await Promise.all([
      ccusageCodex(join(dir, 'codex'), 'daily'),
      reporterCodexTotals(join(dir, 'codex'), join(dir, 'state')),
    ]);
    expect(tokensOf(cc)).toEqual([100, 0, 1, 0]);
    expect(tokensOf(mine.totals)).toEqual([0, 0, 0, 0]);
  });

  it('every model ccusage prices is priced as ccusage prices it (its LiteLLM subset, then its models.dev snapshot), not as the nearest of a few listed names', async () => {
    // One session per model, each turn 100k input (40k cached), 5k output (1k reasoning). Before, the list
    // held twenty names: gpt-5-nano, gpt-4.1-mini and gpt-5-pro took gpt-5's or gpt-4.1's price (up to 25×
    // too much), gpt-4o, gpt-5-2025-08-07 and gpt-oss-120b cost 0, gpt-5.4-pro was priced as gpt-5.4.
    const models = [
      'gpt-5-nano',
      'gpt-5-pro',
      'gpt-5.4-pro',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-5-2025-08-07',
      'openai/gpt-5',
      'gpt-oss-120b',
      'o1',
      'glm-4.6',
      // Z.ai's and Moonshot's names as ccusage's subset lists them (before, glm-4.7 and glm-4.5 matched the free
      // zai/glm-4.7-flash and zai/glm-4.5-flash, zai/glm-4.5's cache reads cost the input rate).
      'glm-4.7',
      'glm-4.5',
      'glm-5',
      'zai/glm-4.5',
      'kimi-k2.5',
      'moonshot/kimi-k2.6',
      // Not in ccusage's LiteLLM subset: priced from its models.dev snapshot (before, 0), and o3-mini, o1-mini,
      // exact-only there, before a longer LiteLLM name containing them (before, o3-mini at :batch prices).
      'gpt-oss:20b',
      'o3-mini',
      'o1-mini',
      'grok-4',
      'kimi-k2',
      'deepseek-chat',
      'qwen3-coder',
    ];
    const files = new Map(
      models.map((model, i) => [
        `sessions/2026/06/08/rollout-2026-06-08T10-00-${String(i).padStart(2, '0')}-m${i}.jsonl`,
        [
          JSON.stringify({ timestamp: '2026-06-08T10:00:00.000Z', type: 'session_meta', payload: { id: `m${i}`, cwd: '/w' } }),
          JSON.stringify({ timestamp: '2026-06-08T10:00:00.000Z', type: 'turn_context', payload: { cwd: '/w', model } }),
          JSON.stringify({
            timestamp: `2026-06-08T10:${String(i).padStart(2, '0')}:01.000Z`,
            type: 'event_msg',
            payload: {
              type: 'token_count',
              info: {
                last_token_usage: {
                  input_tokens: 100_000,
                  cached_input_tokens: 40_000,
                  output_tokens: 5_000,
                  reasoning_output_tokens: 1_000,
                  total_tokens: 105_000,
                },
              },
            },
          }),
        ],
      ]),
    );
    const dir = home(files);
    const [sessions, mine] = await Promise.all([
      ccusageCodexSessions(join(dir, 'codex')),
      reporterCodexTotals(join(dir, 'codex'), join(dir, 'state')),
    ]);
    const ours = new Map(mine.records.map((r) => [r.model, r.costMicrodollars / 1e6]));
    const theirs = new Map(sessions.map((s) => [Object.keys(s.models)[0], s.costUSD]));
    for (const model of models) {
      const cc = theirs.get(model) ?? Number.NaN;
      expect(cc).toBeGreaterThan(0);
      expect([model, ours.get(model)]).toEqual([model, expect.closeTo(cc, 6)]);
    }
  });

  it('deliberate differences: o3, o4-mini and gpt-5.6-* at LiteLLM prices, which ccusage 20.0.24 does not use offline', async () => {
    const turn = (model: string) => [
      JSON.stringify({ timestamp: '2026-11-20T10:00:00.000Z', type: 'turn_context', payload: { cwd: '/w', model } }),
      JSON.stringify({
        timestamp: '2026-11-20T10:00:01.000Z',
        type: 'event_msg',
        payload: {
          type: 'token_count',
          info: {
            last_token_usage: {
              input_tokens: 100_000,
              cached_input_tokens: 0,
              output_tokens: 100_000,
              total_tokens: 200_000,
            },
          },
        },
      }),
    ];
    // [model, the reporter's USD per million input + output (LiteLLM; OpenAI's list for o3, o4-mini), ccusage
    // 20.0.24 offline's]; each turn has 100k of each, below the long-context threshold.
    // o3, o4-mini: its embedded LiteLLM subset keeps gpt-*/openai/*/azure/* names only, so a bare `o3` takes
    // the longest of those names containing it, another listing's price. gpt-5.6-*: it prices them from
    // its own built-in table instead of LiteLLM's entries.
    const cases: [string, number, number][] = [
      ['o3', 2 + 8, 0.55 + 2.2],
      ['o4-mini', 1.1 + 4.4, 0.55 + 2.2],
      ['gpt-5.6-sol', 5 + 30, 4 + 20],
      ['gpt-5.6-terra', 2.5 + 15, 2 + 12],
      ['gpt-5.6-luna', 1 + 6, 0.2 + 1.2],
    ];
    for (const [model, listed, ccusagePriced] of cases) {
      const dir = home(new Map([[`sessions/2026/11/20/rollout-${model}.jsonl`, turn(model)]]));
      const [cc, mine] = await Promise.all([
        ccusageCodex(join(dir, 'codex'), 'daily'),
        reporterCodexTotals(join(dir, 'codex'), join(dir, 'state')),
      ]);
      expect([model, cc.costUSD]).toEqual([model, expect.closeTo(ccusagePriced / 10, 6)]);
      expect([model, mine.totals.costUSD]).toEqual([model, expect.closeTo(listed / 10, 6)]);
    }
  });
});
