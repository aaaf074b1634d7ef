import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { CONTROL_MIGRATIONS, Control, Town } from '@gasgauge/core';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { backupDataDir, INCOMPLETE, RestoreError, restoreDataDir } from './backup.js';
import { DataDir } from './data-dir.js';
import { openSqlite } from './sqlite.js';
import { BIN, gasgauge, gasgaugeEnv, gasgaugeUnder, ROOT } from './testing/cli.js';
import { killServers, serveProcess } from './testing/serve-process.js';
import { type HttpResult, request, trpcPath } from './testing/server.js';
import { tempDir } from './testing/temp.js';

afterAll(killServers);

const GRANT = 10_000_000;
const ok = (r: HttpResult, what: string) => {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body.result.data;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mode = (path: string) => statSync(path).mode & 0o777;

function usage(id: string, costMicrodollars: number) {
  return { id, agentId: 'a1', model: 'claude', mode: 'delta', inputTokens: 1, outputTokens: 0, costMicrodollars, at: Date.now() };
}

/** What the server counted for a town: the sum of its cost series since `from`. */
async function townCost(url: string, admin: string, townId: string, from: number): Promise<number> {
  const r = await request(
    url,
    'GET',
    `/api/towns/${townId}/metrics/timeseries?from=${from}&to=${Date.now() + 5000}&maxPoints=5000`,
    admin,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.series.cost_microdollars as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0), 0);
}

/** Debits per town (positive microdollars) and the balance, from the ledger. */
async function debits(url: string, admin: string): Promise<{ byTown: Record<string, number>; balance: number }> {
  const ledger = ok(await request(url, 'GET', trpcPath('billing.ledger', { limit: 500 }), admin), 'ledger') as {
    entries: { kind: string; amountMicrodollars: number; townId: string | null }[];
  };
  const byTown: Record<string, number> = {};
  for (const e of ledger.entries)
    if (e.kind === 'debit' && e.townId) byTown[e.townId] = (byTown[e.townId] ?? 0) - e.amountMicrodollars;
  const balance = (await request(url, 'GET', '/api/balance', admin)).body.balanceMicrodollars as number;
  return { byTown, balance };
}

