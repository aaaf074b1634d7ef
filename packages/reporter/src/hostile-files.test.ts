import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SKIP_SCAN_BYTES } from './tail/jsonl.js';
import { generateOpencodeStore } from './testing/opencode-stores.js';
import { runGasgauge, startGasgauge, waitFor } from './testing/processes.js';
import { type InProcessServer, removeDir, startTestServer, tempDir } from './testing/server.js';

/**
 * What agents write is attacker input to `gasgauge report`: special files, huge apparent sizes, files
 * swapped while read. Each case here runs a real `gasgauge report` against a real server on loopback.
 */

/**
 * A process that opens the FIFO for writing 20 s after it started (and again every 20 s): a reporter blocked
 * in an open() of it is released then, so a test of a regression fails on its time instead of hanging.
 */
function lateWriter(path: string): ChildProcess {
  const script = `const w = () => { require('fs').writeFileSync(${JSON.stringify(path)}, 'x'); setTimeout(w, 20000); }; setTimeout(w, 20000);`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

describe('gasgauge report against hostile files', () => {
  const base = tempDir('gg-hostile-files-');
  let server: InProcessServer;
  afterAll(async () => {
    await server?.close();
    removeDir(base);
  });
  const report = async (state: string, sources: string[]) => {
    server ??= await startTestServer(join(base, 'server'));
    const args = ['--server', server.url, '--town', server.townId, '--token-file', server.tokenFile];
    const t0 = Date.now();
    const run = await runGasgauge([
      'report',
      ...args,
      '--state',
      join(base, state),
      '--once',
      '--timeout',
      '30',
      '--json',
      ...sources,
    ]);
    return { ...run, ms: Date.now() - t0 };
  };

  it('a --once says how many lines it skipped as malformed, per source, and a second run over the same files none', async () => {
    const claude = join(base, 'malformed-claude', 'projects', 'p1');
    mkdirSync(claude, { recursive: true });
    const good = JSON.stringify({
      type: 'assistant',
      cwd: '/work/p1',
      sessionId: 's1',
      version: '2.0.31',
      timestamp: '2026-11-20T12:00:00.000Z',
      requestId: 'req_m1',
      message: { id: 'msg_m1', model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 10, output_tokens: 5 } },
    });
    // Two lines that look like usage (they hold its marker) but are not JSON.
    writeFileSync(join(claude, 's1.jsonl'), `${good}\n{"usage":{"input_tokens": 1,\n{"usage":{ broken\n`);
    const sources = ['--no-codex', '--no-gemini', '--no-opencode', '--claude-dir', join(base, 'malformed-claude')];
    const first = await report('state-malformed', sources);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ delivered: true, sent: 1, malformed: { claude: 2 } });
    const again = await report('state-malformed', sources);
    expect(JSON.parse(again.stdout)).toMatchObject({ delivered: true, malformed: { claude: 0 } });
    // Without --json, on stderr.
    const text = await runGasgauge([
      'report',
      ...['--server', server.url, '--town', server.townId],
      ...['--token-file', server.tokenFile, '--state', join(base, 'state-malformed-text'), '--once'],
      ...sources,
    ]);
    expect(text.stderr).toContain('skipped as malformed (lines not JSON, or past a bound): Claude Code transcripts 2');
  }, 60_000);

  it('an OpenCode store name that is a FIFO is passed over, not opened (a read-only SQLite open of it blocked for good)', async () => {
    const data = join(base, 'opencode');
    mkdirSync(data, { recursive: true });
    // A real store under a channel name that sorts after the FIFO's.
    generateOpencodeStore(join(base, 'generated'), { tool: 'kilo', sessions: 2, messagesPerSession: 3 });
    copyFileSync(join(base, 'generated', 'kilo.db'), join(data, 'opencode-b.db'));
    execFileSync('mkfifo', [join(data, 'opencode-a.db')]);
    const writer = lateWriter(join(data, 'opencode-a.db'));
    try {
      const off = ['--no-claude', '--no-codex', '--no-gemini'];
      const run = await report('state-opencode-fifo', [...off, '--opencode-dir', data]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.ms).toBeLessThan(15_000);
      expect(JSON.parse(run.stdout)).toMatchObject({ delivered: true, sent: 6, found: { opencode: 1 } });
    } finally {
      writer.kill();
    }
  }, 60_000);

  it('an OpenCode store another process keeps locked ends a --once at its --timeout, said so, not when the lock goes', async () => {
    const data = join(base, 'opencode-locked');
    mkdirSync(data, { recursive: true });
    // A writer holding an exclusive lock (rollback journal: readers get SQLITE_BUSY) for 40 s, then gone.
    const script = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(join(data, 'opencode.db'))});
      db.exec("CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, time_updated INTEGER, data TEXT)");
      db.exec('BEGIN EXCLUSIVE'); db.exec("INSERT INTO message VALUES ('m', 's', 1, 1, '{}')");
      process.stdout.write('locked\\n'); setTimeout(() => {}, 40000);`;
    const locker = spawn(process.execPath, ['-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: fileURLToPath(new URL('.', import.meta.url)),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        locker.stdout?.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
        locker.on('exit', (code) => reject(new Error(`the locker exited (${code})`)));
      });
      server ??= await startTestServer(join(base, 'server'));
      const run = await runGasgauge([
        'report',
        ...['--server', server.url, '--town', server.townId, '--token-file', server.tokenFile],
        ...['--state', join(base, 'state-opencode-locked'), '--once', '--timeout', '2', '--json'],
        ...['--no-claude', '--no-codex', '--no-gemini', '--opencode-dir', data],
      ]);
      // Before, it waited for the lock to go (40 s here; for good, for a lock never let go) and then said delivered.
      expect(locker.exitCode, 'the lock was still held when the reporter ended').toBeNull();
      expect(run.code, run.stderr).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({
        delivered: false,
        error: 'the deadline passed while an OpenCode or Kilo store stayed locked by another process, so it was not read',
      });
    } finally {
      locker.kill();
    }
  }, 60_000);

  it('a Gas Town event log made an 8 GiB sparse file is looked through a step at a time: the reporter stays free and stops at SIGTERM', async () => {
    server ??= await startTestServer(join(base, 'server'));
    const town = join(base, 'gt');
    mkdirSync(town, { recursive: true });
    const log = join(town, '.events.jsonl');
    const first = `${JSON.stringify({ ts: '2026-12-05T06:00:00Z', type: 'session_start', actor: 'gastown/polecats/toast' })}\n`;
    writeFileSync(log, first);
    truncateSync(log, 8 * 2 ** 30); // no disk used: one "line" of 8 GiB of NULs after the event, with no newline
    const state = join(base, 'state-sparse');
    const off = ['--no-claude', '--no-codex', '--no-gemini', '--no-opencode'];
    const args = ['--server', server.url, '--town', server.townId, '--token-file', server.tokenFile, '--state', state];
    const child = startGasgauge(['report', ...args, ...off, '--gastown', town, '--once', '--json']);
    try {
      // Its cursor moves inside the long line, a step at a time (before, one call read all 8 GiB: ~16 s here).
      const cursor = () => {
        if (!existsSync(join(state, 'state.sqlite'))) return undefined;
        const db = new Database(join(state, 'state.sqlite'), { readonly: true });
        try {
          const row = db.prepare("SELECT offset FROM cursors WHERE source = 'gastown'").get() as { offset: number } | undefined;
          return row && row.offset > first.length + SKIP_SCAN_BYTES ? row.offset : undefined;
        } finally {
          db.close();
        }
      };
      await waitFor(() => `a cursor inside the long line: ${child.output()}`, cursor, 10_000);
      const t0 = Date.now();
      child.proc.kill('SIGTERM');
      expect(await child.exited).toBe(1);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(child.output()).toContain('stopped by a signal');
    } finally {
      child.proc.kill('SIGKILL');
    }
  }, 60_000);

  it('lines of a Gas Town event log that are no event keep no state: 100,000 distinct malformed lines add no row', async () => {
    const town = join(base, 'gt-malformed');
    mkdirSync(town, { recursive: true });
    const event = (i: number) => JSON.stringify({ ts: '2026-12-05T06:00:00Z', type: 'nudge', actor: `gastown/polecats/p${i}` });
    const junk = Array.from({ length: 100_000 }, (_, i) => `${i}`);
    // Three events, one of them twice (two occurrences: one row), among the junk.
    writeFileSync(join(town, '.events.jsonl'), `${[event(1), ...junk, event(2), event(1), event(3)].join('\n')}\n`);
    const off = ['--no-claude', '--no-codex', '--no-gemini', '--no-opencode'];
    const run = await report('state-gt-malformed', [...off, '--gastown', town]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ delivered: true, sent: 4 });
    const db = new Database(join(base, 'state-gt-malformed', 'state.sqlite'), { readonly: true });
    try {
      const rows = db.prepare("SELECT digest, seen FROM gastown_lines WHERE digest NOT LIKE '#%'").all() as { seen: number }[];
      expect(rows.map((r) => r.seen).sort()).toEqual([1, 1, 2]);
    } finally {
      db.close();
    }
  }, 60_000);

  it('a 10 MB model name or cwd in a Codex rollout or Gemini CLI chat is not kept in the state saved with every batch', async () => {
    const huge = 'm'.repeat(10_000_000);
    const ts = '2026-12-05T06:00:00.000Z';
    const usage = { input_tokens: 10, cached_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 0, total_tokens: 15 };
    const filler = `${'x'.repeat(99)}\n`.repeat(20_000); // 2 MB: batches after the long line, each saving the state
    const codex = join(base, 'codex', 'sessions', '2026', '12', '05');
    mkdirSync(codex, { recursive: true });
    const rollout = [
      { timestamp: ts, type: 'session_meta', payload: { id: `s${huge}`, cwd: `/${huge}` } },
      { timestamp: ts, type: 'turn_context', payload: { model: huge, cwd: `/${huge}` } },
      {
        timestamp: ts,
        type: 'event_msg',
        payload: { type: 'token_count', info: { total_token_usage: usage, last_token_usage: usage } },
      },
    ].map((l) => JSON.stringify(l));
    writeFileSync(join(codex, 'rollout-2026-12-05T06-00-00-abc.jsonl'), `${rollout.join('\n')}\n${filler}`);
    const chats = join(base, 'gemini', 'p1', 'chats');
    mkdirSync(chats, { recursive: true });
    const tokens = { input: 10, output: 5, cached: 0, thoughts: 0, tool: 0, total: 15 };
    const chat = [
      { sessionId: `s${huge}`, projectHash: 'h', startTime: ts, kind: 'main' },
      { id: 'g1', timestamp: ts, type: 'gemini', content: 'ok', tokens, model: huge },
    ].map((l) => JSON.stringify(l));
    writeFileSync(join(chats, 'session-2026-12-05T06-00-abc.jsonl'), `${chat.join('\n')}\n${filler}`);
    const state = join(base, 'state-long-strings');
    const run = await report('state-long-strings', [
      ...['--no-claude', '--no-opencode', '--codex-home', join(base, 'codex'), '--gemini-dir', join(base, 'gemini')],
    ]);
    expect(run.code, run.stderr.slice(0, 2000)).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ delivered: true, sent: 2 });
    // Its name has no price: said once, by the digest its record carries (a 10 MB log line had failed the run).
    expect(run.stderr).toMatch(/no price for model "sha:[0-9a-f]+": its usage is sent with cost 0/);
    expect(run.stderr.length).toBeLessThan(100_000);
    const db = new Database(join(state, 'state.sqlite'), { readonly: true });
    try {
      for (const table of ['codex_files', 'gemini_files']) {
        const longest = db.prepare(`SELECT max(length(state)) FROM ${table}`).pluck().get() as number;
        expect(longest, table).toBeGreaterThan(0);
        expect(longest, table).toBeLessThan(2000);
      }
    } finally {
      db.close();
    }
  }, 60_000);

  it('a Codex line timed past the range of Date is no turn, and stops neither its file nor the sources after it', async () => {
    const dir = join(base, 'codex-time', 'sessions', '2026', '12', '05');
    mkdirSync(dir, { recursive: true });
    const usage = { input_tokens: 10, cached_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 0, total_tokens: 15 };
    const tokens = (timestamp: unknown) =>
      JSON.stringify({ timestamp, type: 'event_msg', payload: { type: 'token_count', info: { last_token_usage: usage } } });
    const meta = (id: string) =>
      JSON.stringify({ timestamp: '2026-12-05T06:00:00.000Z', type: 'session_meta', payload: { id, cwd: '/work' } });
    writeFileSync(
      join(dir, 'rollout-2026-12-05T06-00-00-a.jsonl'),
      `${meta('sa')}\n${tokens(9e15)}\n${tokens('2026-12-05T06:00:01.000Z')}\n`,
    );
    writeFileSync(join(dir, 'rollout-2026-12-05T06-00-00-b.jsonl'), `${meta('sb')}\n${tokens('2026-12-05T06:00:02.000Z')}\n`);
    // A Gas Town event: read after the Codex source.
    const town = join(base, 'gt-codex-time');
    mkdirSync(town, { recursive: true });
    writeFileSync(
      join(town, '.events.jsonl'),
      `${JSON.stringify({ ts: '2026-12-05T06:00:00Z', type: 'nudge', actor: 'gastown/crew/joe' })}\n`,
    );
    const run = await report('state-codex-time', [
      ...['--no-claude', '--no-gemini', '--no-opencode', '--codex-home', join(base, 'codex-time'), '--gastown', town],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ delivered: true, sent: 3 });
  }, 60_000);

  it("runs none of the commands an agent's git config names (core.fsmonitor, a filter's clean) while measuring its worktree", async () => {
    const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe' }).toString();
    const repo = join(base, 'worktree');
    mkdirSync(repo, { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'config', 'user.email', 'a@example.com');
    git(repo, 'config', 'user.name', 'a');
    writeFileSync(join(repo, 'f.txt'), 'one\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base');
    git(repo, 'checkout', '-q', '-b', 'work');
    // What a prompt-injected agent writes into its own repository.
    const ran = (what: string) => join(base, `ran-${what}`);
    git(repo, 'config', 'core.fsmonitor', `touch ${ran('fsmonitor')}; false`);
    git(repo, 'config', 'filter.x.clean', `touch ${ran('filter')}; cat`);
    git(repo, 'config', 'filter.a=b.clean', `touch ${ran('filter-eq')}; cat`);
    writeFileSync(join(repo, '.gitattributes'), '*.txt filter=x\nf.txt filter=a=b\n');
    writeFileSync(join(repo, 'f.txt'), 'one\ntwo\n');
    const run = await report('state-git', [
      ...[
        '--no-claude',
        '--no-codex',
        '--no-gemini',
        '--no-opencode',
        '--worktree',
        `gastown/crew/joe=${repo}`,
        '--base',
        'main',
      ],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ delivered: true, sent: 1 });
    for (const what of ['fsmonitor', 'filter', 'filter-eq']) expect(existsSync(ran(what)), what).toBe(false);
  }, 60_000);

  it('records the API would refuse by their own bounds go to the dead-letter file unsent, not one round trip each', async () => {
    const project = join(base, 'claude-bounds', 'projects', 'p');
    mkdirSync(project, { recursive: true });
    const line = (i: number, timestamp: string, input: number) =>
      JSON.stringify({
        type: 'assistant',
        timestamp,
        sessionId: 's1',
        requestId: `req_${i}`,
        cwd: '/work',
        message: { id: `msg_${i}`, model: 'claude-sonnet-4-5', usage: { input_tokens: input, output_tokens: 5 } },
      });
    const lines = Array.from({ length: 1500 }, (_, i) => line(i, '2300-01-01T00:00:00.000Z', 10)); // past 2286
    lines.push(line(1500, '2026-12-05T06:00:00.000Z', 2_000_000_000)); // over 10⁹ tokens
    lines.push(line(1501, '2026-12-05T06:00:00.000Z', 10)); // a good one, behind them
    writeFileSync(join(project, 'a.jsonl'), `${lines.join('\n')}\n`);
    const run = await report('state-bounds', [
      '--no-codex',
      '--no-gemini',
      '--no-opencode',
      '--claude-dir',
      join(base, 'claude-bounds'),
    ]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.ms).toBeLessThan(15_000); // sent, 1,501 round trips of up to 1 MiB: ~30 s here
    expect(JSON.parse(run.stdout)).toMatchObject({ delivered: true, sent: 1, quarantined: 1501 });
    const dead = readFileSync(join(base, 'state-bounds', 'dead-letter.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(dead).toHaveLength(1501);
    expect(new Set(dead.map((l) => (JSON.parse(l) as { status: number }).status))).toEqual(new Set([0]));
    expect(dead.at(-1)).toContain('inputTokens: 2000000000, the API takes an integer from 0 to 1000000000');
  }, 120_000);

  it('records holding a lone surrogate (a "\\ud800" in a model or session) go to the dead-letter file unsent, not one round trip each', async () => {
    const project = join(base, 'claude-surrogates', 'projects', 'p');
    mkdirSync(project, { recursive: true });
    const line = (i: number, model: string) =>
      JSON.stringify({
        type: 'assistant',
        timestamp: '2026-12-05T06:00:00.000Z',
        sessionId: i === 1 ? 's\udc00' : 's1',
        requestId: `req_${i}`,
        cwd: '/work',
        message: { id: `msg_${i}`, model, usage: { input_tokens: 10, output_tokens: 5 } },
      });
    // JSON.stringify writes each lone surrogate as the escape \ud800, as a hostile or truncating writer would.
    const lines = Array.from({ length: 1500 }, (_, i) => line(i, i === 1 ? 'claude-sonnet-4-5' : 'claude-sonnet-4-5\ud800'));
    lines.push(line(1500, 'claude-sonnet-4-5\ud83d\ude00')); // a pair is text
    writeFileSync(join(project, 'a.jsonl'), `${lines.join('\n')}\n`);
    const run = await report('state-surrogates', [
      '--no-codex',
      '--no-gemini',
      '--no-opencode',
      '--claude-dir',
      join(base, 'claude-surrogates'),
    ]);
    expect(run.code, run.stderr).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ delivered: true, sent: 1, quarantined: 1500 });
    const dead = readFileSync(join(base, 'state-surrogates', 'dead-letter.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: number; reason: string });
    // Sent, each was refused alone (400 on records[0].model): 1,500 requests of the whole remaining batch.
    expect(dead).toHaveLength(1500);
    expect(new Set(dead.map((d) => d.status))).toEqual(new Set([0]));
    expect(dead[0]?.reason).toBe('not sent: model: a lone UTF-16 surrogate (\\ud800–\\udfff) is not text (docs/api.md)');
    expect(dead[1]?.reason).toBe('not sent: session: a lone UTF-16 surrogate (\\ud800–\\udfff) is not text (docs/api.md)');
  }, 120_000);

  it('a Gemini CLI response without a time is dated by its chat file in whole milliseconds, and taken', async () => {
    const chats = join(base, 'gemini-untimed', 'p1', 'chats');
    mkdirSync(chats, { recursive: true });
    const tokens = { input: 10, output: 5, cached: 0, thoughts: 0, tool: 0, total: 15 };
    const lines = [{ sessionId: 's-untimed' }, { id: 'g1', type: 'gemini', content: 'ok', tokens, model: 'gemini-2.5-flash' }];
    writeFileSync(join(chats, 'session-2026-12-05T06-00-untimed.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const off = ['--no-claude', '--no-codex', '--no-opencode'];
    const run = await report('state-gemini-untimed', [...off, '--gemini-dir', join(base, 'gemini-untimed')]);
    // Dated by the file's mtime as it was (1796454376569.779): the API refused it, quarantined.
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ delivered: true, sent: 1, quarantined: 0 });
  }, 60_000);
});
