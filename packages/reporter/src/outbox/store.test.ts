import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import { freePort, startGasgauge, waitFor } from '../testing/processes.js';
import { removeDir, tempDir } from '../testing/server.js';
import { SCHEMA_VERSION } from './schema.js';
import { type OutboxRow, Store } from './store.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('gg-store-');
});
afterEach(() => removeDir(dir));

describe('Store', () => {
  it('replaces a waiting cumulative record, keeps the first event, and acks only the version sent', () => {
    const store = new Store(dir);
    try {
      store.transaction(() => {
        store.enqueue('usage', 'm1', { out: 1 }, 'replace');
        store.enqueue('usage', 'm1', { out: 2 }, 'replace');
        store.enqueue('event', 'e1', { v: 'first' }, 'keep');
        store.enqueue('event', 'e1', { v: 'second' }, 'keep');
      });
      const [sent] = store.nextBatch('usage', 500, 1 << 20);
      expect(JSON.parse(sent?.body ?? '')).toEqual({ out: 2 });
      expect(JSON.parse(store.nextBatch('event', 500, 1 << 20)[0]?.body ?? '')).toEqual({ v: 'first' });
      store.transaction(() => store.enqueue('usage', 'm1', { out: 3 }, 'replace'));
      expect(store.ack(sent ? [sent] : [])).toBe(0);
      expect(store.pendingByKind()).toEqual({ usage: 1, loc: 0, event: 1 });
    } finally {
      store.close();
    }
  });

  it('migrates a version-0 state (outbox keyed by kind and id): waiting records keep their order, groups their answers', () => {
    mkdirSync(dir, { recursive: true });
    const old = new Database(join(dir, 'state.sqlite'));
    old.exec(`
      CREATE TABLE outbox (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, bytes INTEGER NOT NULL,
        seq INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
      CREATE INDEX outbox_by_seq ON outbox (kind, seq);
      CREATE TABLE claude_groups (group_id TEXT PRIMARY KEY, msg_id TEXT NOT NULL, sidechain INTEGER NOT NULL,
        total INTEGER NOT NULL, speed_set INTEGER NOT NULL, seen_at INTEGER NOT NULL);
      CREATE INDEX claude_groups_by_msg ON claude_groups (msg_id);
      INSERT INTO outbox VALUES ('usage', 'zz', '{"n":1}', 7, 3, 0), ('usage', 'aa', '{"n":2}', 7, 9, 0), ('event', 'e', '{"n":3}', 7, 5, 0);
      INSERT INTO claude_groups VALUES ('m:r2', 'm', 1, 5, 0, 0), ('m:r1', 'm', 0, 5, 0, 0);`);
    old.close();
    const store = new Store(dir);
    try {
      expect(store.sql.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.pendingCount()).toBe(3);
      expect(store.nextBatch('usage', 10, 1 << 20).map((r) => [r.id, r.seq])).toEqual([
        ['zz', 3],
        ['aa', 9],
      ]);
      // First stored first, as ccusage's rule for a response's copies needs (ORDER BY rowid).
      expect(store.sql.prepare('SELECT group_id FROM claude_groups ORDER BY rowid').pluck().all()).toEqual(['m:r2', 'm:r1']);
      store.transaction(() => store.enqueue('usage', 'zz', { n: 4 }, 'replace'));
      expect(store.nextBatch('usage', 10, 1 << 20).map((r) => [r.id, r.body])).toEqual([
        ['aa', '{"n":2}'],
        ['zz', '{"n":4}'],
      ]);
    } finally {
      store.close();
    }
  });

  it('says a state dir that cannot be made in plain words, with what to pass', () => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    for (const state of [file, join(file, 'sub')])
      expect(() => new Store(state)).toThrow(
        `cannot open the reporter state in ${state} (a part of that path is a file, not a directory); pass --state DIR, a directory this user can write`,
      );
  });

  it('refuses a state written by a newer reporter, naming the versions', () => {
    mkdirSync(dir, { recursive: true });
    const newer = new Database(join(dir, 'state.sqlite'));
    newer.pragma('user_version = 99');
    newer.close();
    expect(() => new Store(dir)).toThrow(new RegExp(`newer gasgauge \\(schema 99, this one knows ${SCHEMA_VERSION}\\)`));
  });

  it('migrates a version-1 state (cursors without marks): its cursors are kept, unmarked, and take marks', () => {
    mkdirSync(dir, { recursive: true });
    const old = new Database(join(dir, 'state.sqlite'));
    old.exec(`CREATE TABLE cursors (source TEXT NOT NULL, path TEXT NOT NULL, ino INTEGER NOT NULL, offset INTEGER NOT NULL,
        PRIMARY KEY (source, path)) WITHOUT ROWID;
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
        bytes INTEGER NOT NULL, enqueued_at INTEGER NOT NULL);
      INSERT INTO outbox VALUES (4, 'usage', 'u', '{"n":1}', 7, 0);
      INSERT INTO cursors VALUES ('claude', '/t/a.jsonl', 12, 345);
      PRAGMA user_version = 1;`);
    old.close();
    const store = new Store(dir);
    try {
      expect(store.sql.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.cursor('claude', '/t/a.jsonl')).toEqual({ ino: 12, offset: 345 });
      expect(store.nextBatch('usage', 10, 1 << 20).map((r) => [r.id, r.seq])).toEqual([['u', 4]]);
      store.transaction(() => store.setCursor('claude', '/t/a.jsonl', 12, 400, new Uint8Array([7, 8, 9])));
      expect(store.cursors('claude')).toEqual([{ path: '/t/a.jsonl', ino: 12, offset: 400, mark: Buffer.from([7, 8, 9]) }]);
    } finally {
      store.close();
    }
  });

  it('migrates a version-2 state (cursors without stamps): its cursors are kept and trusted, and take stamps', () => {
    mkdirSync(dir, { recursive: true });
    const old = new Database(join(dir, 'state.sqlite'));
    old.exec(`CREATE TABLE cursors (source TEXT NOT NULL, path TEXT NOT NULL, ino INTEGER NOT NULL, offset INTEGER NOT NULL,
        mark BLOB, PRIMARY KEY (source, path)) WITHOUT ROWID;
      INSERT INTO cursors VALUES ('claude', '/t/a.jsonl', 12, 345, x'0102');
      PRAGMA user_version = 2;`);
    old.close();
    const store = new Store(dir);
    try {
      expect(store.sql.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.cursor('claude', '/t/a.jsonl')).toEqual({ ino: 12, offset: 345, mark: Buffer.from([1, 2]) });
      store.transaction(() => store.setCursor('claude', '/t/a.jsonl', 12, 400, undefined, '1.5/2.5'));
      expect(store.cursors('claude')).toEqual([{ path: '/t/a.jsonl', ino: 12, offset: 400, stamp: '1.5/2.5' }]);
    } finally {
      store.close();
    }
  });

  it('stops a batch at the byte bound but always takes one record', () => {
    const store = new Store(dir);
    try {
      store.transaction(() => {
        for (let i = 0; i < 10; i++) store.enqueue('usage', `r${i}`, { pad: 'x'.repeat(100) }, 'replace');
      });
      expect(store.nextBatch('usage', 500, 350)).toHaveLength(3);
      expect(store.nextBatch('usage', 500, 10)).toHaveLength(1);
      expect(store.nextBatch('usage', 4, 1 << 20)).toHaveLength(4);
    } finally {
      store.close();
    }
  });

  it('keeps dead letters as JSON lines and rotates the file at its bound', () => {
    const store = new Store(dir, { maxDeadLetterBytes: 300 });
    try {
      store.transaction(() => {
        for (let i = 0; i < 4; i++) store.enqueue('usage', `bad${i}`, { pad: 'y'.repeat(100) }, 'replace');
      });
      for (const row of store.nextBatch('usage', 500, 1 << 20)) store.quarantine(row, 400, 'no');
      expect(store.pendingCount()).toBe(0);
      expect(store.counter('quarantined')).toBe(4);
      const current = readFileSync(store.deadLetterFile, 'utf8').trim().split('\n');
      const rotated = readFileSync(`${store.deadLetterFile}.1`, 'utf8').trim().split('\n');
      expect(current.length + rotated.length).toBe(4);
      expect(JSON.parse(current[0] as string)).toMatchObject({ kind: 'usage', status: 400, reason: 'no' });
    } finally {
      store.close();
    }
  });

  it('keeps exact running totals of the waiting records through replace, keep, ack, quarantine and rollback', () => {
    const store = new Store(dir, { maxPendingBytes: 1000 });
    const sql = () => store.sql.prepare('SELECT count(*) AS rows, coalesce(sum(bytes), 0) AS bytes FROM outbox').get();
    const mine = () => ({ rows: store.pendingCount(), bytes: store.pendingBytes });
    try {
      store.transaction(() => {
        for (let i = 0; i < 20; i++) store.enqueue('usage', 'm1', { pad: 'x'.repeat(100 + i) }, 'replace'); // grows
        store.enqueue('usage', 'm1', { pad: 'x' }, 'replace'); // shrinks
        store.enqueue('event', 'e1', { v: 'first' }, 'keep');
        store.enqueue('event', 'e1', { v: 'a much longer second copy' }, 'keep');
        store.enqueue('loc', 'a', { n: 1 }, 'replace');
      });
      expect(mine()).toEqual(sql());
      expect(mine().rows).toBe(3);
      expect(store.full).toBe(false); // 20 replacements of ~110 bytes are not 2 KB pending

      // An ack of a version that was replaced meanwhile deletes nothing and counts nothing.
      const [stale] = store.nextBatch('usage', 500, 1 << 20);
      store.transaction(() => store.enqueue('usage', 'm1', { pad: 'y'.repeat(50) }, 'replace'));
      expect(store.ack(stale ? [stale] : [])).toBe(0);
      expect(mine()).toEqual(sql());

      // A transaction that rolls back (and a nested one that does) leaves the totals as they were.
      expect(() =>
        store.transaction(() => {
          store.enqueue('usage', 'rolled-back', { pad: 'z'.repeat(500) }, 'replace');
          throw new Error('boom');
        }),
      ).toThrow('boom');
      store.transaction(() => {
        store.enqueue('usage', 'outer', { v: 1 }, 'replace');
        try {
          store.transaction(() => {
            store.enqueue('usage', 'inner', { v: 2 }, 'replace');
            throw new Error('inner');
          });
        } catch {
          // The outer transaction goes on.
        }
      });
      expect(mine()).toEqual(sql());
      expect(mine().rows).toBe(4);

      store.quarantine(store.nextBatch('event', 500, 1 << 20)[0] as OutboxRow, 400, 'no');
      store.ack(store.nextBatch('loc', 500, 1 << 20));
      expect(mine()).toEqual(sql());
      expect(mine().rows).toBe(2);

      store.transaction(() => store.enqueue('usage', 'big', { pad: 'w'.repeat(1000) }, 'replace'));
      expect(store.full).toBe(true);
      store.ack(store.nextBatch('usage', 500, 1 << 20));
      expect(store.full).toBe(false);
      expect(mine()).toEqual({ rows: 0, bytes: 0 });
    } finally {
      store.close();
    }
  });

  it('answers `full` and the counts from memory, without scanning the outbox (the totals are read once at open)', () => {
    let store = new Store(dir, { maxPendingBytes: 100_000 });
    try {
      store.transaction(() => {
        for (let i = 0; i < 2000; i++) store.enqueue('usage', `r${i}`, { pad: 'x'.repeat(100) }, 'replace');
      });
      expect(store.full).toBe(true);
      // A change behind the store's back is not seen: nothing re-reads the table per check.
      store.sql.prepare('DELETE FROM outbox').run();
      expect(store.full).toBe(true);
      expect(store.pendingCount()).toBe(2000);
      store.recount();
      expect(store.full).toBe(false);
      expect(store.pendingCount()).toBe(0);
      store.transaction(() => {
        for (let i = 0; i < 10; i++) store.enqueue('usage', `s${i}`, { pad: 'x'.repeat(100) }, 'replace');
      });
      const totals = { rows: store.pendingCount(), bytes: store.pendingBytes };
      store.close();
      store = new Store(dir, { maxPendingBytes: 100_000 });
      expect({ rows: store.pendingCount(), bytes: store.pendingBytes }).toEqual(totals);
    } finally {
      store.close();
    }
  });

  it('keeps its state dir for its user alone, under a umask that lets others read (022), and makes an old open one private', () => {
    expect(process.umask() & 0o077).not.toBe(0o077); // else the test proves nothing
    const state = join(dir, 'state', 'reporter-t1');
    const fill = () => {
      const store = new Store(state);
      try {
        store.transaction(() => store.enqueue('usage', 'u1', { project: '/home/alice/secret-project' }, 'replace'));
        for (const row of store.nextBatch('usage', 500, 1 << 20)) store.quarantine(row, 400, 'no');
        store.transaction(() => store.enqueue('usage', 'u2', { project: '/home/alice/secret-project' }, 'replace'));
        const modes = Object.fromEntries(['.', ...readdirSync(state)].map((f) => [f, statSync(join(state, f)).mode & 0o777]));
        expect(Object.keys(modes)).toEqual(
          expect.arrayContaining(['state.sqlite', 'state.sqlite-wal', 'state.sqlite-shm', 'dead-letter.jsonl', 'reporter.pid']),
        );
        for (const [f, mode] of Object.entries(modes)) expect([f, mode]).toEqual([f, f === '.' ? 0o700 : 0o600]);
      } finally {
        store.close();
      }
    };
    fill();
    // As a reporter before this one left it: open to everyone.
    chmodSync(state, 0o755);
    for (const f of readdirSync(state)) chmodSync(join(state, f), 0o644);
    fill();
  });

  it('leaves a --state dir that holds other files (a home, /tmp) and those files as they were', () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, 'notes.txt'), 'x', { mode: 0o644 });
    chmodSync(join(shared, 'notes.txt'), 0o644);
    new Store(shared).close();
    expect(statSync(shared).mode & 0o777).toBe(0o755);
    expect(statSync(join(shared, 'notes.txt')).mode & 0o777).toBe(0o644);
    expect(statSync(join(shared, 'state.sqlite')).mode & 0o777).toBe(0o600);
  });

  it('lets one reporter at a time use a state directory', () => {
    const store = new Store(dir);
    expect(() => new Store(dir)).toThrow(StateError);
    expect(() => new Store(dir)).toThrow(/another reporter \(pid \d+\) is using this state directory/);
    store.close();
    new Store(dir).close();
  });

  it('is not blocked by a pid file left behind, whatever pid it names (ours, 1, a dead one)', () => {
    for (const pid of [process.pid, 1, 999_999_999]) {
      writeFileSync(join(dir, 'reporter.pid'), `${pid}\n`);
      new Store(dir).close();
    }
  });

  it('is locked out by a running reporter process, and takes over once that one is killed with SIGKILL', async () => {
    writeFileSync(join(dir, 'token'), 'tok\n');
    const child = startGasgauge([
      'report',
      '--server',
      `http://127.0.0.1:${await freePort()}`,
      '--town',
      't1',
      '--token-file',
      join(dir, 'token'),
      '--state',
      dir,
      '--no-claude',
      '--no-codex',
      '--no-gemini',
      '--no-opencode',
    ]);
    try {
      const pid = child.proc.pid as number;
      await waitFor(
        () => `the reporter (pid ${pid}) to take the lock; its output: ${child.output()}`,
        () =>
          existsSync(join(dir, 'reporter.pid')) && readFileSync(join(dir, 'reporter.pid'), 'utf8').trim() === String(pid)
            ? true
            : undefined,
      );
      expect(() => new Store(dir)).toThrow(new RegExp(`another reporter \\(pid ${pid}\\)`));
      expect(await child.kill('SIGKILL')).toBeNull();
      // Its pid file stays behind (nobody removed it); the kernel released the lock.
      expect(readFileSync(join(dir, 'reporter.pid'), 'utf8').trim()).toBe(String(pid));
      const store = new Store(dir);
      store.close();
    } finally {
      child.proc.kill('SIGKILL');
    }
  });
});