describe('gasgauge backup and restore', () => {
  it('backs up while a server ingests; the restored server has every acknowledged record and debits exactly once', async () => {
    const from = Date.now() - 60_000;
    const source = tempDir('gg-backup-src-');
    const a = await serveProcess(source);
    const admin = a.adminToken as string;
    ok(await request(a.url, 'POST', '/trpc/billing.grant', admin, { userName: 'admin', amountMicrodollars: GRANT }), 'grant');
    const town = async (name: string) => {
      const id = ok(await request(a.url, 'POST', '/trpc/towns.create', admin, { name }), 'create').id as string;
      return { id, token: ok(await request(a.url, 'POST', '/trpc/towns.mintIngestToken', admin, { townId: id }), 'mint').token };
    };
    const quiet = await town('Quiet');
    const busy = await town('Busy');
    const post = (t: { id: string; token: string }, url: string, records: unknown[]) =>
      request(url, 'POST', `/api/towns/${t.id}/usage`, t.token, { records });

    // Quiet: acknowledged before the backup, nothing after, so its restored total is exact.
    const quietCosts = [1234, 5678, 91_011];
    for (const [i, c] of quietCosts.entries()) expect((await post(quiet, a.url, [usage(`q${i}`, c)])).status).toBe(200);
    const quietTotal = quietCosts.reduce((x, y) => x + y, 0);

    // Busy: ingest keeps running before, during and after the backup.
    let sent = 0;
    let acked = 0;
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        sent += 7;
        if ((await post(busy, a.url, [usage(`b${i}`, 7)])).status === 200) acked += 7;
      }
    })();
    // The backup starts while ingest is under way: once answers are coming, however slowly the machine gives them.
    while (acked === 0) await sleep(20);
    const ackedBeforeBackup = acked;
    const out = join(tempDir('gg-backup-out-'), 'backup');
    const backup = await gasgauge('backup', '--data', source, '--out', out, '--json');
    const ackedAfterBackup = acked;
    stop = true;
    await load;
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ towns: [busy.id, quiet.id].sort(), secretKey: true });
    expect(ackedBeforeBackup).toBeGreaterThan(0);
    expect(ackedAfterBackup).toBeGreaterThan(ackedBeforeBackup); // the server ingested while the backup ran
    expect(mode(out)).toBe(0o700);
    expect(mode(join(out, 'control.sqlite'))).toBe(0o600);

    a.child.kill('SIGTERM');
    expect(await a.exited).toEqual({ code: 0, signal: null });

    // Restore into a fresh dir: modes 700/600; a second restore is refused unless --force.
    const target = tempDir('gg-backup-dst-');
    const restored = await gasgauge('restore', '--from', out, '--data', target);
    expect(restored.code, restored.stderr).toBe(0);
    expect(mode(target)).toBe(0o700);
    expect(mode(join(target, 'towns'))).toBe(0o700);
    for (const f of ['control.sqlite', 'secret.key', ...readdirSync(join(target, 'towns')).map((f) => join('towns', f))]) {
      expect(mode(join(target, f)), f).toBe(0o600);
    }
    const again = await gasgauge('restore', '--from', out, '--data', target);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty; pass --force/);
    expect((await gasgauge('restore', '--from', out, '--data', target, '--force')).code).toBe(0);
    expect((await gasgauge('restore', '--from', target, '--data', tempDir('gg-backup-bad-'))).stderr).toMatch(
      /not a complete Gas Gauge backup/,
    );

    const b = await serveProcess(target);
    expect(b.adminToken).toBeNull(); // the users came back with the control database
    const running = await gasgauge('restore', '--from', out, '--data', target, '--force');
    expect(running.stderr).toMatch(/is running on/);

    // Exact for what was acknowledged before the backup began; never more than was sent.
    expect(await townCost(b.url, admin, quiet.id, from)).toBe(quietTotal);
    const busyRestored = await townCost(b.url, admin, busy.id, from);
    expect(busyRestored).toBeGreaterThanOrEqual(ackedBeforeBackup);
    expect(busyRestored).toBeLessThanOrEqual(sent);

    // The old ingest tokens still work (the key came back), and new spend is debited once.
    expect((await post(quiet, b.url, [usage('q-after', 2000)])).status).toBe(200);
    let ledger = await debits(b.url, admin);
    for (const until = Date.now() + 80_000; Date.now() < until; await sleep(250)) {
      ledger = await debits(b.url, admin);
      // A billing snapshot is taken at most once a minute per town.
      if (ledger.byTown[quiet.id] === quietTotal + 2000 && (ledger.byTown[busy.id] ?? 0) >= busyRestored) break;
    }
    expect(ledger.byTown[quiet.id]).toBe(quietTotal + 2000);
    // The ledger (backed up after the towns) may have debited more of Busy than its restored file holds; never twice.
    expect(ledger.byTown[busy.id]).toBeGreaterThanOrEqual(busyRestored);
    expect(ledger.byTown[busy.id]).toBeLessThanOrEqual(sent);
    expect(ledger.balance).toBe(GRANT - (ledger.byTown[quiet.id] as number) - (ledger.byTown[busy.id] as number));
    await sleep(1000); // several 200 ms ticks: nothing is debited again
    expect(await debits(b.url, admin)).toEqual(ledger);

    b.child.kill('SIGTERM');
    expect(await b.exited).toEqual({ code: 0, signal: null });
  }, 150_000);
});

