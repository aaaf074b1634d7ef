import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { codexPrices } from '../codex/prices.js';
import { Store } from '../outbox/store.js';
import { removeDir, tempDir } from '../testing/server.js';
import { generateTree, writeTree } from '../testing/transcripts.js';
import type { UsageRecord } from '../wire.js';
import { PriceList } from './pricing.js';
import { ClaudeSource } from './source.js';

const run = promisify(execFile);
const CCUSAGE = createRequire(import.meta.url).resolve('ccusage/src/cli.js');

interface CcusageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalCost: number;
}

/** ccusage 20.0.24 itself, offline, on the tree: `ccusage claude <report> --offline --json`. */
async function ccusage(configDir: string, report: 'session' | 'daily'): Promise<CcusageTotals> {
  const { stdout } = await run(process.execPath, [CCUSAGE, 'claude', report, '--offline', '--json', '--timezone', 'UTC'], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: configDir, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { totals: CcusageTotals }).totals;
}

async function reporterTotals(configDir: string, stateDir: string) {
  const store = new Store(stateDir);
  try {
    // As the reporter builds it (reporter.ts): names the Claude list lacks are priced from the OpenAI list and models.dev.
    const src = new ClaudeSource({
      store,
      configDirs: [configDir],
      agents: new AgentMap(),
      prices: PriceList.load(codexPrices()),
    });
    await src.poll();
    const t = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalCost: 0, records: 0 };
    for (const body of store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[]) {
      const r = JSON.parse(body) as UsageRecord;
      t.inputTokens += r.inputTokens;
      t.outputTokens += r.outputTokens;
      t.cacheCreationTokens += r.cacheWriteTokens;
      t.cacheReadTokens += r.cacheReadTokens;
      t.totalCost += r.costMicrodollars / 1e6;
      t.records++;
    }
    return { totals: t, stats: src.stats };
  } finally {
    store.close();
  }
}

