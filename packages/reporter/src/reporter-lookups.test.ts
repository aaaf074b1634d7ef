import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { reporterOptions } from './cli.js';
import { Reporter } from './reporter.js';
import { unreadable } from './tail/walk.js';
import { removeDir, tempDir } from './testing/server.js';

// Counted, and still done: what the CLI and the Reporter ask of walk.ts's `unreadable` (its own calls inside walk.ts
// are not counted). Only this module is wrapped, not fs.
vi.mock('./tail/walk.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./tail/walk.js')>();
  return { ...actual, unreadable: vi.fn(actual.unreadable) };
});
const lookups = (path: string) => vi.mocked(unreadable).mock.calls.filter(([p]) => p === path).length;

/** A symlink that points at itself through a second one: every lookup through it fails with ELOOP, for root too. */
function loop(path: string): void {
  symlinkSync(`${path}.other`, path);
  symlinkSync(path, `${path}.other`);
}

describe('what the Reporter looks up on disk', () => {
  const base = tempDir('gg-reporter-lookups-');
  afterAll(() => removeDir(base));
  writeFileSync(join(base, 'token'), 'tok\n');
  const options = { serverUrl: 'http://127.0.0.1:1', townId: 't1', tokenFile: join(base, 'token') };

  it('a directory the CLI said it cannot read: looked at once, by the CLI, whose reason the Reporter keeps', async () => {
    const looped = join(base, 'codex-loop');
    loop(looped);
    const lines: string[] = [];
    const values = { server: options.serverUrl, town: options.townId, 'token-file': options.tokenFile, state: join(base, 's1') };
    const opts = reporterOptions(
      { ...values, 'codex-home': [looped], 'no-claude': true, 'no-gemini': true, 'no-opencode': true },
      (l) => lines.push(l),
    );
    const reporter = new Reporter(opts);
    try {
      expect(lookups(looped)).toBe(1);
      await reporter.collect(); // its walk meets it: said already, so not again
      expect(lines).toEqual([
        `WARNING: --codex-home ${looped}: cannot read it: a symlink loop (ELOOP); nothing is read from it until it can be`,
      ]);
      expect((await reporter.runOnce(Date.now() + 1)).unreadable).toEqual([looped]);
    } finally {
      reporter.close();
    }
  });

  it('a source directory’s state: looked up once per poll, not once per unreadable path under it', async () => {
    const claude = join(base, 'claude');
    mkdirSync(join(claude, 'projects', 'p'), { recursive: true });
    const unreadableFiles = 50;
    for (let i = 0; i < unreadableFiles; i++) loop(join(claude, 'projects', 'p', `s${i}.jsonl`));
    const lines: string[] = [];
    const reporter = new Reporter({
      ...options,
      stateDir: join(base, 's2'),
      claudeDirs: [claude],
      codex: false,
      gemini: false,
      opencode: false,
      log: (l) => lines.push(l),
    });
    try {
      const before = lookups(claude);
      await reporter.collect();
      expect(lines.filter((l) => l.startsWith('WARNING: cannot read '))).toHaveLength(unreadableFiles);
      expect(lookups(claude) - before).toBe(1);
      await reporter.collect(); // the next poll looks again (the directory may have changed since)
      expect(lookups(claude) - before).toBe(2);
    } finally {
      reporter.close();
    }
  });
});