describe('gasgauge backup and restore say what they saved', () => {
  it('counts every town, and names those with no data yet instead of leaving them out of the count', async () => {
    const data = tempDir('gg-backup-count-');
    const d = new DataDir(data);
    const sql = openSqlite(d.controlFile);
    const control = new Control(sql, Date.now);
    control.createUser('user_1', 'alice');
    for (const id of ['town_a', 'town_b', 'town_c']) control.createTown(id, id, { userId: 'user_1' });
    sql.close();
    const townSql = openSqlite(d.townFile('town_b')); // the one town a server opened
    new Town(townSql, Date.now);
    townSql.close();
    d.secret({});

    const out = join(tempDir('gg-backup-count-out-'), 'b');
    const human = await gasgauge('backup', '--data', data, '--out', out);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toBe(
      `Backed up the control database (3 towns, their owners and accounts), the data of 1 of them and the signing key into ${out}.\n` +
        'Towns town_a, town_c have no data yet (nothing was sent to or read from them), so there was nothing of them to save.\n',
    );
    const json = await gasgauge('backup', '--data', data, '--out', `${out}-json`, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ towns: ['town_b'], townsWithoutData: ['town_a', 'town_c'], secretKey: true });

    const target = tempDir('gg-backup-count-to-');
    const restored = await gasgauge('restore', '--from', out, '--data', target);
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    expect(restored.stdout).toBe(
      `Restored the control database (3 towns, their owners and accounts), the data of 1 of them and the signing key into ${target}.\n` +
        'Towns town_a, town_c have no data yet (nothing was sent to or read from them), so the backup holds nothing of them.\n',
    );
  }, 60_000);

  it('names one town without data as one ("Town … has", "it")', async () => {
    const data = tempDir('gg-backup-one-');
    const d = new DataDir(data);
    const sql = openSqlite(d.controlFile);
    const control = new Control(sql, Date.now);
    control.createUser('user_1', 'alice');
    control.createTown('town_a', 'town_a', { userId: 'user_1' });
    sql.close();
    d.secret({});
    const out = join(tempDir('gg-backup-one-out-'), 'b');
    const human = await gasgauge('backup', '--data', data, '--out', out);
    expect(human.stdout).toContain(
      'Town town_a has no data yet (nothing was sent to or read from it), so there was nothing of it to save.\n',
    );
    expect(human.stdout).toContain('Backed up the control database (1 town, its owner and account) and the signing key into');
  }, 60_000);
});

describe('gasgauge backup with GASGAUGE_SECRET set', () => {
  it('does not call secret.key the signing key, and says the secret in use is not in the backup', async () => {
    const data = tempDir('gg-backup-env-');
    const d = new DataDir(data);
    const sql = openSqlite(d.controlFile);
    new Control(sql, Date.now).createUser('user_1', 'alice');
    sql.close();
    d.secret({}); // a secret.key made before the operator set GASGAUGE_SECRET
    const out = join(tempDir('gg-backup-env-out-'), 'b');
    const before = process.env.GASGAUGE_SECRET;
    process.env.GASGAUGE_SECRET = 'x'.repeat(40); // the child inherits it
    try {
      const human = await gasgauge('backup', '--data', data, '--out', out);
      expect(human).toMatchObject({ code: 0, stderr: '' });
      expect(human.stdout).not.toMatch(/the signing key/);
      expect(human.stdout).toMatch(/and secret\.key \(not the key in use: GASGAUGE_SECRET is set\) into/);
      expect(human.stdout).toMatch(/GASGAUGE_SECRET is set: .* a backup never holds it\. Keep it with the backup/);
      const json = await gasgauge('backup', '--data', data, '--out', `${out}-json`, '--json');
      expect(JSON.parse(json.stdout)).toMatchObject({ secretKey: true, keyFromEnv: true });
    } finally {
      if (before === undefined) delete process.env.GASGAUGE_SECRET;
      else process.env.GASGAUGE_SECRET = before;
    }
  }, 60_000);
});

