import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { generateGeminiTree } from '../testing/gemini-chats.js';
import { removeDir, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { geminiPrices } from './prices.js';
import { GeminiSource } from './source.js';

const run = promisify(execFile);
const CCUSAGE = createRequire(import.meta.url).resolve('ccusage/src/cli.js');

interface CcusageGeminiTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
}

/** ccusage 20.0.24 itself, offline: `ccusage gemini session --offline --json` with GEMINI_DATA_DIR. */
async function ccusageGemini(dataDir: string): Promise<CcusageGeminiTotals> {
  const { stdout } = await run(process.execPath, [CCUSAGE, 'gemini', 'session', '--offline', '--json', '--timezone', 'UTC'], {
    env: { ...process.env, GEMINI_DATA_DIR: dataDir, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { totals: CcusageGeminiTotals }).totals;
}

function writeFiles(dir: string, files: Map<string, string>): void {
  for (const [rel, content] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
}

function sum(store: Store) {
  const t = { inputTokens: 0, outputTokens: 0, reasoningTokens: 0, cacheReadTokens: 0, totalCost: 0, records: 0 };
  const records = (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[]).map(
    (b) => JSON.parse(b) as UsageRecord,
  );
  for (const r of records) {
    t.inputTokens += r.inputTokens;
    t.outputTokens += r.outputTokens;
    t.reasoningTokens += r.reasoningTokens;
    t.cacheReadTokens += r.cacheReadTokens;
    t.totalCost += r.costMicrodollars / 1e6;
    t.records++;
  }
  return { totals: t, records };
}

describe('Gemini CLI totals against ccusage 20.0.24', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: chats read, rewritten, read again: tokens equal \`ccusage gemini session --offline\`, cost within 0.1 %`, async () => {
      const dir = tempDir('gg-gemini-');
      dirs.push(dir);
      const data = join(dir, 'tmp');
      const t = generateGeminiTree({ seed, root: join(dir, 'work') });
      const store = new Store(join(dir, 'state'));
      try {
        const src = new GeminiSource({ store, dirs: [data], agents: new AgentMap(), prices: geminiPrices(), rescanMs: 0 });
        // Read while the chats were one message shorter, then after Gemini CLI rewrote (.json) or appended to (.jsonl) them.
        writeFiles(data, t.earlier);
        await src.poll();
        writeFiles(data, t.files);
        await src.poll();
        const cc = await ccusageGemini(data);
        const mine = sum(store);
        expect([mine.totals.inputTokens, mine.totals.outputTokens, mine.totals.cacheReadTokens]).toEqual([
          cc.inputTokens,
          cc.outputTokens,
          cc.cacheReadTokens,
        ]);
        // ccusage reports thoughts only inside totalTokens.
        const m = mine.totals;
        expect(m.inputTokens + m.outputTokens + m.reasoningTokens + m.cacheReadTokens).toBe(cc.totalTokens);
        expect(Math.abs(m.totalCost - cc.totalCost) / cc.totalCost).toBeLessThan(0.001);
        const e = t.expected;
        expect([m.inputTokens, m.cacheReadTokens, m.outputTokens, m.reasoningTokens]).toEqual([
          e.input,
          e.cacheRead,
          e.output,
          e.thoughts,
        ]);
        expect(m.records).toBe(e.responses);
        expect(src.stats.malformed).toBe(t.malformed);
        // Each response is attributed to its project (`.project_root`).
        const byAgent = new Map<string, number>();
        for (const r of mine.records) byAgent.set(r.agentId, (byAgent.get(r.agentId) ?? 0) + r.outputTokens);
        expect(byAgent).toEqual(new Map([...t.byProject].map(([p, x]) => [p.split('/').pop() as string, x.output])));
        console.info(
          `ccusage gemini seed ${seed}: tokens ${cc.inputTokens}/${cc.outputTokens}/${cc.cacheReadTokens}/${cc.totalTokens} both; cost ccusage $${cc.totalCost.toFixed(6)} reporter $${m.totalCost.toFixed(6)}`,
        );
      } finally {
        store.close();
      }
    });
  }
});
