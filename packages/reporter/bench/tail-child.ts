import { AgentMap } from '../src/agents.js';
import { PriceList } from '../src/claude/pricing.js';
import { ClaudeSource } from '../src/claude/source.js';
import { Store } from '../src/outbox/store.js';

/**
 * The measured side of tail-bench.ts, in its own process so its peak RSS is the reporter's alone:
 * tails a Claude config dir once into a fresh state dir and prints one JSON line.
 */
async function main(): Promise<void> {
  const [configDir, stateDir] = process.argv.slice(2) as [string, string];
  const store = new Store(stateDir, { maxPendingBytes: 64 * 2 ** 30 });
  const started = performance.now();
  const src = new ClaudeSource({ store, configDirs: [configDir], agents: new AgentMap(), prices: PriceList.load() });
  await src.poll();
  const seconds = (performance.now() - started) / 1000;
  const records = store.pendingCount();
  store.close();
  process.stdout.write(
    `${JSON.stringify({ ...src.stats, records, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