describe('backup and restore refuse', () => {
  it('a missing data dir, a non-empty --out, an incomplete backup and a manifest naming a path outside the data dir', () => {
    expect(() => backupDataDir(join(tempDir('gg-backup-none-'), 'data'), tempDir('gg-backup-out-'))).toThrow(
      /control\.sqlite is missing/,
    );
    const data = tempDir('gg-backup-data-');
    writeFileSync(join(data, 'control.sqlite'), '');
    const busy = tempDir('gg-backup-out-');
    writeFileSync(join(busy, 'something'), 'x');
    expect(() => backupDataDir(data, busy)).toThrow(/is not empty/);
    // An --out or --from that is a file, or no directory at all, is named as that, not as a bare ENOTDIR.
    expect(() => backupDataDir(data, join(busy, 'something'))).toThrow(
      `${join(busy, 'something')} is not a directory; back up into a new directory`,
    );
    expect(() => restoreDataDir(join(busy, 'nowhere'), tempDir('gg-backup-to-'), false)).toThrow(
      `${join(busy, 'nowhere')}: no such directory`,
    );

    const incomplete = tempDir('gg-backup-in-');
    mkdirSync(join(incomplete, 'towns'));
    expect(() => restoreDataDir(incomplete, tempDir('gg-backup-to-'), false)).toThrow(/not a complete Gas Gauge backup/);
    const evil = tempDir('gg-backup-evil-');
    writeFileSync(
      join(evil, 'manifest.json'),
      JSON.stringify({ format: 1, createdAt: 0, towns: ['../../etc/x'], secretKey: false }),
    );
    const target = tempDir('gg-backup-to-');
    expect(() => restoreDataDir(evil, target, false)).toThrow(/invalid town id/);
    expect(readdirSync(target)).toEqual([]);
  });
});

describe('backup --out and restore --data that cannot be made', () => {
  it('are named with the option to pass, not as a bare errno (ENOTDIR: not a directory, mkdir …)', async () => {
    const dir = tempDir('gg-backup-paths-');
    const data = join(dir, 'data');
    expect((await gasgauge('user', 'add', 'alice', '--data', data)).code).toBe(0);
    const good = join(dir, 'good');
    expect((await gasgauge('backup', '--out', good, '--data', data)).code).toBe(0);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');

    const backup = await gasgauge('backup', '--out', join(file, 'b'), '--data', data);
    expect(backup.code).toBe(1);
    expect(backup.stderr.trim()).toBe(
      `gasgauge backup: cannot write a backup into ${join(file, 'b')} (a part of that path is a file, not a directory); pass --out DIR, a new directory this user can write`,
    );
    for (const target of [file, join(file, 'd')]) {
      const restore = await gasgauge('restore', '--from', good, '--data', target);
      expect(restore.code).toBe(1);
      expect(restore.stderr.trim()).toBe(
        `gasgauge restore: cannot use ${target} as the data dir (a part of that path is a file, not a directory); pass --data DIR, a directory this user can write`,
      );
    }
    expect(readFileSync(file, 'utf8')).toBe('x');
  }, 60_000);

  // Found as a new self-hoster: `backup --out ./data/backup` (or under towns/) was taken, a backup lost with the data
  // dir it should outlive, and one under towns/ removed by the next restore --force into that data dir.
  it('backup --out inside the data dir, through a symlink too, is refused (exit 1) and nothing is written', async () => {
    const dir = tempDir('gg-backup-inside-');
    const data = join(dir, 'data');
    expect((await gasgauge('user', 'add', 'alice', '--data', data)).code).toBe(0);
    symlinkSync(data, join(dir, 'link'));
    const before = readdirSync(data).sort();
    for (const out of [join(data, 'backup'), join(data, 'towns', 'b'), join(dir, 'link', 'new', 'b')]) {
      const r = await gasgauge('backup', '--out', out, '--data', data);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim()).toBe(
        `gasgauge backup: ${out} is inside the data dir ${data}: a backup there is lost with it (a failed disk, a removed data dir); pass --out DIR outside the data dir, best on another disk`,
      );
    }
    expect(readdirSync(data).sort()).toEqual(before);
    expect(readdirSync(join(data, 'towns'))).toEqual([]);
    // Beside it is fine, and so is a name that only starts like it.
    expect((await gasgauge('backup', '--out', `${data}-backup`, '--data', data)).code).toBe(0);
  }, 60_000);
});

