import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Town } from '@gasgauge/core';
import { openSqlite } from '../sqlite.js';

/** A fresh directory under the system temp dir, for tests. */
export function tempDir(prefix = 'gg-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A town on a real SQLite file, with a clock the test moves by setting `now.t`. */
export function fileTown(now: { t: number }): Town {
  return new Town(openSqlite(join(tempDir('gg-town-'), 'town.sqlite')), () => now.t);
}
