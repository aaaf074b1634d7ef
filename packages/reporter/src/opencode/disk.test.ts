import { mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { generateOpencodeStore, OPENCODE_SCHEMA, openWriter } from '../testing/opencode-stores.js';
import { removeDir, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { OpencodeDiskSource } from './disk.js';
import { OpencodePrices } from './prices.js';

const assistant = (tokens: { input: number; output: number }, extra: object = {}) =>
  JSON.stringify({
    role: 'assistant',
    modelID: 'claude-sonnet-4-5',
    providerID: 'anthropic',
    time: { created: 1_780_000_000_000 },
    tokens: { ...tokens, reasoning: 0, cache: { read: 0, write: 0 } },
    cost: 0.01,
    ...extra,
  });

describe('OpenCode stores on disk', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });
  const setup = (opts: { busyTimeoutMs?: number; agents?: AgentMap } = {}) => {
    const dir = tempDir('gg-opencode-disk-');
    dirs.push(dir);
    const data = join(dir, 'opencode');
    mkdirSync(data, { recursive: true });
    const store = new Store(join(dir, 'state'));
    const source = (on: Store = store) =>
      new OpencodeDiskSource({
        store: on,
        dirs: [data],
        agents: opts.agents ?? new AgentMap(),
        prices: OpencodePrices.load(),
        ...opts,
      });
    const records = () =>
      (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]).map(
        (b) => JSON.parse(b) as UsageRecord,
      );
    return { dir, data, store, source, records };
  };

  it('reads while a writer holds a write transaction, never blocks it, and leaves the WAL alone', async () => {
    const { data, store, source, records } = setup();
    const writer = openWriter(join(data, 'opencode.db'));
    writer.pragma('wal_autocheckpoint = 0');
    writer.pragma('busy_timeout = 0');
    writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_1', 'ses_1', 1, 1, assistant({ input: 10, output: 5 }));
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_2', 'ses_1', 2, 2, assistant({ input: 20, output: 5 }));
    const wal = statSync(join(data, 'opencode.db-wal')).size;
    const src = source();
    expect(await src.poll()).toBe(true);
    // The committed message only; the reader's open connection does not stop the writer committing.
    expect(records().map((r) => r.id)).toEqual(['msg_1']);
    writer.exec('COMMIT');
    writer.exec('BEGIN IMMEDIATE; UPDATE message SET time_updated = 3 WHERE id = ?; COMMIT'.replace('?', "'msg_2'"));
    expect(await src.poll()).toBe(true);
    expect(records().map((r) => r.id)).toEqual(['msg_1', 'msg_2']);
    src.close();
    // No checkpoint by the reader: the WAL only grew (the writer's commits), nothing was moved out of it.
    expect(statSync(join(data, 'opencode.db-wal')).size).toBeGreaterThanOrEqual(wal);
    writer.close();
    store.close();
  });

  it('copes with SQLITE_BUSY: a store locked past the busy timeout is read on a later poll, nothing skipped', async () => {
    const { data, store, source, records } = setup({ busyTimeoutMs: 20 });
    // A rollback-journal store (older tools, or WAL turned off): a writer's exclusive lock keeps readers out.
    const writer = new Database(join(data, 'opencode.db'));
    writer.exec(OPENCODE_SCHEMA);
    writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_1', 'ses_1', 1, 1, assistant({ input: 10, output: 5 }));
    writer.exec('BEGIN EXCLUSIVE');
    writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_2', 'ses_1', 2, 2, assistant({ input: 20, output: 5 }));
    const src = source();
    expect(await src.poll()).toBe(false);
    expect(src.stats.busy).toBe(1);
    expect(records()).toEqual([]);
    writer.exec('COMMIT');
    expect(await src.poll()).toBe(true);
    expect(records().map((r) => r.id)).toEqual(['msg_1', 'msg_2']);
    src.close();
    writer.close();
    store.close();
  });

  it('a message updated between reads is sent again with its grown totals; a restart sends nothing new', async () => {
    const { data, store, source, records } = setup();
    const writer = openWriter(join(data, 'opencode.db'));
    writer
      .prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)')
      .run('msg_1', 'ses_1', 1000, 1000, assistant({ input: 10, output: 0 }));
    const src = source();
    await src.poll();
    expect(records()).toMatchObject([{ id: 'msg_1', inputTokens: 10, outputTokens: 0 }]);
    // OpenCode rewrites the row as tokens stream in.
    writer
      .prepare('UPDATE message SET data = ?, time_updated = ? WHERE id = ?')
      .run(assistant({ input: 10, output: 70 }), 5000, 'msg_1');
    await src.poll();
    expect(records()).toMatchObject([{ id: 'msg_1', inputTokens: 10, outputTokens: 70 }]);
    expect(store.cursor('opencode', join(data, 'opencode.db'))?.offset).toBe(5000);
    // Ten minutes later another message; then a restart with the outbox delivered.
    writer
      .prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)')
      .run('msg_2', 'ses_1', 605_000, 605_000, assistant({ input: 1, output: 1 }));
    await src.poll();
    src.close();
    store.sql.exec('DELETE FROM outbox');
    const again = source();
    await again.poll();
    // Only rows changed within the overlap before the saved watermark are read again, and sent only if they grew (the
    // totals last sent are in the state database: before, a new process sent each row of its overlap again).
    expect(again.stats.messages).toBe(1);
    expect(records()).toEqual([]);
    again.close();
    writer.close();
    store.close();
  });

  it('shares the per-step rule: a message that ran three steps counts their sum, not its last step', async () => {
    const { data, store, source, records } = setup();
    const writer = openWriter(join(data, 'opencode.db'));
    const step = (id: string, input: number, output: number, cost: number) =>
      writer
        .prepare('INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)')
        .run(
          id,
          'msg_1',
          'ses_1',
          1,
          1,
          JSON.stringify({ type: 'step-finish', tokens: { input, output, reasoning: 0, cache: { read: 0, write: 0 } }, cost }),
        );
    step('prt_a', 100, 10, 0.001);
    step('prt_b', 200, 20, 0.002);
    step('prt_c', 300, 30, 0.003);
    // The message's tokens are its last step's; its cost the sum (as OpenCode writes them).
    writer
      .prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)')
      .run('msg_1', 'ses_1', 1, 1, assistant({ input: 300, output: 30 }, { cost: 0.006 }));
    const src = source();
    await src.poll();
    expect(records()).toMatchObject([{ id: 'msg_1', inputTokens: 600, outputTokens: 60, costMicrodollars: 6000 }]);
    src.close();
    writer.close();
    store.close();
  });

  it('names the agent from the session directory (database or older JSON), and counts malformed files', async () => {
    const work = tempDir('gg-opencode-work-');
    dirs.push(work);
    const { data, store, source, records } = setup({ agents: new AgentMap({ paths: [{ path: work, agentId: 'polecat-7' }] }) });
    const writer = openWriter(join(data, 'opencode.db'));
    writer.prepare('INSERT INTO session VALUES (?, ?, ?, ?, ?, ?)').run('ses_1', 'p', join(work, 'sub'), 't', 1, 1);
    writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_1', 'ses_1', 1, 1, assistant({ input: 1, output: 1 }));
    mkdirSync(join(data, 'storage', 'session', 'p'), { recursive: true });
    writeFileSync(join(data, 'storage', 'session', 'p', 'ses_2.json'), JSON.stringify({ id: 'ses_2', directory: work }));
    mkdirSync(join(data, 'storage', 'message', 'ses_2'), { recursive: true });
    const body = JSON.parse(assistant({ input: 2, output: 2 }));
    writeFileSync(
      join(data, 'storage', 'message', 'ses_2', 'msg_2.json'),
      JSON.stringify({ ...body, id: 'msg_2', sessionID: 'ses_2' }),
    );
    writeFileSync(join(data, 'storage', 'message', 'ses_2', 'msg_3.json'), '{"role":');
    writeFileSync(join(data, 'storage', 'message', 'ses_2', 'msg_4.json'), '[1]');
    const src = source();
    await src.poll();
    await src.poll();
    expect(records().map((r) => [r.id, r.agentId])).toEqual([
      ['msg_1', 'polecat-7'],
      ['msg_2', 'polecat-7'],
    ]);
    expect(src.stats.malformed).toBe(2);
    expect(store.counter('opencode.malformed')).toBe(2);
    src.close();
    writer.close();
    store.close();
  });

  it('keeps at most maxFiles older message files: past it a file is read again at the next listing, and sends nothing twice', async () => {
    const { data, store, records } = setup();
    mkdirSync(join(data, 'storage', 'message', 'ses_1'), { recursive: true });
    const body = JSON.parse(assistant({ input: 3, output: 4 }));
    for (let i = 0; i < 5; i++) {
      writeFileSync(
        join(data, 'storage', 'message', 'ses_1', `msg_${i}.json`),
        JSON.stringify({ ...body, id: `msg_${i}`, sessionID: 'ses_1' }),
      );
    }
    let now = 1_780_000_000_000;
    const src = new OpencodeDiskSource({
      store,
      dirs: [data],
      agents: new AgentMap(),
      prices: OpencodePrices.load(),
      maxFiles: 2,
      now: () => now,
    });
    await src.poll();
    expect(records().map((r) => [r.id, r.inputTokens, r.outputTokens])).toEqual([0, 1, 2, 3, 4].map((i) => [`msg_${i}`, 3, 4]));
    expect(src.stats.messages).toBe(5);
    store.sql.prepare('DELETE FROM outbox').run(); // Delivered.
    now += 31_000;
    await src.poll();
    // Two signatures kept: the three forgotten files are read again (at least), and send nothing.
    expect(src.stats.messages).toBeGreaterThanOrEqual(8);
    expect(records()).toEqual([]);
    src.close();
    store.close();
  });

  it('a read whose state write fails (a full disk) is sent when read again: nothing counts as sent before it commits', async () => {
    const { data, store, source, records } = setup();
    const writer = openWriter(join(data, 'opencode.db'));
    writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_1', 'ses_1', 1, 1, assistant({ input: 1, output: 1 }));
    mkdirSync(join(data, 'storage', 'message', 'ses_2'), { recursive: true });
    const body = JSON.parse(assistant({ input: 2, output: 2 }));
    writeFileSync(
      join(data, 'storage', 'message', 'ses_2', 'msg_2.json'),
      JSON.stringify({ ...body, id: 'msg_2', sessionID: 'ses_2' }),
    );
    const src = source();
    // The last write of each transaction fails, after its records were enqueued: the transaction rolls back.
    const real = store.addCounterIn.bind(store);
    let fail = true;
    store.addCounterIn = (...args: Parameters<Store['addCounterIn']>) => {
      if (fail) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      real(...args);
    };
    await expect(src.poll()).rejects.toThrow(/disk is full/);
    fail = false;
    await src.poll();
    await src.poll();
    expect(records().map((r) => [r.id, r.inputTokens])).toEqual([
      ['msg_1', 1],
      ['msg_2', 2],
    ]);
    src.close();
    writer.close();
    store.close();
  });

  it('a store replaced at its path (a data reset, a copy restored) is read from its start, running and after a restart', async () => {
    const { data, store, source, records } = setup();
    const file = join(data, 'opencode.db');
    // Another store holding one message dated before the watermark, put in place as a reset or a restore does.
    const replace = (id: string, at: number) => {
      const next = join(data, 'next.db');
      const w = openWriter(next);
      w.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run(id, 'ses_1', at, at, assistant({ input: 5, output: 5 }));
      w.close();
      for (const end of ['-wal', '-shm']) rmSync(`${file}${end}`, { force: true });
      renameSync(next, file);
    };
    const writer = openWriter(file);
    writer
      .prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)')
      .run('msg_1', 'ses_1', 900_000, 900_000, assistant({ input: 1, output: 1 }));
    writer.close();
    const src = source();
    await src.poll();
    expect(records().map((r) => r.id)).toEqual(['msg_1']);
    expect(store.cursor('opencode', file)).toEqual({ ino: statSync(file).ino, offset: 900_000 });
    // While the reporter runs: its handle on the old file must not be what it reads.
    replace('msg_2', 1000);
    await src.poll();
    expect(records().map((r) => r.id)).toEqual(['msg_1', 'msg_2']);
    expect(store.cursor('opencode', file)).toEqual({ ino: statSync(file).ino, offset: 1000 });
    src.close();
    // While no reporter runs, a store with a pass left half-way over the old one (rowid 5, past the new one's rows).
    store.sql.exec('DELETE FROM outbox');
    store.transaction(() => {
      store.setCursor('opencode', file, statSync(file).ino, 900_000);
      store.setCursor('opencode.pass', file, 1, 5);
      store.setCursor('opencode.pass-mark', file, Date.now(), 900_000);
    });
    replace('msg_3', 2000);
    const again = source();
    await again.poll();
    expect(records().map((r) => r.id)).toEqual(['msg_3']);
    expect(store.cursor('opencode.pass', file)).toBeUndefined();
    again.close();
    store.close();
  });

  it('a store that is not a database is logged and skipped; the other dirs are read', async () => {
    const { dir, data, store, records } = setup();
    writeFileSync(join(data, 'opencode.db'), 'not a database, just text that is long enough to have a header'.repeat(20));
    const kilo = join(dir, 'kilo');
    mkdirSync(kilo);
    const writer = openWriter(join(kilo, 'kilo.db'));
    writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_k', 'ses_k', 1, 1, assistant({ input: 3, output: 3 }));
    const logs: string[] = [];
    const src = new OpencodeDiskSource({
      store,
      dirs: [data, kilo],
      agents: new AgentMap(),
      prices: OpencodePrices.load(),
      log: (l) => logs.push(l),
    });
    expect(await src.poll()).toBe(true);
    expect(records().map((r) => r.id)).toEqual(['msg_k']);
    expect(src.stats.failed).toBe(1);
    expect(logs).toEqual([expect.stringMatching(/opencode\.db failed: file is not a database/)]);
    // Not read again until it changes.
    await src.poll();
    expect(src.stats.failed).toBe(1);
    src.close();
    writer.close();
    store.close();
  });

  it('reads a store a page at a time: the outbox bound holds, a restart mid-pass resumes, every message counts once', async () => {
    const { dir, data, store: first, source } = setup();
    // ~9,000 message rows, ~2,200 step-finish parts and ~1,000 older files: several pages each.
    const g = generateOpencodeStore(data, { seed: 5, sessions: 40, messagesPerSession: 100 });
    const maxPendingBytes = 64 * 1024;
    let store = new Store(join(dir, 'bounded'), { maxPendingBytes });
    first.close();
    let src = source(store);
    const sent = new Map<string, UsageRecord>();
    let polls = 0;
    let highest = 0;
    for (let done = false; !done; polls++) {
      done = await src.poll();
      highest = Math.max(highest, store.pendingBytes);
      // Delivered: every record waiting is taken (a later copy of a message replaces an earlier one).
      for (const body of store.sql.prepare('SELECT body FROM outbox ORDER BY seq').pluck().all() as string[]) {
        const r = JSON.parse(body) as UsageRecord;
        sent.set(r.id, r);
      }
      store.sql.exec('DELETE FROM outbox');
      store.recount();
      if (polls === 2) {
        // A restart mid-pass: the pass resumes at its saved progress point.
        expect(store.cursor('opencode.pass', join(data, 'opencode.db'))).toBeDefined();
        src.close();
        store.close();
        store = new Store(join(dir, 'bounded'), { maxPendingBytes });
        src = source(store);
      }
    }
    expect(polls).toBeGreaterThanOrEqual(4);
    const records = [...sent.values()];
    // Past the bound by at most one page's records (2,000 messages), never by the whole store's.
    const biggest = Math.max(...records.map((r) => JSON.stringify(r).length));
    expect(highest).toBeLessThanOrEqual(maxPendingBytes + 2000 * biggest);
    expect(highest).toBeLessThan(records.reduce((s, r) => s + JSON.stringify(r).length, 0) / 2);
    const sum = (f: (r: UsageRecord) => number) => records.reduce((s, r) => s + f(r), 0);
    expect(records).toHaveLength(g.expected.messages);
    expect([sum((r) => r.inputTokens), sum((r) => r.outputTokens), sum((r) => r.cacheReadTokens)]).toEqual([
      g.expected.input,
      g.expected.output,
      g.expected.cacheRead,
    ]);
    // The pass is done: its progress point is gone, the watermark saved.
    expect(store.cursor('opencode.pass', join(data, 'opencode.db'))).toBeUndefined();
    expect(store.cursor('opencode', join(data, 'opencode.db'))?.offset).toBeGreaterThan(0);
    src.close();
    store.close();
  });
});

