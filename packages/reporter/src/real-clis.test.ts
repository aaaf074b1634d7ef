import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ModelTotals, type RealExport, realExports, totalsByModel } from '@gasgauge/api/testing/real-exports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gasgauge } from './testing/processes.js';
import { copyRealFiles } from './testing/real-files.js';
import { createTown, type InProcessServer, mintToken, removeDir, startTestServer, tempDir } from './testing/server.js';

/**
 * What the real agent CLIs wrote and exported (testing/fixtures/README.md and the API's
 * otlp/testing/fixtures/README.md: Claude Code 2.1.197, Codex 0.171.0, Gemini CLI 0.61.0, each run for a few turns
 * against a fake model API whose every response carried known usage). A real server, real `gasgauge report --once`
 * processes and ccusage 20.0.24: the files give the fake API's sums (those the files hold) and ccusage's totals, and
 * a town that gets both the files and the exports counts each session once.
 */
const run = promisify(execFile);
const CCUSAGE = createRequire(import.meta.url).resolve('ccusage/src/cli.js');

let dir: string;
let server: InProcessServer;
let homes: { claude: string; codex: string; gemini: string };
const END = Date.now() - 60_000;
beforeAll(async () => {
  dir = tempDir('gg-real-clis-');
  server = await startTestServer(dir);
  homes = {
    claude: copyRealFiles('claude-code-2.1.197', join(dir, 'claude'), END),
    codex: copyRealFiles('codex-0.171.0', join(dir, 'codex'), END),
    gemini: copyRealFiles('gemini-cli-0.61.0', join(dir, 'gemini'), END),
  };
}, 30_000);
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

/** A town's totals since it began, per model (its Prometheus counters, summed over agents). */
async function byModel(townId: string): Promise<Record<string, ModelTotals>> {
  const res = await fetch(`${server.url}/api/towns/${townId}/metrics/prometheus`, {
    headers: { authorization: `Bearer ${server.adminToken}` },
  });
  expect(res.status).toBe(200);
  return totalsByModel(await res.text());
}

async function town(name: string): Promise<{ townId: string; tokenFile: string; key: string }> {
  const townId = await createTown(server.url, server.adminToken, name);
  const tokenFile = join(dir, `token-${townId}`);
  writeFileSync(tokenFile, `${await mintToken(server.url, server.adminToken, townId)}\n`, { mode: 0o600 });
  const r = await fetch(`${server.url}/trpc/towns.createKey`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ townId, name: 'otel' }),
  });
  const key = ((await r.json()) as { result: { data: { key: string } } }).result.data.key;
  return { townId, tokenFile, key };
}

async function report(t: { townId: string; tokenFile: string }): Promise<void> {
  const out = await gasgauge<{ delivered: boolean; found: Record<string, number> }>([
    'report',
    '--once',
    ...['--server', server.url, '--town', t.townId, '--token-file', t.tokenFile, '--state', join(dir, `state-${t.townId}`)],
    ...['--claude-dir', homes.claude, '--codex-home', homes.codex, '--gemini-dir', homes.gemini, '--no-opencode'],
  ]);
  expect(out).toMatchObject({ delivered: true, found: { claude: 2, codex: 2, gemini: 1 } });
}

/** A new town's totals per model after `report --once` on one Claude Code fixture alone, and the fixture's copy. */
async function reportClaudeFixture(fixture: string): Promise<{ totals: Record<string, ModelTotals>; claude: string }> {
  const t = await town(fixture);
  const claude = copyRealFiles(fixture, join(dir, fixture), END);
  const out = await gasgauge<{ delivered: boolean }>([
    'report',
    '--once',
    ...['--server', server.url, '--town', t.townId, '--token-file', t.tokenFile, '--state', join(dir, `state-${t.townId}`)],
    ...['--claude-dir', claude, '--no-codex', '--no-gemini', '--no-opencode'],
  ]);
  expect(out).toMatchObject({ delivered: true });
  return { totals: await byModel(t.townId), claude };
}

