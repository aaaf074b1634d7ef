import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_MIGRATIONS, KNOWN_SCHEMA_VERSIONS, migrate, SchemaTooNewError, TOWN_MIGRATIONS } from '@gasgauge/core';
import { describe, expect, it, vi } from 'vitest';
import { backupDataDir, restoreDataDir } from './backup.js';
import { main } from './cli/main.js';
import { DataDir, processStart } from './data-dir.js';
import { startServer } from './serve.js';
import { openSqlite } from './sqlite.js';
import { startTestServer } from './testing/server.js';
import { tempDir } from './testing/temp.js';

const T0 = Date.UTC(2026, 11, 1);

/** A database at an older schema version, as an older Gas Gauge left it. */
function older(file: string, migrations: typeof TOWN_MIGRATIONS, version: number): void {
  rmSync(file, { force: true });
  const sql = openSqlite(file);
  migrate(sql, migrations.slice(0, version), T0);
  sql.close();
}

/** A database a newer Gas Gauge migrated one step past what this code knows. */
function newer(file: string): number {
  const sql = openSqlite(file);
  const version = Number(sql.rows('SELECT MAX(version) FROM schema_migrations')[0]?.[0]) + 1;
  sql.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', version, T0);
  sql.close();
  return version;
}

/** A test server's data dir with its town's file written (a town gets its file on first use). */
async function dataDirWithTown(): Promise<{ root: string; townId: string; adminToken: string }> {
  const root = tempDir('gg-upgrade-');
  const s = await startTestServer({ dataDir: root, autoTick: false });
  const record = { id: 'r1', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() };
  expect((await s.post(`/api/towns/${s.townId}/usage`, { records: [record] })).status).toBe(200);
  await s.close();
  return { root, townId: s.townId, adminToken: s.adminToken };
}

const start = (dataDir: string, logs: string[]) =>
  startServer({ dataDir, port: 0, host: '127.0.0.1', autoTick: false, log: (line) => logs.push(line) });

