import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../testing/cli.js';
import { tempDir } from '../testing/temp.js';
import { COMMANDS } from './main.js';

/** The real CLI in a child process run from `cwd`, with HOME at `home`. */
async function gasgaugeIn(cwd: string, home: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [join(ROOT, BIN), ...args], {
      cwd,
      timeout: 20_000,
      env: { ...process.env, HOME: home },
    });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number | string | null; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr };
  }
}

describe('--data ""', () => {
  it('every command taking --data refuses it (exit 2) naming --data, and leaves the current directory alone', async () => {
    const commands = [...COMMANDS].filter(([, c]) => !c.noDataDir).map(([key]) => key);
    expect(commands.length).toBeGreaterThan(10);
    const runs = await Promise.all(
      commands.map(async (key) => {
        const cwd = tempDir('gg-data-empty-');
        const before = statSync(cwd).mode & 0o777;
        // An unset shell variable (`--data "$DIR"`): it was the current directory, made mode 700 and given a control.sqlite.
        const r = await gasgaugeIn(cwd, tempDir('gg-home-'), ...key.split(' '), '--data', '');
        return {
          key,
          code: r.code,
          line: r.stderr.split('\n')[0],
          left: readdirSync(cwd),
          mode: (statSync(cwd).mode & 0o777) === before,
        };
      }),
    );
    expect(runs).toEqual(
      commands.map((key) => ({
        key,
        code: 2,
        line: `gasgauge ${key}: --data is empty: give the data directory, or leave --data out for ./data`,
        left: [],
        mode: true,
      })),
    );
  }, 60_000);
});

describe('--data ~/DIR', () => {
  it('is DIR in the home directory, as the reporter takes a path (no shell expands a quoted ~ or --data=~/)', async () => {
    const cwd = tempDir('gg-data-tilde-');
    const home = tempDir('gg-home-');
    expect((await gasgaugeIn(cwd, home, 'user', 'add', 'ada', '--data', '~/gg')).code).toBe(0);
    expect(existsSync(join(home, 'gg', 'control.sqlite'))).toBe(true);
    const list = await gasgaugeIn(cwd, home, 'town', 'list', '--data=~/gg');
    expect(list.code, list.stderr).toBe(0);
    const backup = await gasgaugeIn(cwd, home, 'backup', '--data', '~/gg', '--out', '~/bk');
    expect(backup.code, backup.stderr).toBe(0);
    expect(existsSync(join(home, 'bk', 'manifest.json'))).toBe(true);
    const restore = await gasgaugeIn(cwd, home, 'restore', '--from', '~/bk', '--data', '~/gg2');
    expect(restore.code, restore.stderr).toBe(0);
    expect(existsSync(join(home, 'gg2', 'control.sqlite'))).toBe(true);
    expect(readdirSync(cwd)).toEqual([]); // no directory named ~
  });
});