async function send(key: string, exports: readonly RealExport[]): Promise<void> {
  for (const e of exports) {
    const r = await fetch(server.url + e.path, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': e.contentType },
      body: Buffer.from(e.body),
    });
    expect(r.status, e.name).toBe(200);
  }
}
/** The three CLIs' exports, Codex's metrics left out with `codexLogsOnly`. */
const allExports = (codexLogsOnly = false) =>
  ['claude-code-2.1.197', 'codex-0.171.0', 'gemini-cli-0.61.0'].flatMap((d) =>
    realExports(d, END).filter((e) => !(codexLogsOnly && d.startsWith('codex') && e.path === '/v1/metrics')),
  );

/**
 * The fake API's sums of what the files hold. Claude Code's transcripts hold its conversation's requests only, not
 * the session-title request it makes on claude-haiku-4-5 at each start (those reach the town over OTLP only).
 * Costs: the reporter's price lists (equal to Claude Code's own for claude-opus-4-8, 1-hour cache writes included).
 */
const FROM_FILES: Record<string, ModelTotals> = {
  'claude-opus-4-8': { input: 647, output: 313, reasoning: 0, cache_read: 10357, cache_write: 5273, cost: 53025 },
  'gpt-5-codex': { input: 10300, output: 780, reasoning: 370, cache_read: 5250, cache_write: 0, cost: 25031 },
  'gemini-2.5-pro': { input: 1832, output: 276, reasoning: 178, cache_read: 574, cache_write: 0, cost: 6902 },
};
/** The fake API's sums as the OTLP exports count them (docs/api.md: cached input inside input, no Codex or Gemini cost). */
const FROM_OTLP: Record<string, ModelTotals> = {
  'claude-opus-4-8': FROM_FILES['claude-opus-4-8'] as ModelTotals,
  'claude-haiku-4-5-20251001': { input: 249, output: 121, reasoning: 0, cache_read: 4119, cache_write: 2091, cost: 4185 },
  'gpt-5-codex': { input: 15550, output: 1150, reasoning: 0, cache_read: 0, cache_write: 0, cost: 0 },
  'gemini-2.5-pro': { input: 2406, output: 276, reasoning: 178, cache_read: 0, cache_write: 0, cost: 0 },
};

describe('the real CLIs’ files', () => {
  it('gasgauge report --once gives the fake API’s sums, per model', async () => {
    const t = await town('files only');
    await report(t);
    expect(await byModel(t.townId)).toEqual(FROM_FILES);
  });

  it('and ccusage 20.0.24 (session, offline) gives the same totals', async () => {
    const cc = async (tool: string, env: Record<string, string>) =>
      (
        JSON.parse(
          (
            await run(process.execPath, [CCUSAGE, tool, 'session', '--offline', '--json', '--timezone', 'UTC'], {
              env: { ...process.env, ...env, NO_COLOR: '1' },
            })
          ).stdout,
        ) as { totals: Record<string, number> }
      ).totals;
    const claude = await cc('claude', { CLAUDE_CONFIG_DIR: homes.claude });
    const opus = FROM_FILES['claude-opus-4-8'] as ModelTotals;
    expect(claude).toMatchObject({
      inputTokens: opus.input,
      outputTokens: opus.output,
      cacheReadTokens: opus.cache_read,
      cacheCreationTokens: opus.cache_write,
    });
    // Costs within a few µ$: the reporter rounds each record to the µ$, ccusage sums dollars.
    expect(Math.abs((claude.totalCost as number) * 1e6 - opus.cost)).toBeLessThanOrEqual(3);
    const codex = await cc('codex', { CODEX_HOME: homes.codex });
    const gpt = FROM_FILES['gpt-5-codex'] as ModelTotals;
    // ccusage's Codex output includes reasoning, as Codex's own does.
    expect(codex).toMatchObject({
      inputTokens: gpt.input,
      cacheReadTokens: gpt.cache_read,
      outputTokens: gpt.output + gpt.reasoning,
      reasoningOutputTokens: gpt.reasoning,
    });
    expect(Math.abs((codex.costUSD as number) * 1e6 - gpt.cost)).toBeLessThanOrEqual(3);
    const gemini = await cc('gemini', { GEMINI_DATA_DIR: homes.gemini });
    const pro = FROM_FILES['gemini-2.5-pro'] as ModelTotals;
    expect(gemini).toMatchObject({ inputTokens: pro.input, cacheReadTokens: pro.cache_read, outputTokens: pro.output });
    expect(Math.abs((gemini.totalCost as number) * 1e6 - pro.cost)).toBeLessThanOrEqual(3);
  });
});

