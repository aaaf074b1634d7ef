import { readFileSync } from 'node:fs';
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
  src.close();
  store.close();
  process.stdout.write(`${JSON.stringify({ ...src.stats, records, seconds, peakRssBytes: peakRssBytes() })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * This process's own peak RSS. On Linux that is VmHWM: getrusage's maxRSS is not this process's alone, since exec
 * keeps the RSS the forked parent had at spawn time when that is larger (a 700 MB `npm run bench` made it 734 MiB).
 */
function peakRssBytes(): number {
  try {
    const m = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: getrusage is the best there is.
  }
  return process.resourceUsage().maxRSS * 1024;
}