describe('a backup killed midway', () => {
  it('is refused by restore as interrupted, and the next backup into the same --out clears it and finishes', async () => {
    const { backup } = backedUp();
    const data = join(tempDir('gg-backup-killed-'), 'data');
    restoreDataDir(backup, data, false);
    const out = join(tempDir('gg-backup-killed-out-'), 'b');
    backupDataDir(data, out);
    expect(existsSync(join(out, INCOMPLETE))).toBe(false);
    // What a SIGKILL after the towns' copies leaves: the marker, the towns, no control database nor manifest.
    rmSync(join(out, 'manifest.json'));
    rmSync(join(out, 'control.sqlite'));
    writeFileSync(join(out, INCOMPLETE), 'x');
    const to = join(tempDir('gg-backup-killed-to-'), 'data');
    expect(() => restoreDataDir(out, to, false)).toThrow(/holds a backup that was interrupted before it finished/);
    expect(existsSync(to)).toBe(false);
    const again = await gasgauge('backup', '--data', data, '--out', out);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Cleared what an interrupted backup had left in ${out} first.`);
    expect(readdirSync(out).sort()).toEqual(['control.sqlite', 'manifest.json', 'secret.key', 'towns']);
    expect(restoreDataDir(out, to, false).towns).toHaveLength(1);
    // Someone's files beside a marker of ours, but a finished backup's manifest too: not ours to clear.
    writeFileSync(join(out, INCOMPLETE), 'x');
    expect(() => backupDataDir(data, out)).toThrow(/is not empty/);
  }, 60_000);
});

/** A data dir with a user, one town that has its file, and the signing key; and a backup of it. */
function backedUp(): { backup: string; townId: string } {
  const dir = tempDir('gg-backup-crafted-');
  const data = new DataDir(dir);
  const controlSql = openSqlite(data.controlFile);
  const control = new Control(controlSql, Date.now);
  control.createUser('user_1', 'alice');
  const townId = 'town_crafted';
  control.createTown(townId, 'Crafted', { userId: 'user_1' });
  controlSql.close();
  const townSql = openSqlite(data.townFile(townId));
  new Town(townSql, Date.now);
  townSql.close();
  data.secret({});
  const backup = join(tempDir('gg-backup-crafted-out-'), 'b');
  backupDataDir(dir, backup);
  return { backup, townId };
}

/** Every file under `dir` (but the lock) with a hash of its bytes: what a refused restore must leave as it was. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name === 'serve.lock') continue;
    const path = join(e.parentPath, e.name);
    out[path.slice(dir.length)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

function edit(file: string, sql: string): void {
  const db = new Database(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('restore refuses a broken or crafted backup and changes nothing', () => {
  const { backup: good, townId } = backedUp();
  const townFile = join('towns', `${townId}.sqlite`);
  const latest = CONTROL_MIGRATIONS.at(-1)?.version as number;
  const cases: [string, (b: string) => void, RegExp][] = [
    [
      'a truncated control database',
      (b) => truncateSync(join(b, 'control.sqlite'), 4096),
      /control\.sqlite is (damaged|not a Gas Gauge database)/,
    ],
    [
      'bytes appended to a town',
      (b) => appendFileSync(join(b, townFile), Buffer.alloc(8192)),
      /town_crafted\.sqlite is damaged: \d+ bytes, not the \d+ its header gives/,
    ],
    ['a missing town file', (b) => rmSync(join(b, townFile)), /incomplete: towns\/town_crafted\.sqlite is missing/],
    [
      'a trigger in a town',
      (b) => edit(join(b, townFile), 'CREATE TRIGGER evil AFTER UPDATE ON town_state BEGIN DELETE FROM town_state; END'),
      /town_crafted\.sqlite has a trigger "evil" that Gas Gauge does not create/,
    ],
    [
      'a trigger on the ledger',
      (b) =>
        edit(join(b, 'control.sqlite'), 'CREATE TRIGGER credit AFTER INSERT ON users BEGIN UPDATE users SET is_admin = 1; END'),
      /control\.sqlite has a trigger "credit"/,
    ],
    ['a view', (b) => edit(join(b, 'control.sqlite'), 'CREATE VIEW v AS SELECT 1'), /has a view "v"/],
    [
      'an altered table',
      (b) => edit(join(b, 'control.sqlite'), 'ALTER TABLE users ADD COLUMN x'),
      /has a table "users" that Gas Gauge creates otherwise/,
    ],
    [
      'a dropped index',
      (b) => edit(join(b, 'control.sqlite'), `DROP INDEX ${firstIndex(join(b, 'control.sqlite'))}`),
      /lacks its index/,
    ],
    [
      'a schema from a newer version',
      (b) => edit(join(b, 'control.sqlite'), `INSERT INTO schema_migrations (version, applied_at) VALUES (${latest + 1}, 0)`),
      new RegExp(`newer Gas Gauge \\(schema version ${latest + 1}; this one knows up to ${latest}\\)`),
    ],
    [
      'a gap in the schema history',
      (b) => edit(join(b, 'control.sqlite'), 'DELETE FROM schema_migrations WHERE version = 2'),
      /broken schema history/,
    ],
    [
      'a town the control database does not have',
      (b) => {
        writeFileSync(
          join(b, 'manifest.json'),
          JSON.stringify({ format: 1, createdAt: 0, towns: ['town_other'], secretKey: true }),
        );
        cpSync(join(b, townFile), join(b, 'towns', 'town_other.sqlite'));
      },
      /town town_other is not in the backup's control database/,
    ],
    [
      'a town named twice',
      (b) =>
        writeFileSync(
          join(b, 'manifest.json'),
          JSON.stringify({ format: 1, createdAt: 0, towns: [townId, townId], secretKey: true }),
        ),
      /names a town twice/,
    ],
    [
      'a symlink',
      (b) => {
        rmSync(join(b, 'secret.key'));
        symlinkSync('/etc/hostname', join(b, 'secret.key'));
      },
      /secret\.key is not a regular file/,
    ],
    ['a short signing key', (b) => writeFileSync(join(b, 'secret.key'), 'short\n'), /secret\.key is not a signing key/],
    [
      'not SQLite at all',
      (b) => writeFileSync(join(b, 'control.sqlite'), 'x'.repeat(10_000)),
      /control\.sqlite is not a Gas Gauge database/,
    ],
  ];

  it.each(cases)('%s', (_what, craft, message) => {
    const target = tempDir('gg-backup-target-');
    restoreDataDir(good, target, false);
    const before = contents(target);
    const bad = join(tempDir('gg-backup-bad-'), 'b');
    cpSync(good, bad, { recursive: true });
    craft(bad);
    let error: unknown;
    try {
      restoreDataDir(bad, target, true);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RestoreError);
    expect((error as Error).message).toMatch(message);
    expect(contents(target)).toEqual(before);
    expect(readdirSync(target).sort()).toEqual(['control.sqlite', 'secret.key', 'serve.lock', 'towns']);
  });

  it('a --force onto a dir open to others that holds their files', () => {
    const shared = tempDir('gg-backup-shared-');
    writeFileSync(join(shared, 'control.sqlite'), 'old data');
    writeFileSync(join(shared, 'notes.txt'), 'not ours');
    chmodSync(shared, 0o755);
    expect(() => restoreDataDir(good, shared, true)).toThrow(/holds files that are not Gas Gauge's \(notes\.txt\)/);
    expect(readdirSync(shared).sort()).toEqual(['control.sqlite', 'notes.txt']);
    expect(readFileSync(join(shared, 'control.sqlite'), 'utf8')).toBe('old data');
  });

  it('the backup it was crafted from restores', () => {
    const target = tempDir('gg-backup-target-');
    expect(restoreDataDir(good, target, false).towns).toEqual([townId]);
    const copied = contents(good);
    delete copied['/manifest.json'];
    expect(contents(target)).toEqual(copied);
  });
});

function firstIndex(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name LIMIT 1")
      .pluck()
      .get() as string;
  } finally {
    db.close();
  }
}

describe('a backup that runs out of room', () => {
  const backupUnder = (fsizeKiB: number, data: string, out: string) =>
    gasgaugeUnder(fsizeKiB, 'backup', '--data', data, '--out', out);

  it('says it was --out that was full, keeps nothing there, and the same --out takes the next try', async () => {
    const { backup } = backedUp();
    const data = join(tempDir('gg-backup-room-'), 'data');
    expect(restoreDataDir(backup, data, false).towns).toHaveLength(1);
    const out = join(tempDir('gg-backup-room-out-'), 'b');
    // 64 KiB: the -shm file SQLite reads the data dir's databases with (32 KiB) fits, their copies do not.
    const full = await backupUnder(64, data, out);
    expect(full.code).toBe(1);
    expect(full.stderr.trim()).toBe(
      `gasgauge backup: out of disk space in ${out}: no backup was kept there (what it had written is removed); free some space there, or pass --out DIR on a disk with room`,
    );
    expect(existsSync(out)).toBe(false);
    const empty = tempDir('gg-backup-room-empty-');
    expect((await backupUnder(64, data, empty)).code).toBe(1);
    expect(readdirSync(empty)).toEqual([]); // an --out that was there and empty stays, empty
    const again = await gasgauge('backup', '--data', data, '--out', empty);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(empty).sort()).toEqual(['control.sqlite', 'manifest.json', 'secret.key', 'towns']);
  }, 60_000);

  it("says it was the data dir's disk when no server has its databases open and SQLite has no room to read them", async () => {
    const { backup } = backedUp();
    const data = join(tempDir('gg-backup-room-'), 'data');
    const { towns } = restoreDataDir(backup, data, false);
    // As a server leaves them: in WAL mode, which a reader needs the -shm file beside for.
    for (const file of [join(data, 'control.sqlite'), ...towns.map((id) => new DataDir(data).townFile(id))])
      openSqlite(file).close();
    const before = contents(data);
    const out = join(tempDir('gg-backup-room-out-'), 'b');
    // 16 KiB: not even the -shm file (32 KiB) a read of a WAL database needs beside it.
    const full = await backupUnder(16, data, out);
    expect(full.code).toBe(1);
    expect(full.stderr.trim()).toBe(
      `gasgauge backup: out of disk space in the data dir ${data}: SQLite needs a little room there to read a database no server has open; free some space there and run it again (no backup was kept in ${out})`,
    );
    expect(existsSync(out)).toBe(false);
    // The databases and the key as they were (SQLite's own -wal and -shm files beside them are left, as by any read).
    const kept = (c: Record<string, string>) => Object.entries(c).filter(([f]) => !/-(wal|shm)$/.test(f));
    expect(kept(contents(data))).toEqual(kept(before));
  }, 60_000);
});

describe('a restore cut off while it moves the backup in', () => {
  it('leaves a data dir that serve and the commands refuse, naming the restore to run again, which finishes it', async () => {
    const dir = tempDir('gg-restore-cut-');
    const data = join(dir, 'data');
    expect((await gasgauge('user', 'add', 'alice', '--data', data)).code).toBe(0);
    for (const name of ['One', 'Two'])
      expect((await gasgauge('town', 'create', name, '--owner', 'alice', '--data', data)).code).toBe(0);
    // Each town with its own file, as a server makes on its first request.
    const ids = (await gasgauge('town', 'list', '--data', data)).stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[0] as string);
    for (const id of ids) {
      const sql = openSqlite(new DataDir(data).townFile(id));
      new Town(sql, Date.now);
      sql.close();
    }
    const backup = join(dir, 'backup');
    expect((await gasgauge('backup', '--data', data, '--out', backup)).code).toBe(0);

    const target = join(dir, 'target');
    const cut = await gasgaugeEnv({ GASGAUGE_TEST_CRASH: 'restore-replacing' }, 'restore', '--from', backup, '--data', target);
    expect(cut.signal).toBe('SIGKILL'); // one town moved in, the other and the control database not
    const refused = `a restore into ${target} was cut off while it moved the backup's files in, so the data dir is half replaced: finish it with gasgauge restore --from ${backup} --data ${target} --force`;
    // serve last: without the refusal it would start (on a new control database) and run on.
    for (const args of [
      ['town', 'list'],
      ['user', 'add', 'bob'],
      ['backup', '--out', join(dir, 'b2')],
      ['serve', '--port', '0'],
    ]) {
      const r = await gasgauge(...args, '--data', target);
      expect([r.code, r.stderr.trim()], args.join(' ')).toEqual([
        1,
        `gasgauge ${args[0] === 'town' || args[0] === 'user' ? `${args[0]} ${args[1]}` : args[0]}: ${refused}`,
      ]);
    }
    expect(existsSync(join(target, 'control.sqlite'))).toBe(false); // nothing made a new one

    const again = await gasgauge('restore', '--from', backup, '--data', target, '--force');
    expect(again.code, again.stderr).toBe(0);
    const listed = await gasgauge('town', 'list', '--data', target);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[1]),
    ).toEqual(['One', 'Two']);
    expect(readdirSync(join(target, 'towns')).sort()).toEqual(ids.map((id) => `${id}.sqlite`).sort());
  }, 60_000);
});

