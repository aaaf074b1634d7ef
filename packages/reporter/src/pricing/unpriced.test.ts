import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { OpencodePrices } from '../opencode/prices.js';
import { Reporter } from '../reporter.js';
import { generateCodexTree } from '../testing/codex-rollouts.js';
import { removeDir, tempDir } from '../testing/server.js';
import { writeTree } from '../testing/transcripts.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('gg-unpriced-');
});
afterEach(() => removeDir(dir));

/** A Claude Code assistant line of `model` (a response of 10 + 5 tokens). */
const claudeLine = (n: number, model: string) =>
  JSON.stringify({
    type: 'assistant',
    cwd: '/work/town/rig/polecats/p1',
    sessionId: 's1',
    version: '2.0.31',
    timestamp: new Date(Date.UTC(2026, 10, 20, 12, n)).toISOString(),
    requestId: `req_${n}`,
    message: { id: `msg_${n}`, model, usage: { input_tokens: 10, output_tokens: 5 } },
  });

it('says once per model that a model no price list knows is sent with cost 0, and nothing of a priced one', async () => {
  const claude = join(dir, 'claude', 'projects', 'p1');
  mkdirSync(claude, { recursive: true });
  const lines = [
    claudeLine(1, 'claude-sonnet-4-5-20250929'),
    claudeLine(2, 'claude-made-up-9'),
    claudeLine(3, 'claude-made-up-9'),
    claudeLine(4, 'another-made-up'),
  ];
  writeFileSync(join(claude, 's1.jsonl'), `${lines.join('\n')}\n`);
  const codex = join(dir, 'codex');
  writeTree(codex, generateCodexTree({ seed: 3, models: ['gpt-made-up-7', 'gpt-5'], start: Date.UTC(2026, 10, 20) }).files);
  // A real HTTP server on loopback that takes every batch.
  const costs = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { records } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        records: { model: string; costMicrodollars: number }[];
      };
      for (const r of records) costs.set(r.model, (costs.get(r.model) ?? 0) + r.costMicrodollars);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: records.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  writeFileSync(join(dir, 'token'), 'tok\n');
  const log: string[] = [];
  const reporter = new Reporter({
    serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    townId: 't1',
    tokenFile: join(dir, 'token'),
    stateDir: join(dir, 'state'),
    claudeDirs: [join(dir, 'claude')],
    codexHomes: [codex],
    gemini: false,
    opencode: false,
    log: (line) => log.push(line),
  });
  try {
    expect(await reporter.runOnce(Date.now() + 60_000)).toMatchObject({ delivered: true, pending: 0 });
  } finally {
    reporter.close();
    await new Promise((r) => server.close(r));
  }
  const said = log.filter((l) => l.startsWith('no price for model'));
  expect(said.sort()).toEqual(
    ['"another-made-up"', '"claude-made-up-9"', '"gpt-made-up-7"'].map(
      (m) => `no price for model ${m}: its usage is sent with cost 0 (see the reporter README, "Cost")`,
    ),
  );
  expect(costs.get('claude-made-up-9')).toBe(0);
  expect(costs.get('gpt-made-up-7')).toBe(0);
  expect(costs.get('claude-sonnet-4-5-20250929')).toBeGreaterThan(0);
  expect(costs.get('gpt-5')).toBeGreaterThan(0);
});

it('OpenCode: a priced model whose few tokens round to 0 µ$ is known (not said unpriced); a made-up one is not', () => {
  const prices = OpencodePrices.load();
  const one = { input: 1, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
  expect(prices.microdollars('gpt-4o-mini', 'openai', one)).toBe(0);
  expect(prices.knows('gpt-4o-mini', 'openai')).toBe(true);
  expect(prices.knows('claude-sonnet-4.5', 'anthropic')).toBe(true);
  expect(prices.knows('made-up-model-9', 'nobody')).toBe(false);
});
