import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
