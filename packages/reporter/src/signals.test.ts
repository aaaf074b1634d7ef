import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, freePort, gasgauge, startGasgauge, waitFor } from './testing/processes.js';
import { removeDir, tempDir } from './testing/server.js';

const children: Child[] = [];
let dir: string;
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill();
  removeDir(dir);
});

describe('gasgauge report and signals', () => {
  it('SIGHUP (a closed terminal or ssh session) stops a running reporter as SIGTERM does: exit 0, its state unlocked', async () => {
    dir = tempDir('gg-report-hup-');
    const data = join(dir, 'data');
    const port = await freePort();
    const server = startGasgauge(['serve', '--data', data, '--port', String(port), '--json']);
    children.push(server);
    const { url } = await waitFor('the server to start', () => {
      const line = server.output().split('\n')[0];
      return line?.startsWith('{') ? (JSON.parse(line) as { url: string }) : undefined;
    });
    const { town } = await gasgauge<{ town: { id: string } }>(['town', 'create', 'Hup', '--owner', 'admin', '--data', data]);
    const { token } = await gasgauge<{ token: string }>(['token', 'mint', '--town', town.id, '--data', data]);
    writeFileSync(join(dir, 'token'), token, { mode: 0o600 });
    mkdirSync(join(dir, 'claude'));
    const state = join(dir, 'state');
    const reporter = startGasgauge([
      'report',
      ...['--server', url, '--town', town.id, '--token-file', join(dir, 'token'), '--state', state],
      ...['--claude-dir', join(dir, 'claude'), '--no-codex', '--no-gemini', '--no-opencode'],
    ]);
    children.push(reporter);
    await waitFor('the reporter to hold its state', () => (existsSync(join(state, 'reporter.pid')) ? true : undefined));
    expect(await reporter.kill('SIGHUP'), reporter.output()).toBe(0);
    expect(existsSync(join(state, 'reporter.pid'))).toBe(false);
  });
});
