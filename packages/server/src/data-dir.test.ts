import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DataDir, processStart, SharedDataDirError } from './data-dir.js';
import { startServer } from './serve.js';
import { BIN, gasgauge, ROOT } from './testing/cli.js';
import { startTestServer, type TestServer } from './testing/server.js';
import { tempDir } from './testing/temp.js';

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every directory and file of the data dir (the dir itself first), relative names. */
function entries(root: string): string[] {
  return ['.', ...readdirSync(root, { recursive: true, encoding: 'utf8' })];
}

/** Writes a usage record and ticks the town, so its database has -wal and -shm files. */
async function write(s: TestServer): Promise<void> {
  const record = { id: 'r1', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() };
  expect((await s.post(`/api/towns/${s.townId}/usage`, { records: [record] })).status).toBe(200);
  await s.tickTown(s.townId);
}

function expectPrivate(root: string): void {
  const found = entries(root).filter((e) => e !== 'server.json');
  expect(found).toEqual(expect.arrayContaining(['.', 'towns', 'control.sqlite', 'control.sqlite-wal', 'secret.key']));
  expect(found.filter((e) => /^towns\/.+\.sqlite-wal$/.test(e))).toHaveLength(1);
  for (const e of found) {
    const path = join(root, e);
    expect([e, mode(path)]).toEqual([e, statSync(path).isDirectory() ? 0o700 : 0o600]);
  }
}

describe('data dir permissions', () => {
  it('a new data dir is 0700 and every database file (with -wal and -shm) 0600', async () => {
    const root = join(tempDir('gg-perm-'), 'data'); // made by the server, under the test's umask
    const s = await startTestServer({ dataDir: root, autoTick: false });
    try {
      await write(s);
      expectPrivate(root);
    } finally {
      await s.close();
    }
  });

  it('an existing data dir left open to others (0755, 0644, also -wal and -shm in use) is made private on start', async () => {
    const root = join(tempDir('gg-perm-'), 'data');
    const first = await startTestServer({ dataDir: root, autoTick: false });
    await write(first);
    await first.close();
    const open = (e: string) => (statSync(join(root, e)).isDirectory() ? 0o755 : 0o644);
    for (const e of entries(root)) chmodSync(join(root, e), open(e));
    // Another process (an older CLI) has the databases open: their -wal and -shm files exist, 0644.
    const holders = entries(root)
      .filter((e) => e.endsWith('.sqlite'))
      .map((e) => {
        const db = new Database(join(root, e));
        db.pragma('journal_mode = WAL');
        db.exec('CREATE TABLE IF NOT EXISTS perm_probe (x); INSERT INTO perm_probe VALUES (1)');
        return db;
      });
    try {
      expect(mode(join(root, 'control.sqlite-shm'))).toBe(0o644);
      const server = await startServer({ dataDir: root, port: 0, host: '127.0.0.1', autoTick: false, log: () => {} });
      try {
        await server.tickTown(first.townId); // opens the town's file
        expectPrivate(root);
      } finally {
        await server.close();
      }
    } finally {
      for (const db of holders) db.close();
    }
  });

  it('refuses to make private a dir open to others that holds their files (--data ~ or /tmp), and changes nothing', () => {
    const shared = tempDir('gg-perm-shared-');
    chmodSync(shared, 0o1777); // as /tmp
    writeFileSync(join(shared, 'someone-elses.txt'), 'x');
    expect(() => new DataDir(shared)).toThrow(SharedDataDirError);
    expect(() => new DataDir(shared)).toThrow(
      /open to other users \(mode 1777\) and holds files that are not Gas Gauge's \(someone-elses\.txt\)/,
    );
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(readdirSync(shared)).toEqual(['someone-elses.txt']);
    // Private already, or holding only Gas Gauge's files (and a mount point's lost+found): used as before.
    chmodSync(shared, 0o700);
    new DataDir(shared);
    const own = join(tempDir('gg-perm-own-'), 'data');
    mkdirSync(join(own, 'lost+found'), { recursive: true });
    writeFileSync(join(own, 'secret.key'), 'k'.repeat(43));
    chmodSync(own, 0o755);
    new DataDir(own);
    expect(mode(own)).toBe(0o700);
  });
});

