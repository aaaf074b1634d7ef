import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTown, freePort, startGasgauge, startServe, waitFor } from './testing/processes.js';
import { serverTotals, tokenTotals } from './testing/server.js';
import { testBed } from './testing/test-bed.js';
import { expectedTokens, generateTree, writeTree } from './testing/transcripts.js';

/**
 * A `--once` holds what it read until the server acknowledges it (Store.hold). A server killed (SIGKILL) in the
 * middle loses what it had not committed and never answers the batches in flight; restarted on the same data,
 * it is sent those again, and counts what it had committed once.
 */
describe('gasgauge report --once while its server is killed and restarted', () => {
  const { dir, children } = testBed('gg-once-server-killed-');

  it('delivers every response exactly once', async () => {
    const data = join(dir, 'data');
    const port = await freePort();
    let server = await startServe(children, data, port);
    const { url, adminToken } = server;
    const tokenFile = join(dir, 'token');
    const townId = await cliTown(data, 'held', tokenFile);
    const claude = join(dir, 'claude');
    const tree = generateTree({ seed: 19, agents: 4, sessionsPerAgent: 4, responsesPerSession: 2000, stepMs: [5, 20] });
    writeTree(claude, tree.files);
    const totals = () => serverTotals(url, adminToken, townId);

    const once = startGasgauge([
      'report',
      '--once',
      '--json',
      ...['--server', url, '--town', townId, '--token-file', tokenFile, '--state', join(dir, 'state'), '--timeout', '120'],
      ...['--claude-dir', claude, '--no-codex', '--no-gemini', '--no-opencode'],
    ]);
    children.push(once);
    // Twice: killed once the first records arrived, then again once more arrived after the restart.
    for (let round = 0; round < 2; round++) {
      const before = (await totals()).input_tokens;
      await waitFor(
        () => `more records to arrive (round ${round}); the reporter said: ${once.output()}`,
        async () => ((await totals()).input_tokens > before ? true : undefined),
        60_000,
      );
      expect(once.proc.exitCode, once.output()).toBeNull();
      await server.child.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      server = await startServe(children, data, port);
    }

    expect(await once.exited, once.output()).toBe(0);
    expect(JSON.parse(once.output().trim().split('\n').pop() as string)).toMatchObject({ delivered: true, pending: 0 });
    expect(tokenTotals(await totals())).toEqual(expectedTokens(tree.expected));
  }, 240_000);
});