let responses = 0;
/** A Claude Code assistant line of a new response (its own message.id and requestId) at `ts`. */
const response = (ts: string, input: number) => {
  const n = ++responses;
  return JSON.stringify({
    type: 'assistant',
    cwd: '/work/polecats/toast',
    version: '2.0.31',
    sessionId: 's1',
    requestId: `req_${n}`,
    timestamp: ts,
    message: { id: `msg_${n}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: input, output_tokens: 1 } },
  });
};

const tokensOf = (t: CcusageTotals) => [t.inputTokens, t.outputTokens, t.cacheCreationTokens, t.cacheReadTokens];

describe('Claude transcript totals against ccusage 20.0.24', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });
  const tree = (seed: number, extra: Parameters<typeof generateTree>[0] = {}) => {
    const dir = tempDir('gg-ccusage-');
    dirs.push(dir);
    const t = generateTree({ seed, agents: 4, sessionsPerAgent: 3, responsesPerSession: 30, ...extra });
    writeTree(join(dir, 'claude'), t.files);
    return { dir, t };
  };

  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: tokens equal \`ccusage claude session --offline\` exactly, cost within 1 %`, async () => {
      const { dir, t } = tree(seed);
      const [cc, mine] = await Promise.all([
        ccusage(join(dir, 'claude'), 'session'),
        reporterTotals(join(dir, 'claude'), join(dir, 'state')),
      ]);
      expect(tokensOf(mine.totals)).toEqual(tokensOf(cc));
      expect(Math.abs(mine.totals.totalCost - cc.totalCost) / cc.totalCost).toBeLessThan(0.01);
      // And both equal the generator's own count of each response once, at its largest copy.
      expect(tokensOf(mine.totals)).toEqual([t.expected.input, t.expected.output, t.expected.cacheWrite, t.expected.cacheRead]);
      expect(mine.totals.records).toBe(t.expected.responses);
      expect(mine.stats.malformed).toBe(t.malformed);
      // Printed for the record (the final report quotes these numbers).
      console.info(
        `ccusage seed ${seed}: tokens ${tokensOf(cc).join('/')} both; cost ccusage $${cc.totalCost.toFixed(6)} reporter $${mine.totals.totalCost.toFixed(6)}`,
      );
    });
  }

  it('equals `ccusage claude daily` too (the report that also reads agent_progress lines)', async () => {
    const { dir } = tree(21);
    const [cc, mine] = await Promise.all([
      ccusage(join(dir, 'claude'), 'daily'),
      reporterTotals(join(dir, 'claude'), join(dir, 'state')),
    ]);
    expect(tokensOf(mine.totals)).toEqual(tokensOf(cc));
    expect(Math.abs(mine.totals.totalCost - cc.totalCost) / cc.totalCost).toBeLessThan(0.01);
  });

  it('a side-question replay re-stamped with a new time: ccusage `session` adds it again; `daily` and the reporter count it once', async () => {
    // ccusage 20.0.24's session report joins a replay to its parent only when their timestamps match.
    const { t } = tree(31);
    const later = new Date(Date.now() - 60_000).toISOString();
    for (const [rel, lines] of t.files) {
      if (rel.includes('agent-aside'))
        t.files.set(
          rel,
          lines.map((l) => l.replace(/"timestamp":"[^"]+"/, `"timestamp":"${later}"`)),
        );
    }
    const dir = tempDir('gg-ccusage-');
    dirs.push(dir);
    writeTree(join(dir, 'claude'), t.files);
    const [session, daily, mine] = await Promise.all([
      ccusage(join(dir, 'claude'), 'session'),
      ccusage(join(dir, 'claude'), 'daily'),
      reporterTotals(join(dir, 'claude'), join(dir, 'state')),
    ]);
    expect(t.replayed.responses).toBeGreaterThan(0);
    expect(tokensOf(mine.totals)).toEqual(tokensOf(daily));
    expect(session.inputTokens - mine.totals.inputTokens).toBe(t.replayed.input);
    expect(session.outputTokens - mine.totals.outputTokens).toBe(t.replayed.output);
  });

  it('deliberate differences: copies without requestId, and a line without message.id written twice, count once in the reporter', async () => {
    const dir = tempDir('gg-ccusage-');
    dirs.push(dir);
    const t1 = new Date(Date.now() - 120_000).toISOString();
    const t2 = new Date(Date.now() - 60_000).toISOString();
    const line = (ts: string, id: string | undefined, input: number, output: number) =>
      JSON.stringify({
        type: 'assistant',
        cwd: '/work/polecats/toast',
        version: '2.0.31',
        sessionId: 's1',
        timestamp: ts,
        message: {
          ...(id ? { id } : {}),
          model: 'claude-sonnet-4-5-20250929',
          usage: { input_tokens: input, output_tokens: output },
        },
      });
    const files = new Map([
      [
        'projects/p/s1.jsonl',
        [
          // Two streamed copies of one response: message.id, no requestId, their own timestamps.
          line(t1, 'msg_a', 10, 10),
          line(t2, 'msg_a', 10, 60),
          // The same line without message.id, twice (here in two files).
          line(t1, undefined, 100, 1000),
        ],
      ],
      ['projects/p/s2.jsonl', [line(t1, undefined, 100, 1000)]],
    ]);
    writeTree(join(dir, 'claude'), files);
    const [session, daily, mine] = await Promise.all([
      ccusage(join(dir, 'claude'), 'session'),
      ccusage(join(dir, 'claude'), 'daily'),
      reporterTotals(join(dir, 'claude'), join(dir, 'state')),
    ]);
    // The reporter: msg_a once at its larger copy, the repeated line once.
    expect([mine.totals.inputTokens, mine.totals.outputTokens]).toEqual([10 + 100, 60 + 1000]);
    // ccusage 20.0.24 `session`: msg_a once, the repeated line twice.
    expect([session.inputTokens, session.outputTokens]).toEqual([10 + 200, 60 + 2000]);
    // ccusage 20.0.24 `daily`: both copies of msg_a (their timestamps differ) and the repeated line twice.
    expect([daily.inputTokens, daily.outputTokens]).toEqual([20 + 200, 70 + 2000]);
  });

  it('times ccusage cannot read (no zone, other fraction lengths, no such day) count nothing in either; the rest count in both', async () => {
    const dir = tempDir('gg-ccusage-');
    dirs.push(dir);
    const line = (ts: string, input: number) => response(ts, input);
    const read = [
      '2026-06-08T10:00:00Z',
      '2026-06-08T10:00:00.123Z',
      '2026-06-08T10:00:00.123+05:30',
      '2026-06-08T10:00:00-00:00',
    ];
    const unread = [
      '2026-06-08T10:00:00', // Date.parse: local time
      '2026-06-08 10:00:00Z',
      '2026-06-08T10:00:00.5Z',
      '2026-06-08T10:00:00.123456Z',
      '2026-02-29T10:00:00Z', // Date.parse: March 1
      '2026-06-08T24:00:00Z',
      '2026-06-08',
      'Mon, 08 Jun 2026 10:00:00 GMT',
    ];
    writeTree(
      join(dir, 'claude'),
      new Map([['projects/p/s1.jsonl', [...read.map((ts) => line(ts, 100)), ...unread.map((ts) => line(ts, 10_000))]]]),
    );
    const [daily, session, mine] = await Promise.all([
      ccusage(join(dir, 'claude'), 'daily'),
      ccusage(join(dir, 'claude'), 'session'),
      reporterTotals(join(dir, 'claude'), join(dir, 'state')),
    ]);
    expect(mine.totals.inputTokens).toBe(read.length * 100);
    expect(tokensOf(mine.totals)).toEqual(tokensOf(daily));
    expect(tokensOf(mine.totals)).toEqual(tokensOf(session));
  });

  it('a file whose last line has no newline counts that line in both; a transcript symlinked into projects/ counts only in the reporter', async () => {
    const dir = tempDir('gg-ccusage-');
    dirs.push(dir);
    const line = (input: number) => response('2026-06-08T10:00:00.000Z', input);
    const claude = join(dir, 'claude');
    mkdirSync(join(claude, 'projects', 'p'), { recursive: true });
    writeFileSync(join(claude, 'projects', 'p', 'a.jsonl'), `${line(100)}\n${line(200)}`);
    const [daily, mine] = await Promise.all([ccusage(claude, 'daily'), reporterTotals(claude, join(dir, 'state'))]);
    expect(tokensOf(mine.totals)).toEqual(tokensOf(daily));
    expect(mine.totals.inputTokens).toBe(300);

    // Deliberate difference: ccusage does not follow a symlinked file; the reporter does (the dedupe keeps a
    // response once, wherever its copies are).
    writeFileSync(join(dir, 'elsewhere.jsonl'), `${line(4000)}\n`);
    symlinkSync(join(dir, 'elsewhere.jsonl'), join(claude, 'projects', 'p', 'linked.jsonl'));
    const [daily2, mine2] = await Promise.all([ccusage(claude, 'daily'), reporterTotals(claude, join(dir, 'state2'))]);
    expect([daily2.inputTokens, mine2.totals.inputTokens]).toEqual([300, 4300]);
  });

  it('a transcript naming a model outside the Claude list is priced as ccusage prices it, not 0', async () => {
    // Claude Code pointed at Z.ai's, Moonshot's or DeepSeek's Anthropic-compatible endpoints, an older Claude,
    // a proxy's provider-prefixed name: each cost 0 before (ccusage: $0.0514 for glm-4.6's response here).
    // Z.ai's bare glm-4.7 and glm-4.5 (its GLM Coding Plan) took the free zai/glm-4.7-flash's price, the longest name
    // containing them; zai/glm-4.5-air's cache reads and writes, Moonshot's k2.6 and gpt-5.2-codex's cache writes differed.
    // And Claude names ccusage's list has beyond the Claude list: claude-opus-5 (in fast mode too, 2×), claude-mythos-5-1,
    // claude-3-5-sonnet-20241022 (its Bedrock and regional names).
    const models = [
      'glm-4.6',
      'glm-4.7',
      'glm-4.5',
      'glm-5',
      'zai/glm-4.5-air',
      'kimi-k2.5',
      'moonshot/kimi-k2.6',
      'gpt-5.2-codex',
      'kimi-k2',
      'deepseek-chat',
      'qwen3-coder-plus',
      'claude-3-5-haiku-20241022',
      'anthropic/claude-sonnet-4',
      'claude-opus-5',
      'claude-mythos-5-1',
      'claude-3-5-sonnet-20241022',
      'claude-opus-5-fast',
    ];
    const dir = tempDir('gg-claude-models-');
    dirs.push(dir);
    const files = new Map(
      models.map((model, i) => [
        `projects/-w/s${i}.jsonl`,
        [
          JSON.stringify({
            type: 'assistant',
            cwd: '/w',
            version: '2.0.31',
            sessionId: `s${i}`,
            requestId: `req_m${i}`,
            timestamp: `2026-06-08T10:00:${String(i).padStart(2, '0')}.000Z`,
            message: {
              id: `msg_m${i}`,
              // claude-opus-5-fast: claude-opus-5 with `usage.speed: "fast"`.
              model: model.replace(/-fast$/, ''),
              usage: {
                input_tokens: 60_000,
                output_tokens: 5_000,
                cache_read_input_tokens: 40_000,
                cache_creation_input_tokens: 2_000,
                ...(model.endsWith('-fast') ? { speed: 'fast' } : {}),
              },
            },
          }),
        ],
      ]),
    );
    writeTree(join(dir, 'claude'), files);
    const { stdout } = await run(process.execPath, [CCUSAGE, 'claude', 'session', '--offline', '--json', '--timezone', 'UTC'], {
      env: { ...process.env, CLAUDE_CONFIG_DIR: join(dir, 'claude'), NO_COLOR: '1' },
    });
    const sessions = (JSON.parse(stdout) as { sessions: { sessionId: string; totalCost: number }[] }).sessions;
    const store = new Store(join(dir, 'state'));
    try {
      await new ClaudeSource({
        store,
        configDirs: [join(dir, 'claude')],
        agents: new AgentMap(),
        prices: PriceList.load(codexPrices()),
      }).poll();
      const records = (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[]).map(
        (b) => JSON.parse(b) as UsageRecord,
      );
      for (const [i, model] of models.entries()) {
        // One session, one response, one second each.
        const theirs = sessions.find((x) => x.sessionId === `s${i}`)?.totalCost ?? Number.NaN;
        const ours = (records.find((r) => r.at === Date.UTC(2026, 5, 8, 10, 0, i))?.costMicrodollars ?? Number.NaN) / 1e6;
        expect(theirs).toBeGreaterThan(0);
        expect([model, ours]).toEqual([model, expect.closeTo(theirs, 6)]);
      }
    } finally {
      store.close();
    }
  });
});