describe('upgrading a data dir', () => {
  it('the log says which databases an upgrade migrated, the control database at start and each town on first use', async () => {
    const root = tempDir('gg-upgrade-');
    const data = new DataDir(root);
    const control = CONTROL_MIGRATIONS.length;
    older(data.controlFile, CONTROL_MIGRATIONS, control - 1);
    const s = await startTestServer({ dataDir: root, autoTick: false });
    const townId = s.townId;
    await s.close();
    expect(s.logs).toContain(`${data.controlFile}: schema upgraded from version ${control - 1} to ${control}`);

    const town = TOWN_MIGRATIONS.length;
    older(data.townFile(townId), TOWN_MIGRATIONS, town - 2);
    const logs: string[] = [];
    const again = await start(root, logs);
    try {
      expect(logs.filter((l) => l.includes('schema'))).toEqual([]); // control current, the town not opened yet
      again.towns.get(townId);
      expect(logs).toEqual([`${data.townFile(townId)}: schema upgraded from version ${town - 2} to ${town}`]);
    } finally {
      await again.close();
    }
  });

  it('an older Gas Gauge (this one) refuses a data dir a newer one migrated, naming the file', async () => {
    const { root, townId, adminToken } = await dataDirWithTown();
    const data = new DataDir(root);
    const townVersion = newer(data.townFile(townId));
    const logs: string[] = [];
    const server = await start(root, logs);
    try {
      expect(() => server.towns.get(townId)).toThrow(
        new SchemaTooNewError(townVersion, KNOWN_SCHEMA_VERSIONS.town, data.townFile(townId)),
      );
      // A client is told what is wrong (not "internal error"); the file is named in the log only.
      const answer = await fetch(`${server.url}/api/towns/${townId}/metrics/throughput`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('60');
      expect(await answer.json()).toEqual({
        error: {
          code: 'unavailable',
          message: `this town's data was written by a newer Gas Gauge (schema version ${townVersion}; this server knows up to ${KNOWN_SCHEMA_VERSIONS.town}): the server's log names the file`,
        },
      });
      expect(logs.join('\n')).toContain(data.townFile(townId));
    } finally {
      await server.close();
    }

    const controlVersion = newer(data.controlFile);
    await expect(start(root, [])).rejects.toThrow(
      `${data.controlFile} has schema version ${controlVersion}, newer than this Gas Gauge knows (${KNOWN_SCHEMA_VERSIONS.control}): a newer Gas Gauge wrote it. Run that version (or a later one), or restore a backup made by this one`,
    );
  });

  it('restore refuses a backup a newer version made, before it replaces anything', async () => {
    const { root, townId } = await dataDirWithTown();
    const backup = join(tempDir('gg-upgrade-'), 'backup');
    backupDataDir(root, backup);
    const townFile = join(backup, 'towns', `${townId}.sqlite`);
    const version = newer(townFile);

    // Restored with --force over the data dir it came from: nothing of it may go before the refusal.
    const before = readFileSync(join(root, 'control.sqlite'));
    expect(() => restoreDataDir(backup, root, true)).toThrow(
      `the backup's towns/${townId}.sqlite was written by a newer Gas Gauge (schema version ${version}; this one knows up to ${KNOWN_SCHEMA_VERSIONS.town})`,
    );
    expect(readFileSync(join(root, 'control.sqlite')).equals(before)).toBe(true);
  });

  it('a CLI command run first migrates the control database and says so; beside the older server still running on it, it refuses and changes nothing', async () => {
    const root = tempDir('gg-upgrade-');
    const data = new DataDir(root);
    const control = CONTROL_MIGRATIONS.length;
    const version = () => {
      const sql = openSqlite(data.controlFile);
      const v = Number(sql.rows('SELECT MAX(version) FROM schema_migrations')[0]?.[0]);
      sql.close();
      return v;
    };
    const run = async (...args: string[]) => {
      const err: string[] = [];
      const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => err.push(line));
      const out = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        return { code: await main([...args, '--data', root]), err };
      } finally {
        spy.mockRestore();
        out.mockRestore();
      }
    };

    // The older server still runs (its server.json names a live process): its schema is left alone.
    older(data.controlFile, CONTROL_MIGRATIONS, control - 1);
    writeFileSync(data.serverFile, `${JSON.stringify({ url: 'http://127.0.0.1:1', pid: process.pid })}\n`);
    const beside = await run('town', 'list');
    expect(beside.code).toBe(1);
    expect(beside.err.join('\n')).toContain(
      `${data.controlFile} has schema version ${control - 1}, older than this Gas Gauge's (${control}), and a server is running on ${root}: an older version. Stop it`,
    );
    expect(version()).toBe(control - 1);
    // Nor does this version's serve migrate it under that server (one from before serve.lock holds no lock): it
    // did, then found the port taken, and the older server ran on with a schema it does not know.
    await expect(start(root, [])).rejects.toThrow(
      `${data.controlFile} has schema version ${control - 1}, older than this Gas Gauge's (${control}), and a server is running on ${root}: an older version. Stop it, then start this one again, which upgrades the data dir`,
    );
    expect(version()).toBe(control - 1);

    // It crashed: server.json stays, and its pid now names a later process (here, this one, with the start
    // time of another). The command upgrades the database and says so, as serve would have.
    const pidStart = String(Number(processStart(process.pid)) + 1);
    writeFileSync(data.serverFile, `${JSON.stringify({ url: 'http://127.0.0.1:1', pid: process.pid, pidStart })}\n`);
    const first = await run('town', 'list');
    expect(first).toEqual({ code: 0, err: [`${data.controlFile}: schema upgraded from version ${control - 1} to ${control}`] });
    expect(version()).toBe(control);
    expect((await run('town', 'list')).err).toEqual([]);
  });
});
