import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gasgauge } from './testing/cli.js';
import { tempDir } from './testing/temp.js';

describe('gasgauge report on a full disk', () => {
  it("says the reporter's state dir is full, not the server's data dir, and exits 1", async () => {
    // The state database is a link to /dev/full: SQLite reads it as empty and its first write gets ENOSPC.
    const dir = tempDir('gg-full-report-');
    const state = join(dir, 'state');
    mkdirSync(state);
    symlinkSync('/dev/full', join(state, 'state.sqlite'));
    writeFileSync(join(dir, 'token'), 'ggi_x\n', { mode: 0o600 }); // private, as a token file should be: no warning
    const r = await gasgauge(
      'report',
      ...['--server', 'http://127.0.0.1:9', '--town', 'town_x', '--token-file', join(dir, 'token'), '--state', state],
      ...['--no-claude', '--no-codex', '--no-gemini', '--no-opencode', '--once'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `gasgauge report: out of disk space in the reporter's state dir ${state}: free some space and run it again (what was not saved yet is read again)`,
    );
  });
});
