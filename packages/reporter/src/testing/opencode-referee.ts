import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { AgentMap } from '../agents.js';
import { OpencodeDiskSource } from '../opencode/disk.js';
import { OpencodePrices } from '../opencode/prices.js';
import { Store } from '../outbox/store.js';
import type { UsageRecord } from '../wire.js';

const run = promisify(execFile);
const CCUSAGE = createRequire(import.meta.url).resolve('ccusage/src/cli.js');

export interface CcusageOpencodeTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  totalCost: number;
}

/** ccusage 20.0.24 itself, offline: `ccusage opencode|kilo session --offline --json` with OPENCODE_DATA_DIR / KILO_DATA_DIR. */
export async function ccusageOpencode(dir: string, tool: 'opencode' | 'kilo'): Promise<CcusageOpencodeTotals> {
  const env = tool === 'opencode' ? { OPENCODE_DATA_DIR: dir } : { KILO_DATA_DIR: dir };
  const { stdout } = await run(process.execPath, [CCUSAGE, tool, 'session', '--offline', '--json', '--timezone', 'UTC'], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { totals: CcusageOpencodeTotals }).totals;
}

/** `ccusage opencode session --offline --json`'s sessions: each one's id and cost. */
export async function ccusageOpencodeSessions(dir: string): Promise<{ sessionId: string; totalCost: number }[]> {
  const { stdout } = await run(process.execPath, [CCUSAGE, 'opencode', 'session', '--offline', '--json', '--timezone', 'UTC'], {
    env: { ...process.env, OPENCODE_DATA_DIR: dir, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { sessions: { sessionId: string; totalCost: number }[] }).sessions;
}

/** The reporter's records for the data dirs, summed the way ccusage reports them (reasoning apart). */
export async function reporterOpencodeTotals(dirs: readonly string[], stateDir: string) {
  const store = new Store(stateDir);
  const src = new OpencodeDiskSource({ store, dirs, agents: new AgentMap(), prices: OpencodePrices.load() });
  try {
    await src.poll();
    const records = (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[]).map(
      (b) => JSON.parse(b) as UsageRecord,
    );
    const t = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, totalCost: 0, reasoning: 0 };
    for (const r of records) {
      t.inputTokens += r.inputTokens;
      t.outputTokens += r.outputTokens;
      t.cacheReadTokens += r.cacheReadTokens;
      t.cacheCreationTokens += r.cacheWriteTokens;
      t.totalCost += r.costMicrodollars / 1e6;
      t.reasoning += r.reasoningTokens;
    }
    return { totals: t, records, stats: { ...src.stats } };
  } finally {
    src.close();
    store.close();
  }
}
