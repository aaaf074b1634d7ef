import { execFile } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { generateGeminiTree } from '../testing/gemini-chats.js';
import { GASGAUGE_BIN } from '../testing/processes.js';
import { removeDir, serverTotals, startTestServer, tempDir } from '../testing/server.js';
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

  it('deliberate difference: a response found in two chat files of one session counts once; ccusage 20.0.24 counts each copy', async () => {
    // The same session (same sessionId, same message ids) as a .json chat and as a .jsonl one beside it, in a
    // second .json file holding an earlier copy, and in another project's copied dir.
    const m = (id: string, input: number, cached: number, output: number) => ({
      id,
      type: 'gemini',
      timestamp: `2026-06-08T10:00:0${id.slice(1)}.000Z`,
      model: 'gemini-2.5-pro',
      tokens: { input, cached, output, thoughts: 0, tool: 0, total: input + output },
    });
    const [a, b] = [m('a1', 100_000, 40_000, 5_000), m('a2', 200_000, 100_000, 6_000)];
    const head = { sessionId: 'S', projectHash: 'h', startTime: '2026-06-08T10:00:00.000Z' };
    const files = new Map([
      ['p/chats/session-1.json', JSON.stringify({ ...head, messages: [a, b] })],
      ['p/chats/session-1.jsonl', `${[head, a, b].map((x) => JSON.stringify(x)).join('\n')}\n`],
      ['p/chats/session-0.json', JSON.stringify({ ...head, messages: [a] })],
      ['q/chats/session-1.json', JSON.stringify({ ...head, messages: [a, b] })],
    ]);
    const dir = tempDir('gg-gemini-');
    dirs.push(dir);
    const data = join(dir, 'tmp');
    writeFiles(data, files);
    const store = new Store(join(dir, 'state'));
    try {
      await new GeminiSource({ store, dirs: [data], agents: new AgentMap(), prices: geminiPrices() }).poll();
      const mine = sum(store).totals;
      const cc = await ccusageGemini(data);
      // Each response once: input 60k + 100k uncached, 40k + 100k cached, 11k output.
      expect([mine.records, mine.inputTokens, mine.cacheReadTokens, mine.outputTokens]).toEqual([2, 160_000, 140_000, 11_000]);
      // ccusage: a1 four times, a2 three times.
      expect([cc.inputTokens, cc.cacheReadTokens, cc.outputTokens]).toEqual([
        4 * 60_000 + 3 * 100_000,
        4 * 40_000 + 3 * 100_000,
        4 * 5_000 + 3 * 6_000,
      ]);
    } finally {
      store.close();
    }
  });

  it('names outside the Gemini API list are priced as ccusage prices them, from its models.dev snapshot', async () => {
    // Before, each cost 0: a Gemma model, an alias, provider-prefixed names, an experimental model.
    const models = ['gemma-3-27b-it', 'gemini-flash-latest', 'models/gemini-2.5-pro', 'google/gemini-2.5-pro', 'gemini-exp-1206'];
    const dir = tempDir('gg-gemini-');
    dirs.push(dir);
    const data = join(dir, 'tmp');
    const tokens = { input: 100_000, cached: 40_000, output: 5_000, thoughts: 1_000, tool: 0, total: 106_000 };
    writeFiles(
      data,
      new Map(
        models.map((model, i) => [
          `p${i}/chats/session-${i}.json`,
          JSON.stringify({
            sessionId: `s${i}`,
            startTime: '2026-06-08T10:00:00.000Z',
            messages: [{ id: 'g1', type: 'gemini', timestamp: '2026-06-08T10:00:01.000Z', model, tokens }],
          }),
        ]),
      ),
    );
    const store = new Store(join(dir, 'state'));
    try {
      await new GeminiSource({ store, dirs: [data], agents: new AgentMap(), prices: geminiPrices() }).poll();
      const ours = new Map(sum(store).records.map((r) => [r.model, r.costMicrodollars / 1e6]));
      const { stdout } = await run(process.execPath, [CCUSAGE, 'gemini', 'session', '--offline', '--json', '--timezone', 'UTC'], {
        env: { ...process.env, GEMINI_DATA_DIR: data, NO_COLOR: '1' },
      });
      const sessions = (JSON.parse(stdout) as { sessions: { modelsUsed: string[]; totalCost: number }[] }).sessions;
      for (const model of models) {
        const theirs = sessions.find((s) => s.modelsUsed[0] === model)?.totalCost ?? Number.NaN;
        expect(theirs).toBeGreaterThan(0);
        expect([model, ours.get(model)]).toEqual([model, expect.closeTo(theirs, 6)]);
      }
    } finally {
      store.close();
    }
  });

  it('deliberate difference: gemini-2.0-flash and -lite, gemini-3-pro and -flash at LiteLLM prices; ccusage 20.0.24 offline uses models.dev', async () => {
    // [model, the reporter's USD per million input, cache read, output (LiteLLM), ccusage 20.0.24's (its models.dev snapshot)].
    const cases: [string, number[], number[]][] = [
      ['gemini-2.0-flash', [0.1, 0.025, 0.4], [0.1, 0.01, 0.42]],
      ['gemini-2.0-flash-lite', [0.075, 0.01875, 0.3], [0.052, 0.0052, 0.21]],
      // Names without -preview: LiteLLM's gemini-3-pro-preview (at its rates past 200k prompt tokens, as this
      // request is) and gemini-3-flash-preview; models.dev's google/gemini-3-pro and google/gemini-3-flash there.
      ['gemini-3-pro', [4, 0.4, 18], [1.6, 0.16, 9.6]],
      ['gemini-3-flash', [0.5, 0.05, 3], [0.4, 0.04, 2.4]],
    ];
    for (const [model, listed, ccusagePriced] of cases) {
      const dir = tempDir('gg-gemini-');
      dirs.push(dir);
      const data = join(dir, 'tmp');
      // One response: 1M prompt tokens of which 500k cached, 1M output.
      const tokens = { input: 1_000_000, cached: 500_000, output: 1_000_000, thoughts: 0, tool: 0, total: 2_000_000 };
      const chat = {
        sessionId: model,
        startTime: '2026-11-20T10:00:00.000Z',
        messages: [{ id: 'g1', type: 'gemini', timestamp: '2026-11-20T10:00:01.000Z', model, tokens }],
      };
      writeFiles(data, new Map([['p/chats/session-1.json', JSON.stringify(chat)]]));
      const store = new Store(join(dir, 'state'));
      try {
        await new GeminiSource({ store, dirs: [data], agents: new AgentMap(), prices: geminiPrices() }).poll();
        const cost = (r: number[]) => ((r[0] as number) + (r[1] as number) + 2 * (r[2] as number)) / 2;
        expect([model, sum(store).totals.totalCost]).toEqual([model, expect.closeTo(cost(listed), 6)]);
        expect([model, (await ccusageGemini(data)).totalCost]).toEqual([model, expect.closeTo(cost(ccusagePriced), 6)]);
      } finally {
        store.close();
      }
    }
  });

  it('responses without an id keep their record ids when their chat is rewritten with a message inserted or dropped before them', async () => {
    const dir = tempDir('gg-gemini-unnamed-');
    dirs.push(dir);
    const data = join(dir, 'tmp');
    const chat = join(data, 'p', 'chats', 'session-u.json');
    const server = await startTestServer(dir);
    try {
      const t0 = Date.now() - 3_600_000;
      const at = (s: number) => new Date(t0 + s * 1000).toISOString();
      // Responses as an older Gemini CLI (or a tool) wrote them: no id; most with their time, two alike with none.
      const response = (s: number | undefined, input: number) => ({
        type: 'gemini',
        ...(s === undefined ? {} : { timestamp: at(s) }),
        model: 'gemini-2.5-flash',
        content: 'ok',
        tokens: { input, output: 10, cached: 0, thoughts: 0, tool: 0, total: input + 10 },
      });
      const user = (s: number) => ({ id: `u${s}`, type: 'user', timestamp: at(s), content: 'go' });
      const write = (messages: object[], age: number) => {
        mkdirSync(dirname(chat), { recursive: true });
        writeFileSync(chat, JSON.stringify({ sessionId: 'gs-u', startTime: at(0), messages }));
        // Its times distinct from the next rewrite's, as a turn apart.
        utimesSync(chat, new Date(Date.now() - age), new Date(Date.now() - age));
      };
      const report = async () => {
        const args = ['--server', server.url, '--town', server.townId, '--token-file', server.tokenFile];
        const { stdout } = await run(process.execPath, [
          GASGAUGE_BIN,
          'report',
          ...args,
          ...['--state', join(dir, 'state'), '--gemini-dir', data, '--no-claude', '--no-codex', '--no-opencode'],
          ...['--once', '--timeout', '60', '--json'],
        ]);
        expect(JSON.parse(stdout)).toMatchObject({ delivered: true });
        const totals = await serverTotals(server.url, server.adminToken, server.townId, t0 - 86_400_000);
        return [totals.input_tokens, totals.output_tokens];
      };

      write([user(1), response(2, 1000), user(3), response(4, 2000), response(undefined, 300), response(undefined, 300)], 30_000);
      expect(await report()).toEqual([3600, 40]);
      // A response inserted before the others (a chat restored from a checkpoint, merged): counted once, the others kept.
      write(
        [
          user(1),
          response(1.5, 5000),
          response(2, 1000),
          user(3),
          response(4, 2000),
          response(undefined, 300),
          response(undefined, 300),
        ],
        20_000,
      );
      expect(await report()).toEqual([8600, 50]);
      const cc = await ccusageGemini(data);
      expect([cc.inputTokens, cc.outputTokens]).toEqual([8600, 50]);
      // The first response dropped (a chat compressed): nothing after it doubled or lost. ccusage, reading the chat as it
      // is now, no longer counts the dropped one; the server keeps what was spent.
      write([user(3), response(1.5, 5000), response(4, 2000), response(undefined, 300), response(undefined, 300)], 10_000);
      expect(await report()).toEqual([8600, 50]);
      const after = await ccusageGemini(data);
      expect([after.inputTokens, after.outputTokens]).toEqual([7600, 40]);
    } finally {
      await server.close();
    }
  }, 120_000);
});