describe('whether a server runs on the data dir (server.json)', () => {
  const serverFile = (root: string, fields: object) =>
    writeFileSync(join(root, 'server.json'), `${JSON.stringify({ url: 'http://127.0.0.1:1', ...fields })}\n`);

  it('is the process named by pid and start time: a pid now held by a later process is no server', async () => {
    const root = tempDir('gg-running-');
    const d = new DataDir(root);
    expect(d.serverRunning()).toBe(false); // no server.json
    // What a server writes: its own pid and start time.
    d.writeServerUrl('http://127.0.0.1:1', 'http://127.0.0.1:1');
    expect(d.serverRunning()).toBe(true);

    // A crashed server's file, its pid since given to another process (here: a live child started later).
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      await waitFor(() => processStart(pid) !== undefined);
      serverFile(root, { pid, pidStart: String(Number(processStart(pid)) - 1) });
      expect(d.serverRunning()).toBe(false);
      serverFile(root, { pid, pidStart: processStart(pid) });
      expect(d.serverRunning()).toBe(true);
      // A server from before pidStart: the pid alone says.
      serverFile(root, { pid });
      expect(d.serverRunning()).toBe(true);
    } finally {
      child.kill();
    }
    serverFile(root, { pid: 2 ** 22 + 1 }); // above Linux's pid_max: no such process
    expect(d.serverRunning()).toBe(false);
  });

  it('reads a start time past a command name with spaces and parentheses', () => {
    const self = processStart(process.pid);
    expect(self).toMatch(/^\d+$/);
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    expect(self).toBe(stat.split(' ')[21]); // node's own name has neither
  });
});

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(ok()).toBe(true);
}

describe('a data dir on a read-only file system', () => {
  /** The data dir bind-mounted read-only in a mount namespace of its own (`unshare -rm`: no root needed where user namespaces are). */
  const readOnly = (data: string, ...args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        'unshare',
        [
          '-rm',
          'sh',
          '-c',
          'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"',
          data,
          process.execPath,
          BIN,
          ...args,
        ],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr?.on('data', (d) => {
        stderr += d;
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
  const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;

  it.skipIf(!canUnshare)(
    'is named with what to do (a systemd ProtectSystem=strict unit), not a bare EROFS: serve and a command',
    async () => {
      const data = tempDir('gg-ro-');
      expect((await gasgauge('user', 'add', 'alice', '--data', data)).code).toBe(0);
      const hint = `the file system is read-only there (under systemd with ProtectSystem=strict, the data dir must be the unit's StateDirectory= or in its ReadWritePaths=); pass --data DIR, a directory on a writable file system, or make ${data} writable`;
      const serve = await readOnly(data, 'serve', '--data', data, '--port', '0');
      expect([serve.code, serve.stderr.trim()]).toEqual([1, `gasgauge serve: cannot write ${join(data, 'serve.lock')}: ${hint}`]);
      const list = await readOnly(data, 'town', 'list', '--data', data);
      expect([list.code, list.stderr.trim()]).toEqual([
        1,
        `gasgauge town list: cannot write ${join(data, 'control.sqlite')}: ${hint}`,
      ]);
    },
    30_000,
  );

  it.skipIf(!canUnshare)(
    'backup says so as serve does, not "unable to open database file" (SQLite may not make its -shm there)',
    async () => {
      const data = tempDir('gg-ro-');
      const out = join(tempDir('gg-ro-out-'), 'backup');
      expect((await gasgauge('user', 'add', 'alice', '--data', data)).code).toBe(0);
      const hint = `the file system is read-only there (under systemd with ProtectSystem=strict, the data dir must be the unit's StateDirectory= or in its ReadWritePaths=); pass --data DIR, a directory on a writable file system, or make ${data} writable`;
      const backup = await readOnly(data, 'backup', '--data', data, '--out', out);
      expect([backup.code, backup.stderr.trim()]).toEqual([
        1,
        `gasgauge backup: cannot write ${join(data, 'control.sqlite')}: ${hint}`,
      ]);
      expect(existsSync(out)).toBe(false);
    },
    30_000,
  );
});
