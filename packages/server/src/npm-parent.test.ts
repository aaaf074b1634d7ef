import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from './testing/sockets.js';
import { tempDir } from './testing/temp.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'packages/server/bin/gasgauge.mjs');
const started: ChildProcess[] = [];
const pids: number[] = [];
afterAll(() => {
  for (const c of started) c.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** npm's own variables, as a test run under `npm test` inherits them, without the ones that say how it started. */
function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

/** The server's address, once `serve` wrote it to DATA/server.json. */
async function address(data: string): Promise<{ url: string; pid?: number }> {
  const file = join(data, 'server.json');
  for (let i = 0; i < 300 && !existsSync(file); i++) await sleep(100);
  return JSON.parse(readFileSync(file, 'utf8')) as { url: string };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

/** Whether the server at `url` stops answering within 8 s. */
async function stopsAnswering(url: string): Promise<boolean> {
  for (let i = 0; i < 80; i++) {
    await sleep(100);
    if (!(await answers(url))) return true;
  }
  return false;
}

describe('a server started by npm ends with npm', () => {
  it('`npm exec gasgauge serve`: a SIGTERM to npm alone stops the server (npm does not pass it on)', async () => {
    const data = tempDir('gg-npm-parent-');
    const npm = spawn(
      'npm',
      ['exec', '--offline', '--', 'gasgauge', 'serve', '--data', data, '--port', '0', '--host', '127.0.0.1'],
      {
        cwd: ROOT,
        stdio: 'ignore',
        env: envWithout('npm_command', 'npm_lifecycle_event'),
      },
    );
    started.push(npm);
    const { url } = await address(data);
    expect(await answers(url)).toBe(true);
    npm.kill('SIGTERM');
    expect(await stopsAnswering(url)).toBe(true);
    // A clean exit: the address file is removed with the server.
    for (let i = 0; i < 50 && existsSync(join(data, 'server.json')); i++) await sleep(100);
    expect(existsSync(join(data, 'server.json'))).toBe(false);
  }, 60_000);

  it('`npm start` (a package whose start script is gasgauge serve): a SIGTERM to npm alone stops the server', async () => {
    const data = tempDir('gg-npm-parent-');
    // A package of its own, as the README's `npm start` is (its prestart builds the web UI, which this need not).
    const pkg = tempDir('gg-npm-start-');
    const script = `"${process.execPath}" "${BIN}" serve --data "${data}" --port 0 --host 127.0.0.1`;
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'gg-start', version: '1.0.0', scripts: { start: script } }));
    const npm = spawn('npm', ['start', '--offline'], {
      cwd: pkg,
      stdio: 'ignore',
      env: envWithout('npm_command', 'npm_lifecycle_event'),
    });
    started.push(npm);
    const { url, pid } = await address(data);
    if (pid !== undefined) pids.push(pid);
    expect(await answers(url)).toBe(true);
    npm.kill('SIGTERM');
    expect(await stopsAnswering(url)).toBe(true);
  }, 60_000);

  it('a server whose parent rightly exits first (started in the background, or by a test under `npm test`) keeps running', async () => {
    const data = tempDir('gg-npm-parent-');
    // The shell starts the server in the background, prints its pid and exits: the server loses its parent.
    const sh = spawn(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" serve --data "${data}" --port 0 --host 127.0.0.1 >/dev/null 2>&1 & echo $!`],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, npm_command: 'run-script', npm_lifecycle_event: 'test' },
      },
    );
    let out = '';
    sh.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => sh.once('exit', r));
    pids.push(Number(out.trim()));
    const { url } = await address(data);
    await sleep(2_500);
    expect(await answers(url)).toBe(true);
  }, 60_000);

  it('`npm exec gasgauge report`: a SIGTERM to npm alone stops the reporter too, and frees its state dir', async () => {
    const dir = tempDir('gg-npm-parent-report-');
    const state = join(dir, 'state');
    writeFileSync(join(dir, 'token'), 'not-a-real-token\n', { mode: 0o600 });
    const npm = spawn(
      'npm',
      [
        'exec',
        '--offline',
        '--',
        'gasgauge',
        'report',
        // Nothing listens there: the reporter keeps running, retrying, as it does while a server is down.
        '--server',
        'http://127.0.0.1:9',
        '--town',
        'town_npmparent',
        '--token-file',
        join(dir, 'token'),
        '--state',
        state,
        '--no-claude',
        '--no-codex',
        '--no-gemini',
        '--no-opencode',
      ],
      { cwd: ROOT, stdio: 'ignore', env: envWithout('npm_command', 'npm_lifecycle_event') },
    );
    started.push(npm);
    const pidFile = join(state, 'reporter.pid');
    for (let i = 0; i < 300 && !existsSync(pidFile); i++) await sleep(100);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    pids.push(pid);
    expect(alive(pid)).toBe(true);
    npm.kill('SIGTERM');
    for (let i = 0; i < 80 && alive(pid); i++) await sleep(100);
    expect(alive(pid)).toBe(false);
  }, 60_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
