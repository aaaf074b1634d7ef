import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CcusageOpencodeTotals, ccusageOpencode, reporterOpencodeTotals } from '../testing/opencode-referee.js';
import { generateOpencodeStore } from '../testing/opencode-stores.js';
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
});
