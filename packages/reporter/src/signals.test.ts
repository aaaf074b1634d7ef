import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, cliTown, freePort, startGasgauge, startServe, waitFor } from './testing/processes.js';
import { removeDir, tempDir } from './testing/server.js';

const children: Child[] = [];
let dir: string;
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill();
  removeDir(dir);
});

/** A server that takes each request and never answers (`onRequest` told of each): what it was sent stays pending. */
async function hangingServer(onRequest = () => {}): Promise<{ url: string; close: () => Promise<void> }> {
  const hang = createServer((req) => {
    onRequest();
    req.resume();
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`,
    close: () => {
      hang.closeAllConnections();
      return new Promise((r) => hang.close(() => r()));
    },
  };
}

/** A Claude dir under `dir` with one transcript of one response, and a token file: a reporter's whole input. */
function oneResponse(dir: string): void {
  const project = join(dir, 'claude', 'projects', 'p');
  mkdirSync(project, { recursive: true });
  const line = {
    timestamp: new Date().toISOString(),
    requestId: 'r1',
    sessionId: 's1',
    message: { id: 'm1', model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 2 } },
  };
  writeFileSync(join(project, 's.jsonl'), `${JSON.stringify(line)}\n`);
  writeFileSync(join(dir, 'token'), 'tok', { mode: 0o600 });
}

describe('gasgauge report and signals', () => {
  it('SIGHUP (a closed terminal or ssh session) stops a running reporter as SIGTERM does: exit 0, its state unlocked', async () => {
    dir = tempDir('gg-report-hup-');
    const data = join(dir, 'data');
    const port = await freePort();
    const { url } = await startServe(children, data, port, []);
    const townId = await cliTown(data, 'Hup', join(dir, 'token'));
    mkdirSync(join(dir, 'claude'));
    const state = join(dir, 'state');
    const reporter = startGasgauge([
      'report',
      ...['--server', url, '--town', townId, '--token-file', join(dir, 'token'), '--state', state],
      ...['--claude-dir', join(dir, 'claude'), '--no-codex', '--no-gemini', '--no-opencode'],
    ]);
    children.push(reporter);
    await waitFor('the reporter to hold its state', () => (existsSync(join(state, 'reporter.pid')) ? true : undefined));
    // Its first read says what it found, and where it looked when that is nothing, as --once does.
    await waitFor(reporter.output, () =>
      reporter.output().includes(`found no agent CLI files: looked for Claude Code transcripts in ${join(dir, 'claude')} (`)
        ? true
        : undefined,
    );
    expect(await reporter.kill('SIGHUP'), reporter.output()).toBe(0);
    expect(existsSync(join(state, 'reporter.pid'))).toBe(false);
    // The log says why it stopped and, last, what waits for the next start, as serve's does.
    expect(reporter.output().trim().split('\n').slice(-2)).toEqual(['SIGHUP: stopping', 'stopped: nothing waits in the outbox']);
  });

  it('SIGTERM with records the server has not acknowledged says how many wait in the state dir for the next start', async () => {
    dir = tempDir('gg-report-term-');
    const hang = await hangingServer();
    try {
      oneResponse(dir);
      const state = join(dir, 'state');
      const reporter = startGasgauge([
        'report',
        ...['--server', hang.url, '--town', 't', '--token-file', join(dir, 'token'), '--state', state],
        ...['--claude-dir', join(dir, 'claude'), '--no-codex', '--no-gemini', '--no-opencode'],
      ]);
      children.push(reporter);
      await waitFor(reporter.output, () => (reporter.output().includes('found 1 Claude Code transcript') ? true : undefined));
      expect(await reporter.kill('SIGTERM'), reporter.output()).toBe(0);
      expect(reporter.output().trim().split('\n').slice(-2)).toEqual([
        'SIGTERM: stopping',
        `stopped: 1 record not yet acknowledged stays in ${state} for the next start`,
      ]);
    } finally {
      await hang.close();
    }
  });

  it('Ctrl-C during --once with a request in flight says it stopped, not "delivery failed (… AbortError)"', async () => {
    dir = tempDir('gg-report-int-');
    // A server that never answers: the reporter is waiting on it when it is stopped.
    let posted = 0;
    const hang = await hangingServer(() => posted++);
    try {
      oneResponse(dir);
      const reporter = startGasgauge([
        'report',
        ...['--server', hang.url, '--town', 't', '--token-file', join(dir, 'token')],
        ...[
          '--claude-dir',
          join(dir, 'claude'),
          '--no-codex',
          '--no-gemini',
          '--no-opencode',
          '--state',
          join(dir, 'state'),
          '--once',
        ],
      ]);
      children.push(reporter);
      await waitFor('the reporter to post', () => (posted > 0 ? true : undefined));
      expect(await reporter.kill('SIGINT'), reporter.output()).toBe(1);
      expect(reporter.output()).toContain(
        `not delivered: 1 record still pending (stopped by a signal before everything was read and delivered); they stay in ${join(dir, 'state')}`,
      );
      expect(reporter.output()).not.toContain('AbortError');
      expect(reporter.output()).not.toContain('delivery failed');
    } finally {
      await hang.close();
    }
  });
});
