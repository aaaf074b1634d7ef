import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * A merge's conflict markers must never be committed: a file that is not code (a README) passes the type
 * checker and the tests with them in. `git grep` reads every tracked file.
 */
describe('the repository', () => {
  it('holds no merge conflict markers', () => {
    let found = '';
    try {
      found = execFileSync('git', ['grep', '-n', '-E', '^(<<<<<<<|>>>>>>>) ', '--', '.', ':!lint/no-conflict-markers.test.ts'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    } catch (err) {
      // git grep exits 1 when nothing matches.
      if ((err as { status?: number }).status !== 1) throw err;
    }
    expect(found).toBe('');
  });
});
