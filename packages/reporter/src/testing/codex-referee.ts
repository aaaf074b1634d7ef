import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { AgentMap } from '../agents.js';
import { codexPrices } from '../codex/prices.js';
import { CodexSource } from '../codex/source.js';
import { Store } from '../outbox/store.js';
import type { UsageRecord } from '../wire.js';

const run = promisify(execFile);
const CCUSAGE = createRequire(import.meta.url).resolve('ccusage/src/cli.js');

export interface CcusageCodexTotals {
  inputTokens: number;
  cacheReadTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  costUSD: number;
}

/** ccusage 20.0.24 itself, offline: `ccusage codex <report> --offline --json` with CODEX_HOME. */
export async function ccusageCodex(home: string, report: 'session' | 'daily'): Promise<CcusageCodexTotals> {
  const { stdout } = await run(process.execPath, [CCUSAGE, 'codex', report, '--offline', '--json', '--timezone', 'UTC'], {
    env: { ...process.env, CODEX_HOME: home, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { totals: CcusageCodexTotals }).totals;
}

/** `ccusage codex session --offline --json`'s sessions: each one's cost and its models. */
export async function ccusageCodexSessions(home: string): Promise<{ costUSD: number; models: Record<string, unknown> }[]> {
  const { stdout } = await run(process.execPath, [CCUSAGE, 'codex', 'session', '--offline', '--json', '--timezone', 'UTC'], {
    env: { ...process.env, CODEX_HOME: home, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { sessions: { costUSD: number; models: Record<string, unknown> }[] }).sessions;
}

/** The reporter's records for the home, summed the way ccusage reports them. */
export async function reporterCodexTotals(home: string, stateDir: string) {
  const store = new Store(stateDir);
  try {
    const src = new CodexSource({ store, homes: [home], agents: new AgentMap(), prices: codexPrices(), settleMs: 0 });
    await src.poll();
    const t = { inputTokens: 0, cacheReadTokens: 0, outputTokens: 0, reasoningOutputTokens: 0, costUSD: 0, records: 0 };
    const records = (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[]).map(
      (b) => JSON.parse(b) as UsageRecord,
    );
    for (const r of records) {
      t.inputTokens += r.inputTokens;
      t.cacheReadTokens += r.cacheReadTokens;
      // ccusage's outputTokens include reasoning, as Codex's do.
      t.outputTokens += r.outputTokens + r.reasoningTokens;
      t.reasoningOutputTokens += r.reasoningTokens;
      t.costUSD += r.costMicrodollars / 1e6;
      t.records++;
    }
    return { totals: t, records, stats: src.stats };
  } finally {
    store.close();
  }
}
