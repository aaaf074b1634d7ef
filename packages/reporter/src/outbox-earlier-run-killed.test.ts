import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startGasgauge, waitFor } from './testing/processes.js';
import { serverTotals, tokenTotals } from './testing/server.js';
import { testBed } from './testing/test-bed.js';
import { expectedTokens, generateTree, writeTree } from './testing/transcripts.js';

/**
 * A `--once` against a server that is down leaves its records in the outbox table; the transcripts grow (later copies
 * of the same responses, which replace those rows); runs against the live server are killed while they read and send
 * (Store.hold: a held record whose id waits in the table replaces it there), then one runs to the end: the server has
 * every response exactly once, at its largest copy.
 */
describe("gasgauge report --once killed while an earlier run's rows wait in the outbox", () => {
  const { dir, children, startServer } = testBed('gg-outbox-earlier-');

  it('delivers every response exactly once', async () => {
    const server = await startServer({ tickMs: 200 });
    const { url, adminToken, townId, tokenFile } = server;
    const claude = join(dir, 'claude');
    const tree = generateTree({ seed: 12, agents: 4, sessionsPerAgent: 4, responsesPerSession: 1500, stepMs: [5, 20] });
    const half = (_: string, n: number): [number, number] => [0, Math.floor(n / 2)];
    const rest = (_: string, n: number): [number, number] => [Math.floor(n / 2), n];
    writeTree(claude, tree.files, half);
    const once = (serverUrl: string, extra: string[] = []) => {
      const c = startGasgauge([
        'report',
        '--once',
        '--json',
        ...extra,
        ...['--server', serverUrl, '--town', townId, '--token-file', tokenFile, '--state', join(dir, 'state')],
        ...['--claude-dir', claude, '--no-codex', '--no-gemini', '--no-opencode'],
      ]);
      children.push(c);
      return c;
    };
    const totals = () => serverTotals(url, adminToken, townId);
    const down = once(`http://127.0.0.1:${await freePort()}`, ['--timeout', '3']);
    const code = await down.exited;
    expect(code, down.output()).not.toBe(0);
    expect(JSON.parse(down.output().trim().split('\n').pop() as string).pending).toBeGreaterThan(0);
    writeTree(claude, tree.files, rest);
    let killed = 0;
    for (let k = 0; k < 3; k++) {
      const before = (await totals()).input_tokens;
      const run = once(url);
      await waitFor(
        () => `more to arrive; the reporter said: ${run.output()}`,
        async () => ((await totals()).input_tokens > before || run.proc.exitCode !== null ? true : undefined),
        60_000,
      );
      if (run.proc.exitCode !== null) break;
      await run.kill('SIGKILL');
      killed++;
    }
    // Killed at least once while it read and sent: the case this test is for.
    expect(killed).toBeGreaterThan(0);
    const last = once(url);
    expect(await last.exited, last.output()).toBe(0);
    expect(tokenTotals(await totals())).toEqual(expectedTokens(tree.expected));
  }, 240_000);
});