describe('OpenCode / Kilo stores named by OPENCODE_DB and KILO_DB', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });

  it('reads a store named by path besides the data dir’s own, and one that is also the data dir’s store once', async () => {
    const dir = tempDir('gg-opencode-named-');
    dirs.push(dir);
    const data = join(dir, 'opencode');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    // The data dir's store, written before OPENCODE_DB was set, and the one OpenCode writes since.
    const before = generateOpencodeStore(data, { seed: 7, sessions: 2, messagesPerSession: 5 });
    const since = generateOpencodeStore(elsewhere, { seed: 8, sessions: 3, messagesPerSession: 4, tool: 'kilo' });
    const named = join(elsewhere, 'work.db');
    renameSync(join(elsewhere, 'kilo.db'), named);
    const store = new Store(join(dir, 'state'));
    try {
      const source = new OpencodeDiskSource({
        store,
        dirs: [data],
        // The data dir's store again (by a name that is a symlink's, say, here its own path), and the store OPENCODE_DB names.
        stores: [join(data, 'opencode.db'), named, named, join(dir, 'not-there.db')],
        agents: new AgentMap(),
        prices: OpencodePrices.load(),
      });
      expect(source.storeFiles()).toEqual([join(data, 'opencode.db'), named]);
      expect(await source.poll()).toBe(true);
      const records = (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[]).map(
        (b) => JSON.parse(b) as UsageRecord,
      );
      expect(records.reduce((n, r) => n + r.inputTokens, 0)).toBe(before.expected.input + since.expected.input);
      expect(records.reduce((n, r) => n + r.outputTokens, 0)).toBe(before.expected.output + since.expected.output);
      // Unchanged: neither is read again (once the read after the first, as for any store, is done).
      await source.poll();
      const read = source.stats.messages;
      expect(await source.poll()).toBe(true);
      expect(source.stats.messages).toBe(read);
      source.close();
    } finally {
      store.close();
    }
  });

  it('sees a commit in the WAL of a store named through a symlink (OPENCODE_DB=link): the WAL is beside the target', async () => {
    const dir = tempDir('gg-opencode-named-link-');
    dirs.push(dir);
    const target = join(dir, 'elsewhere', 'work.db');
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    const link = join(dir, 'link.db');
    symlinkSync(target, link);
    const writer = openWriter(target);
    // OpenCode's store between checkpoints: every commit in the WAL, the main file as it was.
    writer.pragma('wal_autocheckpoint = 0');
    const insert = writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)');
    insert.run('msg_1', 'ses_1', 1000, 1000, assistant({ input: 10, output: 5 }));
    const store = new Store(join(dir, 'state'));
    try {
      const source = new OpencodeDiskSource({
        store,
        dirs: [],
        stores: [link],
        agents: new AgentMap(),
        prices: OpencodePrices.load(),
      });
      const ids = () => store.sql.prepare("SELECT id FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all();
      expect(await source.poll()).toBe(true);
      expect(ids()).toEqual(['msg_1']);
      insert.run('msg_2', 'ses_1', 2000, 2000, assistant({ input: 20, output: 5 }));
      expect(await source.poll()).toBe(true);
      expect(ids()).toEqual(['msg_1', 'msg_2']);
      source.close();
    } finally {
      writer.close();
      store.close();
    }
  });
});
