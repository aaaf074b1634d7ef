import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startGasgauge, waitFor } from './testing/processes.js';
import { serverTotals, tokenTotals } from './testing/server.js';
import { testBed } from './testing/test-bed.js';
import { expectedTokens, generateTree, writeTree } from './testing/transcripts.js';

/**
 * `--once` sends a backfill from memory and commits its cursors once the server acknowledged what they
 * produced (Store.hold). Killed in between, the records the server has are sent again by the next run, and
 * counted once; nothing it had not acknowledged is skipped.
 */
describe('gasgauge report --once killed mid-backfill', () => {
  const { dir, children, startServer } = testBed('gg-once-killed-');

  it('and run again delivers every response exactly once', async () => {
    const server = await startServer({ tickMs: 200 });
    const { url, adminToken, townId, tokenFile } = server;
    const claude = join(dir, 'claude');
    const tree = generateTree({ seed: 11, agents: 4, sessionsPerAgent: 4, responsesPerSession: 2000, stepMs: [5, 20] });
    writeTree(claude, tree.files);
    const once = () => {
      const c = startGasgauge([
        'report',
        '--once',
        '--json',
        ...['--server', url, '--town', townId, '--token-file', tokenFile, '--state', join(dir, 'state')],
        ...['--claude-dir', claude, '--no-codex', '--no-gemini', '--no-opencode'],
      ]);
      children.push(c);
      return c;
    };
    const totals = () => serverTotals(url, adminToken, townId);

    const first = once();
    await waitFor(
      () => `the first batches to arrive; the reporter said: ${first.output()}`,
      async () => ((await totals()).input_tokens > 0 ? true : undefined),
      60_000,
    );
    // Killed while it still reads and sends: the server has part of the tree.
    expect(first.proc.exitCode, first.output()).toBeNull();
    await first.kill('SIGKILL');
    const part = await totals();
    expect(part.input_tokens).toBeGreaterThan(0);
    expect(part.input_tokens).toBeLessThan(tree.expected.input);

    const second = once();
    expect(await second.exited, second.output()).toBe(0);
    expect(JSON.parse(second.output().trim().split('\n').pop() as string)).toMatchObject({ delivered: true, pending: 0 });
    const t = await totals();
    expect(tokenTotals(t)).toEqual(expectedTokens(tree.expected));
  }, 180_000);
});
