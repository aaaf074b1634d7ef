import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeOpencode } from '../testing/opencode-serve.js';
import { type Child, startGasgauge, waitFor } from '../testing/processes.js';
import { type InProcessServer, removeDir, serverTotals, startTestServer, tempDir } from '../testing/server.js';

/**
 * `gasgauge report --opencode URL` (a child process) attached to a stand-in for `opencode serve` (no
 * OpenCode binary can run here; see testing/opencode-serve.ts) and delivering into the real server over
 * loopback: the live messages, a disconnect in the middle, and the ones written while it was away (read
 * from the store on reconnect) all land once.
 */
describe('attached to a live OpenCode server, end to end', () => {
  const dir = tempDir('gg-opencode-live-e2e-');
  let server: InProcessServer | undefined;
  let child: Child | undefined;
  let fake: ReturnType<typeof fakeOpencode> | undefined;
  afterAll(async () => {
    await child?.kill();
    await fake?.close();
    await server?.close();
    removeDir(dir);
  });

  it('counts every message once across a disconnect', async () => {
    server = await startTestServer(dir);
    const s = server;
    const data = join(dir, 'opencode');
    mkdirSync(data, { recursive: true });
    fake = fakeOpencode(data, { globalEvents: true, password: 'pw', start: Date.now() - 600_000 });
    const f = fake;
    await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    process.env.OPENCODE_SERVER_PASSWORD = 'pw';
    try {
      child = startGasgauge([
        'report',
        ...['--server', s.url, '--town', s.townId, '--token-file', s.tokenFile, '--state', join(dir, 'state')],
        ...['--opencode', url, '--opencode-dir', data, '--no-claude', '--no-codex', '--no-gemini'],
      ]);
    } finally {
      delete process.env.OPENCODE_SERVER_PASSWORD;
    }
    const output = () => (child as Child).output();
    let last: number | undefined;
    const outputTokens = async () => {
      last = (await serverTotals(s.url, s.adminToken, s.townId, Date.now() - 86_400_000)).output_tokens;
      return last;
    };
    const state = () =>
      `the server had ${last} output tokens, the fake ${f.connected} subscribers after ${f.requests.length} requests; the reporter's output: ${output()}`;
    await waitFor(
      () => `the reporter to subscribe; ${state()}`,
      () => (f.connected === 1 ? true : undefined),
    );
    f.message('msg_1', 10);
    f.message('msg_1', 25);
    await waitFor(
      () => `25 output tokens; ${state()}`,
      async () => ((await outputTokens()) === 25 ? true : undefined),
    );
    f.drop();
    f.message('msg_1', 40);
    f.message('msg_2', 100);
    f.up();
    // A new subscription, not the dropped one (whose close the fake may not have seen yet).
    await waitFor(
      () => `the reconnect; ${state()}`,
      () => (f.requests.length >= 2 && f.connected === 1 ? true : undefined),
    );
    f.message('msg_3', 1000);
    await waitFor(
      () => `1140 output tokens; ${state()}`,
      async () => ((await outputTokens()) === 1140 ? true : undefined),
    );
    // Nothing more arrives later (no double count).
    await new Promise((r) => setTimeout(r, 1500));
    const totals = await serverTotals(s.url, s.adminToken, s.townId, Date.now() - 86_400_000);
    expect(totals).toMatchObject({ input_tokens: 300, output_tokens: 1140, cost_microdollars: 1140 });
    expect(await (child as Child).kill('SIGTERM')).toBe(0);
  }, 120_000);
});
