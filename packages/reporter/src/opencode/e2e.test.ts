import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { reporterOpencodeTotals } from '../testing/opencode-referee.js';
import { generateOpencodeStore, openWriter } from '../testing/opencode-stores.js';
import { GASGAUGE_BIN, gasgauge, waitFor } from '../testing/processes.js';
import { type InProcessServer, removeDir, serverTotals, startTestServer, tempDir } from '../testing/server.js';

/**
 * An OpenCode and a Kilo data dir through `gasgauge report --once` (a child process) into the real
 * server over loopback: the server's totals equal each message once, and a second reporter with no
 * saved state (everything read and sent again) adds nothing.
 */
describe('OpenCode and Kilo stores end to end', () => {
  const dir = tempDir('gg-opencode-e2e-');
  let server: InProcessServer | undefined;
  afterAll(async () => {
    await server?.close();
    removeDir(dir);
  });

  it('lands every message once, however often it is sent', async () => {
    server = await startTestServer(dir);
    const s = server;
    const opencode = generateOpencodeStore(join(dir, 'opencode'), { seed: 31, start: Date.now() - 3_600_000 });
    const kilo = generateOpencodeStore(join(dir, 'kilo'), { seed: 32, tool: 'kilo', start: Date.now() - 3_600_000 });
    const report = (state: string) =>
      gasgauge<{ delivered: boolean; sent: number }>([
        'report',
        ...['--server', s.url, '--town', s.townId, '--token-file', s.tokenFile, '--state', join(dir, state)],
        ...['--opencode-dir', join(dir, 'opencode'), '--opencode-dir', join(dir, 'kilo')],
        ...['--no-claude', '--no-codex', '--no-gemini', '--once', '--timeout', '60'],
      ]);
    const messages = opencode.expected.messages + kilo.expected.messages;
    const first = await report('state-1');
    expect(first).toMatchObject({ delivered: true, sent: messages });
    const totals = () => serverTotals(s.url, s.adminToken, s.townId, Date.now() - 86_400_000);
    const [o, k] = [opencode.expected, kilo.expected];
    const after1 = await totals();
    expect(after1).toMatchObject({
      input_tokens: o.input + k.input,
      output_tokens: o.output + k.output,
      reasoning_tokens: o.reasoning + k.reasoning,
      cache_read_tokens: o.cacheRead + k.cacheRead,
      cache_write_tokens: o.cacheWrite + k.cacheWrite,
    });
    // The cost the reporter's rules give (checked against ccusage in ccusage.test.ts).
    const mine = await reporterOpencodeTotals([join(dir, 'opencode'), join(dir, 'kilo')], join(dir, 'check-state'));
    expect(after1.cost_microdollars).toBe(mine.records.reduce((sum, r) => sum + r.costMicrodollars, 0));

    // State lost: a new reporter reads every store from the start and sends every record again.
    const second = await report('state-2');
    expect(second).toMatchObject({ delivered: true, sent: messages });
    expect(await totals()).toEqual(after1);
  }, 120_000);

  it('a second --once on an unchanged store sends nothing; a message grown since is sent once, with its new amounts', async () => {
    const s = server ?? (await startTestServer(dir));
    server = s;
    const data = join(dir, 'again');
    const generated = generateOpencodeStore(data, {
      seed: 61,
      sessions: 2,
      messagesPerSession: 6,
      start: Date.now() - 3_600_000,
    });
    // A message still growing, as OpenCode writes one: a step-finish part per step, the message's tokens set in place to
    // the latest step's, its cost the steps' sum, its time_updated moved on. Newest in the store: in any re-read window.
    const writer = openWriter(join(data, 'opencode.db'));
    const t = Date.now() - 30_000;
    const tokens = (input: number, output: number) => ({ input, output, reasoning: 0, cache: { read: 100, write: 0 } });
    const body = (input: number, output: number, cost: number) =>
      JSON.stringify({
        role: 'assistant',
        modelID: 'claude-sonnet-4-5',
        providerID: 'anthropic',
        time: { created: t },
        tokens: tokens(input, output),
        cost,
      });
    const step = (input: number, output: number, cost: number) =>
      JSON.stringify({ type: 'step-finish', tokens: tokens(input, output), cost });
    writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run('msg_grow', 'ses_opencode0', t, t, body(1000, 10, 0.01));
    writer
      .prepare('INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)')
      .run('prt_grow1', 'msg_grow', 'ses_opencode0', t, t, step(1000, 10, 0.01));
    const report = () =>
      gasgauge<{ delivered: boolean; sent: number }>([
        'report',
        ...['--server', s.url, '--town', s.townId, '--token-file', s.tokenFile, '--state', join(dir, 'state-again')],
        ...['--opencode-dir', data, '--no-claude', '--no-codex', '--no-gemini', '--once', '--timeout', '60'],
      ]);
    const totals = () => serverTotals(s.url, s.adminToken, s.townId, Date.now() - 86_400_000);
    try {
      expect(await report()).toMatchObject({ delivered: true, sent: generated.expected.messages + 1 });
      const after1 = await totals();
      // Unchanged: nothing read again is sent again (the older JSON files and the rows of the last minute were, each run).
      expect(await report()).toMatchObject({ delivered: true, sent: 0 });
      expect(await totals()).toEqual(after1);
      // A second step: the message's tokens are now that step's (500 in), its cost the two steps' (0.03 $).
      writer
        .prepare('INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)')
        .run('prt_grow2', 'msg_grow', 'ses_opencode0', t + 5000, t + 5000, step(500, 20, 0.02));
      writer.prepare('UPDATE message SET data = ?, time_updated = ? WHERE id = ?').run(body(500, 20, 0.03), t + 5000, 'msg_grow');
      expect(await report()).toMatchObject({ delivered: true, sent: 1 });
      const after2 = await totals();
      // Counted once, with the steps' sum (1,500 in, 30 out, 200 cache read, 0.03 $), not the last step's tokens.
      expect(after2.input_tokens - after1.input_tokens).toBe(500);
      expect(after2.output_tokens - after1.output_tokens).toBe(20);
      expect(after2.cache_read_tokens - after1.cache_read_tokens).toBe(100);
      expect(after2.cost_microdollars - after1.cost_microdollars).toBe(20_000);
      expect(await report()).toMatchObject({ delivered: true, sent: 0 });
      expect(await totals()).toEqual(after2);
    } finally {
      writer.close();
    }
  }, 120_000);

  it('follows OPENCODE_DB and KILO_DB (a path; a name in the data dir) besides the data dirs’ own stores', async () => {
    const s = server ?? (await startTestServer(dir));
    server = s;
    // A home of its own: the data dirs' own stores (written before the variables were set), a store OPENCODE_DB names
    // by path, one KILO_DB names by a name in Kilo's data dir, and that name given to OPENCODE_DB as well (nothing there).
    const home = join(dir, 'home');
    const share = join(home, '.local', 'share');
    const t = Date.now() - 3_600_000;
    const older = generateOpencodeStore(join(share, 'opencode'), { seed: 41, sessions: 2, messagesPerSession: 4, start: t });
    const elsewhere = generateOpencodeStore(join(dir, 'elsewhere'), { seed: 42, tool: 'kilo', sessions: 2, start: t });
    renameSync(join(dir, 'elsewhere', 'kilo.db'), join(dir, 'elsewhere', 'work.db'));
    // Its own ids: the generator names a Kilo store's messages alike.
    const renamed = openWriter(join(dir, 'elsewhere', 'work.db'));
    renamed.exec(`UPDATE session SET id = 'e' || id; UPDATE message SET id = 'e' || id, session_id = 'e' || session_id;
      UPDATE part SET id = 'e' || id, message_id = 'e' || message_id, session_id = 'e' || session_id;`);
    renamed.close();
    const kilo = generateOpencodeStore(join(share, 'kilo'), { seed: 43, tool: 'kilo', sessions: 2, start: t });
    renameSync(join(share, 'kilo', 'kilo.db'), join(share, 'kilo', 'k.db'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      OPENCODE_DB: join(dir, 'elsewhere', 'work.db'),
      KILO_DB: 'k.db',
    };
    for (const v of ['XDG_DATA_HOME', 'OPENCODE_DATA_DIR', 'KILO_DATA_DIR']) delete env[v];
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        GASGAUGE_BIN,
        'report',
        ...['--server', s.url, '--town', s.townId, '--token-file', s.tokenFile, '--state', join(dir, 'state-env')],
        ...['--no-claude', '--no-codex', '--no-gemini', '--once', '--timeout', '60', '--json'],
      ],
      { env },
    );
    const messages = older.expected.messages + elsewhere.expected.messages + kilo.expected.messages;
    expect(JSON.parse(stdout)).toMatchObject({ delivered: true, sent: messages, found: { opencode: 3 } });
  }, 120_000);

  it('says in one line when OPENCODE_DB or KILO_DB names a FIFO, a device, a directory or nothing, and reads the rest', async () => {
    const s = server ?? (await startTestServer(dir));
    server = s;
    const home = join(dir, 'home-named');
    const share = join(home, '.local', 'share');
    const own = generateOpencodeStore(join(share, 'opencode'), { seed: 51, sessions: 1, messagesPerSession: 3 });
    const fifo = join(dir, 'store.fifo');
    execFileSync('mkfifo', [fifo]);
    mkdirSync(join(share, 'kilo', 'adir'), { recursive: true });
    const run = async (vars: NodeJS.ProcessEnv, state: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...vars };
      for (const v of ['XDG_DATA_HOME', 'OPENCODE_DATA_DIR', 'KILO_DATA_DIR']) delete env[v];
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [
          GASGAUGE_BIN,
          'report',
          ...['--server', s.url, '--town', s.townId, '--token-file', s.tokenFile, '--state', join(dir, state)],
          ...['--no-claude', '--no-codex', '--no-gemini', '--once', '--timeout', '30', '--json'],
        ],
        { env, timeout: 60_000 },
      );
      return { out: JSON.parse(stdout), said: stderr.split('\n').filter((l) => /OPENCODE_DB|KILO_DB/.test(l)) };
    };
    // A FIFO (its open would block for good) and a directory, a name in Kilo's data dir: neither opened, each said.
    const first = await run({ OPENCODE_DB: fifo, KILO_DB: 'adir' }, 'state-named-1');
    expect(first.out).toMatchObject({ delivered: true, sent: own.expected.messages, found: { opencode: 1 } });
    expect(first.said).toEqual([
      `WARNING: OPENCODE_DB=${fifo}: ${fifo} is a FIFO, not an SQLite file; it is not read`,
      `WARNING: KILO_DB=adir: ${join(share, 'kilo', 'adir')} is a directory, not an SQLite file; it is not read`,
    ]);
    // A device; a name that is nowhere (a typo); `:memory:` and an empty value: no file, as the tools take them.
    const second = await run({ OPENCODE_DB: '/dev/zero', KILO_DB: join(dir, 'typo.db') }, 'state-named-2');
    expect(second.out).toMatchObject({ delivered: true, found: { opencode: 1 } });
    expect(second.said).toEqual([
      'WARNING: OPENCODE_DB=/dev/zero: /dev/zero is a device, not an SQLite file; it is not read',
      `WARNING: KILO_DB=${join(dir, 'typo.db')}: no such file (yet) at ${join(dir, 'typo.db')}; nothing is read from it until it exists`,
    ]);
    expect((await run({ OPENCODE_DB: ':memory:', KILO_DB: '' }, 'state-named-3')).said).toEqual([]);
  }, 120_000);

  it('a running reporter sees each commit of a writer to a store OPENCODE_DB names through a symlink', async () => {
    const s = server ?? (await startTestServer(dir));
    server = s;
    const home = join(dir, 'home-link');
    const target = join(dir, 'linked', 'work.db');
    mkdirSync(join(dir, 'linked'), { recursive: true });
    mkdirSync(home, { recursive: true });
    const link = join(dir, 'link.db');
    symlinkSync(target, link);
    // OpenCode's store between checkpoints: its commits in the WAL beside the target, the main file as it was.
    const writer = openWriter(target);
    writer.pragma('wal_autocheckpoint = 0');
    const t = Date.now() - 60_000;
    const insert = (id: string, input: number) =>
      writer.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)').run(
        id,
        'ses_link',
        t,
        t,
        JSON.stringify({
          role: 'assistant',
          modelID: 'claude-sonnet-4-5',
          providerID: 'anthropic',
          time: { created: t, completed: t + 1 },
          tokens: { input, output: 1, reasoning: 0, cache: { read: 0, write: 0 } },
          cost: 0.001,
        }),
      );
    insert('msg_link1', 1000);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, OPENCODE_DB: link };
    for (const v of ['XDG_DATA_HOME', 'OPENCODE_DATA_DIR', 'KILO_DATA_DIR', 'KILO_DB']) delete env[v];
    const args = ['--server', s.url, '--town', s.townId, '--token-file', s.tokenFile, '--state', join(dir, 'state-link')];
    // The town's totals before the reporter starts (earlier tests share the town), not after: it may deliver at once.
    const base = (await serverTotals(s.url, s.adminToken, s.townId, Date.now() - 86_400_000)).input_tokens;
    const child = spawn(process.execPath, [GASGAUGE_BIN, 'report', ...args, '--no-claude', '--no-codex', '--no-gemini'], {
      env,
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const input = async () => (await serverTotals(s.url, s.adminToken, s.townId, Date.now() - 86_400_000)).input_tokens - base;
      // Room for a process start and a poll on a loaded machine (CI runs files side by side on two cores).
      await waitFor('the first message', async () => ((await input()) === 1000 ? true : undefined), 45_000);
      // Before, the reporter stamped the WAL beside the link (never there): this commit went unseen until a checkpoint.
      insert('msg_link2', 200);
      let seen = 0;
      await waitFor(
        () => `the second message (input ${seen} of 1200)`,
        async () => {
          seen = await input();
          return seen === 1200 ? true : undefined;
        },
        45_000,
      );
    } finally {
      child.kill('SIGTERM');
      await exited;
      writer.close();
    }
  }, 120_000);
});
