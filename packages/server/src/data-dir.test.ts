import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startServer } from './serve.js';
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
});