describe('a backup the restoring user may not read', () => {
  // Root's cron makes the backups (700, files 600); the service's user restores one. Only root can set this up.
  it.runIf(process.geteuid?.() === 0)(
    'is said as permission denied on it, whose it is and what to do, not "not a complete Gas Gauge backup"',
    async () => {
      // In /tmp itself: the test run's temp dir is root's alone, and nobody could not reach into it.
      const dir = mkdtempSync('/tmp/gg-restore-perm-');
      const tmp = mkdtempSync('/tmp/gg-restore-perm-tmp-'); // tsx's cache, somewhere nobody may write
      onTestFinished(() => {
        for (const d of [dir, tmp]) rmSync(d, { recursive: true, force: true });
      });
      chmodSync(dir, 0o755);
      chmodSync(tmp, 0o777);
      const { backup } = backedUp();
      const copy = join(dir, 'backup');
      cpSync(backup, copy, { recursive: true }); // root's, 700 and 600 as backup writes them
      const data = join(dir, 'data');
      mkdirSync(data);
      chownSync(data, 65534, 65534);
      const restoreAsNobody = () =>
        new Promise<{ code: number | null; stderr: string }>((done) => {
          execFile(
            'setpriv',
            [
              '--reuid=65534',
              '--regid=65534',
              '--clear-groups',
              process.execPath,
              BIN,
              'restore',
              '--from',
              copy,
              '--data',
              data,
            ],
            { cwd: ROOT, env: { ...process.env, TMPDIR: tmp } },
            (err, _out, stderr) => done({ code: err ? (err.code as number) : 0, stderr }),
          );
        });
      const dirDenied = await restoreAsNobody();
      const user = dirDenied.stderr.match(/let (\S+), who runs this/)?.[1];
      expect([dirDenied.code, dirDenied.stderr.trim()]).toEqual([
        1,
        `gasgauge restore: cannot read the backup: permission denied on ${copy} (it belongs to user root); let ${user}, who runs this, read it (chown -R ${user} on the backup, or a copy of it)`,
      ]);
      // The directory open, its files still root's alone.
      chmodSync(copy, 0o755);
      chmodSync(join(copy, 'manifest.json'), 0o644);
      const fileDenied = await restoreAsNobody();
      expect(fileDenied.stderr.trim()).toMatch(
        new RegExp(
          `^gasgauge restore: cannot read the backup: permission denied on ${copy}/\\S+( \\(it belongs to user root\\))?; let ${user}, who runs this`,
        ),
      );
      expect(readdirSync(data)).toEqual(['serve.lock']);
    },
    60_000,
  );
});
