import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateOpencodeStore } from './testing/opencode-stores.js';
import { runGasgauge } from './testing/processes.js';
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
});
