import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sql, type SqlValue, Town, type UsageRecord } from '@gasgauge/core';
import { openSqlite } from '../sqlite.js';

const created = new Set<string>();

/**
 * A fresh directory under the system temp dir, for tests. The prefix must start with `gg-`: the
 * suite's teardown (`temp-guard.ts`) fails the run if any `gg-*` dir is left. Every dir made here
 * is removed after its test file (`setup.ts`), so tests need no cleanup of their own.
 */
export function tempDir(prefix = 'gg-test-'): string {
  if (!prefix.startsWith('gg-')) throw new Error(`temp dir prefix must start with "gg-": ${prefix}`);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Removes every dir `tempDir` made in this test file (an open SQLite file in it is unlinked too). */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}

export { openSqlite } from '../sqlite.js';

/** A town on a real SQLite file, with a clock the test moves by setting `now.t`. */
export function fileTown(now: { t: number }): Town {
  return new Town(openSqlite(join(tempDir('gg-town-'), 'town.sqlite')), () => now.t);
}

/** A statement a town ran, its parameters and how many rows it read back (0 for a write). */
export interface LoggedStatement {
  statement: string;
  params: unknown[];
  rows: number;
}

/**
 * A town on a real SQLite file whose every statement is logged in `log` (clear it with `log.length = 0`):
 * for tests that bound the work of a tick or a read by the statements and rows it takes, not wall time.
 */
export function loggingTown(now: { t: number }): { town: Town; log: LoggedStatement[] } {
  const sql = openSqlite(join(tempDir('gg-town-'), 'town.sqlite'));
  const log: LoggedStatement[] = [];
  const logging: Sql = {
    sizeBytes: () => sql.sizeBytes(),
    run: (statement, ...params) => {
      log.push({ statement, params, rows: 0 });
      return sql.run(statement, ...params);
    },
    all: <T>(statement: string, ...params: SqlValue[]) => {
      const rows = sql.all<T>(statement, ...params);
      log.push({ statement, params, rows: rows.length });
      return rows;
    },
    rows: (statement, ...params) => {
      const rows = sql.rows(statement, ...params);
      log.push({ statement, params, rows: rows.length });
      return rows;
    },
    transaction: (fn) => sql.transaction(fn),
  };
  return { town: new Town(logging, () => now.t), log };
}

/** A usage record for tests: zero amounts, agent `a`, model `m`, delta mode, unless overridden. */
export function usageRecord(over: Partial<UsageRecord> & { id: string; at: number }): UsageRecord {
  return {
    agentId: 'a',
    model: 'm',
    inputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costMicrodollars: 0,
    mode: 'delta',
    ...over,
  };
}

/** The shape of a big town for read costs: `total` records spread evenly over `spanMs` from `from`. */
export interface SpreadTown {
  from: number;
  spanMs: number;
  total: number;
  agents: number;
  models: number;
}

/** Record `n` of a SpreadTown: agents and models taken in turn (7 and 13 apart), amounts varied but deterministic. */
export function spreadUsageRecord(n: number, town: SpreadTown): UsageRecord {
  return usageRecord({
    id: `u${n}`,
    at: town.from + Math.floor((n / town.total) * town.spanMs),
    agentId: `agent-${(n * 7) % town.agents}`,
    model: `model-${(n * 13) % town.models}`,
    inputTokens: (n * 104_729) % 50_021,
    outputTokens: (n * 7919) % 5_003,
    costMicrodollars: (n * 7919) % 100_003,
  });
}

/** Names that are properties of every plain object: as keys of `{}` they vanish, or write to Object.prototype. */
export const DANGEROUS_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const;
