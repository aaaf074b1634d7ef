import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Town, type UsageRecord } from '@gasgauge/core';
import { openSqlite } from '../sqlite.js';

/** A fresh directory under the system temp dir, for tests. */
export function tempDir(prefix = 'gg-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A town on a real SQLite file, with a clock the test moves by setting `now.t`. */
export function fileTown(now: { t: number }): Town {
  return new Town(openSqlite(join(tempDir('gg-town-'), 'town.sqlite')), () => now.t);
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

/** Names that are properties of every plain object: as keys of `{}` they vanish, or write to Object.prototype. */
export const DANGEROUS_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const;
