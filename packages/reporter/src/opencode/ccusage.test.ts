import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CcusageOpencodeTotals,
  ccusageOpencode,
  ccusageOpencodeSessions,
  reporterOpencodeTotals,
} from '../testing/opencode-referee.js';
import { generateOpencodeStore, openWriter } from '../testing/opencode-stores.js';
import { removeDir, tempDir } from '../testing/server.js';

const tokensOf = (t: CcusageOpencodeTotals) => [t.inputTokens, t.outputTokens, t.cacheReadTokens, t.cacheCreationTokens];

describe('OpenCode and Kilo stores against ccusage 20.0.24', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });
  const dir = () => {
    const d = tempDir('gg-opencode-');
    dirs.push(d);
    return d;
  };

  for (const [seed, tool] of [
    [1, 'opencode'],
    [2, 'opencode'],
    [3, 'kilo'],
  ] as const) {
    it(`${tool} seed ${seed}: tokens equal \`ccusage ${tool} session --offline\` exactly, cost within 0.1 %`, async () => {
      const d = dir();
      const data = join(d, tool);
      const g = generateOpencodeStore(data, { seed, tool, sessions: 8 });
      const [cc, mine] = await Promise.all([ccusageOpencode(data, tool), reporterOpencodeTotals([data], join(d, 'state'))]);
      expect(tokensOf(mine.totals)).toEqual(tokensOf(cc));
      expect(Math.abs(mine.totals.totalCost - cc.totalCost) / cc.totalCost).toBeLessThan(0.001);
      // And both equal the generator's count of each message once (the database's copy over a file's).
      const e = g.expected;
      expect(tokensOf(mine.totals)).toEqual([e.input, e.output, e.cacheRead, e.cacheWrite]);
      expect(mine.totals.reasoning).toBe(e.reasoning);
      expect(mine.records.length).toBe(e.messages);
      expect(mine.stats.malformed).toBe(g.malformed);
      if (tool === 'opencode') expect(g.both).toBeGreaterThan(0);
      expect(e.zeroCost).toBeGreaterThan(0);
      console.info(
        `ccusage ${tool} seed ${seed}: tokens ${tokensOf(cc).join('/')} both; cost ccusage $${cc.totalCost.toFixed(6)} reporter $${mine.totals.totalCost.toFixed(6)}`,
      );
    });
  }

  it('deliberate differences: reasoning tokens reported, Kilo `cost: 0` priced, a message without providerID counted', async () => {
    const one = async (tool: 'opencode' | 'kilo', body: object) => {
      const d = dir();
      const data = join(d, tool);
      mkdirSync(data, { recursive: true });
      const db = openWriter(join(data, `${tool}.db`));
      db.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_1', 'ses_1', 1, 1, JSON.stringify(body));
      db.close();
      return Promise.all([ccusageOpencode(data, tool), reporterOpencodeTotals([data], join(d, 'state'))]);
    };
    const base = {
      role: 'assistant',
      modelID: 'claude-sonnet-4-5',
      providerID: 'anthropic',
      time: { created: Date.UTC(2026, 5, 1) },
      tokens: { input: 100_000, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
      cost: 0,
    };
    // claude-sonnet-4-5: $3 per million input, $15 per million output.
    const [ccReasoning, mineReasoning] = await one('opencode', { ...base, tokens: { ...base.tokens, reasoning: 100_000 } });
    // Both price reasoning as output; only the reporter reports the tokens (ccusage's totals leave them out).
    expect([ccReasoning.totalCost, mineReasoning.totals.totalCost]).toEqual([expect.closeTo(1.8, 6), expect.closeTo(1.8, 6)]);
    expect(ccReasoning.outputTokens).toBe(0);
    expect(mineReasoning.totals.reasoning).toBe(100_000);
    const [ccKilo, mineKilo] = await one('kilo', base);
    expect([ccKilo.totalCost, mineKilo.totals.totalCost]).toEqual([0, expect.closeTo(0.3, 6)]);
    const { providerID: _, ...noProvider } = base;
    const [ccNoProvider, mineNoProvider] = await one('opencode', noProvider);
    expect([ccNoProvider.inputTokens, mineNoProvider.totals.inputTokens]).toEqual([0, 100_000]);
  });

  it('odd messages as ccusage reads them: a fractional or negative token count is 0; a message naming its model and provider counts whatever its role', async () => {
    const d = dir();
    const data = join(d, 'opencode');
    mkdirSync(data, { recursive: true });
    const db = openWriter(join(data, 'opencode.db'));
    const at = Date.UTC(2026, 5, 1);
    const message = (id: string, over: object) =>
      db.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run(
        id,
        'ses_1',
        at,
        at,
        JSON.stringify({
          role: 'assistant',
          modelID: 'claude-sonnet-4-5',
          providerID: 'anthropic',
          time: { created: at },
          tokens: { input: 1000, output: 100, reasoning: 0, cache: { read: 10, write: 1 } },
          cost: 0.01,
          ...over,
        }),
      );
    message('msg_float', { tokens: { input: 1000, output: 100.5, reasoning: 0, cache: { read: 10.25, write: 1 } } });
    message('msg_negative', { tokens: { input: -5, output: 100, reasoning: 0, cache: { read: 10, write: 1 } } });
    message('msg_no_role', { role: undefined });
    message('msg_system', { role: 'system' });
    message('msg_user', { role: 'user', modelID: undefined, model: { modelID: 'claude-sonnet-4-5', providerID: 'anthropic' } });
    db.close();
    const [cc, mine] = await Promise.all([ccusageOpencode(data, 'opencode'), reporterOpencodeTotals([data], join(d, 'state'))]);
    expect(tokensOf(mine.totals)).toEqual(tokensOf(cc));
    expect(tokensOf(mine.totals)).toEqual([1000 + 0 + 1000 + 1000, 0 + 100 + 100 + 100, 0 + 10 + 10 + 10, 1 + 1 + 1 + 1]);
  });

  it('a cost-0 message is priced as ccusage prices it: a listed cache-write rate, and names only its models.dev snapshot knows', async () => {
    // zai/glm-4.6 lists cache writes at 0 (ccusage's list); 1.25 × input, the default for a model that lists
    // none, added $0.0015 to this message (ccusage $0.0514, reporter $0.0529). gpt-4o-2024-11-20 on Azure lists
    // its own; gpt-5 lists none (1.25 × input, both).
    const d = dir();
    const data = join(d, 'opencode');
    mkdirSync(data, { recursive: true });
    const db = openWriter(join(data, 'opencode.db'));
    const at = Date.UTC(2026, 5, 1);
    const models: [string, string][] = [
      ['zai', 'glm-4.6'],
      ['zai-coding-plan', 'glm-4.7'],
      ['zai', 'glm-4.5'],
      ['zai', 'glm-4.5-air'],
      ['moonshotai', 'kimi-k2.5'],
      ['openai', 'gpt-5.2-codex'],
      ['azure', 'gpt-4o-2024-11-20'],
      ['openai', 'gpt-5'],
      // Names only ccusage's models.dev snapshot knows (before, each cost 0).
      ['openrouter', 'anthropic/claude-sonnet-4'],
      ['openrouter', 'google/gemini-2.5-flash'],
      ['xai', 'grok-4'],
      ['deepseek', 'deepseek-chat'],
      ['moonshotai', 'kimi-k2'],
      ['opencode', 'grok-code'],
      ['ollama', 'gpt-oss:20b'],
    ];
    for (const [i, [providerID, modelID]] of models.entries())
      db.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run(
        `msg_${i}`,
        `ses_${i}`,
        at,
        at,
        JSON.stringify({
          role: 'assistant',
          modelID,
          providerID,
          time: { created: at + i },
          tokens: { input: 60_000, output: 4_000, reasoning: 1_000, cache: { read: 40_000, write: 2_000 } },
          cost: 0,
        }),
      );
    db.close();
    const [cc, mine] = await Promise.all([ccusageOpencodeSessions(data), reporterOpencodeTotals([data], join(d, 'state'))]);
    for (const [i, [, model]] of models.entries()) {
      const theirs = cc.find((s) => s.sessionId === `ses_${i}`)?.totalCost ?? Number.NaN;
      const ours = (mine.records.find((r) => r.id === `msg_${i}`)?.costMicrodollars ?? Number.NaN) / 1e6;
      expect([model, ours]).toEqual([model, expect.closeTo(theirs, 6)]);
    }
  });
});
