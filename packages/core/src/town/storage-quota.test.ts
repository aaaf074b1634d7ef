import { join } from 'node:path';
import { openSqlite, tempDir, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { Town } from './town.js';

const MIB = 1024 * 1024;
const DAY = 86_400_000;

/** One request's worth: `n` records of made-up agents (each a new agent, as a greedy token holder would post). */
function batch(tag: string, n: number, at: number) {
  return Array.from({ length: n }, (_, k) =>
    usageRecord({ id: `${tag}-${k}`, agentId: `agent-${tag}-${k}`, at, inputTokens: 3 }),
  );
}

/** Usage records stored. */
function stored(town: Town): number {
  return town.sql.rows('SELECT COUNT(*) FROM usage_records')[0]?.[0] as number;
}

describe('town storage quota', () => {
  it('refuses every ingest kind with a 507 once the data reaches the quota, storing nothing, and takes data again when the quota is raised', () => {
    const file = join(tempDir('gg-quota-'), 'town.sqlite');
    const now = { t: Date.now() };
    const sql = openSqlite(file);
    const town = new Town(sql, () => now.t, { maxBytes: 1 * MIB });
    expect(sql.sizeBytes()).toBeLessThan(MIB); // a fresh town is ~0.3 MiB
    // The first batch is admitted under the quota and may pass it (by one group at most).
    expect(town.ingestUsage(batch('a', 5000, now.t - 1000))).toMatchObject({ accepted: 5000 });
    const full = sql.sizeBytes();
    expect(full).toBeGreaterThanOrEqual(MIB);
    const before = stored(town);
    const refusals = town.ingest([
      { kind: 'usage', records: batch('b', 10, now.t - 1000) },
      { kind: 'events', events: [{ id: 'e1', type: 'agent', agentId: 'x', status: 'working', at: now.t - 1000 }] },
      { kind: 'loc', reports: [] },
      { kind: 'activity', records: [] },
    ]);
    for (const r of refusals) {
      expect(r).toBeInstanceOf(AppError);
      expect((r as AppError).code).toBe('insufficient_storage');
      expect((r as AppError).status).toBe(507);
      expect((r as AppError).expose).toBe(true);
      expect((r as AppError).message).toMatch(/storage quota is used up: it holds \d+\.\d MiB of data and may hold 1 MiB/);
    }
    expect(() => town.ingestUsage(batch('c', 1, now.t - 1000))).toThrow(/storage quota is used up/);
    expect(stored(town)).toBe(before);
    expect(sql.sizeBytes()).toBe(full);
    sql.close();

    // The same file under a larger quota (a restart with a higher --max-town-mb) takes data again.
    const sql2 = openSqlite(file);
    const raised = new Town(sql2, () => now.t, { maxBytes: 64 * MIB });
    expect(raised.ingestUsage(batch('d', 10, now.t - 1000))).toMatchObject({ accepted: 10 });
    expect(stored(raised)).toBe(before + 10);
    sql2.close();
  });

  it('takes data again once the tick has pruned what passed its retention (freed pages are not counted)', () => {
    const now = { t: Date.now() };
    const sql = openSqlite(join(tempDir('gg-quota-'), 'town.sqlite'));
    const town = new Town(sql, () => now.t, { maxBytes: 2 * MIB });
    for (
      let i = 0;
      town.ingest([{ kind: 'usage', records: batch(`old${i}`, 2000, now.t - 1000) }])[0] instanceof AppError === false;
      i++
    ) {
      expect(i).toBeLessThan(50);
    }
    expect(sql.sizeBytes()).toBeGreaterThanOrEqual(2 * MIB);
    // 401 days on, everything is past the longest retention (400 days): the ticks prune it, a batch at a time.
    now.t += 401 * DAY;
    let ticks = 0;
    while (sql.sizeBytes() >= 2 * MIB) {
      town.tick();
      expect(++ticks).toBeLessThan(500);
    }
    expect(town.ingestUsage(batch('new', 10, now.t - 1000))).toMatchObject({ accepted: 10 });
  });

  it('has no quota unless one is given (the hosts always give one: 9 GiB by default)', () => {
    const sql = openSqlite(join(tempDir('gg-quota-'), 'town.sqlite'));
    const town = new Town(sql, () => Date.now());
    expect(town.ingestUsage(batch('a', 5000, Date.now() - 1000))).toMatchObject({ accepted: 5000 });
    expect(town.ingestUsage(batch('b', 5000, Date.now() - 1000))).toMatchObject({ accepted: 5000 });
  });
});
