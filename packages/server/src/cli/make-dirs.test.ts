import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '@gasgauge/reporter/make-dirs';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, type Run } from '../testing/cli.js';
import { tempDir } from '../testing/temp.js';

/*
 * Node's mkdirSync(path, { recursive: true }) never returns when mkdir answers ENOENT for a directory whose parent
 * exists (/proc/x): it loops in C++ at full CPU, and no signal handler runs. `gasgauge report --state /proc/x`,
 * `serve --data /proc/x` and `backup --out /proc/x/y` hung so, ignoring Ctrl-C and SIGTERM (found trying wrong
 * paths as a new user). Each command must now end at once, exit 1, naming the path.
 */

/** The real CLI, killed with SIGKILL (which a stuck process cannot ignore) if it has not ended within 30 s. */
function gasgaugeOrKill(...args: string[]): Promise<Run & { killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, killed });
    });
  });
}

const hasProc = existsSync('/proc/self');
const procPath = (name: string) => `/proc/gasgauge-test-${process.pid}-${name}`;

describe('a directory that cannot be made ends the command (no endless mkdir)', () => {
  it.skipIf(!hasProc)(
    'report --state under /proc: exit 1, naming the state dir',
    async () => {
      const dir = tempDir('gg-make-dirs-');
      writeFileSync(join(dir, 'token'), 'x\n', { mode: 0o600 });
      const state = procPath('state');
      const r = await gasgaugeOrKill(
        'report',
        ...['--server', 'http://127.0.0.1:9', '--town', 'town_x', '--token-file', join(dir, 'token'), '--state', state],
        ...['--no-claude', '--no-codex', '--no-gemini', '--no-opencode', '--once'],
      );
      expect(r.killed).toBe(false);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot open the reporter state in ${state}: ENOENT`);
    },
    60_000,
  );

  it.skipIf(!hasProc)(
    'serve --data under /proc: exit 1, naming the data dir',
    async () => {
      const data = procPath('data');
      const r = await gasgaugeOrKill('serve', '--port', '0', '--data', data);
      expect(r.killed).toBe(false);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot use ${data} as the data dir (ENOENT`);
    },
    60_000,
  );

  it.skipIf(!hasProc)(
    'backup --out under /proc: exit 1, naming the directory',
    async () => {
      const data = tempDir('gg-make-dirs-');
      expect((await gasgaugeOrKill('user', 'add', 'alice', '--data', data)).code).toBe(0);
      const out = join(procPath('backup'), 'b');
      const r = await gasgaugeOrKill('backup', '--out', out, '--data', data);
      expect(r.killed).toBe(false);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`mkdir '${procPath('backup')}'`);
    },
    60_000,
  );
});

describe('makeDirs', () => {
  it('makes every missing level with the mode, and takes one that is there', () => {
    const root = tempDir('gg-make-dirs-');
    const deep = join(root, 'a', 'b', 'c');
    makeDirs(deep, 0o700);
    for (const d of [join(root, 'a'), join(root, 'a', 'b'), deep]) {
      expect(statSync(d).isDirectory()).toBe(true);
      expect(statSync(d).mode & 0o077).toBe(0);
    }
    makeDirs(deep, 0o700);
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'link'));
    makeDirs(join(root, 'link'));
    makeDirs(join(root, 'link', 'inside'));
    expect(statSync(join(root, 'real', 'inside')).isDirectory()).toBe(true);
  });

  it('refuses a file or a dangling symlink in the way, as mkdir -p does', () => {
    const root = tempDir('gg-make-dirs-');
    writeFileSync(join(root, 'file'), '');
    expect(() => makeDirs(join(root, 'file'))).toThrow(/EEXIST/);
    expect(() => makeDirs(join(root, 'file', 'below'))).toThrow(/ENOTDIR/);
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
    expect(() => makeDirs(join(root, 'dangling'))).toThrow(/EEXIST/);
  });

  it.skipIf(!hasProc)('throws ENOENT for a directory under /proc instead of looping', () => {
    expect(() => makeDirs(join(procPath('unit'), 'x'))).toThrow(/ENOENT/);
  });
});
