import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, gasgauge, ROOT } from '../testing/cli.js';
import { killServers, serveProcess } from '../testing/serve-process.js';
import { tempDir } from '../testing/temp.js';

afterAll(killServers);

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the command wrote on the stream that stayed open. */
  open: string;
}

/**
 * The real CLI with its stdout or stderr a pipe whose reader is gone before it writes (`| head -c 0`): the read
 * end is closed at once, so its first write there fails with EPIPE. Returns how it ended and what the other
 * stream got.
 */
function intoClosedPipe(closed: 'stdout' | 'stderr', args: string[], started?: (line: string) => void): Promise<Ended> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const other = closed === 'stdout' ? child.stderr : child.stdout;
  child[closed].destroy();
  let open = '';
  other.setEncoding('utf8');
  if (started) createInterface({ input: other }).once('line', started);
  other.on('data', (d: string) => {
    open += d;
  });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, open })));
}

describe('a closed stdout or stderr', () => {
  const data = tempDir('gg-closed-pipe-');

  it('ends short commands quietly with status 141 (SIGPIPE), as it ends a standard Unix tool', async () => {
    expect((await gasgauge('user', 'add', 'admin', '--admin', '--data', data)).code).toBe(0);
    expect((await gasgauge('town', 'create', 'Gas Town', '--owner', 'admin', '--data', data)).code).toBe(0);
    const runs: [string, 'stdout' | 'stderr', string[]][] = [
      ['--help', 'stdout', ['--help']],
      ['serve --help', 'stdout', ['serve', '--help']],
      ['town list', 'stdout', ['town', 'list', '--data', data]],
      ['town list --json', 'stdout', ['town', 'list', '--json', '--data', data]],
      ['backup', 'stdout', ['backup', '--data', data, '--out', join(tempDir('gg-closed-pipe-backup-'), 'b')]],
      ['an error on stderr', 'stderr', ['town', 'lst', '--data', data]],
      ['a usage error on stderr', 'stderr', ['town', 'list', '--nope', '--data', data]],
    ];
    const ended = await Promise.all(runs.map(([, closed, args]) => intoClosedPipe(closed, args)));
    expect(
      ended.map((e, i) => ({ command: runs[i]?.[0], ...e })),
      'no EPIPE stack trace, no exit 1',
    ).toEqual(runs.map(([command]) => ({ command, code: 141, signal: null, open: '' })));
  });

  it('stops serve cleanly when its log reader is gone, as SIGTERM does', async () => {
    const dir = tempDir('gg-closed-pipe-serve-');
    let url = '';
    const ended = intoClosedPipe('stderr', ['serve', '--data', dir, '--port', '0', '--json'], (line) => {
      url = (JSON.parse(line) as { url: string }).url;
    });
    while (url === '') await new Promise((r) => setTimeout(r, 50));
    // The access log line of this request is the first write to the closed stderr.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const { code, signal } = await ended;
    expect({ code, signal }).toEqual({ code: 141, signal: null });
    // A clean stop removes the file that names the running server (a crash leaves it).
    expect(existsSync(join(dir, 'server.json'))).toBe(false);
  });

  it('ends report --once --json quietly when its summary has no reader', async () => {
    const dir = tempDir('gg-closed-pipe-report-');
    const server = await serveProcess(join(dir, 'data'));
    const created = await gasgauge('town', 'create', 'Reported', '--owner', 'admin', '--json', '--data', join(dir, 'data'));
    const townId = (JSON.parse(created.stdout) as { town: { id: string } }).town.id;
    const minted = await gasgauge('token', 'mint', '--town', townId, '--json', '--data', join(dir, 'data'));
    writeFileSync(join(dir, 'token'), (JSON.parse(minted.stdout) as { token: string }).token, { mode: 0o600 });
    const ended = await intoClosedPipe('stdout', [
      'report',
      '--once',
      '--json',
      ...['--server', server.url, '--town', townId, '--token-file', join(dir, 'token'), '--state', join(dir, 'state')],
      ...['--no-claude', '--no-codex', '--no-gemini', '--no-opencode'],
    ]);
    expect(ended.open).not.toMatch(/EPIPE|Error/);
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 141, signal: null });
    await server.stop();
  });
});