describe('Claude Code behind an API that sends no cache-write breakdown (a gateway at ANTHROPIC_BASE_URL)', () => {
  it('its cache writes count: Claude Code writes the breakdown as zeros beside the total', async () => {
    // The fake API's sums of the 3 conversation requests (claude-opus-4-8) of one session: no `cache_creation`
    // object in its usage, which Claude Code 2.1.197 writes as {ephemeral_5m: 0, ephemeral_1h: 0}. Cost: Claude
    // Code's own, as its OTLP export said (every write a 5-minute one).
    const { totals } = await reportClaudeFixture('claude-code-2.1.197-no-breakdown');
    expect(totals).toEqual({
      'claude-opus-4-8': { input: 498, output: 242, reasoning: 0, cache_read: 8238, cache_write: 4182, cost: 38797 },
    });
  });
});

describe('Claude Code with a subagent (the Agent tool)', () => {
  it('its subagent transcript counts; ccusage agrees', async () => {
    // The fake API's sums of the session's 2 requests and its subagent's 1 (claude-opus-4-8). Cost: Claude Code's own.
    const { totals, claude } = await reportClaudeFixture('claude-code-2.1.197-subagent');
    const opus = { input: 363, output: 177, reasoning: 0, cache_read: 6153, cache_write: 3117, cost: 31082 };
    expect(totals).toEqual({ 'claude-opus-4-8': opus });
    const { stdout } = await run(process.execPath, [CCUSAGE, 'claude', 'session', '--offline', '--json', '--timezone', 'UTC'], {
      env: { ...process.env, CLAUDE_CONFIG_DIR: claude, NO_COLOR: '1' },
    });
    expect((JSON.parse(stdout) as { totals: Record<string, number> }).totals).toMatchObject({
      inputTokens: opus.input,
      outputTokens: opus.output,
      cacheReadTokens: opus.cache_read,
      cacheCreationTokens: opus.cache_write,
    });
  });
});

describe('files and OTLP exports of the same sessions, to one town', () => {
  it('exports first: every session counted once, from OTLP', async () => {
    const t = await town('exports first');
    await send(t.key, allExports());
    await report(t);
    expect(await byModel(t.townId)).toEqual(FROM_OTLP);
  });

  it('files first, Codex exporting its logs only: every session counted once, from the files', async () => {
    const t = await town('files first codex logs only');
    await report(t);
    await send(t.key, allExports(true));
    expect(await byModel(t.townId)).toEqual(FROM_FILES);
  });

  it('files first, Codex exporting its metrics too: Codex counted twice (docs/api.md, one session, two paths)', async () => {
    // Codex 0.171 flushes a run's metrics before its logs, and its metrics name no session: they count first for
    // their sender, so its logs (which name the session the reporter counted) never take the sender over.
    const t = await town('files first codex metrics');
    await report(t);
    await send(t.key, allExports());
    const gpt = FROM_FILES['gpt-5-codex'] as ModelTotals;
    const otlp = FROM_OTLP['gpt-5-codex'] as ModelTotals;
    expect(await byModel(t.townId)).toEqual({
      ...FROM_FILES,
      'gpt-5-codex': { ...gpt, input: gpt.input + otlp.input, output: gpt.output + otlp.output },
    });
  });
});
