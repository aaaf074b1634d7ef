import { join } from 'node:path';
import { sqlContract } from '@gasgauge/core/testing/sql-contract';
import { openSqlite } from './sqlite.js';
import { tempDir } from './testing/temp.js';

// The Node host's adapter: a fresh better-sqlite3 file per case, with the pragmas serve uses.
sqlContract('better-sqlite3', (body) => {
  const sql = openSqlite(join(tempDir('gg-sql-contract-'), 'db.sqlite'));
  try {
    body(sql);
  } finally {
    sql.close();
  }
});
